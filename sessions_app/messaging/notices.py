"""How a new message is announced: the notification kinds messaging raises (through ``accounts``' one service) and
how they read, in the reader's language at the moment they read them."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.notifications.kinds import NotificationText, notification_kind_register
from accounts.services import notification_raise
from sessions_app.models import DirectMessage

NEW_MESSAGE = "messages.new_message"
# Further messages before the recipient read the first: in the app and live, but no email each time.
MORE_MESSAGES = "messages.more_messages"
PREVIEW_CHARS = 200


def _display(params: dict[str, Any], viewer: User) -> NotificationText:
    name = params.get("sender", "")
    if params.get("question"):
        title = _("%(name)s asked questions for your session") % {"name": name}
    else:
        title = _("New message from %(name)s") % {"name": name}
    return NotificationText(title, params.get("preview") or _("(an image)"))


def register_message_kinds() -> None:
    notification_kind_register(
        NEW_MESSAGE, category="messages", label=gettext_lazy("New message"), display=_display, priority="high"
    )
    notification_kind_register(
        MORE_MESSAGES,
        category="messages",
        label=gettext_lazy("More messages in a conversation you have not read yet"),
        display=_display,
        email=False,
    )


def _earlier_unread(message: DirectMessage, recipient_read_at) -> bool:
    """Whether the recipient already had an unread message from the sender before this one (and so an email)."""
    earlier = DirectMessage.objects.filter(
        thread_id=message.thread_id, sender_id=message.sender_id, hidden_at__isnull=True, pk__lt=message.pk
    )
    if recipient_read_at is not None:
        earlier = earlier.filter(created_at__gt=recipient_read_at)
    return earlier.exists()


def announce_new_message(message: DirectMessage) -> None:
    """Tell the other side (in the caller's transaction): stored, pushed live to their open tabs after commit, and
    emailed as their preferences say, one email per run of unread messages."""
    thread = message.thread
    to_mentor = message.sender_id == thread.student_id
    recipient = thread.mentor if to_mentor else thread.student
    read_at = thread.mentor_read_at if to_mentor else thread.student_read_at
    notification_raise(
        recipient=recipient,
        kind=MORE_MESSAGES if _earlier_unread(message, read_at) else NEW_MESSAGE,
        params={
            "thread": str(thread.uuid),
            "message": message.pk,
            "sender": message.sender.full_name,
            # What the person typed (already without contact details in a thread with a minor).
            "preview": Truncator(message.text).chars(PREVIEW_CHARS),
            "question": message.kind == DirectMessage.Kind.BOOKING_QUESTION,
        },
        link=reverse("sessions_app:message_thread", args=[thread.uuid]),
    )
