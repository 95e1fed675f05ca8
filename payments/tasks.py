import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from payments import invoices, packages, payouts, services, statements
from payments.models import Payment

logger = logging.getLogger(__name__)


@shared_task(name="payments.reconcile_payments")
def reconcile_payments() -> dict[str, int]:
    """Every few minutes (beat): repair payments and refunds whose callback or webhook never arrived."""
    from payments.webhooks import webhooks_retry_deferred  # webhooks imports this module's tasks

    counts = services.payments_reconcile()
    counts["webhooks_applied_late"] = webhooks_retry_deferred()
    missing = invoices.invoices_missing_pdf()
    for invoice_id in missing:
        render_invoice_pdf.delay(invoice_id)
    counts["invoice_pdfs_requeued"] = len(missing)
    logger.info("Payments reconciled: %s", counts)
    return counts


@shared_task(name="payments.reconcile_payouts")
def reconcile_payouts() -> dict[str, int]:
    """Every few minutes (beat): resubmit payouts that never reached RazorpayX, apply the state of those in flight
    or recently processed whose webhooks were lost, and alert staff where RazorpayX disagrees with the ledger."""
    counts = payouts.payouts_reconcile()
    logger.info("Payouts reconciled: %s", counts)
    return counts


@shared_task(name="payments.pay_out_mentors")
def pay_out_mentors() -> dict[str, int]:
    """Weekly (beat): pay each mentor's available balance of ₹1,000 or more, once per ISO week."""
    counts = payouts.payouts_run_weekly()
    logger.info("Weekly payouts: %s", counts)
    return counts


@shared_task(name="payments.capture_authorized_payment")
def capture_authorized_payment(payment_id: int, razorpay_payment_id: str) -> str:
    """Capture an attempt a ``payment.authorized`` webhook told us about (Razorpay refunds uncaptured ones).

    Runs from the outbox: while the gateway is unavailable the error goes up and the outbox tries again later."""
    payment = Payment.objects.get(pk=payment_id)
    try:
        return services.payment_sync(payment=payment, razorpay_payment_id=razorpay_payment_id).status
    except ValidationError as exc:
        if exc.code == "gateway_unavailable":
            raise
        logger.error("Capture of %s for payment %s refused: %s", razorpay_payment_id, payment_id, exc)
        return "refused"


@shared_task(name="payments.render_invoice_pdf")
def render_invoice_pdf(invoice_id: int) -> str:
    """After the capture or refund commits: render an invoice or credit note to PDF in private storage (idempotent).
    Runs from the outbox, which tries again later when rendering or storage fails."""
    return str(invoices.invoice_render_pdf(invoice_id=invoice_id).pdf.name)


@shared_task(name="payments.expire_packages")
def expire_packages() -> int:
    """Hourly (beat): close packages past their date and owe the refund of sessions never booked."""
    return packages.packages_expire_due()


@shared_task(name=packages.REFUND_UNUSED_TASK)
def refund_unused_package(purchase_id: int, amount_paise: int) -> str:
    """From the outbox after an expiry commits: refund the never-booked sessions (idempotent by its key)."""
    return packages.package_refund_unused(purchase_id=purchase_id, amount_paise=amount_paise).status
@shared_task(name="payments.generate_monthly_statements")
def generate_monthly_statements() -> dict[str, int]:
    """On the 1st (beat): last month's statement for every mentor whose accounts moved in it (idempotent)."""
    counts = statements.statements_generate_monthly()
    logger.info("Monthly statements: %s", counts)
    return counts


@shared_task(name="payments.render_statement_pdf")
def render_statement_pdf(statement_id: int) -> str:
    """After a statement is made: render its PDF into private storage (idempotent; the outbox retries failures)."""
    return str(statements.statement_render_pdf(statement_id=statement_id).pdf.name)
