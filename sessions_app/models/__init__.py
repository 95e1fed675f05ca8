"""The sessions app's models, by area; import them from here (``from sessions_app.models import Booking``).

- ``booking``: sessions (the meetings), bookings, the waitlist, reschedule requests, disputes, reminders sent,
  and calendar feeds (notifications live in ``accounts``);
- ``room``: the live room and what follows a session (attendance, consent, chat, recordings, tips, notes,
  follow-up tasks, reviews, progress, mentor no-shows);
- ``messaging``: student–mentor message threads and their messages.
"""

from sessions_app.models.booking import (
    Booking,
    CalendarFeed,
    Dispute,
    RescheduleRequest,
    SentReminder,
    Session,
    WaitlistEntry,
    new_feed_token,
)
from sessions_app.models.messaging import DirectMessage, MessageThread
from sessions_app.models.room import (
    FollowUpTask,
    MentorNoShow,
    MentorNote,
    ProgressMilestone,
    Recording,
    RecordingChunk,
    Review,
    RoomConsent,
    RoomVisit,
    SessionMessage,
    Tip,
)

__all__ = [
    "Booking",
    "CalendarFeed",
    "DirectMessage",
    "Dispute",
    "FollowUpTask",
    "MentorNote",
    "MentorNoShow",
    "MessageThread",
    "ProgressMilestone",
    "Recording",
    "RecordingChunk",
    "RescheduleRequest",
    "Review",
    "RoomConsent",
    "RoomVisit",
    "SentReminder",
    "Session",
    "SessionMessage",
    "Tip",
    "WaitlistEntry",
    "new_feed_token",
]
