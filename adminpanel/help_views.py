"""The user-facing help centre under /help/: answers, tickets, the emergency line, appeals and feedback."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from redis.exceptions import RedisError

from accounts.adapters import INACTIVE_USER_SESSION_KEY
from accounts.models import User
from adminpanel import selectors
from adminpanel.forms import (
    AppealForm,
    ContactForm,
    EmergencyForm,
    FeedbackForm,
    ReplyForm,
    ReportForm,
    TicketForm,
)
from adminpanel.models import AccountAction, QualityReview, Ticket, TicketAttachment
from adminpanel.services.feedback import platform_feedback_add
from adminpanel.services.moderation import report_create
from adminpanel.services.quality import quality_review_acknowledge
from adminpanel.services.support import ticket_emergency_open, ticket_open, ticket_reply
from mentorship.forms import add_service_errors, form_status
from mentorship.http import AuthenticatedHttpRequest
from sessions_app.models import DirectMessage, Review, SessionMessage
from sessions_app.room.selectors import get_session_membership

CONTACT_LIMIT_PER_HOUR = 5


def _contact_allowed(request: HttpRequest) -> bool:
    """Visitors may send a few messages an hour per address. If Redis is down we let them through: losing a
    cry for help is worse than a little spam."""
    key = f"help-contact:{request.META.get('REMOTE_ADDR', '')}"
    try:
        cache.add(key, 0, timeout=3600)
        return cache.incr(key) <= CONTACT_LIMIT_PER_HOUR
    except (RedisError, ValueError):
        return True


def help_centre(request: HttpRequest) -> HttpResponse:
    form = None if request.user.is_authenticated else ContactForm()
    return render(request, "adminpanel/help/centre.html", {"contact_form": form})


@require_POST
def contact(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST)
    if not _contact_allowed(request):
        form.add_error(None, _("Too many messages from your network. Please try again in an hour."))
        return render(request, "adminpanel/help/centre.html", {"contact_form": form}, status=429)
    if form.is_valid():
        data = form.cleaned_data
        try:
            ticket_open(
                requester=None,
                contact_name=data["name"],
                contact_email=data["email"],
                category=data["category"],
                subject=data["subject"],
                description=data["description"],
                language_code=get_language(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. We will answer by email."))
            return redirect("help:centre")
    return render(request, "adminpanel/help/centre.html", {"contact_form": form}, status=400)


@login_required
def my_tickets(request: AuthenticatedHttpRequest) -> HttpResponse:
    tickets = selectors.tickets_for_user(request.user)
    return render(request, "adminpanel/help/tickets.html", {"tickets": tickets})


@login_required
def ticket_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    bookings = list(selectors.user_bookings_for_tickets(request.user))
    payments = list(selectors.user_payments_for_tickets(request.user))
    form = TicketForm(
        request.POST or None,
        request.FILES or None,
        bookings=bookings,
        payments=payments,
        initial={"category": request.GET.get("category", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = ticket_open(
                requester=request.user,
                category=data["category"],
                subject=data["subject"],
                description=data["description"],
                language_code=get_language(),
                booking=form.bookings.get(data["booking"]),
                payment=form.payments.get(data["payment"]),
                attachments=data["attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your request is with our support team."))
            return redirect("help:ticket", ticket_uuid=ticket.uuid)
    status = 400 if form.is_bound else 200
    return render(request, "adminpanel/help/ticket_new.html", {"form": form}, status=status)


@login_required
def ticket(request: AuthenticatedHttpRequest, ticket_uuid) -> HttpResponse:
    ticket = selectors.ticket_for_user(request.user, ticket_uuid)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket_reply(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Reply sent."))
            return redirect("help:ticket", ticket_uuid=ticket.uuid)
    status = 400 if form.is_bound else 200
    return render(request, "adminpanel/help/ticket.html", {"ticket": ticket, "form": form}, status=status)


@login_required
def attachment(request: AuthenticatedHttpRequest, attachment_id: int) -> HttpResponseBase:
    """An attachment, to the ticket's requester (not on internal notes) or to support staff."""
    item = get_object_or_404(TicketAttachment.objects.select_related("message__ticket"), pk=attachment_id)
    message = item.message
    is_owner = message.ticket.requester_id == request.user.pk and not message.is_internal
    if not (is_owner or (request.user.is_active and request.user.is_support_staff)):
        raise Http404
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    extension = str(item.file.name).rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="attachment-{item.pk}.{extension}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def emergency(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    """The emergency line: "Report a problem / safety" from the room or a booking."""
    membership = get_session_membership(request.user, session_id)
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = ticket_emergency_open(
                reporter=request.user, session_id=session_id, description=form.cleaned_data["description"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Our support team has been alerted and will answer within 15 minutes."))
            return redirect("help:ticket", ticket_uuid=ticket.uuid)
    status = 400 if form.is_bound else 200
    return render(
        request, "adminpanel/help/emergency.html", {"form": form, "session": membership.session}, status=status
    )


def account_status(request: HttpRequest) -> HttpResponse:
    """Shown when a correct password meets a suspended or deactivated account: why, and the one appeal."""
    user_id = request.session.get(INACTIVE_USER_SESSION_KEY)
    user = User.objects.filter(pk=user_id, is_active=False).first() if user_id else None
    if user is None:
        return redirect("account_login")
    action = AccountAction.objects.filter(
        user=user, kind__in=[AccountAction.Kind.SUSPEND, AccountAction.Kind.DEACTIVATE]
    ).first()
    appeal = Ticket.objects.filter(requester=user, is_appeal=True).first()
    form = AppealForm(request.POST or None) if appeal is None and user.status == User.Status.SUSPENDED else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                ticket_open(
                    requester=user,
                    category=Ticket.Category.ACCOUNT,
                    subject=_("Appeal against suspension"),
                    description=form.cleaned_data["body"],
                    language_code=get_language(),
                    is_appeal=True,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your appeal is with our team. We will answer by email."))
                return redirect("help:account_status")
    context = {"account": user, "action": action, "appeal": appeal, "form": form}
    return render(request, "adminpanel/help/account_status.html", context, status=form_status(form) if form else 200)


@login_required
def feedback(request: AuthenticatedHttpRequest) -> HttpResponse:
    session = None
    session_id = request.GET.get("session") or request.POST.get("session")
    if session_id and session_id.isdigit():
        session = get_session_membership(request.user, int(session_id)).session
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        platform_feedback_add(
            user=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            session=session,
        )
        messages.success(request, _("Thank you for your feedback."))
        return redirect("help:centre")
    status = 400 if form.is_bound else 200
    return render(request, "adminpanel/help/feedback.html", {"form": form, "session": session}, status=status)


@require_POST
@login_required
def quality_acknowledge(request: AuthenticatedHttpRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(QualityReview, pk=review_id, mentor=request.user)
    try:
        quality_review_acknowledge(review=review, mentor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("mentors:dashboard")


def _report_target(request: AuthenticatedHttpRequest) -> dict:
    """The thing reported, from ?user= / ?review= / ?message= / ?direct_message= (404 for unknown ids)."""
    targets = (("review", Review), ("message", SessionMessage), ("direct_message", DirectMessage), ("user", User))
    for key, model in targets:
        value = request.GET.get(key) or request.POST.get(key)
        if value:
            if not value.isdigit():
                raise Http404
            return {key: get_object_or_404(model, pk=int(value))}
    raise Http404


@login_required
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    target = _report_target(request)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_create(reporter=request.user, **form.cleaned_data, **target)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you. Our trust and safety team will look at it."))
            return redirect("help:centre")
    [(kind, obj)] = target.items()
    context = {"form": form, "kind": kind, "target_id": obj.pk}
    return render(request, "adminpanel/help/report.html", context, status=400 if form.is_bound else 200)
