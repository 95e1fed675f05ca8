"""Weekly payouts of mentors' available balances through RazorpayX (seed 000 §3.5: weekly, ₹1,000 minimum).

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
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.privacy.phone import phone_is_verified
from accounts.selectors import user_has_mfa
from payments import ledger
from payments.gateway import GatewayRejected, GatewayUnavailable, gateway_for
from payments.models import MINIMUM_AMOUNT_PAISE, LedgerAccount, MentorPayoutDetails, Payout
from payments.notification_kinds import notify_payout
from payments.selectors import mentor_balances

logger = logging.getLogger(__name__)

PAYOUT_MINIMUM_PAISE = 100_000
FINAL_FAILURES = {"reversed", "failed", "rejected", "cancelled"}

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


def payout_create(*, mentor, amount_paise: int, destination: dict, idempotency_key: str) -> Payout:
    """Pay ``amount_paise`` of the mentor's available balance out, once per ``idempotency_key``."""
    with transaction.atomic():
        # One payout at a time per mentor: the payable account's row is the lock.
        account = ledger.ledger_account(LedgerAccount.Kind.MENTOR_PAYABLE, mentor)
        LedgerAccount.objects.select_for_update().get(pk=account.pk)
        payout = Payout.objects.filter(idempotency_key=idempotency_key).first()
        if payout is not None:
            if payout.mentor_id != mentor.pk or payout.amount_paise != amount_paise:
                raise ValidationError(
                    _("This payout was already made with other details."), code="idempotency_conflict"
                )
            return payout
        available = mentor_balances(mentor).available_paise
        if amount_paise < MINIMUM_AMOUNT_PAISE or amount_paise > available:
            raise ValidationError(
                _("A payout must be between ₹1 and the available balance (%(available)s paise).")
                % {"available": available},
                code="invalid_amount",
            )
        payout = Payout.objects.create(mentor=mentor, amount_paise=amount_paise, idempotency_key=idempotency_key)
        ledger.ledger_start_payout(payout=payout)
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


def payout_apply_entity_to(*, payout: Payout, entity: dict) -> Payout:
    return payout_apply_state(
        payout=payout,
        razorpay_payout_id=entity["id"],
        status=entity.get("status", "processing"),
        failure_reason=entity.get("failure_reason") or "",
        fund_account_id=entity.get("fund_account_id") or "",
    )


def payout_apply_state(
    *, payout: Payout, razorpay_payout_id: str, status: str, failure_reason: str = "", fund_account_id: str = ""
) -> Payout:
    """Apply RazorpayX's word on a payout; ``processed`` and the failures are final and happen once."""
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        fields = []
        if razorpay_payout_id and not payout.razorpay_payout_id:
            payout.razorpay_payout_id = razorpay_payout_id
            fields.append("razorpay_payout_id")
        if fund_account_id and not payout.fund_account_id:
            payout.fund_account_id = fund_account_id
            fields.append("fund_account_id")
        if payout.status == Payout.Status.PENDING and status == "processed":
            payout.status = Payout.Status.PROCESSED
            payout.processed_at = timezone.now()
            fields += ["status", "processed_at"]
            ledger.ledger_settle_payout(payout=payout)
        elif payout.status == Payout.Status.PENDING and status in FINAL_FAILURES:
            payout.status = Payout.Status.FAILED
            payout.failure_reason = (failure_reason or _("The payout failed."))[:255]
            fields += ["status", "failure_reason"]
            ledger.ledger_reverse_payout(payout=payout)
            logger.error("Payout %s to mentor %s failed: %s", payout.pk, payout.mentor_id, payout.failure_reason)
        if fields:
            payout.save(update_fields=fields)
        if "status" in fields:
            notify_payout(payout)
        return payout


def payout_apply_entity(*, entity: dict) -> Payout | None:
    """A payout webhook or fetch: matched on the RazorpayX id, or on our id in its notes."""
    payout = Payout.objects.filter(razorpay_payout_id=entity["id"]).first()
    if payout is None:
        our_id = str((entity.get("notes") or {}).get("payout_id", ""))
        payout = Payout.objects.filter(pk=int(our_id)).first() if our_id.isdigit() else None
    if payout is None:
        return None
    return payout_apply_entity_to(payout=payout, entity=entity)


def payouts_run_weekly(*, today: dt.date | None = None) -> dict[str, int]:
    """Pay every mentor whose available balance reached the minimum, once for this ISO week."""
    today = today or timezone.localdate()
    counts = {"paid": 0, "already_paid": 0, "no_destination": 0, "held": 0, "errors": 0}
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
            counts["held"] += 1
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
                mentor=mentor,
                amount_paise=-account.credit,
                destination=destination,
                idempotency_key=key,
            )
        except ValidationError as exc:
            counts["errors"] += 1
            logger.warning("Weekly payout to mentor %s skipped: %s", mentor.pk, exc)
            continue
        counts["paid"] += 1
    return counts


def payouts_reconcile(*, older_than: dt.timedelta = dt.timedelta(minutes=10)) -> dict[str, int]:
    """Resubmit payouts that never reached RazorpayX and fetch the state of those in flight."""
    counts = {"checked": 0, "errors": 0}
    pending = Payout.objects.filter(status=Payout.Status.PENDING, created_at__lt=timezone.now() - older_than)
    for payout in pending.select_related("mentor"):
        counts["checked"] += 1
        try:
            if payout.razorpay_payout_id:
                payout_apply_entity_to(payout=payout, entity=gateway_for().fetch_payout(payout.razorpay_payout_id))
            elif (destination := payout_destination_for(payout.mentor)) is not None:
                payout_submit(payout=payout, destination=destination)
        except (GatewayRejected, GatewayUnavailable) as exc:
            counts["errors"] += 1
            logger.warning("Reconciling payout %s failed: %s", payout.pk, exc)
    return counts
