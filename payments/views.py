import time

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.privacy.phone import phone_is_verified
from accounts.selectors import user_has_mfa
from mentorship.forms import add_service_errors
from mentorship.htmx import render_page_or_partial, wants_partial
from mentorship.http import AuthenticatedHttpRequest
from mentorship.money import format_inr
from mentorship.resilient_cache import count_hit
from payments.charges import checkout_breakdown
from payments.forms import CheckoutResultForm, PayoutDetailsForm, TestCheckoutForm
from payments.gateway import OfflineGateway, gateway_for
from payments.invoices import invoice_render_pdf
from payments.models import MentorPayoutDetails, Payment
from payments.payout_ops import payout_request
from payments.payouts import payout_details_require_mfa, payout_details_set
from payments.registry import PaymentSubject, get_handler
from payments.selectors import (
    get_invoice_for_download,
    get_payment_for_payer,
    mentor_balances,
    mentor_earnings_history,
    payment_subjects,
    student_payment_history,
)
from payments.services import payment_record_checkout_failure, payment_verify_callback
from payments.webhooks import WebhookRejectedError, webhook_receive

ATTEMPTS_PER_WINDOW = 10
ATTEMPT_WINDOW_SECONDS = 300


def _attempt_allowed(user: User) -> bool:
    """Seed 000 §4.1: at most 10 payment attempts per user in 5 minutes (a Redis counter per window)."""
    key = f"payments:attempts:{user.pk}:{int(time.time()) // ATTEMPT_WINDOW_SECONDS}"
    hits = count_hit(key, window_seconds=ATTEMPT_WINDOW_SECONDS)
    # Fails open while Redis is down: the callback only verifies a payment the customer already made at Razorpay
    # (signature checked, amount from our order), so refusing it would strand paid students, not stop abuse.
    return hits is None or hits <= ATTEMPTS_PER_WINDOW


def _too_many_attempts(request: AuthenticatedHttpRequest, payment: Payment) -> HttpResponse:
    messages.error(request, _("Too many payment attempts. Please wait a few minutes and try again."))
    return _render_checkout(request, payment, status=429)


def _checkout_options(payment: Payment, user: User, subject: PaymentSubject) -> dict:
    """Razorpay Checkout.js options for this order (the page's script adds the handlers)."""
    return {
        "key": gateway_for(payment).key_id,
        "amount": payment.amount_paise,
        "currency": payment.currency,
        "name": "PeerLearn",
        "description": subject.title[:255],
        "order_id": payment.razorpay_order_id,
        "prefill": {"name": user.full_name, "email": user.email, "contact": user.phone},
        "notes": {"purpose": payment.purpose, "reference_id": str(payment.reference_id)},
        "theme": {"color": "#4f46e5"},
    }


def _render_checkout(
    request: AuthenticatedHttpRequest, payment: Payment, test_form: TestCheckoutForm | None = None, status=200
):
    subject = payment_subjects([payment], viewer=request.user)[payment.pk]
    context = {
        "payment": payment,
        "subject": subject,
        "return_url": get_handler(payment.purpose).return_url(payment),
        "breakdown": checkout_breakdown(payment),
    }
    if payment.gateway == Payment.Gateway.OFFLINE:
        context["test_form"] = test_form or TestCheckoutForm()
    else:
        context["checkout_options"] = _checkout_options(payment, request.user, subject)
    return render(request, "payments/checkout.html", context, status=status)


@login_required
@require_GET
def checkout(request: AuthenticatedHttpRequest, payment_id: int) -> HttpResponse:
    payment = get_payment_for_payer(request.user, payment_id)
    if payment.status == Payment.Status.CAPTURED:
        messages.info(request, _("This payment is already complete."))
        return redirect(get_handler(payment.purpose).return_url(payment))
    return _render_checkout(request, payment)


def _conclude(request: AuthenticatedHttpRequest, payment: Payment, *, succeeded: bool, result: dict) -> HttpResponse:
    """Verify a checkout result (real or test mode), then send the payer back with a clear message."""
    try:
        if succeeded:
            payment = payment_verify_callback(payment=payment, **result)
        else:
            payment = payment_record_checkout_failure(
                payment=payment, razorpay_payment_id=result["razorpay_payment_id"]
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("payments:checkout", payment_id=payment.pk)
    amount = format_inr(payment.amount_paise)
    if payment.status == Payment.Status.CAPTURED:
        messages.success(request, _("Payment of %(amount)s received. Thank you!") % {"amount": amount})
    elif payment.status == Payment.Status.FAILED:
        messages.error(
            request,
            _("Your payment of %(amount)s did not go through: %(reason)s No money was taken; you can try again.")
            % {"amount": amount, "reason": payment.failure_reason},
        )
    else:
        messages.info(request, _("We are confirming your payment with the bank. This page will update shortly."))
    return redirect(get_handler(payment.purpose).return_url(payment))


@login_required
@require_POST
def callback(request: AuthenticatedHttpRequest, payment_id: int) -> HttpResponse:
    payment = get_payment_for_payer(request.user, payment_id)
    if not _attempt_allowed(request.user):
        return _too_many_attempts(request, payment)
    form = CheckoutResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The payment result was incomplete. Please try again."))
        return redirect("payments:checkout", payment_id=payment.pk)
    data = form.cleaned_data
    if data["outcome"] == CheckoutResultForm.FAILED:
        return _conclude(request, payment, succeeded=False, result=data)
    result = {key: data[key] for key in ("razorpay_payment_id", "razorpay_order_id", "razorpay_signature")}
    return _conclude(request, payment, succeeded=True, result=result)


@login_required
@require_POST
def test_checkout(request: AuthenticatedHttpRequest, payment_id: int) -> HttpResponse:
    """The offline stand-in for Checkout.js: the gateway simulates the bank and signs the result."""
    payment = get_payment_for_payer(request.user, payment_id)
    if payment.gateway != Payment.Gateway.OFFLINE:
        raise Http404
    if not _attempt_allowed(request.user):
        return _too_many_attempts(request, payment)
    form = TestCheckoutForm(request.POST)
    if not form.is_valid():
        return _render_checkout(request, payment, test_form=form, status=400)
    succeed = form.cleaned_data["result"] == TestCheckoutForm.SUCCEED
    result = OfflineGateway().simulate_checkout(order_id=payment.razorpay_order_id, succeed=succeed)
    if not succeed:
        result = {"razorpay_payment_id": result["error"]["metadata"]["payment_id"]}
    return _conclude(request, payment, succeeded=succeed, result=result)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    try:
        event = webhook_receive(
            body=request.body.decode(),
            signature=request.headers.get("X-Razorpay-Signature", ""),
            event_id=request.headers.get("X-Razorpay-Event-Id", ""),
        )
    except (WebhookRejectedError, UnicodeDecodeError):
        return JsonResponse({"error": "invalid webhook"}, status=400)
    # A deferred event (a refund before its capture) must come again: Razorpay redelivers on any non-2xx reply.
    status = 503 if event.outcome == event.Outcome.DEFERRED else 200
    return JsonResponse({"status": event.outcome}, status=status)


@login_required
@require_GET
def history(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(student_payment_history(request.user), 20).get_page(request.GET.get("page"))
    subjects = payment_subjects(page.object_list, viewer=request.user)
    rows = [(payment, subjects[payment.pk]) for payment in page.object_list]
    return render_page_or_partial(request, "payments/history.html", "payment-rows", {"page": page, "rows": rows})


@login_required
@require_GET
def earnings(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role != User.Role.MENTOR:
        raise PermissionDenied
    page = Paginator(mentor_earnings_history(request.user), 25).get_page(request.GET.get("page"))
    # Described now, for this mentor and in their language (the stored description is the payer's).
    page.object_list = list(page.object_list)
    payments = {entry.transaction.payment for entry in page.object_list if entry.transaction.payment}
    subjects = payment_subjects(payments, viewer=request.user)
    for entry in page.object_list:
        subject = subjects.get(entry.transaction.payment_id or 0)
        entry.payment_description = subject.title if subject else ""  # type: ignore[attr-defined]  # for the template
    context = {"page": page} if wants_partial(request) else {"page": page, "balances": mentor_balances(request.user)}
    return render_page_or_partial(request, "payments/earnings.html", "earning-rows", context)


@login_required
@require_POST
def payout_request_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A mentor asks for their available balance now; every refusal comes back as a message on the earnings page."""
    if request.user.role != User.Role.MENTOR:
        raise PermissionDenied
    try:
        payout = payout_request(mentor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your payout of %(amount)s is on its way to your bank account.")
            % {"amount": format_inr(payout.amount_paise)},
        )
    return redirect("payments:earnings")


@login_required
@require_GET
def invoice_download(request: AuthenticatedHttpRequest, invoice_id: int) -> HttpResponseBase:
    """The PDF of an invoice or credit note, for its buyer and staff only. Rendered now if the worker has not yet."""
    invoice = get_invoice_for_download(request.user, invoice_id)
    if not invoice.pdf:
        invoice = invoice_render_pdf(invoice_id=invoice.pk)
    filename = f"{invoice.number.replace('/', '-')}.pdf"
    response = FileResponse(
        invoice.pdf.open("rb"), content_type="application/pdf", as_attachment=True, filename=filename
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def payout_details(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role != User.Role.MENTOR:
        raise PermissionDenied
    if payout_details_require_mfa() and not user_has_mfa(request.user):
        messages.warning(request, _("Turn on two-factor sign-in before you add payout details."))
        return redirect(reverse("mfa_activate_totp") + "?next=" + reverse("payments:payout_details"))
    if not phone_is_verified(request.user):
        messages.warning(request, _("Verify your mobile number before you add payout details."))
        return redirect(reverse("accounts:phone_verify") + "?next=" + reverse("payments:payout_details"))
    return _payout_details_form(request)


@reauthentication_required
def _payout_details_form(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = MentorPayoutDetails.objects.filter(mentor=request.user).first()
    form = PayoutDetailsForm(
        request.POST or None,
        initial={"account_holder_name": current.account_holder_name if current else request.user.full_name},
    )
    if request.method == "POST" and form.is_valid():
        try:
            payout_details_set(mentor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your payout details are saved."))
            return redirect("mentors:dashboard")
    return render(
        request,
        "payments/payout_details.html",
        {"form": form, "current": current},
        status=400 if request.method == "POST" else 200,
    )
