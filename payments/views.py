import csv
import time

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.privacy.phone import phone_is_verified
from accounts.selectors import user_has_mfa
from accounts.timezones import viewer_time_zone
from mentorship import charts
from mentorship.forms import add_service_errors
from mentorship.htmx import render_page_or_partial, wants_partial
from mentorship.http import AuthenticatedHttpRequest
from mentorship.money import format_inr
from mentorship.resilient_cache import count_hit
from payments.charges import checkout_breakdown
from payments.earnings import EarningLine, earning_lines, earning_payments, earnings_overview, you_earn_context
from payments.forms import CheckoutResultForm, PayoutDetailsForm, StatementRequestForm, TestCheckoutForm, YouEarnForm
from payments.gateway import OfflineGateway, gateway_for
from payments.invoices import invoice_render_pdf
from payments.models import MentorPayoutDetails, MentorStatement, Payment
from payments.payout_ops import payout_request
from payments.payouts import payout_details_require_mfa, payout_details_set
from payments.registry import PaymentSubject, get_handler
from payments.selectors import (
    active_payout_hold,
    get_invoice_for_download,
    get_payment_for_payer,
    get_statement_for_download,
    payment_subjects,
    student_payment_history,
)
from payments.services import payment_record_checkout_failure, payment_verify_callback
from payments.statements import last_complete_month, statement_filename, statement_generate, statement_render_pdf
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


def _require_mentor(user: User) -> None:
    if user.role != User.Role.MENTOR:
        raise PermissionDenied


EARNING_LINES_PER_PAGE = 25
EARNINGS_CHART_ID = "earnings-charts"


def _described_lines(user: User, payments) -> list[EarningLine]:
    lines = earning_lines(payments)
    # Described now, for this mentor and in their language (the stored description is the payer's).
    subjects = payment_subjects([line.payment for line in lines], viewer=user)
    for line in lines:
        line.payment.subject = subjects[line.payment.pk]  # type: ignore[attr-defined]  # for the template
    return lines


@login_required
@require_GET
def earnings(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_mentor(request.user)
    page = Paginator(earning_payments(request.user), EARNING_LINES_PER_PAGE).get_page(request.GET.get("page"))
    context: dict = {"page": page, "lines": _described_lines(request.user, page.object_list)}
    if not wants_partial(request):
        overview = earnings_overview(request.user, now=timezone.now(), zone=viewer_time_zone(request))
        chart = charts.series_chart(
            id="earnings-by-month",
            title=_("Earned per month, last 12 months"),
            kind="bar",
            period_heading=_("Month"),
            value_heading=_("Earned (₹)"),
            points=[(figures.month, figures.earned_paise / 100) for figures in overview.months],
            label=charts.month_label,
            show=lambda rupees: charts.rupees(round((rupees or 0) * 100)),
        )
        context.update(
            {
                "overview": overview,
                "chart": chart,
                "chart_specs": [chart.spec()],
                "charts_source": EARNINGS_CHART_ID,
                "statements": MentorStatement.objects.filter(mentor=request.user).only(
                    "pk", "month", "pdf", "mentor_id"
                )[:24],
                "statement_form": StatementRequestForm(
                    initial={"month": last_complete_month(timezone.now()).strftime("%Y-%m")}
                ),
            }
        )
    return render_page_or_partial(request, "payments/earnings.html", "earning-rows", context)


CSV_BATCH = 500


@login_required
@require_GET
def earnings_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """Every earning line as CSV, streamed in batches (bounded memory and queries per batch)."""
    _require_mentor(request.user)
    user = request.user
    zone = viewer_time_zone(request)

    def rows():
        yield [
            _("Date"), _("Payment"), _("Student"), _("Session price (₹)"), _("Tip (₹)"), _("Platform share (₹)"),
            _("Your share (₹)"), _("Refunded (₹)"), _("TDS withheld (₹)"), _("Net (₹)"), _("In escrow (₹)"),
        ]  # fmt: skip
        payments = earning_payments(user)
        for start in range(0, payments.count(), CSV_BATCH):
            for line in _described_lines(user, payments[start : start + CSV_BATCH]):
                yield [
                    line.date.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                    line.payment.subject.title,
                    line.payment.payer.full_name,
                    *(
                        f"{paise / 100:.2f}"
                        for paise in (
                            line.price_paise,
                            line.tip_paise,
                            line.platform_paise,
                            line.mentor_share_paise,
                            line.refunded_paise,
                            line.tds_paise,
                            line.net_paise,
                            line.in_escrow_paise,
                        )
                    ),  # fmt: skip
                ]

    writer = csv.writer(_Echo())
    response = StreamingHttpResponse((writer.writerow(row) for row in rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="peerlearn-earnings.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


class _Echo:
    """A file-like object for csv.writer that hands each row back instead of storing it (streaming)."""

    def write(self, value: str) -> str:
        return value


@login_required
@require_POST
def statement_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_mentor(request.user)
    form = StatementRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a month for the statement."))
        return redirect("payments:earnings")
    try:
        statement = statement_generate(mentor=request.user, month=form.cleaned_data["month"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("payments:earnings")
    messages.success(
        request,
        _("Your statement for %(month)s is ready to download.") % {"month": date_format(statement.month, "F Y")},
    )
    return redirect(reverse("payments:earnings") + "#statements")


@login_required
@require_GET
def statement_download(request: AuthenticatedHttpRequest, statement_id: int) -> HttpResponseBase:
    """A statement's PDF, for its mentor (and support staff) only; rendered now if the worker has not yet."""
    statement = get_statement_for_download(request.user, statement_id)
    if not statement.pdf:
        statement = statement_render_pdf(statement_id=statement.pk)
    response = FileResponse(
        statement.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=statement_filename(statement),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def you_earn(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What a mentor keeps of a price: the box under a price field (htmx, ``field`` names the parameter) or a page."""
    if request.htmx:
        field = request.GET.get("field", "price")
        context = you_earn_context(request.GET.get(field), mentor=request.user, allow_free="free" in request.GET)
        return render(request, "payments/_you_earn.html", context)
    form = YouEarnForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    return render(request, "payments/you_earn.html", {"form": form})


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
        {"form": form, "current": current, "payout_hold": active_payout_hold(request.user)},
        status=400 if request.method == "POST" else 200,
    )
