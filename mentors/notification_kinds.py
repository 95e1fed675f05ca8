"""The notification kinds ``mentors`` raises (the verification pipeline), read in the reader's language."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.notifications.kinds import NotificationText, local_datetime, notification_kind_register
from accounts.services import notification_raise
from mentors.models import VerificationEvent, VerificationStatus


def _verification_step(p: dict[str, Any], viewer: User) -> NotificationText:
    try:
        status = VerificationStatus(p.get("status", "")).label
    except ValueError:
        status = p.get("status", "")
    lines = []
    if p.get("scheduled_for"):
        lines.append(_("Interview: %(when)s") % {"when": local_datetime(p["scheduled_for"], viewer)})
    if p.get("note"):
        lines.append(p["note"])
    return NotificationText(_("Your mentor application: %(status)s") % {"status": status}, " ".join(lines))


def notify_verification_step(event: VerificationEvent) -> None:
    """Call in the transition's transaction (the email of the step is sent by its own task)."""
    notification_raise(
        recipient=event.mentor.user,
        kind="mentors.verification_step",
        params={
            "status": event.to_status,
            "note": event.note,
            "scheduled_for": event.scheduled_for.isoformat() if event.scheduled_for else "",
        },
        link=reverse("mentors:dashboard"),
        dedupe_key=f"verification:{event.pk}",
    )


def register_notification_kinds() -> None:
    # email=False: every step already has its own detailed email (mentors/tasks.send_verification_update_email).
    notification_kind_register(
        "mentors.verification_step",
        category="mentoring",
        label=gettext_lazy("Verification steps"),
        display=_verification_step,
        priority="high",
        email=False,
    )
