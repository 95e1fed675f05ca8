"""The registry of notification kinds: what each one is about and how it reads.

A kind's display function turns the stored parameters into text in the active language (the reader's, chosen by
``notification_text``), at the moment someone reads it: the inbox, the live push, the email.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.formats import date_format, time_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.timezones import time_zone_label

if TYPE_CHECKING:
    from django.core.mail import EmailMessage

    from accounts.models import Notification, User

# The categories preferences are grouped by (a kind may be switched on its own too).
CATEGORIES: dict[str, Promise] = {
    "sessions": _("Bookings and sessions"),
    "reminders": _("Session reminders"),
    "payments": _("Payments, invoices and payouts"),
    "reviews": _("Reviews and tips"),
    "messages": _("Messages"),
    "mentoring": _("Mentor application and verification"),
    "account": _("Account, quality and safety"),
    "support": _("Help requests"),
    "guardian": _("Guardian consent"),
}


@dataclass(frozen=True)
class NotificationText:
    title: str
    body: str = ""


DisplayFunction = Callable[[dict[str, Any], "User"], NotificationText]
EmailFunction = Callable[["Notification", "User"], "EmailMessage | None"]


@dataclass(frozen=True)
class NotificationKind:
    key: str
    category: str
    label: Promise | str
    display: DisplayFunction
    priority: str = "normal"
    email: bool = True
    sms: bool = False
    # Safety and account notices reach the user whatever their preferences say.
    mandatory: bool = False
    # Guardians of a minor recipient get an email copy (seed 000 §14.3: booking, cancellation, safety).
    guardian_copy: bool = False
    # A richer email than the default one (a calendar invitation); None falls back to the default email.
    email_message: EmailFunction | None = None


_KINDS: dict[str, NotificationKind] = {}


def notification_kind_register(
    key: str,
    *,
    category: str,
    label: Promise | str,
    display: DisplayFunction,
    priority: str = "normal",
    email: bool = True,
    sms: bool = False,
    mandatory: bool = False,
    guardian_copy: bool = False,
    email_message: EmailFunction | None = None,
) -> NotificationKind:
    """Register a kind (call from ``AppConfig.ready``; registering the same key again replaces it)."""
    if category not in CATEGORIES:
        raise ValueError(f"Unknown notification category {category!r}")
    if priority not in ("low", "normal", "high", "urgent"):
        raise ValueError(f"Unknown notification priority {priority!r}")
    kind = NotificationKind(
        key=key,
        category=category,
        label=label,
        display=display,
        priority=priority,
        email=email,
        sms=sms,
        mandatory=mandatory,
        guardian_copy=guardian_copy,
        email_message=email_message,
    )
    _KINDS[key] = kind
    return kind


def notification_kind(key: str) -> NotificationKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"Notification kind {key!r} is not registered") from None


def notification_kinds() -> list[NotificationKind]:
    return sorted(_KINDS.values(), key=lambda kind: (list(CATEGORIES).index(kind.category), kind.key))


def notification_text(notification: Notification, viewer: User) -> NotificationText:
    """The notification's title and body in the viewer's language (their stored choice, not the request's)."""
    from accounts.selectors import user_language

    with translation.override(user_language(viewer)):
        return notification_text_in_active_language(notification, viewer)


def notification_text_in_active_language(notification: Notification, viewer: User) -> NotificationText:
    try:
        kind = _KINDS[notification.kind]
    except KeyError:
        # A kind whose app no longer registers it: say something rather than fail the whole inbox.
        return NotificationText(str(_("Notification")))
    text = kind.display(notification.params, viewer)
    return NotificationText(str(text.title)[:300], str(text.body)[:2000])


# --- helpers for display functions ----------------------------------------------------------------------------


def local_datetime(value: str | dt.datetime | None, viewer: User) -> str:
    """An ISO timestamp from the parameters, as the viewer reads a date and time in their own zone."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    local = moment.astimezone(viewer.tzinfo)
    return f"{date_format(local, 'j F Y')}, {time_format(local, 'H:i')} ({time_zone_label(viewer.time_zone)})"


def _stored_text(params: dict[str, Any], viewer: User) -> NotificationText:
    """Notices moved from before kinds existed: their text was written once, in the language of that time."""
    return NotificationText(params.get("title", ""), params.get("body", ""))


def _guardian_consent_given(params: dict[str, Any], viewer: User) -> NotificationText:
    return NotificationText(
        str(_("Your guardian gave consent")),
        str(_("%(name)s agreed that you can book sessions on PeerLearn.") % {"name": params.get("guardian", "")}),
    )


def _guardian_consent_withdrawn(params: dict[str, Any], viewer: User) -> NotificationText:
    return NotificationText(
        str(_("Your guardian withdrew consent")),
        str(
            _("%(name)s withdrew their consent: you cannot book new sessions until a guardian agrees again.")
            % {"name": params.get("guardian", "")}
        ),
    )


notification_kind_register(
    "accounts.notice", category="account", label=_("Older notices"), display=_stored_text, email=False
)
notification_kind_register(
    "accounts.guardian_consent_given",
    category="guardian",
    label=_("Guardian consent given"),
    display=_guardian_consent_given,
)
notification_kind_register(
    "accounts.guardian_consent_withdrawn",
    category="guardian",
    label=_("Guardian consent withdrawn"),
    display=_guardian_consent_withdrawn,
    priority="high",
)
