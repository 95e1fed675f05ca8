"""What messaging holds about a user, for their data export and account erasure (registered in ``setup``)."""

from django.db.models import Q

from accounts.privacy.registry import ExportPart, files_of, rows
from sessions_app.models import DirectMessage, MessageThread


def export_messages_data(*, user) -> ExportPart:
    """The user's threads and every message in them (both sides: it is their conversation), with their images."""
    threads = MessageThread.objects.filter(Q(student=user) | Q(mentor=user)).order_by("id")
    messages = list(DirectMessage.objects.filter(thread__in=threads).order_by("thread_id", "created_at", "id"))
    return ExportPart(
        data={"threads": rows(threads), "messages": rows(messages)},
        files=files_of([m for m in messages if m.sender_id == user.pk], "image", "message-images"),
    )


def erase_messages_data(*, user, pseudonym: str) -> None:
    """What the user wrote goes (text and images); the other side keeps the thread, showing it as deleted."""
    written = DirectMessage.objects.filter(sender=user)
    for message in written.exclude(image=""):
        message.image.delete(save=False)
    written.update(text="", image="")
