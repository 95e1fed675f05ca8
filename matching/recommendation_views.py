"""Pages and actions of the recommendations: the full list, "not interested", the click log, the opt-out."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from matching import services
from matching.models import Interaction, MentorSearchDocument, PersonalisationOptOut
from matching.recommender import serving
from mentorship.http import AuthenticatedHttpRequest

CLICK_SOURCES = frozenset({"recommendations", "dashboard", "similar", "search"})
MAX_RANK = 1000


def _student(request: AuthenticatedHttpRequest) -> User:
    if request.user.role != User.Role.STUDENT:
        raise PermissionDenied
    return request.user


@require_GET
@login_required
def recommendations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """`/recommendations/`: the whole list (up to 50) with the personalisation setting."""
    student = _student(request)
    context = {
        "recommendations": serving.recommendations_for(student, limit=serving.PAGE_SIZE),
        "personalised": not PersonalisationOptOut.objects.filter(student=student).exists(),
        "source": "recommendations",
    }
    return render(request, "matching/recommendations.html", context)


@require_POST
@login_required
def not_interested(request: AuthenticatedHttpRequest, mentor_id: int) -> HttpResponse:
    student = _student(request)
    document = get_object_or_404(MentorSearchDocument.objects.only("full_name"), pk=mentor_id)
    try:
        services.not_interested_mark(student=student, mentor_id=mentor_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_back(request))
    if request.htmx:
        return render(request, "matching/_not_interested_done.html", {"name": document.full_name})
    messages.success(request, _("We will not recommend %(name)s again.") % {"name": document.full_name})
    return redirect(_back(request))


@require_GET
def open_recommendation(request: HttpRequest, mentor_id: int) -> HttpResponse:
    """A click on a recommended or similar mentor: logged for students (source and rank), then the profile."""
    document = get_object_or_404(MentorSearchDocument.objects.only("slug"), pk=mentor_id)
    source = request.GET.get("source", "")
    rank = request.GET.get("rank", "")
    services.interaction_record(
        student=request.user,
        mentor_id=mentor_id,
        kind=Interaction.Kind.CLICK,
        source=source if source in CLICK_SOURCES else "",
        rank=int(rank) if rank.isdigit() and 0 < int(rank) <= MAX_RANK else None,
    )
    return redirect("mentors:profile", document.slug)


@require_POST
@login_required
def personalisation(request: AuthenticatedHttpRequest) -> HttpResponse:
    student = _student(request)
    enabled = request.POST.get("enabled") == "1"
    services.personalisation_set(student=student, enabled=enabled)
    if enabled:
        messages.success(request, _("Recommendations now learn from what you do on PeerLearn."))
    else:
        messages.success(request, _("Personalisation is off: we no longer record what you view or click."))
    return redirect("matching:recommendations")


def _back(request: AuthenticatedHttpRequest) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "matching:recommendations"
