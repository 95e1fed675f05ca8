"""The double-entry ledger: the source of truth for where every paisa is.

Entries are signed paise: positive debits, negative credits; every transaction sums to zero (checked here and by a
deferred constraint trigger in PostgreSQL). Liability and revenue accounts (escrow, mentor payable, platform
revenue, refunds payable) therefore carry negative sums; their *balance* as shown is the negated sum.

Flows (seed 000 §3.5, DESIGN.md §3 "Money"):
- capture: gateway → escrow of the mentor (a tip: gateway → mentor payable, no platform share);
- release on completion: escrow → mentor payable ``held * 70 // 100`` and platform revenue the remainder;
- refund: escrow first, then (after a release) back out of mentor payable and platform revenue → refunds payable;
  settled by ``refund.processed`` (refunds payable → gateway) or reversed by ``refund.failed``;
- payout: mentor payable → payouts in transit → gateway when RazorpayX reports it processed; a payout that fails
  goes back from transit to mentor payable, and one the bank returns after it was processed (``reversed``) goes
  back from the gateway to mentor payable. A retry is a new payout and starts the same way again.
- tax deducted at source (``payments.tax``): whenever the mentor's payable is credited (a release or a tip), a
  separate ``tds`` transaction moves the tax from it to the mentor's TDS payable account; a refund that takes
  credited money back gives the tax on it back (``tds_reversal``). ``payment_positions`` leaves these out, so a
  payment's positions still show the gross split.

Functions here expect to run inside the caller's transaction with the payment (or refund, payout) row locked.
"""

from django.db import transaction
from django.db.models import Sum

from payments import tax
from payments.models import (
    Charge,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    Payout,
    Refund,
    ScholarshipGrant,
)

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
    charge: Charge | None = None,
    memo: str = "",
) -> LedgerTransaction | None:
    legs = [(account, amount) for account, amount in legs if amount]
    if sum(amount for _account, amount in legs) != 0:
        raise LedgerImbalanceError(f"{kind}: {[(a.kind, amount) for a, amount in legs]}")
    if not legs:
        return None
    txn = LedgerTransaction.objects.create(
        kind=kind, payment=payment, refund=refund, payout=payout, charge=charge, memo=memo
    )
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
    """Give a failed or reversed payout back to the mentor's available balance, from wherever it is now: still in
    transit, or already settled at the gateway (the bank sent it back after RazorpayX processed it)."""
    settled = LedgerTransaction.objects.filter(payout=payout, kind=TxnKind.PAYOUT_SETTLED).exists()
    source = ledger_account(Kind.GATEWAY) if settled else ledger_account(Kind.PAYOUTS_IN_TRANSIT)
    legs = [(source, payout.amount_paise), (ledger_account(Kind.MENTOR_PAYABLE, payout.mentor), -payout.amount_paise)]
    return _post(kind=TxnKind.PAYOUT_REVERSAL, legs=legs, payout=payout)


# --- scholarship credits, coupons and packages ------------------------------------------------------------------
#
# A booking's price is paid in up to four parts (``Charge``): cash (a Payment, captured into escrow as above),
# scholarship credits (granted: sponsor fund → the student's credit; spent: credit → escrow), a platform coupon
# (promotions → escrow: the platform's cost) and a package credit (already in escrow with the package's payment).
# A mentor's own coupon moves no money in: at release the mentor gives the platform its share of the discount.


def charge_positions(charge: Charge) -> dict[str, int]:
    """What this charge itself moved into each kind of account (package releases belong to the package payment)."""
    rows = (
        LedgerEntry.objects.filter(transaction__charge=charge, transaction__payment__isnull=True)
        .values("account__kind")
        .annotate(total=Sum("amount_paise"))
    )
    return {row["account__kind"]: -row["total"] for row in rows}


def ledger_grant_scholarship(*, grant: ScholarshipGrant) -> LedgerTransaction | None:
    legs = [
        (ledger_account(Kind.SPONSOR_FUND, grant.sponsor), grant.amount_paise),
        (ledger_account(Kind.SCHOLARSHIP_CREDIT, grant.student), -grant.amount_paise),
    ]
    return _post(kind=TxnKind.SCHOLARSHIP_GRANT, legs=legs, memo=f"grant {grant.pk}")


def ledger_apply_credits(*, charge: Charge) -> LedgerTransaction | None:
    """Put the scholarship credits and a platform discount of a settled charge into the mentor's escrow."""
    platform_discount = 0 if charge.discount_by_mentor else charge.discount_paise
    legs = [
        (ledger_account(Kind.SCHOLARSHIP_CREDIT, charge.payer), charge.scholarship_paise),
        (ledger_account(Kind.PROMOTIONS), platform_discount),
        (ledger_account(Kind.ESCROW, charge.payee), -(charge.scholarship_paise + platform_discount)),
    ]
    return _post(kind=TxnKind.CREDITS_APPLIED, legs=legs, charge=charge)


def ledger_return_credits(*, charge: Charge, scholarship_paise: int, discount_paise: int) -> LedgerTransaction | None:
    """Give back (part of) what ``ledger_apply_credits`` put in escrow: credits to the student, a discount to the
    platform's promotions budget."""
    legs = [
        (ledger_account(Kind.ESCROW, charge.payee), scholarship_paise + discount_paise),
        (ledger_account(Kind.SCHOLARSHIP_CREDIT, charge.payer), -scholarship_paise),
        (ledger_account(Kind.PROMOTIONS), -discount_paise),
    ]
    return _post(kind=TxnKind.CREDITS_RETURNED, legs=legs, charge=charge)


def ledger_release_charge(*, charge: Charge) -> LedgerTransaction | None:
    """On completion: what the charge holds in escrow goes 70/30 like cash; with the mentor's own coupon the mentor
    also gives the platform its share of the discount, so the discount is all the mentor's."""
    held = max(charge_positions(charge).get(Kind.ESCROW, 0), 0)
    to_mentor = mentor_share(held)
    mentor_coupon = charge.discount_paise if charge.discount_by_mentor else 0
    platform_part_of_discount = mentor_coupon - mentor_share(mentor_coupon)
    legs = [
        (ledger_account(Kind.ESCROW, charge.payee), held),
        (ledger_account(Kind.MENTOR_PAYABLE, charge.payee), platform_part_of_discount - to_mentor),
        (ledger_account(Kind.PLATFORM_REVENUE), -(held - to_mentor) - platform_part_of_discount),
    ]
    return _post(kind=TxnKind.RELEASE, legs=legs, charge=charge, memo="credits released")


def ledger_release_package_credit(*, charge: Charge, amount_paise: int) -> LedgerTransaction | None:
    """One package session done (or forfeited): its share of the package payment leaves escrow, 70/30."""
    purchase = charge.package_purchase
    assert purchase is not None and purchase.payment is not None
    to_mentor = mentor_share(amount_paise)
    legs = [
        (ledger_account(Kind.ESCROW, purchase.mentor), amount_paise),
        (ledger_account(Kind.MENTOR_PAYABLE, purchase.mentor), -to_mentor),
        (ledger_account(Kind.PLATFORM_REVENUE), -(amount_paise - to_mentor)),
    ]
    return _post(
        kind=TxnKind.RELEASE, legs=legs, payment=purchase.payment, charge=charge, memo=f"package {purchase.pk}"
    )
