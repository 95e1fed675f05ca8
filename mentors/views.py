import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.timezones import viewer_time_zone
from mentors import selectors, services
from mentors.forms import (
    AvailabilityOverrideForm,
    AvailabilityRuleForm,
    AvailabilitySettingsForm,
    MentorApplicationForms,
    MentorPhotoForm,
    ProfileAddressForm,
)
from mentors.hooks import dashboard_extra_context, profile_extra_context
from mentors.models import MentorProfile, VerificationStatus
from mentors.permissions import mentor_required
from mentors.services.profiles import EDITABLE_STATUSES
from mentors.slots import group_slots_by_local_day, next_open_slots, open_slots_for_mentors, price_for_duration_paise
from mentorship.forms import add_service_errors, form_status
from mentorship.htmx import render_page_or_partial, wants_partial
from mentorship.http import AuthenticatedHttpRequest, HtmxHttpRequest

PREVIEW_DAYS = 7


def _form_status(request: AuthenticatedHttpRequest) -> int:
    return 400 if request.method == "POST" else 200


# --- applying ---------------------------------------------------------------------------------------


@login_required
def apply(request: AuthenticatedHttpRequest) -> HttpResponse:
    mentor = selectors.mentor_for_user(request.user)
    if mentor is not None and mentor.verification_status != VerificationStatus.REAPPLICATION_REQUIRED:
        return redirect("mentors:dashboard")
    if mentor is not None:
        mentor = selectors.mentor_with_entries(mentor.pk)
    forms = MentorApplicationForms(
        user=request.user, mentor=mentor, data=request.POST or None, files=request.FILES or None
    )
    if request.method == "POST" and forms.is_valid():
        try:
            services.mentor_application_submit(user=request.user, application=forms.application())
        except ValidationError as error:
            forms.add_service_error(error)
        else:
            messages.success(
                request, _("Thank you! Your application was received; we have emailed you the next steps.")
            )
            return redirect("mentors:dashboard")
    return render(request, "mentors/apply.html", {"forms": forms, "mentor": mentor}, status=_form_status(request))


# --- the mentor's own pages ---------------------------------------------------------------------------


@mentor_required
def dashboard(request: AuthenticatedHttpRequest, mentor: MentorProfile) -> HttpResponse:
    context = {
        "mentor": mentor,
        "events": selectors.verification_history(mentor),
        "can_edit": mentor.verification_status in EDITABLE_STATUSES,
        "has_payout_details": selectors.has_payout_details(mentor),
    }
    if not wants_partial(request):
        context.update(dashboard_extra_context(request, mentor))
    return render_page_or_partial(request, "mentors/dashboard.html", "status", context)


@mentor_required
def profile_edit(request: AuthenticatedHttpRequest, mentor: MentorProfile) -> HttpResponse:
    if mentor.verification_status not in EDITABLE_STATUSES:
        return redirect(
            "mentors:apply"
            if mentor.verification_status == VerificationStatus.REAPPLICATION_REQUIRED
            else "mentors:dashboard"
        )
    mentor = selectors.mentor_with_entries(mentor.pk)
    forms = MentorApplicationForms(
        user=request.user, mentor=mentor, data=request.POST or None, files=request.FILES or None
    )
    if request.method == "POST" and forms.is_valid():
        try:
            updated = services.mentor_profile_update(
                mentor_id=mentor.pk, actor=request.user, application=forms.application()
            )
        except ValidationError as error:
            forms.add_service_error(error)
        else:
            if (
                updated.verification_status == VerificationStatus.DOCUMENTS_UNDER_REVIEW
                and mentor.verification_status != updated.verification_status
            ):
                messages.info(
                    request, _("Saved. Your verified details changed, so your profile is back in document review.")
                )
            else:
                messages.success(request, _("Your profile is updated."))
            return redirect("mentors:dashboard")
    address_form = ProfileAddressForm(initial={"slug": mentor.slug})
    context = {"forms": forms, "mentor": mentor, "address_form": address_form}
    return render(request, "mentors/profile_edit.html", context, status=_form_status(request))


@mentor_required
def photo(request: AuthenticatedHttpRequest, mentor: MentorProfile) -> HttpResponse:
    form = MentorPhotoForm(request.POST or None, request.FILES or None, has_photo=bool(mentor.user.photo))
    if request.method == "POST" and form.is_valid():
        try:
            services.mentor_photo_change(
                mentor_id=mentor.pk,
                actor=request.user,
                photo=form.cleaned_data["photo"] or None,
                remove=form.cleaned_data.get("remove_photo", False),
                keep=form.cleaned_data["keep"],
            )
        except ValidationError as error:
            add_service_errors(form, error, default_field="photo")
        else:
            messages.success(request, _("Your photo is updated."))
            return redirect("mentors:dashboard")
    return render(request, "mentors/photo.html", {"form": form, "mentor": mentor}, status=form_status(form))


@require_POST
@mentor_required
def profile_address(request: AuthenticatedHttpRequest, mentor: MentorProfile) -> HttpResponse:
    form = ProfileAddressForm(request.POST)
    if form.is_valid():
        try:
            mentor = services.mentor_slug_change(
                mentor_id=mentor.pk, actor=request.user, slug=form.cleaned_data["slug"]
            )
        except ValidationError as error:
            add_service_errors(form, error, default_field="slug")
    status = 200 if form.is_valid() and not form.errors else 400
    if request.htmx:
        return render(
            request,
            "mentors/profile_edit.html#address",
            {"address_form": form, "mentor": mentor, "saved": status == 200},
            status=status,
        )
    if status == 200:
        messages.success(
            request,
            _("Your profile address is now %(path)s.") % {"path": reverse("mentors:profile", args=[mentor.slug])},
        )
    else:
        messages.error(request, " ".join(str(error) for error in form.errors.get("slug", [])))
    return redirect("mentors:profile_edit")


# --- availability ------------------------------------------------------------------------------------


def _availability_context(mentor: MentorProfile, **forms) -> dict:
    today = timezone.localdate(timezone=mentor.user.tzinfo)
    mentor = MentorProfile.objects.select_related("user").prefetch_related("availability_rules").get(pk=mentor.pk)
    preview = next_open_slots(mentor, 6)
    return {
        "mentor": mentor,
        "rules": mentor.availability_rules.all(),
        "overrides": mentor.availability_overrides.filter(date__gte=today),
        "rule_form": forms.get("rule_form") or AvailabilityRuleForm(),
        "override_form": forms.get("override_form") or AvailabilityOverrideForm(initial={"date": today}),
        "settings_form": forms.get("settings_form") or AvailabilitySettingsForm(instance=mentor),
        "preview_days": group_slots_by_local_day(preview, mentor.user.tzinfo),
        "mentor_tz": mentor.user.tzinfo,
    }


def _availability_response(
    request: AuthenticatedHttpRequest, mentor: MentorProfile, partial: str, status: int = 200, **forms
) -> HttpResponse:
    context = _availability_context(mentor, **forms)
    if request.htmx:
        return render(request, f"mentors/availability.html#{partial}", context, status=status)
    if status == 200:
        return redirect("mentors:availability")
    return render(request, "mentors/availability.html", context, status=status)


@mentor_required
def availability(request: AuthenticatedHttpRequest, mentor: MentorProfile) -> HttpResponse:
    return render_page_or_partial(request, "mentors/availability.html", "editor", _availability_context(mentor))


@require_POST
@mentor_required
def availability_rule_add(request: AuthenticatedHttpRequest, mentor: MentorProfile) -> HttpResponse:
    form = AvailabilityRuleForm(request.POST)
    if form.is_valid():
        try:
            services.availability_rule_add(mentor=mentor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _availability_response(request, mentor, "rules", status=400, rule_form=form)
    return _availability_response(request, mentor, "rules")


@require_POST
@mentor_required
def availability_rule_delete(request: AuthenticatedHttpRequest, mentor: MentorProfile, rule_id: int) -> HttpResponse:
    try:
        services.availability_rule_delete(mentor=mentor, rule_id=rule_id)
    except ValidationError:
        raise Http404
    return _availability_response(request, mentor, "rules")


@require_POST
@mentor_required
def availability_override_add(request: AuthenticatedHttpRequest, mentor: MentorProfile) -> HttpResponse:
    form = AvailabilityOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.availability_override_add(
                mentor=mentor, today=timezone.localdate(timezone=mentor.user.tzinfo), **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _availability_response(request, mentor, "overrides", status=400, override_form=form)
    return _availability_response(request, mentor, "overrides")


@require_POST
@mentor_required
def availability_override_delete(
    request: AuthenticatedHttpRequest, mentor: MentorProfile, override_id: int
) -> HttpResponse:
    try:
        services.availability_override_delete(mentor=mentor, override_id=override_id)
    except ValidationError:
        raise Http404
    return _availability_response(request, mentor, "overrides")


@require_POST
@mentor_required
def availability_settings(request: AuthenticatedHttpRequest, mentor: MentorProfile) -> HttpResponse:
    form = AvailabilitySettingsForm(request.POST, instance=MentorProfile.objects.get(pk=mentor.pk))
    if form.is_valid():
        try:
            services.availability_settings_update(mentor=mentor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
    if form.errors:
        return _availability_response(request, mentor, "settings", status=400, settings_form=form)
    return _availability_response(request, mentor, "settings")


# --- the public profile --------------------------------------------------------------------------------


def profile(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    try:
        mentor = selectors.public_profile(slug)
    except Http404:
        target = selectors.former_slug_target(slug)
        if target is None:
            raise
        return redirect("mentors:profile", slug=target, permanent=True)
    tz = viewer_time_zone(request)
    week_start = _week_start(request, tz)
    context = {"mentor": mentor, "viewer_tz": tz, **_availability_preview(mentor, tz, week_start)}
    if not wants_partial(request):
        # The week switcher only swaps the availability block: no compatibility, reviews or prices to build.
        durations = mentor.offered_durations
        context["prices"] = [(minutes, price_for_duration_paise(mentor, minutes)) for minutes in durations]
        context.update(profile_extra_context(request, mentor))
    return render_page_or_partial(request, "mentors/profile.html", "availability", context)


def _week_start(request: HttpRequest, tz) -> dt.date:
    today = timezone.localdate(timezone=tz)
    try:
        chosen = dt.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        return today
    return min(max(chosen, today), today + dt.timedelta(days=366))


def _availability_preview(mentor: MentorProfile, tz, week_start: dt.date) -> dict:
    start = dt.datetime.combine(week_start, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(week_start + dt.timedelta(days=PREVIEW_DAYS), dt.time(0), tzinfo=tz)
    week = open_slots_for_mentors(mentors=[mentor], start=start, end=end)[mentor.pk]
    next_slot = None if week else next(iter(next_open_slots(mentor, 1)), None)
    today = timezone.localdate(timezone=tz)
    return {
        "slot_days": group_slots_by_local_day(week, tz),
        "week_start": week_start,
        "week_end": week_start + dt.timedelta(days=PREVIEW_DAYS - 1),
        "previous_week": week_start - dt.timedelta(days=PREVIEW_DAYS) if week_start > today else None,
        "next_week": week_start + dt.timedelta(days=PREVIEW_DAYS),
        "next_slot": next_slot,
    }
