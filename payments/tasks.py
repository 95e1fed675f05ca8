import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from payments import invoices, payouts, services
from payments.models import Payment

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def reconcile_payments() -> dict[str, int]:
    """Every few minutes (beat): repair payments and refunds whose callback or webhook never arrived."""
    counts = services.payments_reconcile()
    counts.update({f"payouts_{key}": value for key, value in payouts.payouts_reconcile().items()})
    missing = invoices.invoices_missing_pdf()
    for invoice_id in missing:
        render_invoice_pdf.delay(invoice_id)
    counts["invoice_pdfs_requeued"] = len(missing)
    logger.info("Payments reconciled: %s", counts)
    return counts


@shared_task(acks_late=True)
def pay_out_mentors() -> dict[str, int]:
    """Weekly (beat): pay each mentor's available balance of ₹1,000 or more, once per ISO week."""
    counts = payouts.payouts_run_weekly()
    logger.info("Weekly payouts: %s", counts)
    return counts


@shared_task(bind=True, acks_late=True, max_retries=5)
def capture_authorized_payment(self, payment_id: int, razorpay_payment_id: str) -> str:
    """Capture an attempt a ``payment.authorized`` webhook told us about (Razorpay refunds uncaptured ones)."""
    payment = Payment.objects.get(pk=payment_id)
    try:
        return services.payment_sync(payment=payment, razorpay_payment_id=razorpay_payment_id).status
    except ValidationError as exc:
        if exc.code == "gateway_unavailable":
            raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
        raise


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def render_invoice_pdf(invoice_id: int) -> str:
    """After the capture or refund commits: render an invoice or credit note to PDF in private storage (idempotent)."""
    return invoices.invoice_render_pdf(invoice_id=invoice_id).pdf.name
