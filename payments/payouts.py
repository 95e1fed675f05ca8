"""Payouts of mentors' available balances through RazorpayX (seed 000 §3.5: weekly, ₹1,000 minimum).

Where the money goes (bank account or UPI) is the mentor's ``MentorPayoutDetails``, set through ``payout_details_set``.
Each mentor is paid at most once a week: the idempotency key is the mentor and ISO week, both in our database
(unique) and at RazorpayX (``X-Payout-Idempotency``), so reruns of the job and retries after timeouts are safe.
"""

import datetime as dt
import logging
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.privacy.phone import phone_is_verified
from accounts.selectors import user_has_mfa
from mentorship.money import format_inr
from payments import ledger
from payments.gateway import GatewayRejected, GatewayUnavailable, gateway_for
from payments.models import MINIMUM_AMOUNT_PAISE, LedgerAccount, MentorPayoutDetails, Payout, PayoutEvent, PayoutRun
from payments.notification_kinds import notify_payout, notify_payout_mismatch
from payments.selectors import active_payout_hold, mentor_balances

logger = logging.getLogger(__name__)

PAYOUT_MINIMUM_PAISE = 100_000

IFSC_PATTERN = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
ACCOUNT_NUMBER_PATTERN = re.compile(r"^\d{9,18}$")
UPI_PATTERN = re.compile(r"^[A-Za-z0-9.\-_]{2,256}@[A-Za-z]{2,64}$")
# A PAN is AAAAA9999A; its 4th letter is the holder's type: Person, Company, HUF, Firm, AOP, Trust, BOI, Local
# authority, artificial Juridical person, Government, or (since 2023) LLP as E.
PAN_PATTERN = re.compile(r"^[A-Z]{3}[ABCEFGHJLPT][A-Z][0-9]{4}[A-Z]$")


def payout_details_require_mfa() -> bool:
    return settings.PEERLEARN_REQUIRE_MFA_FOR_STAFF


def payout_details_set(
    *,
    mentor: User,
    account_holder_name: str,
    bank_account_number: str = "",
    ifsc: str = "",
    upi_id: str = "",
    pan: str = "",
) -> MentorPayoutDetails:
    """Where this mentor's payouts go. Only with two-factor sign-in on (when the site requires it for staff)."""
    if payout_details_require_mfa() and not user_has_mfa(mentor):
        raise PermissionDenied(_("Turn on two-factor sign-in before setting payout details."))
    if not phone_is_verified(mentor):
        raise PermissionDenied(_("Verify your mobile number before setting payout details."))
    bank_account_number = re.sub(r"\s+", "", bank_account_number)
    ifsc = ifsc.strip().upper()
    upi_id = upi_id.strip()
    pan = pan.strip().upper()
    errors: dict[str, str] = {}
    if not account_holder_name.strip():
        errors["account_holder_name"] = _("Enter the name on the account.")
    if bank_account_number or ifsc:
        if not ACCOUNT_NUMBER_PATTERN.match(bank_account_number):
            errors["bank_account_number"] = _("An account number has 9 to 18 digits.")
        if not IFSC_PATTERN.match(ifsc):
            errors["ifsc"] = _("An IFSC looks like SBIN0001234.")
    if upi_id and not UPI_PATTERN.match(upi_id):
        errors["upi_id"] = _("A UPI id looks like name@bank.")
    if pan and not PAN_PATTERN.match(pan):
        errors["pan"] = _(
            "A PAN looks like ABCPE1234F: five letters (the fourth is P for a person), four digits and a letter."
        )
    if not (bank_account_number or ifsc or upi_id):
        errors["upi_id"] = _("Give a bank account with IFSC, or a UPI id.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = MentorPayoutDetails.objects.select_for_update().filter(mentor=mentor).first()
        # The form never shows the PAN back (only masked): left empty, the one on file stays.
        pan = pan or (current.pan if current else "")
        details, _created = MentorPayoutDetails.objects.update_or_create(
            mentor=mentor,
            defaults={
                "account_holder_name": account_holder_name.strip(),
                "bank_account_number": bank_account_number,
                "ifsc": ifsc,
                "upi_id": upi_id,
                "pan": pan,
            },
        )
    return details


def payout_destination(
    *, name: str, email: str, reference: str, bank_account_number: str = "", ifsc: str = "", upi_id: str = ""
) -> dict:
    """A RazorpayX composite fund account (contact included) for a bank account, or else a UPI id."""
    contact = {"name": name[:50], "email": email, "type": "vendor", "reference_id": reference[:40]}
    if bank_account_number and ifsc:
        return {
            "account_type": "bank_account",
            "bank_account": {"name": name[:50], "ifsc": ifsc, "account_number": bank_account_number},
            "contact": contact,
        }
    if upi_id:
        return {"account_type": "vpa", "vpa": {"address": upi_id}, "contact": contact}
    raise ValueError("A payout destination needs a bank account with IFSC, or a UPI id.")


def payout_destination_for(mentor: User) -> dict | None:
    """Where this mentor's weekly payout goes, or None until they set payout details."""
    details = MentorPayoutDetails.objects.filter(mentor=mentor).first()
    if details is None:
        return None
    return payout_destination(
        name=details.account_holder_name,
        email=mentor.email,
        reference=f"mentor-{mentor.pk}",
        bank_account_number=details.bank_account_number,
        ifsc=details.ifsc,
        upi_id=details.upi_id,
    )


def weekly_idempotency_key(mentor, day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"payout-{mentor.pk}-{year}-W{week:02d}"


# --- the payout state machine ----------------------------------------------------------------------------------

Status = Payout.Status
Source = PayoutEvent.Source

# RazorpayX's statuses in ours: "pending" there is a payout waiting for approval on the dashboard (still in flight);
# rejected and cancelled ones never left, like failed ones.
GATEWAY_STATUS = {
    "pending": Status.QUEUED,
    "scheduled": Status.QUEUED,
    "queued": Status.QUEUED,
    "processing": Status.PROCESSING,
    "processed": Status.PROCESSED,
    "reversed": Status.REVERSED,
    "failed": Status.FAILED,
    "rejected": Status.FAILED,
    "cancelled": Status.FAILED,
}
# How far along each status is; failed and reversed are both ends.
_RANK: dict[str, int] = {"pending": 0, "queued": 1, "processing": 2, "processed": 3, "reversed": 4, "failed": 4}


def payout_may_become(current: str, new: str) -> bool:
    """Events arrive in any order: a payout only moves forward. Processed is final except for a reversal (the bank
    returned the money); failed and reversed are final."""
    if current in Payout.RETRYABLE:
        return False
    if current == Status.PROCESSED:
        return new == Status.REVERSED
    return _RANK[new] > _RANK[current]


def _entity_failure_reason(entity: dict) -> str:
    details = entity.get("status_details") or {}
    return str(details.get("description") or entity.get("failure_reason") or "")


def payout_apply_state(
    *,
    payout: Payout,
    razorpay_payout_id: str,
    status: str,
    failure_reason: str = "",
    fund_account_id: str = "",
    utr: str = "",
    source: str = Source.GATEWAY,
) -> Payout:
    """Apply RazorpayX's word on a payout (``status`` in RazorpayX's terms), idempotently and in any order.

    Processed settles the ledger; failed or reversed gives the amount back to the mentor's available balance."""
    new_status = GATEWAY_STATUS.get(status)
    if new_status is None:
        raise ValidationError(f"Unknown payout status {status!r}", code="unknown_status")
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        fields = []
        for field, value in (("razorpay_payout_id", razorpay_payout_id), ("fund_account_id", fund_account_id)):
            if value and not getattr(payout, field):
                setattr(payout, field, value)
                fields.append(field)
        if utr and payout.utr != utr:
            payout.utr = utr[:64]
            fields.append("utr")
        changed = payout_may_become(payout.status, new_status)
        if changed:
            payout.status = new_status
            fields.append("status")
            if new_status == Status.PROCESSED:
                payout.processed_at = timezone.now()
                fields.append("processed_at")
                ledger.ledger_settle_payout(payout=payout)
            elif new_status in Payout.RETRYABLE:
                payout.failed_at = timezone.now()
                payout.failure_reason = (failure_reason or _("The payout failed."))[:255]
                fields += ["failed_at", "failure_reason"]
                ledger.ledger_reverse_payout(payout=payout)
                logger.error("Payout %s to mentor %s %s: %s", payout.pk, payout.mentor_id, status, failure_reason)
        if fields:
            payout.save(update_fields=[*fields, "updated_at"])
        if changed:
            note = payout.failure_reason if new_status in Payout.RETRYABLE else payout.utr
            PayoutEvent.objects.create(
                payout=payout, kind=PayoutEvent.Kind.STATUS, source=source, status=new_status, note=note
            )
            if new_status in (Status.PROCESSED, *Payout.RETRYABLE):
                notify_payout(payout)
        return payout


def payout_apply_entity_to(*, payout: Payout, entity: dict, source: str = Source.GATEWAY) -> Payout:
    return payout_apply_state(
        payout=payout,
        razorpay_payout_id=entity["id"],
        status=entity.get("status") or "processing",
        failure_reason=_entity_failure_reason(entity),
        fund_account_id=entity.get("fund_account_id") or "",
        utr=entity.get("utr") or "",
        source=source,
    )


def payout_apply_entity(*, entity: dict, source: str = Source.WEBHOOK) -> Payout | None:
    """A payout webhook or fetch: matched on the RazorpayX id, or on our id in its notes."""
    payout = Payout.objects.filter(razorpay_payout_id=entity["id"]).first()
    if payout is None:
        our_id = str((entity.get("notes") or {}).get("payout_id", ""))
        payout = Payout.objects.filter(pk=int(our_id)).first() if our_id.isdigit() else None
    if payout is None:
        return None
    return payout_apply_entity_to(payout=payout, entity=entity, source=source)


# --- creating payouts: the weekly run, a mentor's request, a staff retry, the final payout ---------------------


def lock_mentor_payouts(mentor) -> None:
    """One payout decision at a time per mentor: the mentor's payable account row is the lock (inside a transaction)."""
    account = ledger.ledger_account(LedgerAccount.Kind.MENTOR_PAYABLE, mentor)
    LedgerAccount.objects.select_for_update().get(pk=account.pk)


_ORIGIN_SOURCE: dict[str, str] = {
    Payout.Origin.WEEKLY: Source.SYSTEM,
    Payout.Origin.FINAL: Source.SYSTEM,
    Payout.Origin.REQUESTED: Source.MENTOR,
    Payout.Origin.RETRY: Source.STAFF,
}


def payout_open(
    *,
    mentor,
    amount_paise: int,
    idempotency_key: str,
    origin: str = Payout.Origin.WEEKLY,
    run: PayoutRun | None = None,
    retry_of: Payout | None = None,
    actor=None,
    note: str = "",
) -> Payout:
    """Record a payout and move its amount into transit; call inside a transaction after ``lock_mentor_payouts``.

    Refused (``ValidationError`` with a code) while the mentor's payouts are on hold, while another payout of theirs
    is on its way, or beyond their available balance. The same ``idempotency_key`` returns the payout made with it.
    """
    payout = Payout.objects.filter(idempotency_key=idempotency_key).first()
    if payout is not None:
        if payout.mentor_id != mentor.pk or payout.amount_paise != amount_paise:
            raise ValidationError(_("This payout was already made with other details."), code="idempotency_conflict")
        return payout
    hold = active_payout_hold(mentor)
    if hold is not None:
        raise ValidationError(
            _("Payouts to this mentor are on hold: %(reason)s") % {"reason": hold.get_reason_display()},
            code="on_hold",
        )
    if Payout.objects.filter(mentor=mentor, status__in=Payout.IN_FLIGHT).exists():
        raise ValidationError(_("Another payout to this mentor is still on its way."), code="in_flight")
    available = mentor_balances(mentor).available_paise
    if amount_paise < MINIMUM_AMOUNT_PAISE or amount_paise > available:
        raise ValidationError(
            _("A payout must be between ₹1 and the available balance (%(available)s).")
            % {"available": format_inr(available)},
            code="invalid_amount",
        )
    payout = Payout.objects.create(
        mentor=mentor,
        amount_paise=amount_paise,
        idempotency_key=idempotency_key,
        origin=origin,
        run=run,
        retry_of=retry_of,
    )
    ledger.ledger_start_payout(payout=payout)
    source = _ORIGIN_SOURCE[origin]
    PayoutEvent.objects.create(
        payout=payout, kind=PayoutEvent.Kind.CREATED, source=source, status=payout.status, actor=actor, note=note
    )
    if retry_of is not None:
        PayoutEvent.objects.create(
            payout=retry_of, kind=PayoutEvent.Kind.RETRIED, source=source, actor=actor, note=note[:500]
        )
    return payout


def payout_create(
    *,
    mentor,
    amount_paise: int,
    destination: dict,
    idempotency_key: str,
    origin: str = Payout.Origin.WEEKLY,
    run: PayoutRun | None = None,
) -> Payout:
    """Pay ``amount_paise`` of the mentor's available balance out, once per ``idempotency_key``."""
    with transaction.atomic():
        lock_mentor_payouts(mentor)
        payout = payout_open(
            mentor=mentor, amount_paise=amount_paise, idempotency_key=idempotency_key, origin=origin, run=run
        )
    if payout.razorpay_payout_id or not payout.in_flight:
        return payout
    return payout_submit(payout=payout, destination=destination)


def payout_submit(*, payout: Payout, destination: dict) -> Payout:
    """Send a recorded payout to RazorpayX (again, after a timeout: the idempotency key makes that safe)."""
    data = {
        "account_number": settings.RAZORPAYX_ACCOUNT_NUMBER,
        "amount": payout.amount_paise,
        "currency": "INR",
        "mode": "UPI" if destination.get("account_type") == "vpa" else "IMPS",
        "purpose": "payout",
        "fund_account": destination,
        "queue_if_low_balance": True,
        "reference_id": f"payout-{payout.pk}",
        "narration": "PeerLearn payout",
        "notes": {"payout_id": str(payout.pk)},
    }
    try:
        entity = gateway_for().create_payout(data=data, idempotency_key=payout.idempotency_key)
    except GatewayUnavailable as exc:
        logger.warning("Payout %s not submitted yet (%s); reconciliation will retry.", payout.pk, exc)
        return payout
    except GatewayRejected as exc:
        return payout_apply_state(payout=payout, razorpay_payout_id="", status="rejected", failure_reason=str(exc))
    return payout_apply_entity_to(payout=payout, entity=entity)


def payouts_run_weekly(*, today: dt.date | None = None) -> dict[str, int]:
    """Pay every mentor whose available balance reached the minimum, once for this ISO week, as one recorded run.

    Skipped: inactive (suspended) mentors, mentors whose payouts staff put on hold, those with a payout still on its
    way, and those without payout details; their balance waits for the next run."""
    today = today or timezone.localdate()
    run, _created = PayoutRun.objects.get_or_create(week_start=today - dt.timedelta(days=today.weekday()))
    counts = {"paid": 0, "already_paid": 0, "no_destination": 0, "inactive": 0, "on_hold": 0, "in_flight": 0}
    counts["errors"] = 0
    due = (
        LedgerAccount.objects.filter(kind=LedgerAccount.Kind.MENTOR_PAYABLE, owner__isnull=False)
        .annotate(credit=Sum("entries__amount_paise"))
        .filter(credit__lte=-PAYOUT_MINIMUM_PAISE)
        .select_related("owner")
        .order_by("pk")
    )
    for account in due:
        mentor = account.owner
        assert mentor is not None  # owner__isnull=False above
        if not mentor.is_active:
            # A suspended or deactivated mentor's balance stays in the ledger until staff reinstate them.
            counts["inactive"] += 1
            continue
        key = weekly_idempotency_key(mentor, today)
        if Payout.objects.filter(idempotency_key=key).exists():
            counts["already_paid"] += 1
            continue
        destination = payout_destination_for(mentor)
        if destination is None:
            counts["no_destination"] += 1
            continue
        try:
            payout_create(
                mentor=mentor, amount_paise=-account.credit, destination=destination, idempotency_key=key, run=run
            )
        except ValidationError as exc:
            outcome = exc.code if exc.code in ("on_hold", "in_flight") else "errors"
            counts[outcome] += 1
            if outcome == "errors":
                logger.warning("Weekly payout to mentor %s skipped: %s", mentor.pk, exc)
            continue
        counts["paid"] += 1
    run.counts = counts
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    return counts


# --- reconciliation --------------------------------------------------------------------------------------------

# A processed payout can still come back from the bank for a few days; reconciliation keeps asking that long.
REVERSAL_WINDOW = dt.timedelta(days=5)


def payouts_reconcile(*, older_than: dt.timedelta = dt.timedelta(minutes=10)) -> dict[str, int]:
    """Bring payouts up to date with RazorpayX, like ``payments_reconcile`` does for payments: resubmit those that
    never reached it, fetch those in flight (and recently processed ones, which a reversal can still undo), apply
    what changed through the same idempotent state function as the webhooks, and alert staff where RazorpayX and
    our records disagree in a way no event explains (recently failed ones are fetched for that)."""
    now = timezone.now()
    counts = {"checked": 0, "changed": 0, "mismatches": 0, "errors": 0}
    due = Payout.objects.filter(
        Q(status__in=Payout.IN_FLIGHT, created_at__lt=now - older_than)
        | Q(status=Status.PROCESSED, processed_at__gte=now - REVERSAL_WINDOW)
        # Failed ones too: RazorpayX paying one we gave back to the mentor is the mismatch that costs money.
        | Q(status__in=Payout.RETRYABLE, failed_at__gte=now - REVERSAL_WINDOW)
    ).select_related("mentor")
    for payout in due.order_by("created_at"):
        counts["checked"] += 1
        try:
            if not payout.razorpay_payout_id:
                destination = payout_destination_for(payout.mentor)
                if destination is not None:
                    counts["changed"] += payout_submit(payout=payout, destination=destination).status != payout.status
                continue
            entity = gateway_for().fetch_payout(payout.razorpay_payout_id)
            updated = payout_apply_entity_to(payout=payout, entity=entity, source=Source.RECONCILIATION)
        except (GatewayRejected, GatewayUnavailable, ValidationError) as exc:
            counts["errors"] += 1
            logger.warning("Reconciling payout %s failed: %s", payout.pk, exc)
            continue
        counts["changed"] += updated.status != payout.status
        counts["mismatches"] += payout_check_mismatch(payout=updated, entity=entity)
    return counts


def payout_check_mismatch(*, payout: Payout, entity: dict) -> bool:
    """After applying RazorpayX's state: if it still disagrees with ours (a payout we gave back to the mentor that
    RazorpayX paid after all, another amount), record it on the payout once and alert the admins."""
    theirs = GATEWAY_STATUS.get(entity.get("status") or "")
    problems = []
    if theirs is not None and theirs != payout.status:
        problems.append(f"status: ours {payout.status}, RazorpayX {entity.get('status')}")
    if entity.get("amount") != payout.amount_paise:
        problems.append(f"amount: ours {payout.amount_paise}, RazorpayX {entity.get('amount')}")
    if not problems:
        return False
    note = "; ".join(problems)
    if payout.events.filter(kind=PayoutEvent.Kind.MISMATCH, note=note).exists():
        return True
    with transaction.atomic():
        PayoutEvent.objects.create(
            payout=payout, kind=PayoutEvent.Kind.MISMATCH, source=Source.RECONCILIATION, status=payout.status, note=note
        )
        notify_payout_mismatch(payout, note)
    logger.error("Payout %s disagrees with RazorpayX: %s", payout.pk, note)
    return True
