"""Pages for packages, scholarship credits and their reports (the checkout itself is in ``payments.views``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from accounts.selectors import guardian_student_ids
from mentors.models import MentorProfile
from mentorship.forms import add_service_errors, form_status
from mentorship.http import AuthenticatedHttpRequest
from payments import packages, scholarships
from payments.forms import PackageForm, ScholarshipGrantForm
from payments.models import Package


def _mentor_durations(user: User) -> list[int]:
    profile = MentorProfile.objects.filter(user=user).first()
    if user.role != User.Role.MENTOR or profile is None:
        raise PermissionDenied
    return list(profile.offered_durations)


@login_required
@require_http_methods(["GET", "POST"])
def packages_manage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The mentor's packages: the list, and a form for a new one."""
    form = PackageForm(request.POST or None, durations=_mentor_durations(request.user))
    if request.method == "POST" and _package_saved(request, form, package=None):
        messages.success(request, _("Your package is on sale on your profile."))
        return redirect("payments:packages_manage")
    offers = Package.objects.filter(mentor=request.user).order_by("-is_active", "sessions_count", "pk")
    return render(request, "payments/packages_manage.html", {"form": form, "offers": offers}, status=form_status(form))


def _package_saved(request: AuthenticatedHttpRequest, form: PackageForm, *, package: Package | None) -> bool:
    """Save a new (``package`` None) or changed package from a valid form; the service's refusals go onto the form."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        packages.package_save(
            mentor=request.user,
            package=package,
            title=data["title"],
            sessions_count=data["sessions_count"],
            duration_minutes=data["duration_minutes"],
            price_paise=data["price_rupees"] * 100,
            validity_days=data["validity_days"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc, field_map={"price": "price_rupees"})
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
def package_edit(request: AuthenticatedHttpRequest, package_id: int) -> HttpResponse:
    package = get_object_or_404(Package, pk=package_id, mentor=request.user)
    initial = {
        "title": package.title,
        "sessions_count": package.sessions_count,
        "duration_minutes": package.duration_minutes,
        "price_rupees": package.price_paise // 100,
        "validity_days": package.validity_days,
    }
    form = PackageForm(request.POST or None, initial=initial, durations=_mentor_durations(request.user))
    if request.method == "POST" and _package_saved(request, form, package=package):
        messages.success(request, _("Package saved. Students who bought it already keep their terms."))
        return redirect("payments:packages_manage")
    context = {"form": form, "package": package}
    return render(request, "payments/package_edit.html", context, status=form_status(form))


@login_required
@require_POST
def package_toggle(request: AuthenticatedHttpRequest, package_id: int) -> HttpResponse:
    package = get_object_or_404(Package, pk=package_id, mentor=request.user)
    packages.package_set_active(mentor=request.user, package=package, active=not package.is_active)
    if package.is_active:
        messages.success(request, _("The package is on sale again."))
    else:
        messages.success(request, _("The package is no longer on sale. Students who bought it keep their sessions."))
    return redirect("payments:packages_manage")


@login_required
@require_http_methods(["GET", "POST"])
def package_detail(request: AuthenticatedHttpRequest, package_id: int) -> HttpResponse:
    """A package as students see it, with its rules, and the button that buys it."""
    package = get_object_or_404(Package.objects.select_related("mentor__mentor_profile"), pk=package_id, is_active=True)
    if request.method == "POST":
        try:
            payment = packages.package_purchase_start(student=request.user, package=package)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("payments:checkout", payment_id=payment.pk)
    context = {
        "package": package,
        "per_session_paise": package.price_paise // package.sessions_count,
        "expiry_rule": packages.PACKAGE_EXPIRY_RULE,
        "cancel_rule": packages.PACKAGE_CANCEL_RULE,
    }
    return render(request, "payments/package_detail.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_GET
def credits(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A student's prepaid packages and scholarship credits."""
    context = {
        "purchases": packages.student_packages(request.user),
        "balance_paise": scholarships.scholarship_balance_paise(request.user),
        "grants": scholarships.grants_for_students({request.user.pk}).order_by("-created_at")[:50],
        "expiry_rule": packages.PACKAGE_EXPIRY_RULE,
        "cancel_rule": packages.PACKAGE_CANCEL_RULE,
    }
    return render(request, "payments/credits.html", context)


@login_required
@require_GET
def family_scholarships(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A guardian's view of the scholarship credits granted to the minors whose consent they gave."""
    students = guardian_student_ids(request.user)
    grants = scholarships.grants_for_students(students).order_by("-created_at")[:100] if students else []
    return render(request, "payments/family_scholarships.html", {"grants": grants})


@login_required
@require_http_methods(["GET", "POST"])
def scholarships_staff(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Grant credits (staff, or a sponsor account) and the report of what each sponsor funded."""
    if not scholarships.may_grant(request.user):
        raise PermissionDenied
    form = ScholarshipGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        student = User.objects.filter(email__iexact=data["student_email"]).first()
        sponsor = User.objects.filter(email__iexact=data["sponsor_email"]).first() if data["sponsor_email"] else None
        if student is None:
            form.add_error("student_email", _("No account uses this email address."))
        elif data["sponsor_email"] and sponsor is None:
            form.add_error("sponsor_email", _("No account uses this email address."))
        else:
            try:
                scholarships.scholarship_grant(
                    granted_by=request.user,
                    student=student,
                    sponsor=sponsor,
                    amount_paise=data["amount_rupees"] * 100,
                    note=data["note"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc, field_map={"student": "student_email", "amount": "amount_rupees"})
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Credits granted. The student (and a minor's guardian) is told."))
                return redirect("payments:scholarships")
    sponsor_id = None if request.user.is_staff else request.user.pk
    totals = scholarships.sponsor_totals()
    if sponsor_id is not None:
        totals = [row for row in totals if row.sponsor.pk == sponsor_id]
    context = {"form": form, "totals": totals, "uses": scholarships.sponsor_uses(sponsor_id)[:200]}
    return render(request, "payments/scholarships.html", context, status=form_status(form))
