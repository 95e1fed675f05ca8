import datetime as dt
import random

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from adminpanel.models import QualityReview
from adminpanel.services.quality import quality_audits_sample, quality_review_decide, quality_reviews_open_due
from sessions_app.models import Booking, MentorNoShow, Session
from tests.factories import (
    BookingFactory,
    GroupSessionFactory,
    MentorProfileFactory,
    MentorUserFactory,
    ReviewFactory,
    admin_user,
    support_user,
)

pytestmark = pytest.mark.django_db
T = QualityReview.Trigger


def past_session(mentor, *, days_ago=5, status=Session.Status.COMPLETED, **fields):
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(days=days_ago)
    return GroupSessionFactory(
        mentor=mentor,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        status=status,
        completed_at=starts_at + dt.timedelta(hours=1) if status == Session.Status.COMPLETED else None,
        **fields,
    )


def rate(mentor, ratings):
    for n, rating in enumerate(ratings):
        session = past_session(mentor, days_ago=40 - n)
        ReviewFactory(
            booking=BookingFactory(session=session, status="completed"),
            rating=rating,
            created_at=timezone.now() - dt.timedelta(days=40 - n),
        )


def triggers(mentor):
    return set(QualityReview.objects.filter(mentor=mentor).values_list("trigger", flat=True))


def test_rating_below_3_5_over_the_last_ten_reviews_opens_a_review():
    low, edge, recovered = MentorUserFactory(), MentorUserFactory(), MentorUserFactory()
    rate(low, [3, 3, 4, 3, 4, 3, 4, 3, 4, 3])  # 3.4
    rate(edge, [3, 4] * 5)  # 3.5: not below
    rate(recovered, [1] * 5 + [5] * 10)  # the old ones fall out of the window

    assert quality_reviews_open_due() == 1
    assert triggers(low) == {T.LOW_RATING}
    assert triggers(edge) == set() and triggers(recovered) == set()
    assert QualityReview.objects.get(mentor=low).metrics == {"average_rating": 3.4, "reviews": 10}
    assert quality_reviews_open_due() == 0  # one open review per mentor and reason


def test_completion_below_90_percent_over_30_days_opens_a_review():
    flaky, steady = MentorUserFactory(), MentorUserFactory()
    for n in range(9):
        past_session(flaky, days_ago=n + 1)
        past_session(steady, days_ago=n + 1)
    past_session(steady, days_ago=12)  # 10 held
    cancelled = past_session(flaky, days_ago=3, status=Session.Status.CANCELLED)  # 9 of 10 held = 90 %
    BookingFactory(session=cancelled, status="cancelled", cancellation_reason=Booking.CancelReason.MENTOR)
    assert quality_reviews_open_due() == 0

    cancelled = past_session(flaky, days_ago=4, status=Session.Status.CANCELLED)  # 9 of 11 ≈ 82 %
    BookingFactory(session=cancelled, status="cancelled", cancellation_reason=Booking.CancelReason.SESSION_CANCELLED)
    past_session(flaky, days_ago=45, status=Session.Status.CANCELLED)  # outside the window

    assert quality_reviews_open_due() == 1
    assert triggers(flaky) == {T.LOW_COMPLETION} and triggers(steady) == set()


def test_two_no_shows_in_30_days_open_a_review():
    once, twice = MentorUserFactory(), MentorUserFactory()
    MentorNoShow.objects.create(session=past_session(once, status=Session.Status.CANCELLED), mentor=once)
    MentorNoShow.objects.create(session=past_session(once, days_ago=40, status="cancelled"), mentor=once)
    for days in (3, 20):
        MentorNoShow.objects.create(session=past_session(twice, days_ago=days, status="cancelled"), mentor=twice)

    quality_reviews_open_due()

    assert T.NO_SHOWS not in triggers(once)
    assert T.NO_SHOWS in triggers(twice)


def test_weekly_audit_samples_the_configured_share_of_completed_sessions(settings):
    settings.PEERLEARN_QUALITY_AUDIT_PERCENT = 20
    mentor = MentorUserFactory()
    sessions = [past_session(mentor, days_ago=1 + n % 6) for n in range(10)]
    past_session(mentor, days_ago=10)  # last week's only

    assert quality_audits_sample(rng=random.Random(1)) == 2
    audited = set(QualityReview.objects.filter(trigger=T.AUDIT).values_list("session_id", flat=True))
    assert len(audited) == 2 and audited <= {s.pk for s in sessions}


def test_outcome_is_told_to_the_mentor_in_their_language_and_shown_on_the_dashboard(
    client, django_capture_on_commit_callbacks
):
    mentor = MentorProfileFactory().user
    mentor.ui_language = "te"
    mentor.save(update_fields=["ui_language"])
    review = QualityReview.objects.create(mentor=mentor, trigger=T.NO_SHOWS, metrics={"no_shows": 2})
    staff = support_user()
    client.force_login(staff)
    url = reverse("adminpanel:quality_review", args=[review.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="quality-metrics"' in page.content.decode()
    assert client.post(url, {"outcome": "warning", "note": ""}).status_code == 400
    assert client.post(url, {"outcome": "suspension", "note": "x"}).status_code == 400  # admins only

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"outcome": "training", "note": "Join the punctuality training"}).status_code == 302
    review.refresh_from_db()
    assert review.outcome == "training" and review.decided_by == staff
    assert mail.outbox[-1].to == [mentor.email]
    assert "Quality review" not in mail.outbox[-1].subject  # in Telugu

    client.force_login(mentor)
    dashboard = client.get(reverse("mentors:dashboard")).content.decode()
    assert "Join the punctuality training" in dashboard
    client.post(reverse("help:quality_acknowledge", args=[review.pk]))
    assert "Join the punctuality training" not in client.get(reverse("mentors:dashboard")).content.decode()


def test_suspension_outcome_suspends_the_mentor():
    mentor = MentorUserFactory()
    review = QualityReview.objects.create(mentor=mentor, trigger=T.LOW_RATING)
    quality_review_decide(review=review, actor=admin_user(), outcome="suspension", note="Repeated complaints")
    mentor.refresh_from_db()
    assert mentor.status == User.Status.SUSPENDED


def test_quality_pages_run_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(support_user())
    for _ in range(8):
        QualityReview.objects.create(mentor=MentorUserFactory(), trigger=T.LOW_RATING)
    review = QualityReview.objects.first()
    with django_assert_max_num_queries(10):
        assert client.get(reverse("adminpanel:quality_queue")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("adminpanel:quality_review", args=[review.pk])).status_code == 200
