"""Tax invoices for captured payments and credit notes for processed refunds (DESIGN.md §3 "Money", §7 "Invoices").

Numbers are gapless per series and Indian financial year (April–March, dates in IST): ``PL/2026-27/000123`` for
invoices, ``PLCN/2026-27/000007`` for credit notes. The next number is taken from a counter row locked with
``select_for_update`` inside the transaction that records the capture or the refund, so a rollback gives the number
back and two captures can never share one.

Prices are GST-inclusive: the student pays exactly the price shown and the invoice total equals the captured amount
to the paisa. The mentor's fee (70 %) is a supply made on the mentor's behalf, so the platform charges no GST on it;
the platform fee (the remainder) includes GST at ``GST_RATE_BASIS_POINTS``, which is backed out of it: taxable value
= fee × 10000 / (10000 + rate), rounded half up, tax = fee − taxable value. Inside the platform's state the tax is
split CGST + SGST (CGST takes the smaller half of an odd paisa), elsewhere it is IGST. A buyer with no state on
record is taxed at the supplier's location (IGST Act s. 12(2)(b)). Tips are all the mentor's: no platform fee, no GST.
A credit note applies the same split to the refunded amount, so a full refund exactly cancels its invoice.

Once issued, an invoice never changes: ``Invoice.data`` is the snapshot of everything printed, and the PDF is
rendered from it after commit by ``payments.tasks.render_invoice_pdf``, in the buyer's language.
"""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.selectors import user_language
from accounts.suggestions import state_from_text, state_label
from mentorship.money import format_inr
from outbox.services import enqueue
from payments.ledger import mentor_share
from payments.models import Invoice, InvoiceCounter, Payment, Refund
from payments.notification_kinds import notify_invoice_ready

IST = zoneinfo.ZoneInfo("Asia/Kolkata")
INVOICE_SERIES = "PL"
CREDIT_NOTE_SERIES = "PLCN"

# --- amounts in words (Indian numbering: thousand, lakh, crore) ------------------------------------

_ONES = [
    "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten",
    "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen",
]  # fmt: skip
_TENS = ["", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"]


def _below_hundred(n: int) -> str:
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")


def number_in_words(n: int) -> str:
    """A whole number in English words with Indian grouping: 12345678 → "One Crore Twenty-Three Lakh Forty-Five
    Thousand Six Hundred Seventy-Eight". Crores above 99 are counted in the same words ("One Hundred Crore")."""
    if n < 0:
        raise ValueError("number_in_words takes a whole number ≥ 0.")
    if n == 0:
        return _ONES[0]
    crore, n = divmod(n, 10_000_000)
    lakh, n = divmod(n, 100_000)
    thousand, n = divmod(n, 1000)
    hundred, rest = divmod(n, 100)
    parts = []
    if crore:
        parts.append(f"{number_in_words(crore)} Crore")
    if lakh:
        parts.append(f"{_below_hundred(lakh)} Lakh")
    if thousand:
        parts.append(f"{_below_hundred(thousand)} Thousand")
    if hundred:
        parts.append(f"{_ONES[hundred]} Hundred")
    if rest:
        parts.append(_below_hundred(rest))
    return " ".join(parts)


def amount_in_words(paise: int) -> str:
    """Paise as an invoice writes them: 12345650 → "Rupees One Lakh Twenty-Three Thousand Four Hundred Fifty-Six
    and Fifty Paise Only"."""
    rupees, rest = divmod(paise, 100)
    if rupees and rest:
        return f"Rupees {number_in_words(rupees)} and {number_in_words(rest)} Paise Only"
    if rest:
        return f"{number_in_words(rest)} Paise Only"
    return f"Rupees {number_in_words(rupees)} Only"


# --- figures ------------------------------------------------------------------------------------


def financial_year(moment) -> str:
    """The Indian financial year (April–March) of an aware datetime, as printed: "2026-27"."""
    day = moment.astimezone(IST).date()
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def gst_figures(*, amount_paise: int, platform_fee_paise: int, intra_state: bool, rate_basis_points: int) -> dict:
    """The lines and tax of an amount whose platform fee includes GST (see the module docstring). Every figure is
    integer paise and mentor fee + taxable value + tax == amount."""
    divisor = 10_000 + rate_basis_points
    taxable = (platform_fee_paise * 10_000 * 2 + divisor) // (2 * divisor)
    tax = platform_fee_paise - taxable
    cgst = tax // 2 if intra_state else 0
    sgst = tax - cgst if intra_state else 0
    return {
        "mentor_fee_paise": amount_paise - platform_fee_paise,
        "platform_fee_taxable_paise": taxable,
        "rate_basis_points": rate_basis_points,
        "intra_state": intra_state,
        "cgst_paise": cgst,
        "sgst_paise": sgst,
        "igst_paise": 0 if intra_state else tax,
        "tax_paise": tax,
        "total_paise": amount_paise,
    }


def platform_fee_paise(payment: Payment, amount_paise: int) -> int:
    # Escrowed payments are split 70/30 on completion (payments.ledger); tips go to the mentor whole.
    return amount_paise - mentor_share(amount_paise) if payment.holds_in_escrow else 0


def _snapshot(*, payment: Payment, amount_paise: int, number: str, issued_at, extra: dict) -> dict:
    buyer = payment.payer
    supplier_state = settings.PLATFORM_STATE
    place_of_supply = state_from_text(buyer.state) or supplier_state
    figures = gst_figures(
        amount_paise=amount_paise,
        platform_fee_paise=platform_fee_paise(payment, amount_paise),
        intra_state=place_of_supply == supplier_state,
        rate_basis_points=settings.GST_RATE_BASIS_POINTS,
    )
    return {
        "number": number,
        "issued_at": issued_at.isoformat(),
        "issue_date": issued_at.astimezone(IST).date().isoformat(),
        "supplier": {
            "legal_name": settings.PLATFORM_LEGAL_NAME,
            "address": settings.PLATFORM_ADDRESS,
            "gstin": settings.PLATFORM_GSTIN,
            "state": supplier_state,
        },
        "buyer": {"name": buyer.full_name, "email": buyer.email, "state": place_of_supply},
        "mentor": {"name": payment.payee.full_name if payment.payee else ""},
        "sac_code": settings.INVOICE_SAC_CODE,
        "description": payment.description,
        "purpose": payment.purpose,
        "razorpay_payment_id": payment.razorpay_payment_id,
        **figures,
        "total_display": format_inr(amount_paise, always_paise=True),
        "total_in_words": amount_in_words(amount_paise),
        **extra,
    }


def _next_number(series: str, fy: str) -> int:
    """Take the next number of a series under the counter row's lock (held until the caller's transaction ends)."""
    InvoiceCounter.objects.bulk_create([InvoiceCounter(series=series, financial_year=fy)], ignore_conflicts=True)
    counter = InvoiceCounter.objects.select_for_update().get(series=series, financial_year=fy)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _issue(*, kind: str, series: str, payment: Payment, amount_paise: int, extra: dict, refund=None, original=None):
    issued_at = timezone.now()
    fy = financial_year(issued_at)
    sequence = _next_number(series, fy)
    number = f"{series}/{fy}/{sequence:06d}"
    document = Invoice.objects.create(
        kind=kind,
        number=number,
        series=series,
        financial_year=fy,
        sequence=sequence,
        payment=payment,
        refund=refund,
        original=original,
        buyer=payment.payer,
        language=user_language(payment.payer),
        total_paise=amount_paise,
        data=_snapshot(payment=payment, amount_paise=amount_paise, number=number, issued_at=issued_at, extra=extra),
        issued_at=issued_at,
    )
    from payments.tasks import render_invoice_pdf

    enqueue(render_invoice_pdf, document.pk)
    return document


def invoice_issue(*, payment: Payment) -> Invoice:
    """The tax invoice of a payment just captured. Call inside the capture transaction, payment row locked."""
    existing = Invoice.objects.filter(payment=payment, kind=Invoice.Kind.INVOICE).first()
    if existing is not None:
        return existing
    return _issue(
        kind=Invoice.Kind.INVOICE,
        series=INVOICE_SERIES,
        payment=payment,
        amount_paise=payment.amount_paise,
        extra={"kind": Invoice.Kind.INVOICE},
    )


def credit_note_issue(*, refund: Refund) -> Invoice:
    """The credit note of a refund just processed, linked to the payment's invoice. Call inside the transaction that
    marks the refund processed, payment row locked."""
    existing = Invoice.objects.filter(refund=refund).first()
    if existing is not None:
        return existing
    payment = refund.payment
    original = Invoice.objects.filter(payment=payment, kind=Invoice.Kind.INVOICE).first()
    return _issue(
        kind=Invoice.Kind.CREDIT_NOTE,
        series=CREDIT_NOTE_SERIES,
        payment=payment,
        amount_paise=refund.amount_paise,
        refund=refund,
        original=original,
        extra={
            "kind": Invoice.Kind.CREDIT_NOTE,
            "original_number": original.number if original else "",
            "refund_kind": refund.kind,
            "razorpay_refund_id": refund.razorpay_refund_id,
        },
    )


# --- PDF ----------------------------------------------------------------------------------------


def invoice_html(invoice: Invoice) -> str:
    """The document as HTML, in the buyer's language, from the snapshot alone."""
    doc = invoice.data
    with translation.override(invoice.language):
        context = {
            "invoice": invoice,
            "doc": doc,
            "place_of_supply": state_label(doc["buyer"]["state"]),
            "refund_kind": Refund.Kind(doc["refund_kind"]).label if doc.get("refund_kind") else "",
            "rate_percent": f"{doc['rate_basis_points'] / 100:g}",
            "half_rate_percent": f"{doc['rate_basis_points'] / 200:g}",
        }
        return render_to_string("payments/invoice_pdf.html", context)


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    from weasyprint import HTML  # Imported here: loading Pango costs time every other process does not need.

    return HTML(string=invoice_html(invoice)).write_pdf()


def invoice_render_pdf(*, invoice_id: int) -> Invoice:
    """Render and store the PDF once (idempotent: a second delivery of the task finds it rendered)."""
    invoice = Invoice.objects.get(pk=invoice_id)
    if invoice.pdf:
        return invoice
    content = invoice_pdf_bytes(invoice)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if not invoice.pdf:
            invoice.pdf.save(f"{invoice.number.replace('/', '-')}.pdf", ContentFile(content), save=False)
            invoice.pdf_rendered_at = timezone.now()
            invoice.save(update_fields=["pdf", "pdf_rendered_at"])
            notify_invoice_ready(invoice)
    return invoice


def invoices_missing_pdf(*, older_than: timedelta = timedelta(minutes=5)) -> list[int]:
    """Documents whose PDF task was lost (broker down at commit time, worker killed), for the reconciliation sweep."""
    return list(Invoice.objects.filter(pdf="", issued_at__lt=timezone.now() - older_than).values_list("pk", flat=True))
