"""The double-entry ledger: the source of truth for where every paisa is.

Entries are signed paise: positive debits, negative credits; every transaction sums to zero (checked here and by a
deferred constraint trigger in PostgreSQL). Liability and revenue accounts (escrow, mentor payable, platform
revenue, refunds payable) therefore carry negative sums; their *balance* as shown is the negated sum.

Flows (seed 000 §3.5, DESIGN.md §3 "Money"):
- capture: gateway → escrow of the mentor (a tip: gateway → mentor payable, no platform share);
- release on completion: escrow → mentor payable ``held * 70 // 100`` and platform revenue the remainder;
- refund: escrow first, then (after a release) back out of mentor payable and platform revenue → refunds payable;
  settled by ``refund.processed`` (refunds payable → gateway) or reversed by ``refund.failed``;
- payout: mentor payable → payouts in transit → gateway when RazorpayX reports it processed;
- tax deducted at source (``payments.tax``): whenever the mentor's payable is credited (a release or a tip), a
  separate ``tds`` transaction moves the tax from it to the mentor's TDS payable account; a refund that takes
  credited money back gives the tax on it back (``tds_reversal``). ``payment_positions`` leaves these out, so a
  payment's positions still show the gross split.

Functions here expect to run inside the caller's transaction with the payment (or refund, payout) row locked.
"""

from django.db import transaction
from django.db.models import Sum

from payments import tax
from payments.models import LedgerAccount, LedgerEntry, LedgerTransaction, Payment, Payout, Refund

MENTOR_SHARE_PERCENT = 70

Kind = LedgerAccount.Kind
TxnKind = LedgerTransaction.Kind
TDS_KINDS = (TxnKind.TDS, TxnKind.TDS_REVERSAL)


class LedgerImbalanceError(Exception):
    """A transaction whose entries do not sum to zero: a programming error, never user input."""


def ledger_account(kind: str, owner=None) -> LedgerAccount:
    account, _created = LedgerAccount.objects.get_or_create(kind=kind, owner=owner)
    return account


def mentor_share(amount_paise: int) -> int:
    """The mentor's 70 %; the platform keeps the remainder, so no paisa is lost to rounding."""
    return amount_paise * MENTOR_SHARE_PERCENT // 100


def _post(
    *,
    kind: str,
    legs: list[tuple[LedgerAccount, int]],
    payment: Payment | None = None,
    refund: Refund | None = None,
    payout: Payout | None = None,
    memo: str = "",
) -> LedgerTransaction | None:
    legs = [(account, amount) for account, amount in legs if amount]
    if sum(amount for _account, amount in legs) != 0:
        raise LedgerImbalanceError(f"{kind}: {[(a.kind, amount) for a, amount in legs]}")
    if not legs:
        return None
    txn = LedgerTransaction.objects.create(kind=kind, payment=payment, refund=refund, payout=payout, memo=memo)
    LedgerEntry.objects.bulk_create(
        [LedgerEntry(transaction=txn, account=account, amount_paise=amount) for account, amount in legs]
    )
    return txn


def payment_positions(payment: Payment) -> dict[str, int]:
    """What this payment currently contributes to each kind of account, as positive balances (credits)."""
    rows = (
        LedgerEntry.objects.filter(transaction__payment=payment)
        .exclude(transaction__kind__in=TDS_KINDS)
        .values("account__kind")
        .annotate(total=Sum("amount_paise"))
    )
    return {row["account__kind"]: -row["total"] for row in rows}


def payment_tds_withheld(payment: Payment) -> int:
    """Tax currently withheld from the mentor on this payment (paise, positive)."""
    total = LedgerEntry.objects.filter(transaction__payment=payment, account__kind=Kind.TDS_PAYABLE).aggregate(
        total=Sum("amount_paise")
    )["total"]
    return -(total or 0)


def _tds_memo(rate_basis_points: int, *, has_pan: bool) -> str:
    rate = tax.rate_percent(rate_basis_points)
    return f"194-O @ {rate}%" if has_pan else f"194-O @ {rate}% (no PAN, 206AA)"


def _withhold_tds(*, payment: Payment, credited_paise: int, refund: Refund | None = None) -> LedgerTransaction | None:
    """Withhold income tax on money just credited to the mentor (section 194-O: at the credit)."""
    if payment.payee_id is None or credited_paise <= 0:
        return None
    has_pan = tax.mentor_has_pan(payment.payee)
    rate = tax.tds_rate_basis_points(has_pan=has_pan)
    withheld = tax.tds_amount(credited_paise, rate)
    legs = [
        (ledger_account(Kind.MENTOR_PAYABLE, payment.payee), withheld),
        (ledger_account(Kind.TDS_PAYABLE, payment.payee), -withheld),
    ]
    return _post(kind=TxnKind.TDS, legs=legs, payment=payment, refund=refund, memo=_tds_memo(rate, has_pan=has_pan))


def ledger_record_capture(*, payment: Payment) -> LedgerTransaction | None:
    gateway = ledger_account(Kind.GATEWAY)
    if payment.holds_in_escrow:
        escrow = ledger_account(Kind.ESCROW, payment.payee)
        legs = [(gateway, payment.amount_paise), (escrow, -payment.amount_paise)]
        return _post(kind=TxnKind.CAPTURE, legs=legs, payment=payment)
    payable = ledger_account(Kind.MENTOR_PAYABLE, payment.payee)
    legs = [(gateway, payment.amount_paise), (payable, -payment.amount_paise)]
    tip = _post(kind=TxnKind.TIP, legs=legs, payment=payment)
    _withhold_tds(payment=payment, credited_paise=payment.amount_paise)
    return tip


def _release_held(payment: Payment, memo: str) -> LedgerTransaction | None:
    held = payment_positions(payment).get(Kind.ESCROW, 0)
    if held <= 0:
        return None
    escrow = ledger_account(Kind.ESCROW, payment.payee)
    revenue = ledger_account(Kind.PLATFORM_REVENUE)
    if payment.payee_id is None:
        legs = [(escrow, held), (revenue, -held)]
    else:
        to_mentor = mentor_share(held)
        legs = [
            (escrow, held),
            (ledger_account(Kind.MENTOR_PAYABLE, payment.payee), -to_mentor),
            (revenue, -(held - to_mentor)),
        ]
    released = _post(kind=TxnKind.RELEASE, legs=legs, payment=payment, memo=memo)
    if payment.payee_id is not None:
        _withhold_tds(payment=payment, credited_paise=mentor_share(held))
    return released


@transaction.atomic
def ledger_release_escrow(*, payment: Payment) -> LedgerTransaction | None:
    """Move what escrow still holds for a captured payment to the mentor (70 %) and the platform (the rest).

    Idempotent: a second call finds nothing held and does nothing. Returns the transaction, or None when there was
    nothing to release (never captured, fully refunded, already released, or a tip).
    """
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != Payment.Status.CAPTURED or not payment.holds_in_escrow:
        return None
    released = _release_held(payment, memo="")
    if released is not None:
        payment.released_at = released.created_at
        payment.save(update_fields=["released_at", "updated_at"])
    return released


def ledger_reserve_refund(*, refund: Refund) -> LedgerTransaction | None:
    """Set aside a refund: out of escrow first, then back out of what was already released for this payment."""
    payment = refund.payment
    if payment.status != Payment.Status.CAPTURED:
        # Without a capture the money is not in escrow: booking it would take it from the mentor.
        raise ValueError(f"Refund {refund.pk} of payment {payment.pk}, which is not captured.")
    positions = payment_positions(payment)
    from_escrow = min(refund.amount_paise, max(positions.get(Kind.ESCROW, 0), 0))
    rest = refund.amount_paise - from_escrow
    mentor_left = max(positions.get(Kind.MENTOR_PAYABLE, 0), 0)
    platform_left = max(positions.get(Kind.PLATFORM_REVENUE, 0), 0)
    from_mentor = min(mentor_left, mentor_share(rest))
    from_platform = rest - from_mentor
    if from_platform > platform_left:
        from_platform = platform_left
        from_mentor = rest - platform_left
    legs = [
        (ledger_account(Kind.ESCROW, payment.payee), from_escrow),
        (ledger_account(Kind.PLATFORM_REVENUE), from_platform),
        (ledger_account(Kind.REFUNDS_PAYABLE), -refund.amount_paise),
    ]
    if from_mentor:
        legs.append((ledger_account(Kind.MENTOR_PAYABLE, payment.payee), from_mentor))
    reserved = _post(kind=TxnKind.REFUND, legs=legs, payment=payment, refund=refund, memo=refund.reason[:255])
    if from_mentor > 0 and mentor_left > 0:
        _give_back_tds(refund=refund, taken_paise=min(from_mentor, mentor_left), credited_paise=mentor_left)
    return reserved


def _give_back_tds(*, refund: Refund, taken_paise: int, credited_paise: int) -> LedgerTransaction | None:
    """The tax withheld on credited money that a refund takes back, in proportion (all of it for a full refund)."""
    payment = refund.payment
    withheld = payment_tds_withheld(payment)
    back = (withheld * taken_paise * 2 + credited_paise) // (2 * credited_paise)
    legs = [
        (ledger_account(Kind.TDS_PAYABLE, payment.payee), back),
        (ledger_account(Kind.MENTOR_PAYABLE, payment.payee), -back),
    ]
    return _post(kind=TxnKind.TDS_REVERSAL, legs=legs, payment=payment, refund=refund)


def ledger_settle_refund(*, refund: Refund) -> LedgerTransaction | None:
    legs = [
        (ledger_account(Kind.REFUNDS_PAYABLE), refund.amount_paise),
        (ledger_account(Kind.GATEWAY), -refund.amount_paise),
    ]
    return _post(kind=TxnKind.REFUND_SETTLED, legs=legs, payment=refund.payment, refund=refund)


def ledger_reverse_refund(*, refund: Refund) -> LedgerTransaction | None:
    """A failed refund puts the money back where it was taken from; if escrow was released since, release it too."""
    reserved = LedgerTransaction.objects.filter(refund=refund, kind=TxnKind.REFUND).first()
    if reserved is None:
        return None
    legs = [(entry.account, -entry.amount_paise) for entry in reserved.entries.select_related("account")]
    reversal = _post(kind=TxnKind.REFUND_REVERSAL, legs=legs, payment=refund.payment, refund=refund)
    given_back = LedgerTransaction.objects.filter(refund=refund, kind=TxnKind.TDS_REVERSAL).first()
    if given_back is not None:
        # The money is the mentor's again, so is the tax on it: withheld again, exactly what was given back.
        legs = [(entry.account, -entry.amount_paise) for entry in given_back.entries.select_related("account")]
        _post(kind=TxnKind.TDS, legs=legs, payment=refund.payment, refund=refund, memo=given_back.memo)
    if refund.payment.released_at is not None:
        _release_held(refund.payment, memo="refund failed after release")
    return reversal


def ledger_start_payout(*, payout: Payout) -> LedgerTransaction | None:
    legs = [
        (ledger_account(Kind.MENTOR_PAYABLE, payout.mentor), payout.amount_paise),
        (ledger_account(Kind.PAYOUTS_IN_TRANSIT), -payout.amount_paise),
    ]
    return _post(kind=TxnKind.PAYOUT, legs=legs, payout=payout)


def ledger_settle_payout(*, payout: Payout) -> LedgerTransaction | None:
    legs = [
        (ledger_account(Kind.PAYOUTS_IN_TRANSIT), payout.amount_paise),
        (ledger_account(Kind.GATEWAY), -payout.amount_paise),
    ]
    return _post(kind=TxnKind.PAYOUT_SETTLED, legs=legs, payout=payout)


def ledger_reverse_payout(*, payout: Payout) -> LedgerTransaction | None:
    legs = [
        (ledger_account(Kind.PAYOUTS_IN_TRANSIT), payout.amount_paise),
        (ledger_account(Kind.MENTOR_PAYABLE, payout.mentor), -payout.amount_paise),
    ]
    return _post(kind=TxnKind.PAYOUT_REVERSAL, legs=legs, payout=payout)
