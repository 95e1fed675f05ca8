"""`/api/v1/payments/…`: verify a Razorpay checkout result, my payment history and invoices, and a mentor's
earnings. (The order for a booking is created under `/api/v1/bookings/{id}/payment-order`.)"""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from accounts.models import User
from api import ratelimit
from api.auth import ApiRequest
from api.errors import ApiError, ErrorEnvelope, not_found
from api.pagination import Page, PageParams, keyset_page
from payments.gateway import gateway_for
from payments.invoices import invoice_render_pdf
from payments.models import Invoice, Payment
from payments.selectors import (
    get_invoice_for_download,
    get_payment_for_payer,
    mentor_balances,
    payment_subjects,
    student_payment_history,
)
from payments.services import payment_record_checkout_failure, payment_verify_callback

router = Router(tags=["payments"])
ERRORS = {401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope, 422: ErrorEnvelope,
          429: ErrorEnvelope}  # fmt: skip
IdPath = Path(..., ge=1, le=2**63 - 1)
# Seed 000 §4.1: at most 10 payment attempts per user in 5 minutes (the same counter as the checkout pages).
ATTEMPTS_PER_WINDOW = 10
ATTEMPT_WINDOW_SECONDS = 300


class RefundOut(Schema):
    amount_paise: int
    status: str
    created_at: dt.datetime


class PaymentOut(Schema):
    id: int
    status: str
    status_display: str
    purpose: str
    title: str
    amount_paise: int
    currency: str
    created_at: dt.datetime
    failure_reason: str
    refunds: list[RefundOut]
    invoice_ids: list[int]


class CheckoutOut(Schema):
    """What Razorpay Checkout (web or the mobile SDKs) needs to take the payment."""

    payment_id: int
    gateway: str
    key_id: str
    razorpay_order_id: str
    amount_paise: int
    currency: str
    description: str
    prefill_name: str
    prefill_email: str
    prefill_contact: str


def checkout_data(payment: Payment, user: User) -> dict:
    return {
        "payment_id": payment.pk, "gateway": payment.gateway, "key_id": gateway_for(payment).key_id,
        "razorpay_order_id": payment.razorpay_order_id, "amount_paise": payment.amount_paise,
        "currency": payment.currency, "description": payment.description[:255], "prefill_name": user.full_name,
        "prefill_email": user.email, "prefill_contact": user.phone,
    }  # fmt: skip


def payment_data(payment: Payment, title: str) -> dict:
    return {
        "id": payment.pk, "status": payment.status, "status_display": payment.get_status_display(),
        "purpose": payment.purpose, "title": title, "amount_paise": payment.amount_paise,
        "currency": payment.currency, "created_at": payment.created_at, "failure_reason": payment.failure_reason,
        "refunds": [{"amount_paise": r.amount_paise, "status": r.status, "created_at": r.created_at}
                    for r in payment.refunds.all()],
        "invoice_ids": [invoice.pk for invoice in payment.invoices.all()],
    }  # fmt: skip


def _payment(request: ApiRequest, payment_id: int) -> Payment:
    try:
        return get_payment_for_payer(request.user, payment_id)
    except Http404:
        raise not_found() from None


class VerifyIn(Schema):
    outcome: str = Field("success", pattern="^(success|failed)$")
    razorpay_payment_id: str = Field(..., min_length=1, max_length=64)
    razorpay_order_id: str = Field("", max_length=64)
    razorpay_signature: str = Field("", max_length=128)


@router.post("/{payment_id}/verify", response={200: PaymentOut, **ERRORS}, operation_id="payments_verify")
def payments_verify(request: ApiRequest, payload: VerifyIn, payment_id: int = IdPath):
    """Hand over Checkout's result: the signed triple on success (verified against our order, then captured), or
    the failed attempt's payment id. The booking is confirmed once the payment is captured."""
    payment = _payment(request, payment_id)
    ratelimit.enforce(
        f"payments:api-attempts:{request.user.pk}", limit=ATTEMPTS_PER_WINDOW, window_seconds=ATTEMPT_WINDOW_SECONDS,
        message=_("Too many payment attempts. Please wait a few minutes and try again."),
    )  # fmt: skip
    if payload.outcome == "failed":
        payment = payment_record_checkout_failure(payment=payment, razorpay_payment_id=payload.razorpay_payment_id)
    else:
        if not (payload.razorpay_order_id and payload.razorpay_signature):
            raise ApiError(422, "incomplete", _("The payment result is incomplete."),
                           {"razorpay_signature": [_("This field is required.")]})  # fmt: skip
        payment = payment_verify_callback(
            payment=payment, razorpay_payment_id=payload.razorpay_payment_id,
            razorpay_order_id=payload.razorpay_order_id, razorpay_signature=payload.razorpay_signature,
        )  # fmt: skip
    payment = student_payment_history(request.user).get(pk=payment.pk)
    return payment_data(payment, payment_subjects([payment], viewer=request.user)[payment.pk].title)


@router.get("", response={200: Page[PaymentOut], **ERRORS}, operation_id="payments_history")
def payments_history(request: ApiRequest, params: Query[PageParams]):
    """Everything I paid or tried to pay, newest first, with refunds and invoices."""
    page = keyset_page(student_payment_history(request.user), params, order=["-created_at", "-id"], kind="payments")
    subjects = payment_subjects(page["items"], viewer=request.user)
    page["items"] = [payment_data(p, subjects[p.pk].title) for p in page["items"]]
    return page


@router.get("/{payment_id}", response={200: PaymentOut, **ERRORS}, operation_id="payments_detail")
def payments_detail(request: ApiRequest, payment_id: int = IdPath):
    payment = student_payment_history(request.user).filter(pk=payment_id).first()
    if payment is None:
        raise not_found()
    return payment_data(payment, payment_subjects([payment], viewer=request.user)[payment.pk].title)


class InvoiceOut(Schema):
    id: int
    kind: str
    number: str
    payment_id: int
    issued_at: dt.datetime
    pdf_url: str


def _invoice(invoice: Invoice) -> dict:
    return {
        "id": invoice.pk,
        "kind": invoice.kind,
        "number": invoice.number,
        "payment_id": invoice.payment_id,
        "issued_at": invoice.issued_at,
        "pdf_url": f"/api/v1/payments/invoices/{invoice.pk}/pdf",
    }


@router.get("/invoices/", response={200: Page[InvoiceOut], **ERRORS}, operation_id="payments_invoices")
def payments_invoices(request: ApiRequest, params: Query[PageParams]):
    """My tax invoices and credit notes, newest first."""
    return keyset_page(Invoice.objects.filter(buyer=request.user), params, order=["-id"], kind="invoices",
                       convert=_invoice)  # fmt: skip


@router.get(
    "/invoices/{invoice_id}/pdf",
    response={200: bytes, **ERRORS},
    operation_id="payments_invoice_pdf",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def payments_invoice_pdf(request: ApiRequest, invoice_id: int = IdPath):
    try:
        invoice = get_invoice_for_download(request.user, invoice_id)
    except Http404:
        raise not_found() from None
    if not invoice.pdf:
        invoice = invoice_render_pdf(invoice_id=invoice.pk)
    return FileResponse(invoice.pdf.open("rb"), content_type="application/pdf", as_attachment=True,
                        filename=f"{invoice.number.replace('/', '-')}.pdf")  # fmt: skip


class EarningsOut(Schema):
    escrow_paise: int
    available_paise: int
    paid_out_paise: int


@router.get(
    "/earnings/summary", response={200: EarningsOut, **ERRORS}, tags=["mentor side"], operation_id="payments_earnings"
)
def payments_earnings(request: ApiRequest):
    """A mentor's money: held in escrow until sessions complete, available for the next payout, paid out."""
    if request.user.role != User.Role.MENTOR:
        raise ApiError(403, "mentors_only", _("This is for mentors."))
    balances = mentor_balances(request.user)
    return {
        "escrow_paise": balances.escrow_paise,
        "available_paise": balances.available_paise,
        "paid_out_paise": balances.paid_out_paise,
    }
