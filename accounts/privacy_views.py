"""The user's privacy page: download my data, delete my account."""

from allauth.account.decorators import reauthentication_required
from allauth.usersessions.views import ListUserSessionsView
from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.consent import GUARDIAN_DRAFT_SESSION_KEY
from accounts.models import AuditLogEntry, ConsentRecord, DataExport
from accounts.privacy import consents, deletion, exports, phone
from accounts.privacy.audit import audit_record
from mentorship.forms import add_service_errors, form_status
from mentorship.http import AuthenticatedHttpRequest

RECENT_EXPORTS = 5


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that my profile, bookings, messages and files will be deleted."),
        error_messages={"required": gettext_lazy("Tick the box to confirm.")},
    )


def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "legal/terms.html", {"version": consents.LEGAL_TEXTS_VERSION})


def privacy_policy(request: HttpRequest) -> HttpResponse:
    return render(request, "legal/privacy_policy.html", {"version": consents.LEGAL_TEXTS_VERSION})


def _where(request: AuthenticatedHttpRequest) -> dict:
    return {"ip_address": get_client_ip_address(request), "user_agent": request.headers.get("User-Agent", "")}


@login_required
@require_POST
def marketing_consent(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Giving and withdrawing are the same single click (DPDP Act 2023 §6(4))."""
    given = request.POST.get("given") == "yes"
    consents.consent_set(user=request.user, purpose=ConsentRecord.Purpose.MARKETING, given=given, **_where(request))
    if given:
        messages.success(request, _("You will get news and offers by email."))
    else:
        messages.success(request, _("You will no longer get news and offers."))
    return redirect("accounts:privacy")


@login_required
def privacy_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = consents.consent_current(user=request.user)
    marketing = current.get(ConsentRecord.Purpose.MARKETING)
    context = {
        "consent_records": ConsentRecord.objects.filter(user=request.user),
        "processing": current.get(ConsentRecord.Purpose.PROCESSING),
        "marketing_on": marketing is not None and marketing.given,
        "exports": DataExport.objects.filter(user=request.user)[:RECENT_EXPORTS],
        "pending_deletion": deletion.account_deletion_pending(request.user),
        "link_days": exports.EXPORT_LINK_MAX_AGE.days,
        "grace_days": deletion.DELETION_GRACE.days,
    }
    return render(request, "accounts/privacy.html", context)


@login_required
@require_POST
def data_export_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        exports.data_export_request(user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("We are preparing your data. We will email you a download link shortly."))
    return redirect("accounts:privacy")


@login_required
def data_export_download(request: AuthenticatedHttpRequest, token: str) -> HttpResponseBase:
    export = exports.data_export_for_download(user=request.user, token=token)
    audit_record(event=AuditLogEntry.Event.EXPORT, subject=export, changes={"status": "downloaded"})
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=f"peerlearn-data-{export.pk}.zip")


@login_required
@reauthentication_required
def account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        scheduled = deletion.account_deletion_request(user=request.user)
        # Closing the account is how consent to processing is withdrawn: the service cannot run without it.
        consents.consent_set(
            user=request.user, purpose=ConsentRecord.Purpose.PROCESSING, given=False, **_where(request)
        )
        logout(request)
        messages.info(
            request,
            _("Your account will be deleted on %(date)s. Sign in before then if you change your mind.")
            % {"date": formats.date_format(scheduled.due_at, "DATE_FORMAT")},
        )
        return redirect("home")
    context = {"form": form, "grace_days": deletion.DELETION_GRACE.days}
    return render(request, "accounts/account_delete.html", context, status=form_status(form))


@login_required
@require_POST
def account_deletion_cancel(request: AuthenticatedHttpRequest) -> HttpResponse:
    if deletion.account_deletion_cancel(user=request.user) is not None:
        messages.success(request, _("Your account will not be deleted."))
    return redirect("accounts:privacy")


class SignedInDevicesView(ListUserSessionsView):
    """allauth's devices page, telling the user how many devices they may use at once."""

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "max_sessions": settings.MAX_CONCURRENT_SESSIONS}


signed_in_devices = SignedInDevicesView.as_view()


class PhoneCodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("6-digit code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("The code has 6 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


@login_required
def phone_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Verify the user's own number, or (``?for=guardian``) the guardian's number from the guardian form."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    for_guardian = request.GET.get("for") == "guardian"
    number = None
    if for_guardian:
        number = (request.session.get(GUARDIAN_DRAFT_SESSION_KEY) or {}).get("guardian_phone")
        if not number:
            return redirect("accounts:guardian")
        next_url = reverse("accounts:guardian")
    form = PhoneCodeForm(request.POST if request.POST.get("action") == "verify" else None)
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            phone.phone_verification_send(user=request.user, phone=number)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("We sent a code to your parent or guardian's mobile number. Ask them for it.")
                if for_guardian
                else _("We sent a code to your mobile number."),
            )
        return redirect(request.get_full_path())
    if form.is_bound and form.is_valid():
        try:
            phone.phone_verification_check(user=request.user, code=form.cleaned_data["code"], phone=number)
        except ValidationError as error:
            add_service_errors(form, error, default_field="code")
        else:
            if for_guardian:
                messages.success(request, _("Their mobile number is verified. Now send the consent email."))
            else:
                messages.success(request, _("Your mobile number is verified."))
            return redirect(next_url or "accounts:privacy")
    context = {
        "form": form,
        "phone": number or request.user.phone,
        "for_guardian": for_guardian,
        "verified": phone.phone_is_verified(request.user, number),
        "next": next_url,
    }
    return render(request, "accounts/phone_verify.html", context, status=form_status(form))
