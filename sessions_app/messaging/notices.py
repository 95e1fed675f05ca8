"""How a new message is announced: the notice's words (in the recipient's language) and the channels they chose."""

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import student_profile_for
from sessions_app.emails import Notice
from sessions_app.models import DirectMessage

PREVIEW_CHARS = 200


def recipient_channels(user: User) -> tuple[bool, bool]:
    """(email, in-app) for message notices, from a student's notification preferences; mentors get both."""
    profile = student_profile_for(user)
    if profile is None:
        return True, True
    return profile.notify_email, profile.notify_in_app


def new_message_notice(message: DirectMessage, recipient: User) -> Notice:
    """Call with the recipient's language active."""
    sender = message.sender.full_name
    if message.kind == DirectMessage.Kind.BOOKING_QUESTION:
        subject = _("%(name)s asked questions for your session") % {"name": sender}
    else:
        subject = _("New message from %(name)s") % {"name": sender}
    preview = Truncator(message.text).chars(PREVIEW_CHARS) if message.text else _("(an image)")
    return Notice(
        subject=subject,
        lines=[preview],
        action_label=_("Read and reply"),
        action_path=reverse("sessions_app:message_thread", args=[message.thread.uuid]),
    )
