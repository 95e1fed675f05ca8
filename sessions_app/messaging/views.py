"""Pages of messaging: the inbox, a thread (HTMX for sending and updates), asking a mentor, and images."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from mentors.selectors import public_profile
from mentorship.forms import add_service_errors
from mentorship.htmx import render_page_or_partial
from mentorship.http import AuthenticatedHttpRequest
from sessions_app.messaging import selectors, services
from sessions_app.messaging.forms import MessageForm
from sessions_app.models import DirectMessage


def _error_status(request: AuthenticatedHttpRequest, form: MessageForm, error: ValidationError | None = None) -> int:
    # htmx swaps only 2xx answers: its partial carries the errors with a 200; a full page says what went wrong.
    if request.htmx:
        return 200
    return 429 if getattr(error, "code", None) == "rate_limited" else 400


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {
        "threads": selectors.inbox_threads(request.user),
        "guardian_threads": selectors.guardian_threads(request.user),
        "tz": request.user.tzinfo,
    }
    return render(request, "sessions_app/messaging/inbox.html", context)


def _thread_context(access: selectors.ThreadAccess, form: MessageForm | None) -> dict:
    return {
        "access": access,
        "thread": access.thread,
        "thread_messages": selectors.thread_messages(access.thread),
        "form": form if form is not None else (MessageForm() if access.can_write else None),
        "tz": access.viewer.tzinfo,
    }


@login_required
@require_http_methods(["GET", "POST"])
def thread(request: AuthenticatedHttpRequest, thread_uuid) -> HttpResponse:
    access = selectors.get_thread_for_user(request.user, thread_uuid)
    form = None
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        error = None
        if form.is_valid():
            try:
                services.message_send(access=access, text=form.cleaned_data["text"], image=form.cleaned_data["image"])
            except ValidationError as exc:
                error = exc
                add_service_errors(form, exc)
            else:
                if not request.htmx:
                    return redirect("sessions_app:message_thread", thread_uuid=access.thread.uuid)
                form = None
        if form is not None:
            status = _error_status(request, form, error)
            template = "sessions_app/messaging/thread.html" + ("#conversation" if request.htmx else "")
            return render(request, template, _thread_context(access, form), status=status)
    services.thread_mark_read(access=access)
    context = _thread_context(access, form)
    return render_page_or_partial(request, "sessions_app/messaging/thread.html", "conversation", context)


@login_required
@require_GET
def thread_updates(request: AuthenticatedHttpRequest, thread_uuid) -> HttpResponse:
    """The thread's messages as they are now (htmx swaps the list when a new message is announced)."""
    access = selectors.get_thread_for_user(request.user, thread_uuid)
    services.thread_mark_read(access=access)
    context = {
        "access": access,
        "thread": access.thread,
        "thread_messages": selectors.thread_messages(access.thread),
        "tz": request.user.tzinfo,
    }
    return render(request, "sessions_app/messaging/thread.html#message_list", context)


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """A student's question to a mentor, from the mentor's profile (continues their thread if there is one)."""
    mentor = public_profile(slug)
    existing = selectors.thread_between(student=request.user, mentor=mentor.user)
    if existing is not None and request.method == "GET":
        return redirect("sessions_app:message_thread", thread_uuid=existing.uuid)
    form = MessageForm(request.POST or None, request.FILES or None)
    blocked = ""
    try:
        services.student_may_ask_check(request.user)
    except ValidationError as exc:
        blocked = " ".join(exc.messages)
    status = 200
    if request.method == "POST" and not blocked:
        error = None
        if form.is_valid():
            try:
                message = services.thread_ask(
                    student=request.user,
                    mentor=mentor.user,
                    text=form.cleaned_data["text"],
                    image=form.cleaned_data["image"],
                )
            except ValidationError as exc:
                error = exc
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your question is on its way. You will be told when the mentor replies."))
                return redirect("sessions_app:message_thread", thread_uuid=message.thread.uuid)
        status = 429 if getattr(error, "code", None) == "rate_limited" else 400
    context = {"mentor": mentor, "form": form, "blocked_reason": blocked}
    return render(request, "sessions_app/messaging/ask.html", context, status=status)


@login_required
@require_POST
def write_to_student(request: AuthenticatedHttpRequest, student_id: int) -> HttpResponse:
    """A mentor opens (or returns to) the thread with a student who booked them."""
    student = get_object_or_404(User, pk=student_id, role=User.Role.STUDENT)
    try:
        thread = services.thread_start_by_mentor(mentor=request.user, student=student)
    except ValidationError:
        raise Http404 from None
    return redirect("sessions_app:message_thread", thread_uuid=thread.uuid)


@login_required
@require_GET
def message_image(request: AuthenticatedHttpRequest, message_id: int) -> HttpResponseBase:
    """An image sent in a thread, to the people who may read the thread (not once moderation hid it)."""
    message = get_object_or_404(
        DirectMessage.objects.select_related("thread__student"), pk=message_id, hidden_at__isnull=True
    )
    if not message.image or selectors.thread_role(request.user, message.thread) is None:
        raise Http404
    response = FileResponse(message.image.open("rb"), content_type=selectors.image_content_type(message))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
