"""What ``payments`` holds about a user, for their data export and account erasure (registered in apps.py)."""

from django.db.models import Q

from accounts.privacy.registry import ExportPart, files_of, rows
from payments.models import (
    Invoice,
    LedgerEntry,
    MentorPayoutDetails,
    MentorStatement,
    Payment,
    Payout,
    PayoutHold,
    Refund,
)
from payments.payouts import payout_create, payout_destination_for
from payments.selectors import active_payout_hold, mentor_balances


def export_payments_data(*, user) -> ExportPart:
    payments = Payment.objects.filter(Q(payer=user) | Q(payee=user)).order_by("id")
    invoices = list(Invoice.objects.filter(buyer=user).order_by("issued_at", "id"))
    entries = LedgerEntry.objects.filter(account__owner=user).select_related("account", "transaction").order_by("id")
    payout_details = MentorPayoutDetails.objects.filter(mentor=user).first()
    statements = list(MentorStatement.objects.filter(mentor=user).order_by("month"))
    return ExportPart(
        data={
            # Masked on purpose: the zip travels by email link; the full numbers stay on the payout page.
            "payout_details": None
            if payout_details is None
            else {
                "account_holder_name": payout_details.account_holder_name,
                "destination": payout_details.masked_destination,
                "pan": payout_details.masked_pan,
                "updated_at": payout_details.updated_at,
            },
            "payments": rows(payments),
            "refunds": rows(Refund.objects.filter(payment__in=payments).order_by("id")),
            "payouts": rows(Payout.objects.filter(mentor=user).order_by("id")),
            # Which staff member placed or released a hold is the staff member's data, not the mentor's.
            "payout_holds": rows(
                PayoutHold.objects.filter(mentor=user).order_by("id"), exclude=["mentor", "placed_by", "released_by"]
            ),
            "ledger_entries": [
                {
                    "account": entry.account.kind,
                    "transaction": entry.transaction.kind,
                    "amount_paise": entry.amount_paise,
                    "at": entry.transaction.created_at,
                }
                for entry in entries
            ],
            "invoices_and_credit_notes": [
                {
                    "kind": invoice.kind,
                    "number": invoice.number,
                    "issued_at": invoice.issued_at,
                    "total_paise": invoice.total_paise,
                    "payment": invoice.payment_id,
                    "original": invoice.original_id,
                    "document": invoice.data,
                }
                for invoice in invoices
            ],
            "statements": [{"month": statement.month, "document": statement.data} for statement in statements],
        },
        files=[*files_of(invoices, "pdf", "invoices"), *files_of(statements, "pdf", "statements")],
    )


def prepare_payments_for_deletion(*, user) -> str | None:
    """A mentor's money is settled before their account goes: escrow must be released or refunded, the
    available balance paid out (whatever its size) and every payout finished."""
    balances = mentor_balances(user)
    if Payout.objects.filter(mentor=user, status__in=Payout.IN_FLIGHT).exists():
        return "payout_in_progress"
    if active_payout_hold(user) is not None:
        return "payouts_on_hold"
    if balances.escrow_paise > 0:
        return "escrow_held"
    if balances.available_paise <= 0:
        return None
    destination = payout_destination_for(user)
    if destination is None:
        return "no_payout_destination"
    payout_create(
        mentor=user,
        amount_paise=balances.available_paise,
        destination=destination,
        idempotency_key=f"final-payout-{user.pk}-{balances.paid_out_paise}",
        origin=Payout.Origin.FINAL,
    )
    return "payout_in_progress"


def erase_payments_data(*, user, pseudonym: str) -> None:
    """Payments, refunds, payouts and ledger entries are tax and accounting records: they stay, pointing at
    the anonymised account. Only free text that could name the person is replaced.

    Invoices and credit notes are kept unchanged, snapshot and PDF included: they are the tax invoices the law
    requires us to keep for 6 years (CGST Act s.36), the database refuses any change to them, and a deletion
    request does not override a legal duty to retain (DPDP Act s.8(7)). The buyer's name on a B2C invoice
    under ₹50,000 is not required (CGST Rules, Rule 46), but the record as issued is. A mentor's monthly statements
    stay for the same reason: they are the record of the income tax withheld from them.

    Payout details go: the final payout was made before erasure (``prepare_payments_for_deletion``)."""
    MentorPayoutDetails.objects.filter(mentor=user).delete()
    for payment in Payment.objects.filter(Q(payer=user) | Q(payee=user)).only("pk", "receipt"):
        Payment.objects.filter(pk=payment.pk).update(description=f"{pseudonym} · {payment.receipt}")
