"""Payments: orders, checkout verification, the one idempotent state function, refunds and reconciliation.

Gateway calls never run while a payment row is locked for long: we call Razorpay first (or after committing a
pending row), then apply what it said in a short transaction through ``payment_apply_state``.
"""

import logging
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorship.db import retry_on_lock_conflict
from payments import invoices, ledger
from payments.gateway import GatewayRejected, GatewayUnavailable, SignatureVerificationError, gateway_for
from payments.models import MINIMUM_AMOUNT_PAISE, Payment, Refund
from payments.notification_kinds import notify_payment_received
from payments.registry import get_handler, is_registered

logger = logging.getLogger(__name__)

PURPOSE_TIP = "tip"
# Razorpay auto-refunds payments left uncaptured for 3 days; reconciliation looks no further back than that.
RECONCILE_WINDOW = timedelta(days=3)

_STATUS_RANK = {
    Payment.Status.CREATED: 0,
    Payment.Status.FAILED: 1,
    Payment.Status.AUTHORIZED: 2,
    Payment.Status.CAPTURED: 3,
}


class PaymentNotFoundError(Exception):
    """Razorpay told us about an order or payment we never created (another integration on the account)."""


class RefundNotReadyError(Exception):
    """A refund of money we have not recorded as captured yet: it applies after the capture, never before."""


def _unavailable(exc: Exception) -> ValidationError:
    logger.warning("Razorpay unavailable: %s", exc)
    return ValidationError(
        _("The payment service is not responding right now. Please try again in a minute."), code="gateway_unavailable"
    )


def payment_create(
    *,
    payer,
    purpose: str,
    reference_id: int,
    amount_paise: int,
    description: str,
    payee=None,
) -> Payment:
    """Create the Razorpay order server-side and remember it. The payer then goes to ``payments:checkout``."""
    if not is_registered(purpose):
        raise ValueError(f"No payment handler registered for purpose {purpose!r}.")
    if isinstance(amount_paise, bool) or not isinstance(amount_paise, int) or amount_paise < MINIMUM_AMOUNT_PAISE:
        raise ValidationError(_("The amount to pay must be at least ₹1."), code="amount_too_small")
    if purpose == PURPOSE_TIP and payee is None:
        raise ValueError("A tip needs the mentor who receives it (payee).")
    gateway = gateway_for()
    receipt = f"pl_{uuid.uuid4().hex}"[:40]
    notes = {"purpose": purpose, "reference_id": str(reference_id), "receipt": receipt}
    try:
        order = gateway.create_order(amount_paise=amount_paise, receipt=receipt, notes=notes)
    except GatewayUnavailable as exc:
        raise _unavailable(exc) from exc
    except GatewayRejected as exc:
        logger.error("Razorpay refused an order (%s paise, %s): %s", amount_paise, purpose, exc)
        raise ValidationError(_("The payment could not be started. Please try again."), code="order_rejected")
    if order.get("amount") != amount_paise or not order.get("id"):
        raise GatewayRejected(f"Unexpected order from the gateway: {order!r}")
    return Payment.objects.create(
        payer=payer,
        payee=payee,
        purpose=purpose,
        reference_id=reference_id,
        description=description[:255],
        amount_paise=amount_paise,
        holds_in_escrow=purpose != PURPOSE_TIP,
        gateway=gateway.kind,
        receipt=receipt,
        razorpay_order_id=order["id"],
    )


@retry_on_lock_conflict()
def payment_apply_state(
    *,
    order_id: str,
    razorpay_payment_id: str,
    status: str,
    amount_paise: int,
    method: str = "",
    error_description: str = "",
) -> Payment:
    """Apply what Razorpay says about one payment attempt. The callback, webhooks and reconciliation all come here.

    Idempotent and monotonic: a state only moves forward (created → failed → authorized → captured), so duplicate and
    out-of-order reports are harmless and ``captured`` wins whatever arrives before or after it. Handlers run in this
    transaction, once per real transition.
    """
    status = "captured" if status == "refunded" else status
    with transaction.atomic():
        try:
            payment = Payment.objects.select_for_update().get(razorpay_order_id=order_id)
        except Payment.DoesNotExist:
            raise PaymentNotFoundError(order_id) from None
        handler = get_handler(payment.purpose)
        now = timezone.now()

        if status == Payment.Status.CAPTURED:
            if amount_paise != payment.amount_paise:
                raise ValidationError(
                    f"Captured {amount_paise} paise on {order_id}, expected {payment.amount_paise}.",
                    code="amount_mismatch",
                )
            if payment.status == Payment.Status.CAPTURED:
                if payment.razorpay_payment_id != razorpay_payment_id:
                    logger.error(
                        "Second captured payment %s on order %s: refund it by hand.", razorpay_payment_id, order_id
                    )
                return payment
            payment.status = Payment.Status.CAPTURED
            payment.razorpay_payment_id = razorpay_payment_id
            payment.method = method[:32] or payment.method
            payment.failure_reason = ""
            payment.captured_at = now
            payment.save(
                update_fields=["status", "razorpay_payment_id", "method", "failure_reason", "captured_at", "updated_at"]
            )
            ledger.ledger_record_capture(payment=payment)
            invoices.invoice_issue(payment=payment)
            handler.on_captured(payment)
            notify_payment_received(payment)
        elif status == Payment.Status.AUTHORIZED and _STATUS_RANK[payment.status] < _STATUS_RANK[status]:
            payment.status = Payment.Status.AUTHORIZED
            payment.razorpay_payment_id = razorpay_payment_id
            payment.method = method[:32] or payment.method
            payment.save(update_fields=["status", "razorpay_payment_id", "method", "updated_at"])
        elif status == Payment.Status.FAILED and payment.status == Payment.Status.CREATED:
            # Only a payment still waiting can fail: a failed attempt never undoes another attempt's authorisation.
            payment.status = Payment.Status.FAILED
            payment.razorpay_payment_id = razorpay_payment_id
            payment.method = method[:32] or payment.method
            payment.failure_reason = (error_description or _("The payment failed."))[:255]
            payment.failed_at = now
            fields = ["status", "razorpay_payment_id", "method", "failure_reason", "failed_at", "updated_at"]
            payment.save(update_fields=fields)
            handler.on_failed(payment)
        return payment


def apply_payment_entity(entity: dict) -> Payment:
    return payment_apply_state(
        order_id=entity["order_id"],
        razorpay_payment_id=entity["id"],
        status=entity["status"],
        amount_paise=entity["amount"],
        method=entity.get("method") or "",
        error_description=entity.get("error_description") or "",
    )


def payment_sync(*, payment: Payment, razorpay_payment_id: str) -> Payment:
    """Fetch one attempt from the gateway, capture it if authorised, and apply the result."""
    gateway = gateway_for(payment)
    try:
        entity = gateway.fetch_payment(razorpay_payment_id)
        if entity.get("order_id") != payment.razorpay_order_id:
            raise ValidationError(_("This payment does not belong to this order."), code="order_mismatch")
        if entity["status"] == "authorized":
            current = apply_payment_entity(entity)
            if current.status == Payment.Status.CAPTURED:
                # Another attempt already paid this order. Left uncaptured, Razorpay refunds this one by itself.
                logger.error("Not capturing %s: order %s is already paid", entity["id"], payment.razorpay_order_id)
                return current
            try:
                entity = gateway.capture_payment(payment_id=entity["id"], amount_paise=payment.amount_paise)
            except GatewayRejected:
                # Captured meanwhile (a webhook-driven capture or a second tab): the payment now says what happened.
                entity = gateway.fetch_payment(razorpay_payment_id)
    except GatewayUnavailable as exc:
        raise _unavailable(exc) from exc
    except GatewayRejected as exc:
        logger.warning("Razorpay refused a lookup of %s: %s", razorpay_payment_id, exc)
        raise ValidationError(_("We could not confirm this payment."), code="unknown_payment")
    return apply_payment_entity(entity)


def payment_verify_callback(
    *, payment: Payment, razorpay_payment_id: str, razorpay_order_id: str, razorpay_signature: str
) -> Payment:
    """Checkout's success result: check its signature against the order id *we* stored, then fetch and capture."""
    if razorpay_order_id != payment.razorpay_order_id:
        raise ValidationError(_("This payment does not belong to this order."), code="order_mismatch")
    try:
        gateway_for(payment).verify_checkout_signature(
            order_id=payment.razorpay_order_id, payment_id=razorpay_payment_id, signature=razorpay_signature
        )
    except SignatureVerificationError:
        logger.warning("Bad checkout signature for payment %s (order %s)", payment.pk, payment.razorpay_order_id)
        raise ValidationError(_("The payment could not be verified."), code="bad_signature")
    return payment_sync(payment=payment, razorpay_payment_id=razorpay_payment_id)


def payment_record_checkout_failure(*, payment: Payment, razorpay_payment_id: str) -> Payment:
    """Checkout reported a failed attempt. We believe the gateway, not the browser: fetch the attempt and apply it."""
    if not razorpay_payment_id:
        return payment
    return payment_sync(payment=payment, razorpay_payment_id=razorpay_payment_id)


def payment_expire(*, payment: Payment, reason: str = "") -> Payment:
    """Give up on a payment nobody completed (the hold ran out). A capture that still arrives later wins."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != Payment.Status.CREATED:
            return payment
    return payment_apply_state(
        order_id=payment.razorpay_order_id,
        razorpay_payment_id="",
        status=Payment.Status.FAILED,
        amount_paise=payment.amount_paise,
        error_description=reason or _("The time to pay ran out."),
    )


# --- refunds -------------------------------------------------------------------------------------


def _outstanding_refunds(payment: Payment) -> int:
    return payment.refunds.exclude(status=Refund.Status.FAILED).aggregate(total=Sum("amount_paise"))["total"] or 0


def payment_refund(
    *, payment: Payment, amount_paise: int, reason: str, idempotency_key: str, kind: str = Refund.Kind.OTHER
) -> Refund:
    """Refund part or all of a captured payment, at most once per ``idempotency_key``.

    The refund is recorded (and its money set aside in the ledger) before Razorpay is asked, so it is never lost;
    the same key is sent as ``X-Refund-Idempotency``, so retrying after a timeout cannot pay twice. It stays pending
    until ``refund.processed`` arrives (or reconciliation sees it processed).
    """
    if isinstance(amount_paise, bool) or not isinstance(amount_paise, int) or amount_paise <= 0:
        raise ValidationError(_("The refund amount must be a positive number of paise."), code="invalid_amount")
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValueError("idempotency_key must be 1–64 characters.")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        refund = Refund.objects.filter(idempotency_key=idempotency_key).first()
        if refund is not None:
            if refund.payment_id != payment.pk or refund.amount_paise != amount_paise:
                raise ValidationError(
                    _("This refund was already requested with a different amount."), code="idempotency_conflict"
                )
        else:
            if payment.status != Payment.Status.CAPTURED:
                raise ValidationError(_("Only a completed payment can be refunded."), code="not_captured")
            if amount_paise < MINIMUM_AMOUNT_PAISE:
                raise ValidationError(_("A refund must be at least ₹1."), code="amount_too_small")
            available = payment.amount_paise - _outstanding_refunds(payment)
            if amount_paise > available:
                raise ValidationError(
                    _("Only ₹%(available)s of this payment can still be refunded.")
                    % {"available": f"{available / 100:.2f}"},
                    code="exceeds_refundable",
                )
            refund = Refund.objects.create(
                payment=payment,
                amount_paise=amount_paise,
                kind=kind,
                reason=reason[:255],
                idempotency_key=idempotency_key,
            )
            ledger.ledger_reserve_refund(refund=refund)
    if refund.razorpay_refund_id or refund.status != Refund.Status.PENDING:
        return refund
    return refund_submit(refund=refund)


def refund_submit(*, refund: Refund) -> Refund:
    """Ask the gateway for a recorded refund (again, after a timeout: the idempotency key makes that safe)."""
    payment = refund.payment
    try:
        entity = gateway_for(payment).create_refund(
            payment_id=payment.razorpay_payment_id,
            amount_paise=refund.amount_paise,
            notes={"refund_id": str(refund.pk), "purpose": payment.purpose, "reference_id": str(payment.reference_id)},
            idempotency_key=refund.idempotency_key,
        )
    except GatewayUnavailable as exc:
        logger.warning("Refund %s not submitted yet (%s); reconciliation will retry.", refund.pk, exc)
        return refund
    except GatewayRejected as exc:
        return refund_apply_state(refund=refund, razorpay_refund_id="", status=Refund.Status.FAILED, error=str(exc))
    return refund_apply_state(refund=refund, razorpay_refund_id=entity["id"], status=entity.get("status", "pending"))


def refund_apply_state(*, refund: Refund, razorpay_refund_id: str, status: str, error: str = "") -> Refund:
    """Apply a refund's gateway state; ``processed`` and ``failed`` are final and happen once."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        fields = []
        if razorpay_refund_id and not refund.razorpay_refund_id:
            refund.razorpay_refund_id = razorpay_refund_id
            fields.append("razorpay_refund_id")
        if refund.status == Refund.Status.PENDING and status == Refund.Status.PROCESSED:
            refund.status = Refund.Status.PROCESSED
            refund.processed_at = timezone.now()
            fields += ["status", "processed_at"]
            refund.save(update_fields=[*fields, "updated_at"])
            payment.refunded_paise += refund.amount_paise
            payment.save(update_fields=["refunded_paise", "updated_at"])
            ledger.ledger_settle_refund(refund=refund)
            invoices.credit_note_issue(refund=refund)
            get_handler(payment.purpose).on_refund_processed(payment, refund)
        elif refund.status == Refund.Status.PENDING and status == Refund.Status.FAILED:
            refund.status = Refund.Status.FAILED
            refund.failure_reason = (error or _("The refund failed."))[:255]
            fields += ["status", "failure_reason"]
            refund.save(update_fields=[*fields, "updated_at"])
            ledger.ledger_reverse_refund(refund=refund)
            logger.error("Refund %s of payment %s failed: %s", refund.pk, payment.pk, refund.failure_reason)
        elif fields:
            refund.save(update_fields=[*fields, "updated_at"])
        refund.payment = payment
        return refund


def refund_apply_entity(*, entity: dict, payment_entity: dict | None = None) -> Refund | None:
    """A refund as Razorpay describes it (webhook or fetch). Refunds made on the dashboard are recorded too.

    Refunds apply only to captured money, in order: the payment a refund event carries is applied first (a refund
    event may be the first we hear of a capture); a refund of a payment still not captured here raises
    ``RefundNotReadyError`` so that it is retried, never booked against the mentor or dropped. Returns None for a
    payment that is not ours.
    """
    if payment_entity is not None:
        try:
            apply_payment_entity(payment_entity)
        except PaymentNotFoundError:
            return None
    refund = Refund.objects.filter(razorpay_refund_id=entity["id"]).first()
    if refund is None:
        our_id = str((entity.get("notes") or {}).get("refund_id", ""))
        if our_id.isdigit():
            refund = Refund.objects.filter(pk=int(our_id), payment__razorpay_payment_id=entity["payment_id"]).first()
    if refund is None:
        refund = _refund_record_external(entity)
        if refund is None:
            return None
    status = entity.get("status", "pending")
    return refund_apply_state(
        refund=refund, razorpay_refund_id=entity["id"], status=status, error=entity.get("error_description") or ""
    )


def _refund_record_external(entity: dict) -> Refund | None:
    payment = Payment.objects.filter(razorpay_payment_id=entity["payment_id"]).first()
    if payment is None:
        # Not an attempt we recorded (another integration, or a stray second attempt on a paid order).
        return None
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != Payment.Status.CAPTURED:
            raise RefundNotReadyError(entity["payment_id"])
        try:
            with transaction.atomic():
                refund = Refund.objects.create(
                    payment=payment,
                    amount_paise=entity["amount"],
                    reason=_("Refunded on the Razorpay dashboard"),
                    idempotency_key=f"external-{entity['id']}"[:64],
                    razorpay_refund_id=entity["id"],
                )
        except IntegrityError:
            return Refund.objects.get(razorpay_refund_id=entity["id"])
        ledger.ledger_reserve_refund(refund=refund)
    return refund


# --- reconciliation ------------------------------------------------------------------------------


def payments_reconcile(*, older_than: timedelta = timedelta(minutes=10)) -> dict[str, int]:
    """Ask the gateway about payments and refunds still pending after ``older_than``: lost callbacks and webhooks.

    Each payment is handled on its own, so one failure does not stop the rest. Returns counts for the log.
    """
    now = timezone.now()
    counts = {"payments_checked": 0, "payments_changed": 0, "refunds_checked": 0, "errors": 0}
    pending = Payment.objects.filter(
        status__in=[Payment.Status.CREATED, Payment.Status.AUTHORIZED],
        created_at__lt=now - older_than,
        created_at__gte=now - RECONCILE_WINDOW,
    ).order_by("created_at")
    for payment in pending.iterator():
        counts["payments_checked"] += 1
        try:
            updated = payment_reconcile_one(payment=payment)
        except (ValidationError, GatewayRejected, GatewayUnavailable, PaymentNotFoundError) as exc:
            counts["errors"] += 1
            logger.warning("Reconciling payment %s failed: %s", payment.pk, exc)
            continue
        counts["payments_changed"] += updated.status != payment.status
    refunds = Refund.objects.filter(status=Refund.Status.PENDING, created_at__lt=now - older_than).select_related(
        "payment"
    )
    for refund in refunds.iterator():
        counts["refunds_checked"] += 1
        try:
            refund_reconcile_one(refund=refund)
        except (GatewayRejected, GatewayUnavailable) as exc:
            counts["errors"] += 1
            logger.warning("Reconciling refund %s failed: %s", refund.pk, exc)
    counts["refunds_discovered"] = 0
    captured = Payment.objects.filter(
        status=Payment.Status.CAPTURED, captured_at__gte=now - RECONCILE_WINDOW, refunded_paise__lt=F("amount_paise")
    ).order_by("captured_at")
    for payment in captured.iterator():
        try:
            counts["refunds_discovered"] += payment_discover_refunds(payment=payment)
        except (GatewayRejected, GatewayUnavailable, RefundNotReadyError) as exc:
            counts["errors"] += 1
            logger.warning("Looking up refunds of payment %s failed: %s", payment.pk, exc)
    return counts


def payment_discover_refunds(*, payment: Payment) -> int:
    """Apply the refunds the gateway has for a payment that we never heard of (or whose webhook we could not apply
    then); returns how many changed here."""
    known = dict(payment.refunds.exclude(razorpay_refund_id="").values_list("razorpay_refund_id", "status"))
    changed = 0
    for entity in gateway_for(payment).payment_refunds(payment.razorpay_payment_id):
        if known.get(entity["id"]) in {Refund.Status.PROCESSED, Refund.Status.FAILED}:
            continue
        if known.get(entity["id"]) == entity.get("status"):
            continue
        refund_apply_entity(entity=entity)
        changed += 1
    return changed


def payment_reconcile_one(*, payment: Payment) -> Payment:
    """Bring one payment up to date with the attempts Razorpay knows for its order: a captured attempt if there is
    one, else the first authorised one (captured now), else the failures."""
    attempts = gateway_for(payment).order_payments(payment.razorpay_order_id)
    by_status: dict[str, list[dict]] = {}
    for entity in attempts:
        by_status.setdefault("captured" if entity["status"] == "refunded" else entity["status"], []).append(entity)
    if by_status.get("captured"):
        return apply_payment_entity(by_status["captured"][0])
    if by_status.get("authorized"):
        return payment_sync(payment=payment, razorpay_payment_id=by_status["authorized"][0]["id"])
    for entity in by_status.get("failed", []):
        payment = apply_payment_entity(entity)
    return payment


def refund_reconcile_one(*, refund: Refund) -> Refund:
    if not refund.razorpay_refund_id:
        return refund_submit(refund=refund)
    entity = gateway_for(refund.payment).fetch_refund(
        payment_id=refund.payment.razorpay_payment_id, refund_id=refund.razorpay_refund_id
    )
    return refund_apply_state(refund=refund, razorpay_refund_id=entity["id"], status=entity.get("status", "pending"))


def refundable_paise(payment: Payment) -> int:
    """What can still be refunded: captured minus refunds processed or on their way."""
    if payment.status != Payment.Status.CAPTURED:
        return 0
    return payment.amount_paise - _outstanding_refunds(payment)
