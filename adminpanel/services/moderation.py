"""Trust and safety: reports of users, reviews and chat messages, and what staff decide about them."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from adminpanel.models import ModerationReport
from adminpanel.services.accounts import suspension_allowed_check, user_suspend, user_warn
from sessions_app.models import Review, SessionMessage
from sessions_app.room.feedback import chat_message_hide, review_hide
from sessions_app.room.selectors import get_session_membership

OUTCOMES = ("dismiss", "hide", "warn", "suspend")


def report_create(
    *,
    reporter: User,
    reason: str,
    details: str = "",
    user: User | None = None,
    review: Review | None = None,
    message: SessionMessage | None = None,
) -> ModerationReport:
    if reason not in ModerationReport.Reason.values:
        raise ValidationError({"reason": _("Choose a reason.")}, code="reason")
    if review is not None:
        kind, reported = ModerationReport.Kind.REVIEW, review.student
    elif message is not None:
        # Only people who were in the session saw the message.
        get_session_membership(reporter, message.session_id)
        kind, reported = ModerationReport.Kind.MESSAGE, message.sender
    elif user is not None:
        kind, reported = ModerationReport.Kind.USER, user
    else:
        raise ValidationError(_("Say what you are reporting."), code="target")
    if reported is None or reported.pk == reporter.pk:
        raise ValidationError(_("You cannot report this."), code="self")
    try:
        with transaction.atomic():
            return ModerationReport.objects.create(
                reporter=reporter,
                kind=kind,
                reported_user=reported,
                review=review,
                message=message,
                reason=reason,
                details=details.strip(),
            )
    except IntegrityError:
        raise ValidationError(_("You have already reported this; our team is looking at it."), code="duplicate")


def report_decide(
    *, report: ModerationReport, actor: User, outcome: str, note: str, now: dt.datetime | None = None
) -> ModerationReport:
    """Dismiss, hide the review or message, warn the author, or suspend them (admins only)."""
    now = now or timezone.now()
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": _("Choose an outcome.")}, code="outcome")
    if outcome == "suspend":
        suspension_allowed_check(actor=actor, field="outcome")
    if outcome != "dismiss" and not note.strip():
        raise ValidationError({"note": _("Write down why; the user is told when warned or suspended.")})
    with transaction.atomic():
        report = (
            ModerationReport.objects.select_for_update(of=("self",))
            .select_related("review", "message", "reported_user")
            .get(pk=report.pk)
        )
        if report.status != ModerationReport.Status.OPEN:
            raise ValidationError(_("This report was already decided."), code="decided")
        if outcome == "hide":
            if report.review is not None:
                review_hide(review=report.review, now=now)
            elif report.message is not None:
                chat_message_hide(message=report.message, now=now)
            else:
                raise ValidationError({"outcome": _("A user cannot be hidden; warn or suspend instead.")})
            report.status = ModerationReport.Status.HIDDEN
        elif outcome == "warn":
            user_warn(user=report.reported_user, actor=actor, reason=note, now=now)
            report.status = ModerationReport.Status.WARNED
        elif outcome == "suspend":
            user_suspend(user=report.reported_user, actor=actor, reason=note, now=now)
            report.status = ModerationReport.Status.SUSPENDED
        else:
            report.status = ModerationReport.Status.DISMISSED
        report.decided_by = actor
        report.decided_at = now
        report.decision_note = note
        report.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return report
