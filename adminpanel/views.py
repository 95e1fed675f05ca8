from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from adminpanel.forms import QueueFilterForm, VerificationActionForm
from adminpanel.permissions import admin_required, staff_required
from adminpanel.selectors import support_counts
from mentors import selectors, services
from mentors.documents import document_id_from_token, document_link
from mentors.models import MentorProfile, VerificationDocument, VerificationStatus
from mentors.services.verification import staff_actions_for
from mentorship.forms import add_service_errors
from mentorship.htmx import render_page_or_partial
from mentorship.http import AuthenticatedHttpRequest
from payments.selectors import invoices_search

QUEUE_PAGE_SIZE = 25
HOME_QUEUE_SIZE = 10


@staff_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    counts = selectors.application_status_counts()
    context = {
        "status_counts": [(status, counts[status.value]) for status in VerificationStatus],
        "in_progress": sum(
            n for s, n in counts.items() if s not in {VerificationStatus.APPROVED, VerificationStatus.REJECTED}
        ),
        "oldest": list(selectors.verification_queue()[:HOME_QUEUE_SIZE]),
        "listed_missing_location": selectors.listed_mentors_missing_location_count(),
        "support": support_counts(),
    }
    return render(request, "adminpanel/home.html", context)


@staff_required
def verification_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    paginator = Paginator(selectors.verification_queue(**form.filters()), QUEUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render_page_or_partial(request, "adminpanel/queue.html", "results", context)


def _application_context(
    request: AuthenticatedHttpRequest, mentor_id: int, failed_form: VerificationActionForm | None = None
) -> dict:
    mentor = selectors.application_for_review(mentor_id)
    actions = staff_actions_for(mentor.verification_status)
    # One form for every action: the note (and the interview time) is written once, the button chosen says what to do.
    form = failed_form or VerificationActionForm(
        initial={"expected_status": mentor.verification_status}, staff_time_zone=request.user.tzinfo
    )
    return {
        "mentor": mentor,
        "actions": actions,
        "action_form": form,
        "needs_time": any(action.needs_time for action in actions),
        "documents": [(document, document_link(document)) for document in mentor.documents.all()],
        "events": mentor.verification_events.all(),
    }


@staff_required
def application(request: AuthenticatedHttpRequest, mentor_id: int) -> HttpResponse:
    try:
        context = _application_context(request, mentor_id)
    except MentorProfile.DoesNotExist:
        raise Http404
    return render_page_or_partial(request, "adminpanel/application.html", "workflow", context)


@require_POST
@staff_required
def application_action(request: AuthenticatedHttpRequest, mentor_id: int) -> HttpResponse:
    mentor = get_object_or_404(MentorProfile, pk=mentor_id)
    form = VerificationActionForm(request.POST, staff_time_zone=request.user.tzinfo)
    status = 400
    if form.is_valid():
        action = form.staff_action
        try:
            services.verification_transition(
                mentor_id=mentor.pk,
                actor=request.user,
                expected_status=form.cleaned_data["expected_status"],
                to_status=action.to_status,
                note=form.cleaned_data["note"],
                scheduled_for=form.cleaned_data["scheduled_for"],
            )
        except ValidationError as error:
            status = 409 if getattr(error, "code", None) == "stale" else 400
            add_service_errors(form, error)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": action.label})
            if request.htmx:
                context = _application_context(request, mentor.pk)
                return render_page_or_partial(request, "adminpanel/application.html", "workflow", context)
            return redirect("adminpanel:application", mentor_id=mentor.pk)
    context = _application_context(request, mentor.pk, failed_form=form)
    return render_page_or_partial(request, "adminpanel/application.html", "workflow", context, status=status)


@admin_required
def document(request: AuthenticatedHttpRequest, token: str) -> HttpResponseBase:
    """Streams a verification document to staff, through a link that expires after five minutes."""
    try:
        document_id = document_id_from_token(token)
    except signing.SignatureExpired:
        return render(request, "adminpanel/link_expired.html", status=410)
    except signing.BadSignature:
        raise Http404
    document = get_object_or_404(VerificationDocument, pk=document_id)
    storage = document.file.storage
    try:
        storage.path(str(document.file.name))
    except NotImplementedError:
        # Object storage: hand out a presigned URL that expires as quickly as our own link.
        return HttpResponseRedirect(storage.url(document.file.name))
    response = FileResponse(storage.open(str(document.file.name), "rb"), content_type=document.content_type)
    response["Content-Disposition"] = (
        f'inline; filename="document-{document.pk}.{str(document.file.name).rsplit(".", 1)[-1]}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


INVOICE_RESULTS = 50


@staff_required
def invoice_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Find any invoice or credit note by (part of) its number."""
    number = request.GET.get("number", "")[:32]
    results = list(invoices_search(number)[:INVOICE_RESULTS]) if number.strip() else []
    return render(request, "adminpanel/invoices.html", {"number": number, "results": results})
