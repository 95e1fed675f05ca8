"""The staff side of the support desk, account actions, quality reviews and feedback (/panel/...)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from adminpanel import selectors
from adminpanel.forms import (
    AssignForm,
    ModerationDecisionForm,
    PriorityForm,
    QualityDecisionForm,
    ReasonForm,
    StaffReplyForm,
    TicketFilterForm,
)
from adminpanel.models import ModerationReport, Ticket
from adminpanel.permissions import admin_required, staff_required
from adminpanel.services import accounts as account_services
from adminpanel.services import moderation, quality, support
from mentorship.forms import add_service_errors, form_status
from mentorship.htmx import render_page_or_partial
from mentorship.http import AuthenticatedHttpRequest
from sessions_app.messaging.selectors import image_content_type, thread_messages
from sessions_app.models import DirectMessage

PAGE_SIZE = 25


@staff_required
def ticket_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff = list(selectors.support_staff())
    form = TicketFilterForm(request.GET or None, staff=staff)
    now = timezone.now()
    page = Paginator(selectors.ticket_queue(**form.filters(), now=now), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "now": now,
        "counts": selectors.support_counts(now),
    }
    return render_page_or_partial(request, "adminpanel/support/queue.html", "results", context)


def _ticket_context(
    request: AuthenticatedHttpRequest, ticket: Ticket, reply_form: StaffReplyForm | None = None
) -> dict:
    staff = selectors.support_staff()
    return {
        "ticket": ticket,
        "now": timezone.now(),
        "links": selectors.requester_links(ticket.requester, exclude_ticket_id=ticket.pk),
        "reply_form": reply_form or StaffReplyForm(),
        "assign_form": AssignForm(staff=staff, initial={"assignee": ticket.assignee_id}),
        "priority_form": PriorityForm(initial={"priority": ticket.priority}),
        "escalate_form": ReasonForm(),
    }


@staff_required
def ticket(request: AuthenticatedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_for_staff(ticket_id)
    return render(request, "adminpanel/support/ticket.html", _ticket_context(request, ticket))


@require_POST
@staff_required
def ticket_reply(request: AuthenticatedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    form = StaffReplyForm(request.POST, request.FILES)
    if form.is_valid():
        action = form.cleaned_data["action"]
        try:
            support.ticket_reply(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                internal=action == "note",
                resolve=action == "resolve",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Note added.") if action == "note" else _("Reply sent."))
            return redirect("adminpanel:ticket", ticket_id=ticket.pk)
    ticket = selectors.ticket_for_staff(ticket_id)
    return render(request, "adminpanel/support/ticket.html", _ticket_context(request, ticket, form), status=400)


@require_POST
@staff_required
def ticket_assign(request: AuthenticatedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    form = AssignForm(request.POST, staff=selectors.support_staff())
    if form.is_valid():
        support.ticket_assign(ticket=ticket, assignee=form.cleaned_data["assignee"], actor=request.user)
        messages.success(request, _("Assignment saved."))
    else:
        messages.error(request, _("Choose a member of the support team."))
    return redirect("adminpanel:ticket", ticket_id=ticket.pk)


@require_POST
@staff_required
def ticket_priority(request: AuthenticatedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    form = PriorityForm(request.POST)
    if form.is_valid():
        support.ticket_set_priority(ticket=ticket, priority=form.cleaned_data["priority"], actor=request.user)
        messages.success(request, _("Priority saved."))
    else:
        messages.error(request, _("Choose a priority."))
    return redirect("adminpanel:ticket", ticket_id=ticket.pk)


@require_POST
@staff_required
def ticket_escalate(request: AuthenticatedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why this needs an admin."))
        support.ticket_escalate(ticket=ticket, actor=request.user, note=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Escalated to the admins."))
    return redirect("adminpanel:ticket", ticket_id=ticket.pk)


@require_POST
@staff_required
def ticket_close(request: AuthenticatedHttpRequest, ticket_id: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=ticket_id)
    support.ticket_close(ticket=ticket, actor=request.user)
    messages.success(request, _("Ticket closed."))
    return redirect("adminpanel:ticket", ticket_id=ticket.pk)


# --- accounts ------------------------------------------------------------------------------------


@admin_required
def user_account(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    account = get_object_or_404(User, pk=user_id)
    form = ReasonForm(request.POST or None)
    action = request.POST.get("action")
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        operations = {
            "suspend": lambda: account_services.user_suspend(user=account, actor=request.user, reason=reason),
            "deactivate": lambda: account_services.user_suspend(
                user=account, actor=request.user, reason=reason, deactivate=True
            ),
            "reinstate": lambda: account_services.user_reinstate(user=account, actor=request.user, reason=reason),
            "warn": lambda: account_services.user_warn(user=account, actor=request.user, reason=reason),
        }
        try:
            if action not in operations:
                raise ValidationError(_("Choose an action."))
            operations[action]()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("adminpanel:user_account", user_id=account.pk)
    context = {
        "account": account,
        "form": form,
        "links": selectors.requester_links(account, exclude_ticket_id=0),
    }
    return render(request, "adminpanel/support/user.html", context, status=form_status(form))


# --- quality reviews -----------------------------------------------------------------------------


@staff_required
def quality_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    decided = request.GET.get("decided") == "1"
    page = Paginator(selectors.quality_queue(decided=decided), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "adminpanel/quality/queue.html", {"page": page, "decided": decided})


@staff_required
def quality_review(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    review = selectors.quality_review_detail(review_id)
    form = QualityDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            quality.quality_review_decide(
                review=review,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decision saved; the mentor has been told."))
            return redirect("adminpanel:quality_queue")
    context = {"review": review, "form": form, "metrics": selectors.mentor_quality_metrics(review.mentor)}
    return render(request, "adminpanel/quality/review.html", context, status=form_status(form))


@staff_required
def feedback_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.recent_feedback(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "adminpanel/feedback.html", {"page": page})


# --- trust and safety ----------------------------------------------------------------------------


@staff_required
def moderation_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ModerationReport.Status.OPEN
    if status not in ModerationReport.Status.values:
        status = ModerationReport.Status.OPEN
    page = Paginator(selectors.moderation_queue(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": ModerationReport.Status.choices}
    return render(request, "adminpanel/moderation/queue.html", context)


@staff_required
def moderation_report(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    report = selectors.moderation_report(report_id)
    form = ModerationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.report_decide(
                report=report,
                actor=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Decision saved."))
            return redirect("adminpanel:moderation_queue")
    context = {"report": report, "form": form}
    if report.direct_message is not None:
        # Staff read a student–mentor thread only here, through a report about one of its messages.
        context["thread_messages"] = thread_messages(report.direct_message.thread)
    return render(request, "adminpanel/moderation/report.html", context, status=form_status(form))


@staff_required
def moderation_image(request: AuthenticatedHttpRequest, report_id: int, message_id: int) -> HttpResponseBase:
    """An image from the thread of a reported direct message, for the staff deciding the report."""
    report = selectors.moderation_report(report_id)
    if report.direct_message is None:
        raise Http404
    message = get_object_or_404(DirectMessage, pk=message_id, thread_id=report.direct_message.thread_id)
    if not message.image:
        raise Http404
    response = FileResponse(message.image.open("rb"), content_type=image_content_type(message))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
