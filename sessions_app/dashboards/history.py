"""A mentor's past, written in bulk: held group sessions with their students' completed bookings, reviews and the
mentor's released earnings in the ledger. For the dashboards' query-count tests and `bench/dashboard_bench.py`
(a year of data for one mentor), never called by the site itself."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db import transaction

from accounts.models import Language, User
from payments.ledger import ledger_account, mentor_share
from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction
from sessions_app.models import Booking, Review, Session


@transaction.atomic
def mentor_history_create(
    *,
    mentor_user: User,
    students: list[User],
    language: Language,
    now: dt.datetime,
    weeks: int = 52,
    sessions_per_week: int = 3,
    seats: int = 4,
    price_paise: int = 50_000,
) -> int:
    """Completed 60-minute sessions every other day back from `now`, each with `seats` of `students` (in turn),
    every booking reviewed and paid, its mentor's share released on the session's day. Returns the sessions
    written."""
    cycle = itertools.cycle(students)
    sessions = []
    for index in range(weeks * sessions_per_week):
        starts_at = (now - dt.timedelta(hours=36 + index * 7 * 24 / sessions_per_week)).replace(
            minute=0, second=0, microsecond=0
        )
        sessions.append(
            Session(
                mentor=mentor_user,
                kind=Session.Kind.GROUP,
                title=f"Doubt clinic {index + 1}",
                language=language,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=60),
                time_zone="Asia/Kolkata",
                capacity=max(seats, 1),
                price_paise=price_paise,
                status=Session.Status.COMPLETED,
                published_at=starts_at - dt.timedelta(days=7),
                completed_at=starts_at + dt.timedelta(minutes=60),
            )
        )
    Session.objects.bulk_create(sessions)
    bookings = [
        Booking(
            session=session,
            student=next(cycle),
            status=Booking.Status.COMPLETED,
            price_paise=price_paise,
            confirmed_at=session.starts_at - dt.timedelta(days=10),
            completed_at=session.ends_at,
        )
        for session in sessions
        for _seat in range(seats)
    ]
    Booking.objects.bulk_create(bookings)
    Review.objects.bulk_create(
        [
            Review(
                booking=booking,
                session=booking.session,
                student=booking.student,
                mentor=mentor_user,
                rating=4 + index % 2,
                language=language,
                created_at=booking.session.ends_at + dt.timedelta(hours=2),
            )
            for index, booking in enumerate(bookings)
        ]
    )
    if price_paise:
        _released_earnings(mentor_user, sessions, price_paise * seats)
    return len(sessions)


def _released_earnings(mentor_user: User, sessions: list[Session], paid_paise: int) -> None:
    escrow = ledger_account(LedgerAccount.Kind.ESCROW, mentor_user)
    payable = ledger_account(LedgerAccount.Kind.MENTOR_PAYABLE, mentor_user)
    revenue = ledger_account(LedgerAccount.Kind.PLATFORM_REVENUE)
    to_mentor = mentor_share(paid_paise)
    released = LedgerTransaction.objects.bulk_create(
        [LedgerTransaction(kind=LedgerTransaction.Kind.RELEASE, memo="history") for _ in sessions]
    )
    # `created_at` is set on insert; the release happened when its session ended.
    for txn, session in zip(released, sessions, strict=True):
        txn.created_at = session.ends_at
    LedgerTransaction.objects.bulk_update(released, ["created_at"])
    LedgerEntry.objects.bulk_create(
        [
            entry
            for txn in released
            for entry in (
                LedgerEntry(transaction=txn, account=escrow, amount_paise=paid_paise),
                LedgerEntry(transaction=txn, account=payable, amount_paise=-to_mentor),
                LedgerEntry(transaction=txn, account=revenue, amount_paise=-(paid_paise - to_mentor)),
            )
        ]
    )
