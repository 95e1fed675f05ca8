import datetime as dt
import threading
from itertools import product

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.utils import timezone

from accounts.models import Notification, User
from mentors.models import MentorProfile, VerificationEvent
from mentors.models import VerificationStatus as S
from mentors.services import verification_transition
from mentors.services.verification import STAFF_TRANSITIONS, staff_actions_for
from tests.factories import MentorProfileFactory, UserFactory

IN_A_WEEK = timezone.now() + dt.timedelta(days=7)


@pytest.fixture
def reviewer(db):
    return UserFactory(is_staff=True, role=User.Role.SUPPORT, email="reviewer@example.test")


def move(mentor, actor, to_status, note="", scheduled_for=None):
    return verification_transition(
        mentor_id=mentor.pk,
        actor=actor,
        expected_status=MentorProfile.objects.get(pk=mentor.pk).verification_status,
        to_status=to_status,
        note=note,
        scheduled_for=scheduled_for,
    )


@pytest.mark.django_db
def test_staff_moves_an_application_through_every_stage_to_approved_with_history_and_emails(
    reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    mentor = MentorProfileFactory(pending=True)
    with django_capture_on_commit_callbacks(execute=True):
        move(mentor, reviewer, S.DOCUMENTS_UNDER_REVIEW)
        move(mentor, reviewer, S.BACKGROUND_CHECK_IN_PROGRESS, note="ID and degree verified")
        move(mentor, reviewer, S.INTERVIEW_SCHEDULED, scheduled_for=IN_A_WEEK)
        move(mentor, reviewer, S.TRIAL_SESSION_REQUIRED)
        move(mentor, reviewer, S.APPROVED, note="Great trial session")
    mentor.refresh_from_db()
    assert mentor.verification_status == S.APPROVED
    assert mentor.approved_at is not None
    events = list(mentor.verification_events.order_by("created_at", "pk"))
    assert [(e.from_status, e.to_status) for e in events] == [
        (S.PENDING, S.DOCUMENTS_UNDER_REVIEW),
        (S.DOCUMENTS_UNDER_REVIEW, S.BACKGROUND_CHECK_IN_PROGRESS),
        (S.BACKGROUND_CHECK_IN_PROGRESS, S.INTERVIEW_SCHEDULED),
        (S.INTERVIEW_SCHEDULED, S.TRIAL_SESSION_REQUIRED),
        (S.TRIAL_SESSION_REQUIRED, S.APPROVED),
    ]
    assert all(e.actor == reviewer for e in events)
    assert events[1].note == "ID and degree verified"
    assert events[2].scheduled_for == IN_A_WEEK
    assert len(mailoutbox) == 5
    assert all(message.to == [mentor.user.email] for message in mailoutbox)
    assert "Approved" in mailoutbox[-1].subject
    # Each step is also in the mentor's notifications (its email is the detailed one above, sent once).
    steps = Notification.objects.filter(recipient=mentor.user, kind="mentors.verification_step").order_by("id")
    assert [n.params["status"] for n in steps] == [e.to_status for e in events]
    assert steps[2].params["scheduled_for"] == IN_A_WEEK.isoformat()
    assert f"/mentor/{mentor.slug}/" in mailoutbox[-1].body
    interview_email = mailoutbox[2]
    assert "Interview:" in interview_email.body
    assert interview_email.alternatives[0][1] == "text/html"


def _forbidden_pairs():
    for from_status, to_status in product(S.values, S.values):
        if to_status not in STAFF_TRANSITIONS[from_status]:
            yield from_status, to_status


@pytest.mark.django_db
@pytest.mark.parametrize(("from_status", "to_status"), list(_forbidden_pairs()))
def test_staff_cannot_make_a_move_outside_the_transition_table(reviewer, from_status, to_status):
    mentor = MentorProfileFactory(verification_status=from_status)
    with pytest.raises(ValidationError) as caught:
        move(mentor, reviewer, to_status, note="reason", scheduled_for=IN_A_WEEK)
    assert caught.value.code == "not_allowed"
    mentor.refresh_from_db()
    assert mentor.verification_status == from_status
    assert not VerificationEvent.objects.filter(mentor=mentor).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        (S.PENDING, S.REJECTED),
        (S.DOCUMENTS_UNDER_REVIEW, S.REAPPLICATION_REQUIRED),
        (S.APPROVED, S.SUSPENDED),
        (S.SUSPENDED, S.APPROVED),
        (S.SUSPENDED, S.REJECTED),
        (S.REJECTED, S.REAPPLICATION_REQUIRED),
        (S.INTERVIEW_SCHEDULED, S.INTERVIEW_SCHEDULED),
    ],
)
def test_side_moves_of_the_seed_are_allowed(reviewer, from_status, to_status):
    mentor = MentorProfileFactory(verification_status=from_status)
    move(
        mentor,
        reviewer,
        to_status,
        note="Explained to the mentor",
        scheduled_for=IN_A_WEEK if to_status == S.INTERVIEW_SCHEDULED else None,
    )
    mentor.refresh_from_db()
    assert mentor.verification_status == to_status


@pytest.mark.django_db
@pytest.mark.parametrize("to_status", [S.REJECTED, S.REAPPLICATION_REQUIRED])
def test_rejection_and_reapplication_need_a_reason_which_the_mentor_then_sees(reviewer, to_status):
    mentor = MentorProfileFactory(pending=True)
    with pytest.raises(ValidationError) as caught:
        move(mentor, reviewer, to_status, note="   ")
    assert "note" in caught.value.message_dict
    move(mentor, reviewer, to_status, note="Your ID proof is unreadable.")
    mentor.refresh_from_db()
    assert mentor.decision_reason == "Your ID proof is unreadable."


@pytest.mark.django_db
def test_suspension_needs_a_reason_and_reinstating_clears_it(reviewer):
    mentor = MentorProfileFactory()
    with pytest.raises(ValidationError):
        move(mentor, reviewer, S.SUSPENDED)
    move(mentor, reviewer, S.SUSPENDED, note="Missed three sessions")
    mentor.refresh_from_db()
    assert not mentor.is_listed
    move(mentor, reviewer, S.APPROVED, note="Talked it through")
    mentor.refresh_from_db()
    assert mentor.is_listed and mentor.decision_reason == ""


@pytest.mark.django_db
def test_interview_needs_a_future_date(reviewer):
    mentor = MentorProfileFactory(verification_status=S.BACKGROUND_CHECK_IN_PROGRESS)
    with pytest.raises(ValidationError) as missing:
        move(mentor, reviewer, S.INTERVIEW_SCHEDULED)
    assert "scheduled_for" in missing.value.message_dict
    with pytest.raises(ValidationError) as past:
        move(mentor, reviewer, S.INTERVIEW_SCHEDULED, scheduled_for=timezone.now() - dt.timedelta(hours=1))
    assert "scheduled_for" in past.value.message_dict
    with pytest.raises(ValidationError):
        move(mentor, reviewer, S.REJECTED, note="no", scheduled_for=IN_A_WEEK)


@pytest.mark.django_db
def test_a_decision_on_a_status_the_reviewer_did_not_see_is_refused(reviewer):
    mentor = MentorProfileFactory(pending=True)
    move(mentor, reviewer, S.DOCUMENTS_UNDER_REVIEW)
    with pytest.raises(ValidationError) as caught:
        verification_transition(
            mentor_id=mentor.pk, actor=reviewer, expected_status=S.PENDING, to_status=S.REJECTED, note="Too late"
        )
    assert caught.value.code == "stale"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "actor_fields",
    [
        {"is_staff": False, "role": User.Role.STUDENT},
        {"is_staff": False, "role": User.Role.ADMIN},
        {"is_staff": True, "role": User.Role.MENTOR},
        {"is_staff": True, "role": User.Role.ADMIN, "is_active": False},
    ],
)
def test_only_active_admin_or_support_staff_can_decide(actor_fields):
    mentor = MentorProfileFactory(pending=True)
    with pytest.raises(PermissionDenied):
        move(mentor, UserFactory(**actor_fields), S.DOCUMENTS_UNDER_REVIEW)


@pytest.mark.django_db
def test_the_mentor_cannot_approve_themselves():
    mentor = MentorProfileFactory(verification_status=S.TRIAL_SESSION_REQUIRED)
    with pytest.raises(PermissionDenied):
        move(mentor, mentor.user, S.APPROVED)


def test_panel_actions_match_the_transition_table():
    for status in S.values:
        targets = {action.to_status for action in staff_actions_for(status)}
        assert targets == set(STAFF_TRANSITIONS[status]), status


@pytest.mark.django_db(transaction=True)
def test_two_staff_acting_at_once_cannot_both_succeed():
    first = UserFactory(is_staff=True, role=User.Role.ADMIN)
    second = UserFactory(is_staff=True, role=User.Role.SUPPORT)
    mentor = MentorProfileFactory(verification_status=S.DOCUMENTS_UNDER_REVIEW)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(actor, to_status, note):
        try:
            barrier.wait()
            verification_transition(
                mentor_id=mentor.pk,
                actor=actor,
                expected_status=S.DOCUMENTS_UNDER_REVIEW,
                to_status=to_status,
                note=note,
            )
            outcomes.append(to_status)
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            close_old_connections()

    threads = [
        threading.Thread(target=act, args=(first, S.BACKGROUND_CHECK_IN_PROGRESS, "")),
        threading.Thread(target=act, args=(second, S.REJECTED, "Documents forged")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes, key=str).count("stale") == 1
    assert len(outcomes) == 2
    mentor.refresh_from_db()
    winner = next(o for o in outcomes if o != "stale")
    assert mentor.verification_status == winner
    assert VerificationEvent.objects.filter(mentor=mentor).count() == 1
