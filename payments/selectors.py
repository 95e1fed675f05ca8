from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from payments.models import (
    Invoice,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    MentorStatement,
    Payment,
    Payout,
    PayoutEvent,
    PayoutHold,
    PayoutRun,
    Refund,
)
from payments.registry import PaymentSubject, get_handler, is_registered


class MentorBalances(NamedTuple):
    """A mentor's money in paise: held in escrow until sessions complete, available for payout, and paid out."""

    escrow_paise: int
    available_paise: int
    paid_out_paise: int


def get_payment_for_payer(user, payment_id: int) -> Payment:
    """The payment, if ``user`` made it; otherwise 404 (never reveal that someone else's payment exists)."""
    try:
        return Payment.objects.get(pk=payment_id, payer=user)
    except Payment.DoesNotExist:
        raise Http404 from None


def mentor_balances(mentor_user) -> MentorBalances:
    totals = LedgerEntry.objects.filter(account__owner=mentor_user).aggregate(
        escrow=Sum("amount_paise", filter=Q(account__kind=LedgerAccount.Kind.ESCROW)),
        payable=Sum("amount_paise", filter=Q(account__kind=LedgerAccount.Kind.MENTOR_PAYABLE)),
        paid_out=Sum(
            "amount_paise",
            filter=Q(
                account__kind=LedgerAccount.Kind.MENTOR_PAYABLE,
                transaction__kind__in=[LedgerTransaction.Kind.PAYOUT, LedgerTransaction.Kind.PAYOUT_REVERSAL],
            ),
        ),
    )
    # Liability accounts carry credits (negative sums); a payout debits the mentor's payable account.
    return MentorBalances(
        escrow_paise=-(totals["escrow"] or 0),
        available_paise=-(totals["payable"] or 0),
        paid_out_paise=totals["paid_out"] or 0,
    )


def student_payment_history(user) -> QuerySet[Payment]:
    """Everything ``user`` paid or tried to pay, newest first, with its refunds."""
    return (
        Payment.objects.filter(payer=user)
        .select_related("payee")
        .prefetch_related(
            Prefetch("refunds", queryset=Refund.objects.order_by("created_at")),
            Prefetch("invoices", queryset=Invoice.objects.only("pk", "payment_id", "kind", "number").order_by("pk")),
        )
        .order_by("-created_at", "-id")
    )


def payment_subjects(payments: Iterable[Payment], *, viewer) -> dict[int, PaymentSubject]:
    """What each payment bought, as `viewer` reads it in the active language, asked of its purpose's handler once
    per purpose. A purpose no longer registered keeps the description stored when the payment was made."""
    by_purpose: dict[str, list[Payment]] = defaultdict(list)
    for payment in payments:
        by_purpose[payment.purpose].append(payment)
    subjects: dict[int, PaymentSubject] = {}
    for purpose, group in by_purpose.items():
        described = get_handler(purpose).describe(group, viewer=viewer) if is_registered(purpose) else {}
        for payment in group:
            subjects[payment.pk] = described.get(payment.pk) or PaymentSubject(title=payment.description)
    return subjects


def get_invoice_for_download(user, invoice_id: int) -> Invoice:
    """An invoice or credit note its buyer or support staff may download; anyone else gets a 404."""
    invoices = Invoice.objects.all() if user.is_support_staff else Invoice.objects.filter(buyer=user)
    try:
        return invoices.get(pk=invoice_id)
    except Invoice.DoesNotExist:
        raise Http404 from None


def invoice_for_payment(payment_id: int) -> Invoice | None:
    return Invoice.objects.filter(payment_id=payment_id, kind=Invoice.Kind.INVOICE).first()


def invoices_search(number: str) -> QuerySet[Invoice]:
    """Staff look-up by number: every number containing the text ("PL/2026-27/000123", "000123"), newest first."""
    number = number.strip().upper()
    if not number:
        return Invoice.objects.none()
    return Invoice.objects.filter(number__contains=number).select_related("buyer").order_by("-pk")


# --- payouts ---------------------------------------------------------------------------------------------------


def active_payout_hold(mentor_user) -> PayoutHold | None:
    """The hold staff put on this mentor's payouts, while it lasts."""
    return PayoutHold.objects.filter(mentor=mentor_user, released_at__isnull=True).select_related("placed_by").first()


def payout_in_flight(mentor_user) -> Payout | None:
    return Payout.objects.filter(mentor=mentor_user, status__in=Payout.IN_FLIGHT).first()


def last_requested_payout(mentor_user) -> Payout | None:
    return Payout.objects.filter(mentor=mentor_user, origin=Payout.Origin.REQUESTED).order_by("-created_at").first()


def payout_runs_summary(limit: int) -> list[PayoutRun]:
    """The latest weekly runs, each with how many of its payouts (retries included) are in each status and their
    total, in one query."""
    per_status = {
        f"n_{status}": Count("payouts", filter=Q(payouts__status=status), distinct=True) for status in Payout.Status
    }
    return list(
        PayoutRun.objects.annotate(total_paise=Sum("payouts__amount_paise"), **per_status).order_by("-week_start")[
            :limit
        ]
    )


def payouts_for_panel(*, status: str = "", run_id: int | None = None, mentor_id: int | None = None) -> QuerySet[Payout]:
    payouts = Payout.objects.select_related("mentor", "run").order_by("-created_at", "-id")
    if status:
        payouts = payouts.filter(status=status)
    if run_id is not None:
        payouts = payouts.filter(run_id=run_id)
    if mentor_id is not None:
        payouts = payouts.filter(mentor_id=mentor_id)
    return payouts


def payout_for_panel(payout_id: int) -> Payout:
    """One payout with its trail, its ledger movements and the payouts it retries or is retried by; 404 if none."""
    try:
        return (
            Payout.objects.select_related("mentor", "run", "retry_of", "retry")
            .prefetch_related(
                Prefetch("events", queryset=PayoutEvent.objects.select_related("actor").order_by("created_at", "id")),
                Prefetch(
                    "ledger_transactions",
                    queryset=LedgerTransaction.objects.prefetch_related(
                        Prefetch("entries", queryset=LedgerEntry.objects.select_related("account"))
                    ).order_by("created_at", "id"),
                ),
            )
            .get(pk=payout_id)
        )
    except Payout.DoesNotExist:
        raise Http404 from None


def active_payout_holds() -> QuerySet[PayoutHold]:
    return (
        PayoutHold.objects.filter(released_at__isnull=True).select_related("mentor", "placed_by").order_by("placed_at")
    )
def get_statement_for_download(user, statement_id: int) -> MentorStatement:
    """A statement its mentor or support staff may download; anyone else gets a 404."""
    statements = MentorStatement.objects.all() if user.is_support_staff else MentorStatement.objects.filter(mentor=user)
    try:
        return statements.get(pk=statement_id)
    except MentorStatement.DoesNotExist:
        raise Http404 from None
