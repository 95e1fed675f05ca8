from allauth.account.decorators import reauthentication_required
from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url

from accounts import selectors, services
from accounts.consent import GUARDIAN_DRAFT_SESSION_KEY, consent_token_read
from accounts.forms import ConsentDecisionForm, GuardianForm, PhoneChangeForm
from accounts.models import GuardianConsent, StudentProfile, User
from accounts.onboarding import SECTIONS, SECTIONS_BY_SLUG, Section, section_for_step
from accounts.privacy.phone import phone_verification_send
from accounts.suggestions import DEGREES, subject_suggestions
from mentorship.forms import add_service_errors, form_status
from mentorship.htmx import render_page_or_partial
from mentorship.http import AuthenticatedHttpRequest


def lockout_response(
    request: HttpRequest, credentials: dict | None = None, *args: object, **kwargs: object
) -> HttpResponse:
    return render(request, "account/lockout.html", status=429)


def _redirect(request: AuthenticatedHttpRequest, url: str) -> HttpResponse:
    """A full-page redirect, also when the request came from htmx."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _student_or_redirect(request: AuthenticatedHttpRequest) -> tuple[StudentProfile | None, HttpResponse | None]:
    user: User = request.user
    if user.role == User.Role.MENTOR:
        return None, _redirect(request, reverse("mentors:dashboard"))
    if user.is_staff:
        return None, _redirect(request, reverse("adminpanel:home"))
    return selectors.student_profile_for(user) or StudentProfile(user=user), None


def _needs_guardian(user: User) -> bool:
    if not user.is_minor:
        return False
    consent = selectors.guardian_consent_current(user)
    return consent is None or consent.status == GuardianConsent.Status.WITHDRAWN


def _section_or_404(slug: str) -> Section:
    try:
        return SECTIONS_BY_SLUG[slug]
    except KeyError:
        raise Http404 from None


def _save_section(request: AuthenticatedHttpRequest, section: Section, form: forms.Form) -> StudentProfile | None:
    """Run the section's service; its ValidationError becomes errors on the form (nothing is saved then)."""
    if not form.is_valid():
        return None
    try:
        return section.save(request.user, dict(form.cleaned_data))
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _section_context(
    request: AuthenticatedHttpRequest, section: Section, profile: StudentProfile, form: object
) -> dict:
    return {
        "section": section,
        "sections": SECTIONS,
        "previous_section": SECTIONS[section.number - 2] if section.number > 1 else None,
        "profile": profile,
        "form": form,
        "subject_suggestions": subject_suggestions(profile.class_grade, profile.stream),
        "degree_suggestions": DEGREES,
    }


def _render_step(
    request: AuthenticatedHttpRequest, section: Section, profile: StudentProfile, form: forms.BaseForm
) -> HttpResponse:
    context = _section_context(request, section, profile, form)
    return render_page_or_partial(request, "accounts/onboarding.html", "wizard", context, status=form_status(form))


@login_required
def onboarding(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile, elsewhere = _student_or_redirect(request)
    if elsewhere:
        return elsewhere
    assert profile is not None  # None only with a redirect
    if profile.is_onboarded:
        return redirect("accounts:dashboard")
    return redirect("accounts:onboarding_step", step=section_for_step(profile.onboarding_step).slug)


@login_required
def onboarding_step(request: AuthenticatedHttpRequest, step: str) -> HttpResponse:
    section = _section_or_404(step)
    profile, elsewhere = _student_or_redirect(request)
    if elsewhere:
        return elsewhere
    assert profile is not None  # None only with a redirect
    if profile.is_onboarded:
        return _redirect(request, reverse("accounts:profile_edit", args=[section.slug]))
    if section.number > profile.onboarding_step:
        return redirect("accounts:onboarding_step", step=section_for_step(profile.onboarding_step).slug)
    if section.number > 1 and _needs_guardian(request.user):
        return _redirect(request, reverse("accounts:guardian"))
    if request.method != "POST":
        return _render_step(request, section, profile, section.build_form(request.user, profile, None, None))
    form = section.build_form(request.user, profile, request.POST, request.FILES)
    saved = _save_section(request, section, form)
    if saved is None:
        return _render_step(request, section, profile, form)
    if saved.is_onboarded:
        messages.success(request, _("Your profile is ready. Welcome to PeerLearn!"))
        return _redirect(request, reverse("accounts:dashboard"))
    if _needs_guardian(request.user):
        return _redirect(request, reverse("accounts:guardian"))
    next_section = section_for_step(min(section.number + 1, saved.onboarding_step))
    next_url = reverse("accounts:onboarding_step", args=[next_section.slug])
    if not request.htmx:
        return redirect(next_url)
    next_form = next_section.build_form(request.user, saved, None, None)
    return push_url(_render_step(request, next_section, saved, next_form), next_url)


@login_required
def profile_edit(request: AuthenticatedHttpRequest, section: str) -> HttpResponse:
    section_obj = _section_or_404(section)
    profile, elsewhere = _student_or_redirect(request)
    if elsewhere:
        return elsewhere
    assert profile is not None  # None only with a redirect
    if not profile.is_onboarded:
        return redirect("accounts:onboarding")
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    form = section_obj.build_form(request.user, profile, data, files)
    if data is not None:
        saved = _save_section(request, section_obj, form)
        if saved is not None and not saved.is_onboarded:
            messages.info(request, _("You changed your academic level: please add your new academic details."))
            return _redirect(request, reverse("accounts:onboarding"))
        if saved is not None:
            messages.success(request, _("Saved."))
            return _redirect(request, reverse("accounts:dashboard"))
    context = _section_context(request, section_obj, profile, form)
    return render_page_or_partial(request, "accounts/profile_edit.html", "edit_form", context, status=form_status(form))


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile, elsewhere = _student_or_redirect(request)
    if elsewhere:
        return elsewhere
    assert profile is not None  # None only with a redirect
    if not profile.is_onboarded:
        return redirect("accounts:onboarding")
    user: User = request.user
    can_book, booking_blocker = selectors.student_can_book(user)
    context = {
        "profile": profile,
        "sections": SECTIONS,
        "consent": selectors.guardian_consent_current(user) if user.is_minor else None,
        "can_book": can_book,
        "booking_blocker": booking_blocker,
        "languages": list(user.languages.all()),
    }
    return render(request, "accounts/dashboard.html", context)


@login_required
@reauthentication_required
def phone_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PhoneChangeForm(request.POST or None, initial={"phone": request.user.phone})
    if request.method == "POST" and form.is_valid():
        services.user_phone_change(user=request.user, phone=form.cleaned_data["phone"])
        messages.success(request, _("Your mobile number has been changed."))
        return _redirect(request, reverse("accounts:dashboard"))
    status = form_status(form)
    return render_page_or_partial(request, "accounts/phone_change.html", "phone_form", {"form": form}, status=status)


@login_required
def guardian(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: User = request.user
    if not user.is_minor:
        messages.info(request, _("Guardian consent is only needed for students under 18."))
        return redirect("accounts:dashboard")
    consent = selectors.guardian_consent_current(user)
    editable = consent is None or consent.status != GuardianConsent.Status.GRANTED
    reusable = consent if consent is not None and consent.status == GuardianConsent.Status.PENDING else None
    draft = request.session.get(GUARDIAN_DRAFT_SESSION_KEY)
    form = GuardianForm(request.POST or None, instance=reusable, initial=draft) if editable else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.guardian_consent_request(student=user, **form.cleaned_data)
        except ValidationError as error:
            phone_errors = getattr(error, "error_dict", {}).get("guardian_phone", [])
            if services.GUARDIAN_PHONE_UNVERIFIED in {e.code for e in phone_errors}:
                return _guardian_phone_verify(request, form.cleaned_data)
            add_service_errors(form, error)
        else:
            request.session.pop(GUARDIAN_DRAFT_SESSION_KEY, None)
            messages.success(request, _("We have emailed your guardian a link to give consent."))
            profile = selectors.student_profile_for(user)
            done = profile is not None and profile.is_onboarded
            return _redirect(request, reverse("accounts:dashboard" if done else "accounts:onboarding"))
    context = {"consent": consent, "form": form}
    status = form_status(form) if form is not None else 200
    return render_page_or_partial(request, "accounts/guardian.html", "guardian_form", context, status=status)


def _guardian_phone_verify(request: AuthenticatedHttpRequest, answers: dict) -> HttpResponse:
    """Keep the answers, text the guardian a code and take the student to the phone verification page, which
    brings them back here to send the request once the number is proved."""
    request.session[GUARDIAN_DRAFT_SESSION_KEY] = answers
    try:
        phone_verification_send(user=request.user, phone=answers["guardian_phone"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("We sent a code to your parent or guardian's mobile number. Ask them for it."))
    return _redirect(request, reverse("accounts:phone_verify") + "?for=guardian")


@require_POST
@login_required
def guardian_resend(request: AuthenticatedHttpRequest) -> HttpResponse:
    consent: GuardianConsent | None
    try:
        consent = services.guardian_consent_resend(student=request.user)
    except ValidationError as error:
        consent = selectors.guardian_consent_current(request.user)
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("We have sent the consent link again."))
    if request.htmx:
        return render(request, "accounts/_consent_status.html", {"consent": consent, "show_messages": True})
    return redirect("accounts:guardian" if request.POST.get("from") == "guardian" else "accounts:dashboard")


def guardian_consent(request: HttpRequest, token: str) -> HttpResponse:
    """The public page a guardian reaches from the emailed link: read, consent, decline or withdraw."""
    try:
        link = consent_token_read(token)
    except signing.BadSignature:
        return render(request, "accounts/guardian_consent_invalid.html", status=404)
    consent = GuardianConsent.objects.select_related("student__primary_language").filter(pk=link.consent_id).first()
    if consent is None or consent.guardian_email != link.guardian_email:
        return render(request, "accounts/guardian_consent_invalid.html", status=404)
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(selectors.user_language(consent.student))
    form = ConsentDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip, agent = get_client_ip_address(request), request.headers.get("User-Agent", "")
        try:
            if form.cleaned_data["decision"] == "grant":
                services.guardian_consent_grant(
                    consent_id=consent.pk, link_fresh=link.fresh, ip_address=ip, user_agent=agent
                )
            else:
                services.guardian_consent_withdraw(consent_id=consent.pk, ip_address=ip, user_agent=agent)
        except ValidationError as error:
            messages.info(request, error.messages[0])
        return redirect("accounts:guardian_consent", token=token)
    context = {"consent": consent, "student": consent.student, "link": link, "form": form}
    return render(request, "accounts/guardian_consent.html", context, status=form_status(form))
