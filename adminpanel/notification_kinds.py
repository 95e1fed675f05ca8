"""The notification kinds ``adminpanel`` raises (support desk, staff decisions), read in the reader's language."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.notifications.kinds import NotificationText, notification_kind_register
from adminpanel.models import AccountAction, QualityReview


def _support_reply(p: dict[str, Any], viewer: User) -> NotificationText:
    body = p.get("reply", "")
    if p.get("resolved"):
        body += " " + _("We think this is solved. Reply within 7 days if it is not, and the ticket reopens.")
    return NotificationText(_("Support replied: %(subject)s") % {"subject": p.get("subject", "")}, body.strip())


def _ticket_reply(p: dict[str, Any], viewer: User) -> NotificationText:
    return NotificationText(_("New reply on ticket #%(id)s") % {"id": p.get("ticket")}, p.get("reply", ""))


def _escalated(p: dict[str, Any], viewer: User) -> NotificationText:
    return NotificationText(_("Escalated: ticket #%(id)s") % {"id": p.get("ticket")}, p.get("subject", ""))


def _emergency(p: dict[str, Any], viewer: User) -> NotificationText:
    return NotificationText(
        _("EMERGENCY: %(subject)s") % {"subject": p.get("subject", "")},
        " ".join(
            [
                _("A safety problem was reported from a session. First response is due within 15 minutes."),
                p.get("reply", ""),
            ]
        ).strip(),
    )


def _account_action(p: dict[str, Any], viewer: User) -> NotificationText:
    subjects = {
        AccountAction.Kind.SUSPEND: _("Your PeerLearn account is suspended"),
        AccountAction.Kind.DEACTIVATE: _("Your PeerLearn account is deactivated"),
        AccountAction.Kind.REINSTATE: _("Your PeerLearn account is active again"),
        AccountAction.Kind.WARN: _("A warning about your PeerLearn account"),
    }
    lines = [_("Reason: %(reason)s") % {"reason": p.get("reason", "")}]
    if p.get("action") == AccountAction.Kind.SUSPEND:
        lines += [
            _("Your upcoming sessions were cancelled and the other side refunded in full."),
            _("You can appeal once: sign in and follow the link on the page you see."),
        ]
    return NotificationText(subjects.get(p.get("action", ""), _("A change to your PeerLearn account")), " ".join(lines))


def _quality_review(p: dict[str, Any], viewer: User) -> NotificationText:
    def label(choices, value: str) -> str:
        try:
            return str(choices(value).label)
        except ValueError:
            return value

    return NotificationText(
        _("Quality review: %(outcome)s") % {"outcome": label(QualityReview.Outcome, p.get("outcome", ""))},
        " ".join(
            [
                _("We reviewed your recent sessions (%(reason)s).")
                % {"reason": label(QualityReview.Trigger, p.get("trigger", ""))},
                p.get("note", ""),
            ]
        ).strip(),
    )


def register_notification_kinds() -> None:
    register = notification_kind_register
    register(
        "support.reply",
        category="support",
        label=gettext_lazy("Support replied to your request"),
        display=_support_reply,
        priority="high",
    )
    register(
        "support.ticket_reply",
        category="support",
        label=gettext_lazy("Replies on tickets assigned to you"),
        display=_ticket_reply,
    )
    register(
        "support.escalated",
        category="support",
        label=gettext_lazy("Escalated tickets"),
        display=_escalated,
        priority="high",
    )
    register(
        "support.emergency",
        category="account",
        label=gettext_lazy("Safety emergencies (on duty)"),
        display=_emergency,
        priority="urgent",
        sms=True,
        mandatory=True,
    )
    register(
        "account.action",
        category="account",
        label=gettext_lazy("Decisions about your account"),
        display=_account_action,
        priority="urgent",
        mandatory=True,
        guardian_copy=True,
    )
    register(
        "quality.review",
        category="account",
        label=gettext_lazy("Quality reviews of your sessions"),
        display=_quality_review,
        priority="high",
        mandatory=True,
    )
