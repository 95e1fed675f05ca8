"""Staff pages for payouts: the weekly runs and every payout's state, one payout's audit trail, retries and holds."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from adminpanel.payout_forms import PayoutFilterForm, PayoutHoldForm, PayoutHoldReleaseForm, PayoutRetryForm
from adminpanel.permissions import admin_required, staff_required
from mentorship.forms import add_service_errors
from mentorship.htmx import render_page_or_partial
from mentorship.http import AuthenticatedHttpRequest
from payments.models import Payout, PayoutHold
from payments.payout_ops import payout_hold_place, payout_hold_release, payout_retry
from payments.selectors import (
    active_payout_hold,
    active_payout_holds,
    payout_for_panel,
    payout_runs_summary,
    payouts_for_panel,
)

PAYOUTS_PAGE_SIZE = 50
RUNS_SHOWN = 8


def _payouts_context(request: AuthenticatedHttpRequest, hold_form: PayoutHoldForm | None = None) -> dict:
    form = PayoutFilterForm(request.GET or None)
    page = Paginator(payouts_for_panel(**form.filters()), PAYOUTS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "runs": payout_runs_summary(RUNS_SHOWN),
        "holds": [(hold, PayoutHoldReleaseForm(auto_id=f"id_release_{hold.pk}_%s")) for hold in active_payout_holds()],
        "hold_form": hold_form or PayoutHoldForm(),
        "statuses": Payout.Status,
    }


@staff_required
def payouts(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render_page_or_partial(request, "adminpanel/payouts.html", "payout-results", _payouts_context(request))


def _payout_context(payout_id: int, **forms) -> dict:
    payout = payout_for_panel(payout_id)
    retried_by = getattr(payout, "retry", None)
    return {
        "payout": payout,
        "retried_by": retried_by,
        "can_retry": payout.status in Payout.RETRYABLE and retried_by is None,
        "hold": active_payout_hold(payout.mentor),
        "retry_form": forms.get("retry_form") or PayoutRetryForm(),
        "hold_form": forms.get("hold_form") or PayoutHoldForm(initial={"mentor_email": payout.mentor.email}),
        "release_form": forms.get("release_form") or PayoutHoldReleaseForm(),
    }


@staff_required
def payout(request: AuthenticatedHttpRequest, payout_id: int) -> HttpResponse:
    return render(request, "adminpanel/payout.html", _payout_context(payout_id))


@require_POST
@admin_required
def payout_retry_view(request: AuthenticatedHttpRequest, payout_id: int) -> HttpResponse:
    get_object_or_404(Payout, pk=payout_id)
    form = PayoutRetryForm(request.POST)
    if form.is_valid():
        try:
            retry = payout_retry(payout_id=payout_id, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Payout retried as #%(id)s.") % {"id": retry.pk})
            return redirect("adminpanel:payout", payout_id=retry.pk)
    return render(request, "adminpanel/payout.html", _payout_context(payout_id, retry_form=form), status=400)


def _back(payout_id: int | None) -> HttpResponse:
    if payout_id and Payout.objects.filter(pk=payout_id).exists():
        return redirect("adminpanel:payout", payout_id=payout_id)
    return redirect("adminpanel:payouts")


@require_POST
@admin_required
def payout_hold(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PayoutHoldForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        mentor = User.objects.filter(email__iexact=data["mentor_email"], role=User.Role.MENTOR).first()
        if mentor is None:
            form.add_error("mentor_email", _("No mentor has this email address."))
        else:
            try:
                payout_hold_place(mentor=mentor, reason=data["reason"], note=data["note"], actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Payouts to %(name)s are on hold.") % {"name": mentor.full_name})
                return _back(data["payout"])
    payout_id = form.cleaned_data.get("payout")
    if payout_id and Payout.objects.filter(pk=payout_id).exists():
        return render(request, "adminpanel/payout.html", _payout_context(payout_id, hold_form=form), status=400)
    return render(request, "adminpanel/payouts.html", _payouts_context(request, hold_form=form), status=400)


@require_POST
@admin_required
def payout_hold_release_view(request: AuthenticatedHttpRequest, hold_id: int) -> HttpResponse:
    hold = get_object_or_404(PayoutHold.objects.select_related("mentor"), pk=hold_id)
    form = PayoutHoldReleaseForm(request.POST)
    if form.is_valid():
        try:
            payout_hold_release(hold_id=hold.pk, note=form.cleaned_data["release_note"], actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Payouts to %(name)s are released.") % {"name": hold.mentor.full_name})
        return _back(form.cleaned_data["payout"])
    messages.error(request, _("Say why the hold ends."))
    return _back(None)
