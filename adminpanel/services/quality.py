"""Mentor quality control (seed 000 §3.2, second version): automatic reviews, random audits, staff outcomes."""

import datetime as dt
import math
import random
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from adminpanel.models import QualityReview
from adminpanel.services.accounts import suspension_allowed_check, user_suspend
from outbox.services import enqueue
from sessions_app.models import Booking, MentorNoShow, Review, Session

RATING_WINDOW = 10
RATING_THRESHOLD = 3.5
COMPLETION_THRESHOLD = 0.90
NO_SHOW_THRESHOLD = 2
PERIOD = dt.timedelta(days=30)
# Fewer data points than this say nothing about a mentor: one bad review is not a pattern.
MIN_REVIEWS = 5
MIN_SESSIONS = 5


def recent_ratings(mentor_ids: list[int] | None = None) -> dict[int, list[int]]:
    """Each mentor's last ten ratings (reviews hidden by moderation excluded), newest first."""
    reviews = Review.objects.filter(hidden_at__isnull=True)
    if mentor_ids is not None:
        reviews = reviews.filter(mentor_id__in=mentor_ids)
    ranked = reviews.annotate(
        rank=Window(RowNumber(), partition_by=[F("mentor_id")], order_by=[F("created_at").desc(), F("id").desc()])
    ).filter(rank__lte=RATING_WINDOW)
    ratings: dict[int, list[int]] = defaultdict(list)
    for mentor_id, rating in ranked.values_list("mentor_id", "rating"):
        ratings[mentor_id].append(rating)
    return ratings


def completion_counts(since: dt.datetime, until: dt.datetime, mentor_ids: list[int] | None = None) -> dict:
    """Per mentor: sessions held, and sessions lost to the mentor (cancelled by them or missed) in the window."""
    sessions = Session.objects.filter(starts_at__gte=since, starts_at__lt=until)
    if mentor_ids is not None:
        sessions = sessions.filter(mentor_id__in=mentor_ids)
    held = dict(
        sessions.filter(status=Session.Status.COMPLETED)
        .values("mentor_id")
        .annotate(n=Count("id"))
        .values_list("mentor_id", "n")
    )
    cancelled = dict(
        sessions.filter(
            bookings__cancellation_reason__in=[Booking.CancelReason.MENTOR, Booking.CancelReason.SESSION_CANCELLED],
            bookings__confirmed_at__isnull=False,
        )
        .values("mentor_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("mentor_id", "n")
    )
    missed = dict(
        sessions.filter(mentor_no_show__isnull=False)
        .values("mentor_id")
        .annotate(n=Count("id"))
        .values_list("mentor_id", "n")
    )
    counts = {}
    for mentor_id in set(held) | set(cancelled) | set(missed):
        counts[mentor_id] = {
            "held": held.get(mentor_id, 0),
            "lost": cancelled.get(mentor_id, 0) + missed.get(mentor_id, 0),
        }
    return counts


def no_show_counts(since: dt.datetime, mentor_ids: list[int] | None = None) -> dict[int, int]:
    no_shows = MentorNoShow.objects.filter(session__starts_at__gte=since)
    if mentor_ids is not None:
        no_shows = no_shows.filter(mentor_id__in=mentor_ids)
    return dict(no_shows.values("mentor_id").annotate(n=Count("id")).values_list("mentor_id", "n"))


def quality_reviews_open_due(*, now: dt.datetime | None = None) -> int:
    """The daily check: open a review for each mentor over a threshold (one open review per mentor and reason)."""
    now = now or timezone.now()
    since = now - PERIOD
    due: list[QualityReview] = []
    for mentor_id, ratings in recent_ratings().items():
        if len(ratings) >= MIN_REVIEWS and sum(ratings) / len(ratings) < RATING_THRESHOLD:
            metrics = {"average_rating": round(sum(ratings) / len(ratings), 2), "reviews": len(ratings)}
            due.append(QualityReview(mentor_id=mentor_id, trigger=QualityReview.Trigger.LOW_RATING, metrics=metrics))
    for mentor_id, counts in completion_counts(since, now).items():
        total = counts["held"] + counts["lost"]
        if total >= MIN_SESSIONS and counts["held"] / total < COMPLETION_THRESHOLD:
            metrics = {**counts, "completion_rate": round(counts["held"] / total, 3)}
            due.append(
                QualityReview(mentor_id=mentor_id, trigger=QualityReview.Trigger.LOW_COMPLETION, metrics=metrics)
            )
    for mentor_id, count in no_show_counts(since).items():
        if count >= NO_SHOW_THRESHOLD:
            due.append(
                QualityReview(mentor_id=mentor_id, trigger=QualityReview.Trigger.NO_SHOWS, metrics={"no_shows": count})
            )
    for review in due:
        review.created_at = now
    before = QualityReview.objects.count()
    # The partial unique index makes a second run (or a mentor already under review) a no-op.
    QualityReview.objects.bulk_create(due, ignore_conflicts=True)
    return QualityReview.objects.count() - before


def quality_audits_sample(*, now: dt.datetime | None = None, rng: random.Random | None = None) -> int:
    """The weekly audit: a configurable share of last week's completed sessions, picked at random."""
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    completed = list(
        Session.objects.filter(status=Session.Status.COMPLETED, completed_at__gte=now - dt.timedelta(days=7))
        .values_list("pk", "mentor_id")
        .order_by("pk")
    )
    if not completed:
        return 0
    share = settings.PEERLEARN_QUALITY_AUDIT_PERCENT / 100
    picked = rng.sample(completed, min(len(completed), math.ceil(len(completed) * share)))
    audits = [
        QualityReview(mentor_id=mentor_id, session_id=session_id, trigger=QualityReview.Trigger.AUDIT, created_at=now)
        for session_id, mentor_id in picked
    ]
    QualityReview.objects.bulk_create(audits, ignore_conflicts=True)
    return len(audits)


def quality_review_decide(
    *, review: QualityReview, actor: User, outcome: str, note: str, now: dt.datetime | None = None
) -> QualityReview:
    now = now or timezone.now()
    if outcome not in QualityReview.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")}, code="outcome")
    if outcome == QualityReview.Outcome.SUSPENSION:
        suspension_allowed_check(actor=actor, field="outcome")
    if outcome != QualityReview.Outcome.NO_ACTION and not note.strip():
        raise ValidationError({"note": _("Tell the mentor what to change.")}, code="empty")
    with transaction.atomic():
        review = QualityReview.objects.select_for_update().select_related("mentor").get(pk=review.pk)
        if review.decided_at is not None:
            raise ValidationError(_("This review was already decided."), code="decided")
        review.outcome = outcome
        review.note = note
        review.decided_by = actor
        review.decided_at = now
        review.save(update_fields=["outcome", "note", "decided_by", "decided_at"])
        if outcome == QualityReview.Outcome.SUSPENSION:
            user_suspend(user=review.mentor, actor=actor, reason=note, now=now)
        elif outcome != QualityReview.Outcome.NO_ACTION:
            from adminpanel import tasks

            enqueue(tasks.notify_quality_review, review.pk)
    return review


def quality_review_acknowledge(*, review: QualityReview, mentor: User) -> None:
    updated = QualityReview.objects.filter(
        pk=review.pk, mentor=mentor, acknowledged_at__isnull=True, decided_at__isnull=False
    ).update(acknowledged_at=timezone.now())
    if not updated:
        raise ValidationError(_("Nothing to acknowledge."), code="none")
