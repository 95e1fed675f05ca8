from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404

from payments.models import Invoice, LedgerAccount, LedgerEntry, LedgerTransaction, MentorStatement, Payment, Refund
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


def get_statement_for_download(user, statement_id: int) -> MentorStatement:
    """A statement its mentor or support staff may download; anyone else gets a 404."""
    statements = MentorStatement.objects.all() if user.is_support_staff else MentorStatement.objects.filter(mentor=user)
    try:
        return statements.get(pk=statement_id)
    except MentorStatement.DoesNotExist:
        raise Http404 from None
