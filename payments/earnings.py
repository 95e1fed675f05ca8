"""A mentor's earnings as the earnings page, its CSV and the monthly statements read them (bounded queries), and the
"You'll earn" preview of a price.

A *line* is one payment to the mentor (a session or a tip) with what became of it, from the ledger: the price, the
platform's share, the mentor's share, refunds, the tax withheld (``payments.tax``) and what is still in escrow.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from mentorship.money import MAX_PRICE_PAISE, price_error
from payments import tax
from payments.ledger import MENTOR_SHARE_PERCENT, TDS_KINDS, mentor_share
from payments.models import (
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    MentorPayoutDetails,
    Payment,
    PayoutHold,
)
from payments.payout_ops import PayoutRequestState, payout_request_state
from payments.payouts import PAYOUT_MINIMUM_PAISE
from payments.selectors import MentorBalances, active_payout_hold, mentor_balances

Kind = LedgerAccount.Kind
TxnKind = LedgerTransaction.Kind
WEEKLY_PAYOUT_ENTRY = "payments-weekly-payouts"
PLATFORM_PERCENT = 100 - MENTOR_SHARE_PERCENT


# --- "You'll earn" ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EarningsPreview:
    """What one sale at ``price_paise`` leaves the mentor, in paise, as the ledger will split it."""

    price_paise: int
    platform_fee_paise: int
    mentor_share_paise: int
    tds_paise: int
    tds_rate_basis_points: int
    has_pan: bool
    net_paise: int

    @property
    def tds_rate_percent(self) -> str:
        return tax.rate_percent(self.tds_rate_basis_points)

    @property
    def platform_percent(self) -> int:
        return PLATFORM_PERCENT

    @property
    def rate_with_pan_percent(self) -> str:
        return tax.rate_percent(tax.tds_rate_basis_points(has_pan=True))


def earnings_preview(*, price_paise: int, has_pan: bool) -> EarningsPreview:
    """The split of a paid sale, from the same functions the ledger uses (``mentor_share``, ``tax.tds_amount``)."""
    share = mentor_share(price_paise)
    rate = tax.tds_rate_basis_points(has_pan=has_pan)
    withheld = tax.tds_amount(share, rate)
    return EarningsPreview(
        price_paise=price_paise,
        platform_fee_paise=price_paise - share,
        mentor_share_paise=share,
        tds_paise=withheld,
        tds_rate_basis_points=rate,
        has_pan=has_pan,
        net_paise=share - withheld,
    )


# --- lines --------------------------------------------------------------------------------------


@dataclass
class EarningLine:
    payment: Payment
    is_tip: bool
    price_paise: int = 0
    tip_paise: int = 0
    platform_paise: int = 0
    mentor_share_paise: int = 0
    refunded_paise: int = 0
    tds_paise: int = 0
    in_escrow_paise: int = 0

    @property
    def net_paise(self) -> int:
        return self.mentor_share_paise - self.tds_paise

    @property
    def date(self) -> dt.datetime:
        return self.payment.captured_at or self.payment.created_at


def earning_payments(mentor) -> QuerySet[Payment]:
    """The mentor's captured payments (sessions and tips), newest first: one line each."""
    return (
        Payment.objects.filter(payee=mentor, status=Payment.Status.CAPTURED)
        .select_related("payer")
        .order_by("-captured_at", "-id")
    )


def earning_lines(
    payments: Iterable[Payment], *, since: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[EarningLine]:
    """Each payment's figures from one grouped query over its ledger entries (only those of [since, until) when
    given: what moved in a statement's month)."""
    payments = list(payments)
    entries = LedgerEntry.objects.filter(transaction__payment__in=[payment.pk for payment in payments])
    if since is not None:
        entries = entries.filter(transaction__created_at__gte=since)
    if until is not None:
        entries = entries.filter(transaction__created_at__lt=until)
    rows = entries.values("transaction__payment_id", "account__kind", "transaction__kind").annotate(
        total=Sum("amount_paise")
    )
    sums: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
    for row in rows:
        sums[row["transaction__payment_id"]][(row["account__kind"], row["transaction__kind"])] = row["total"]
    return [_line(payment, sums[payment.pk]) for payment in payments]


def _line(payment: Payment, sums: dict[tuple[str, str], int]) -> EarningLine:
    def credit(account_kind: str, *, only: Iterable[str] = (), leaving_out: Iterable[str] = ()) -> int:
        # Liability and revenue accounts carry credits as negative amounts.
        only, leaving_out = set(only), set(leaving_out)
        return -sum(
            total
            for (kind, txn), total in sums.items()
            if kind == account_kind and (not only or txn in only) and txn not in leaving_out
        )

    is_tip = not payment.holds_in_escrow
    return EarningLine(
        payment=payment,
        is_tip=is_tip,
        price_paise=0 if is_tip else payment.amount_paise,
        tip_paise=payment.amount_paise if is_tip else 0,
        platform_paise=credit(Kind.PLATFORM_REVENUE),
        mentor_share_paise=credit(Kind.MENTOR_PAYABLE, leaving_out=TDS_KINDS),
        refunded_paise=credit(Kind.REFUNDS_PAYABLE, only=(TxnKind.REFUND, TxnKind.REFUND_REVERSAL)),
        tds_paise=credit(Kind.TDS_PAYABLE),
        in_escrow_paise=credit(Kind.ESCROW),
    )


# --- months -------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return month_start(month - dt.timedelta(days=1))


@dataclass(frozen=True)
class MonthFigures:
    """Credited to the mentor in one month (their share of completed sessions and tips, less refunds), the tax
    withheld on it, and what that leaves."""

    month: dt.date
    earned_paise: int = 0
    tds_paise: int = 0

    @property
    def net_paise(self) -> int:
        return self.earned_paise - self.tds_paise


def earnings_months(mentor, *, since: dt.datetime, zone: dt.tzinfo) -> dict[dt.date, MonthFigures]:
    """Per calendar month of ``zone`` from ``since``, in one grouped query. Months without movement are absent."""
    rows = (
        LedgerEntry.objects.filter(
            account__owner=mentor,
            account__kind__in=[Kind.MENTOR_PAYABLE, Kind.TDS_PAYABLE],
            transaction__created_at__gte=since,
        )
        .exclude(transaction__kind__in=[TxnKind.PAYOUT, TxnKind.PAYOUT_SETTLED, TxnKind.PAYOUT_REVERSAL])
        .annotate(month=TruncMonth("transaction__created_at", tzinfo=zone))
        .values("month")
        .annotate(
            earned=Sum(
                "amount_paise", filter=Q(account__kind=Kind.MENTOR_PAYABLE) & ~Q(transaction__kind__in=TDS_KINDS)
            ),
            withheld=Sum("amount_paise", filter=Q(account__kind=Kind.TDS_PAYABLE)),
        )
        .order_by("month")
    )
    return {
        row["month"].date(): MonthFigures(
            month=row["month"].date(), earned_paise=-(row["earned"] or 0), tds_paise=-(row["withheld"] or 0)
        )
        for row in rows
    }


def mentor_earnings_by_month(mentor, *, since: dt.datetime, zone: dt.tzinfo) -> dict[dt.date, int]:
    """Paise credited to the mentor per month (before tax withheld): their 70 % of completed sessions and tips, less
    what refunds took back from already released money."""
    return {month: figures.earned_paise for month, figures in earnings_months(mentor, since=since, zone=zone).items()}


def last_months(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the ``count`` months up to and including ``today``'s, oldest first."""
    months = [month_start(today)]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months[::-1]


# --- next payout --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextPayout:
    """When the weekly run next pays, and what it would pay this mentor if it ran now (0 with the reason why not)."""

    at: dt.datetime
    amount_paise: int
    short_of_minimum_paise: int
    has_destination: bool

    @property
    def minimum_paise(self) -> int:
        return PAYOUT_MINIMUM_PAISE


def next_weekly_run(now: dt.datetime) -> dt.datetime:
    """The next time the beat schedule's weekly payout entry fires after ``now`` (its crontab, read from settings)."""
    schedule = settings.CELERY_BEAT_SCHEDULE[WEEKLY_PAYOUT_ENTRY]["schedule"]
    zone = schedule.tz or dt.UTC
    local = now.astimezone(zone)
    for offset in range(8):
        day = local.date() + dt.timedelta(days=offset)
        # Celery counts weekdays from Sunday = 0.
        if day.isoweekday() % 7 not in schedule.day_of_week:
            continue
        for hour in sorted(schedule.hour):
            for minute in sorted(schedule.minute):
                moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)
                if moment > local:
                    return moment.astimezone(dt.UTC)
    raise ValueError("The weekly payout schedule never fires.")


def next_payout(
    mentor,
    *,
    balances: MentorBalances,
    now: dt.datetime,
    details: MentorPayoutDetails | None,
    on_hold: bool = False,
) -> NextPayout:
    has_destination = details is not None
    available = balances.available_paise
    # The weekly run skips a mentor whose payouts staff put on hold (the page says why).
    due = available >= PAYOUT_MINIMUM_PAISE and has_destination and mentor.is_active and not on_hold
    return NextPayout(
        at=next_weekly_run(now),
        amount_paise=available if due else 0,
        short_of_minimum_paise=max(PAYOUT_MINIMUM_PAISE - available, 0),
        has_destination=has_destination,
    )


# --- the page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EarningsOverview:
    balances: MentorBalances
    this_month: MonthFigures
    last_month: MonthFigures
    months: list[MonthFigures]
    next_payout: NextPayout
    tds_rate_basis_points: int
    has_pan: bool
    hold: PayoutHold | None
    payout_request: PayoutRequestState

    @property
    def tds_rate_percent(self) -> str:
        return tax.rate_percent(self.tds_rate_basis_points)


CHART_MONTHS = 12


def earnings_overview(mentor, *, now: dt.datetime, zone: dt.tzinfo) -> EarningsOverview:
    """Everything above the lines on the earnings page, in a handful of queries whatever the ledger's size."""
    today = now.astimezone(zone).date()
    months = last_months(today, CHART_MONTHS)
    since = dt.datetime.combine(months[0], dt.time(), tzinfo=zone)
    by_month = earnings_months(mentor, since=since, zone=zone)
    figures = [by_month.get(month) or MonthFigures(month=month) for month in months]
    balances = mentor_balances(mentor)
    details = MentorPayoutDetails.objects.filter(mentor=mentor).first()
    has_pan = bool(details and details.pan)
    hold = active_payout_hold(mentor)
    return EarningsOverview(
        balances=balances,
        this_month=figures[-1],
        last_month=figures[-2],
        months=figures,
        next_payout=next_payout(mentor, balances=balances, now=now, details=details, on_hold=hold is not None),
        tds_rate_basis_points=tax.tds_rate_basis_points(has_pan=has_pan),
        has_pan=has_pan,
        hold=hold,
        payout_request=payout_request_state(
            mentor, now=now, hold=hold, balances=balances, has_details=details is not None
        ),
    )


def you_earn_context(text, *, mentor, allow_free: bool = False) -> dict:
    """What the "You'll earn" box says about a price typed in whole rupees (any text, as the form has it)."""
    try:
        rupees = int(str(text).strip())
    except (TypeError, ValueError):
        return {"preview": None, "free": False, "error": ""}
    paise = rupees * 100
    if paise == 0 and allow_free:
        return {"preview": None, "free": True, "error": ""}
    error = price_error(paise, allow_free=allow_free) or ""
    if paise <= 0 or paise > MAX_PRICE_PAISE:
        return {"preview": None, "free": False, "error": error}
    return {
        "preview": earnings_preview(price_paise=paise, has_pan=tax.mentor_has_pan(mentor)),
        "free": False,
        "error": error,
    }
