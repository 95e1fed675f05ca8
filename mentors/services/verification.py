"""The verification pipeline (seed 000 §3.2): which moves are allowed, who may make them, and the record of each."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from mentors.hooks import announce_profile_changed
from mentors.models import MentorProfile, VerificationEvent
from mentors.models import VerificationStatus as S
from mentors.notification_kinds import notify_verification_step
from mentors.tasks import send_verification_update_email
from outbox.services import enqueue

# Moves staff (admin or support) may make, from each status.
STAFF_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.DOCUMENTS_UNDER_REVIEW, S.REJECTED, S.REAPPLICATION_REQUIRED}),
    S.DOCUMENTS_UNDER_REVIEW: frozenset({S.BACKGROUND_CHECK_IN_PROGRESS, S.REJECTED, S.REAPPLICATION_REQUIRED}),
    S.BACKGROUND_CHECK_IN_PROGRESS: frozenset({S.INTERVIEW_SCHEDULED, S.REJECTED, S.REAPPLICATION_REQUIRED}),
    # Scheduling again moves the interview to a new time.
    S.INTERVIEW_SCHEDULED: frozenset(
        {S.INTERVIEW_SCHEDULED, S.TRIAL_SESSION_REQUIRED, S.REJECTED, S.REAPPLICATION_REQUIRED}
    ),
    # The seed makes the supervised trial session mandatory before approval.
    S.TRIAL_SESSION_REQUIRED: frozenset({S.APPROVED, S.REJECTED, S.REAPPLICATION_REQUIRED}),
    S.APPROVED: frozenset({S.SUSPENDED}),
    S.SUSPENDED: frozenset({S.APPROVED, S.REJECTED}),
    S.REJECTED: frozenset({S.REAPPLICATION_REQUIRED}),
    S.REAPPLICATION_REQUIRED: frozenset(),
}

# Moves the mentor makes by their own actions: resubmitting when asked, or changing verified facts
# (university, company, documents) once past the document review, which sends the profile back to it.
REVIEW_AGAIN_FROM = frozenset(
    {S.BACKGROUND_CHECK_IN_PROGRESS, S.INTERVIEW_SCHEDULED, S.TRIAL_SESSION_REQUIRED, S.APPROVED}
)
MENTOR_TRANSITIONS: dict[str, frozenset[str]] = {
    S.REAPPLICATION_REQUIRED: frozenset({S.PENDING}),
    **{status: frozenset({S.DOCUMENTS_UNDER_REVIEW}) for status in REVIEW_AGAIN_FROM},
}

REASON_REQUIRED = frozenset({S.REJECTED, S.SUSPENDED, S.REAPPLICATION_REQUIRED})


@dataclass(frozen=True)
class StaffAction:
    """A button in the staff panel: a named move to `to_status` from `from_statuses`."""

    name: str
    label: Promise
    to_status: str
    from_statuses: frozenset[str]
    needs_reason: bool = False
    needs_time: bool = False


STAFF_ACTIONS: tuple[StaffAction, ...] = (
    StaffAction("start_document_review", _("Start document review"), S.DOCUMENTS_UNDER_REVIEW, frozenset({S.PENDING})),
    StaffAction(
        "start_background_check",
        _("Documents verified: start background check"),
        S.BACKGROUND_CHECK_IN_PROGRESS,
        frozenset({S.DOCUMENTS_UNDER_REVIEW}),
    ),
    StaffAction(
        "schedule_interview",
        _("Schedule interview"),
        S.INTERVIEW_SCHEDULED,
        frozenset({S.BACKGROUND_CHECK_IN_PROGRESS, S.INTERVIEW_SCHEDULED}),
        needs_time=True,
    ),
    StaffAction(
        "require_trial", _("Require trial session"), S.TRIAL_SESSION_REQUIRED, frozenset({S.INTERVIEW_SCHEDULED})
    ),
    StaffAction("approve", _("Approve"), S.APPROVED, frozenset({S.TRIAL_SESSION_REQUIRED})),
    StaffAction("reinstate", _("Reinstate"), S.APPROVED, frozenset({S.SUSPENDED})),
    StaffAction(
        "request_reapplication",
        _("Ask to reapply"),
        S.REAPPLICATION_REQUIRED,
        frozenset(s for s, targets in STAFF_TRANSITIONS.items() if S.REAPPLICATION_REQUIRED in targets),
        needs_reason=True,
    ),
    StaffAction(
        "reject",
        _("Reject"),
        S.REJECTED,
        frozenset(s for s, targets in STAFF_TRANSITIONS.items() if S.REJECTED in targets),
        needs_reason=True,
    ),
    StaffAction("suspend", _("Suspend"), S.SUSPENDED, frozenset({S.APPROVED}), needs_reason=True),
)
STAFF_ACTIONS_BY_NAME = {action.name: action for action in STAFF_ACTIONS}


def staff_actions_for(status: str) -> list[StaffAction]:
    return [action for action in STAFF_ACTIONS if status in action.from_statuses]


def can_review_applications(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_support_staff


def verification_transition(
    *,
    mentor_id: int,
    actor: User,
    expected_status: str,
    to_status: str,
    note: str = "",
    scheduled_for: dt.datetime | None = None,
) -> VerificationEvent:
    """Move an application on, as staff. `expected_status` is what the actor saw: if someone else moved the
    application meanwhile, this fails instead of acting on a state the actor never looked at."""
    if not can_review_applications(actor):
        raise PermissionDenied
    with transaction.atomic():
        mentor = MentorProfile.objects.select_for_update().get(pk=mentor_id)
        return _record_transition(
            mentor=mentor,
            actor=actor,
            expected_status=expected_status,
            to_status=to_status,
            allowed=STAFF_TRANSITIONS,
            note=note,
            scheduled_for=scheduled_for,
        )


def verification_transition_by_mentor(
    *, mentor: MentorProfile, to_status: str, note: str, notify: bool = True
) -> VerificationEvent:
    """A move caused by the mentor's own action; call inside the caller's transaction with `mentor` locked.
    `notify=False` when the caller sends its own email (a resubmission is acknowledged like an application)."""
    return _record_transition(
        mentor=mentor,
        actor=mentor.user,
        expected_status=mentor.verification_status,
        to_status=to_status,
        allowed=MENTOR_TRANSITIONS,
        note=note,
        notify=notify,
    )


def _record_transition(
    *,
    mentor: MentorProfile,
    actor: User,
    expected_status: str,
    to_status: str,
    allowed: dict[str, frozenset[str]],
    note: str,
    scheduled_for: dt.datetime | None = None,
    notify: bool = True,
) -> VerificationEvent:
    from_status = mentor.verification_status
    if from_status != expected_status:
        raise ValidationError(
            _("This application was changed by someone else (it is now “%(status)s”). Reload and try again."),
            params={"status": S(from_status).label},
            code="stale",
        )
    if to_status not in allowed.get(from_status, frozenset()):
        raise ValidationError(
            _("An application cannot go from “%(from)s” to “%(to)s”."),
            params={"from": S(from_status).label, "to": S(to_status).label},
            code="not_allowed",
        )
    note = note.strip()
    if to_status in REASON_REQUIRED and not note:
        raise ValidationError({"note": _("Give the mentor a reason.")}, code="reason_required")
    if to_status == S.INTERVIEW_SCHEDULED:
        if scheduled_for is None:
            raise ValidationError({"scheduled_for": _("Choose the interview date and time.")}, code="time_required")
        if scheduled_for <= timezone.now():
            raise ValidationError({"scheduled_for": _("The interview must be in the future.")}, code="time_past")
    elif scheduled_for is not None:
        raise ValidationError(_("Only an interview has a date."), code="time_unexpected")

    mentor.verification_status = to_status
    update_fields = ["verification_status", "updated_at"]
    if to_status in REASON_REQUIRED:
        mentor.decision_reason = note
        update_fields.append("decision_reason")
    elif mentor.decision_reason:
        mentor.decision_reason = ""
        update_fields.append("decision_reason")
    if to_status == S.APPROVED:
        mentor.approved_at = timezone.now()
        update_fields.append("approved_at")
    mentor.save(update_fields=update_fields)
    event = VerificationEvent.objects.create(
        mentor=mentor,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        note=note,
        scheduled_for=scheduled_for,
    )
    if notify:
        enqueue(send_verification_update_email, event.pk)
        notify_verification_step(event)
    announce_profile_changed(mentor.pk)
    return event
