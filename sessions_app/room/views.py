"""Pages of the live room and of what follows a session."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mentorship.forms import add_service_errors, form_status
from mentorship.http import AuthenticatedHttpRequest
from mentorship.redirects import safe_next_url
from sessions_app import policy, selectors
from sessions_app.models import Booking, FollowUpTask, MentorNote, Review, Session, Tip
from sessions_app.room import feedback, recording, tips
from sessions_app.room import selectors as room_selectors
from sessions_app.room import services as room_services
from sessions_app.room.forms import FollowUpTaskForm, MentorNoteForm, MilestoneForm, ReviewForm, TipForm
from sessions_app.room.protocol import CHAT_MAX_LENGTH

_ID_PLACEHOLDER = 987654321
_SEQ_PLACEHOLDER = 123456789


def _ice_servers() -> list[dict[str, Any]]:
    servers: list[dict[str, Any]] = []
    if settings.STUN_URLS:
        servers.append({"urls": settings.STUN_URLS})
    if settings.TURN_URLS:
        servers.append(
            {"urls": settings.TURN_URLS, "username": settings.TURN_USERNAME, "credential": settings.TURN_CREDENTIAL}
        )
    return servers


def _room_strings() -> dict[str, str]:
    return {
        "camera": _("Camera"),
        "microphone": _("Microphone"),
        "unsupportedBrowser": _("This browser cannot join video calls. You can still use the chat."),
        "permissionDenied": _(
            "Camera and microphone access was refused. Allow it in your browser's site settings and reload, "
            "or join with chat only."
        ),
        "noCamera": _("No camera found: you will join with audio only."),
        "noMicrophone": _("No microphone found: you will join with chat only (you can still see and hear others)."),
        "deviceBusy": _("Your camera or microphone is in use by another app. Close it and reload."),
        "deviceSwitchFailed": _("That device could not be used."),
        "consentRequired": _("Please agree to the recording notice to join."),
        "consentFailed": _("Your agreement could not be saved. Check your connection and try again."),
        "joinFailed": _("Could not join. Check your connection and try again."),
        "refusedSignIn": _("Please sign in again to join this session."),
        "refusedNotMember": _("This session's room is only for its mentor and confirmed students."),
        "refusedClosed": _("The room is not open now."),
        "refusedReplaced": _("You joined this session from another tab or device, so this one left the room."),
        "refusedConsent": _("Please agree to the recording notice to join."),
        "rateLimited": _("You are sending messages too fast; some were dropped."),
        "chatRejected": _("That message could not be sent."),
        "chatTooLong": _("Messages can be at most %(count)s characters.") % {"count": CHAT_MAX_LENGTH},
        "clickForSound": _("Click anywhere in the room to turn on sound."),
        "screenShareFailed": _("Screen sharing could not start."),
        "confirmEnd": _("End the session for everyone?"),
        "quality_unknown": _("Checking connection…"),
        "quality_good": _("Good connection"),
        "quality_fair": _("Fair connection"),
        "quality_poor": _("Poor connection"),
        "connecting": _("Connecting…"),
        "open": _("Connected"),
        "reconnecting": _("Reconnecting…"),
        "tipSent": _("{name} sent a tip of {amount}"),
    }


@login_required
@require_GET
def room(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("mentor", "language"), pk=session_id)
    try:
        access = room_services.room_access_check(user=request.user, session_id=session.pk, require_consent=False)
    except room_services.RoomRefused as refused:
        if refused.close_code == room_services.CLOSE_NOT_MEMBER:
            raise PermissionDenied from None
        opens_at, closes_at = room_services.room_window(session)
        context = {"session": session, "ended": refused.close_code == room_services.CLOSE_ENDED, "opens_at": opens_at}
        return render(request, "sessions_app/room_closed.html", context, status=403)
    chunk_url = reverse("sessions_app:recording_chunk", args=[session.pk, _ID_PLACEHOLDER, _SEQ_PLACEHOLDER])
    can_tip = policy.may_tip(is_mentor=access.is_mentor, is_minor=request.user.is_minor)
    config = {
        "sessionId": session.pk,
        "user": {
            "id": request.user.pk,
            "name": access.display_name,
            "isMentor": access.is_mentor,
            "canTip": can_tip,
            "timeZone": request.user.time_zone,
            "consented": access.consented,
        },
        "iceServers": _ice_servers(),
        "recordingRequired": access.recording_required,
        "consentNeeded": access.consent_needed,
        "chatMaxLength": CHAT_MAX_LENGTH,
        "refusalCodes": room_services.REFUSAL_CLOSE_CODES,
        "csrfToken": get_token(request),
        "urls": {
            "socket": f"/ws/sessions/{session.pk}/",
            "consent": reverse("sessions_app:room_consent", args=[session.pk]),
            "report": reverse("help:report"),
            "recordingChunk": chunk_url.replace(str(_ID_PLACEHOLDER), "__id__").replace(
                str(_SEQ_PLACEHOLDER), "__seq__"
            ),
            "afterLeave": reverse("sessions_app:after_session", args=[session.pk]),
        },
        "strings": _room_strings(),
    }
    context = {
        "session": session,
        "heading": selectors.session_heading(session, viewer=request.user),
        "access": access,
        "config": config,
        "can_tip": can_tip,
        "tip_form": TipForm(),
    }
    return render(request, "sessions_app/room.html", context)


@login_required
@require_POST
def room_consent(request: AuthenticatedHttpRequest, session_id: int) -> JsonResponse:
    try:
        room_services.room_access_check(user=request.user, session_id=session_id, require_consent=False)
    except room_services.RoomRefused as refused:
        return JsonResponse({"error": refused.reason}, status=403)
    room_services.room_consent_give(session_id=session_id, user=request.user)
    return JsonResponse({"consented": True})


# --- tips ----------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def tip_start(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    session = get_object_or_404(Session.objects.select_related("mentor"), pk=session_id)
    try:
        tips.tip_check_allowed(session=session, student=request.user)
    except ValidationError as exc:
        return render(request, "sessions_app/room_tip.html", {"session": session, "refusal": exc.messages}, status=403)
    form = TipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tip = tips.tip_create(
                session=session,
                student=request.user,
                amount_paise=form.amount_paise,
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("payments:checkout", payment_id=tip.payment_id)
    status = 400 if form.is_bound else 200
    return render(request, "sessions_app/room_tip.html", {"session": session, "form": form}, status=status)


@login_required
@require_GET
def tip_done(request: AuthenticatedHttpRequest, tip_id: int) -> HttpResponse:
    tip = get_object_or_404(Tip.objects.select_related("session", "mentor"), pk=tip_id, student=request.user)
    return render(request, "sessions_app/room_tip_done.html", {"tip": tip})


# --- recordings ----------------------------------------------------------------------------------------------------


@login_required
@require_POST
def recording_chunk(
    request: AuthenticatedHttpRequest, session_id: int, recording_id: int, sequence: int
) -> JsonResponse:
    declared = int(request.headers.get("Content-Length") or 0)
    if declared > settings.RECORDING_CHUNK_MAX_BYTES:
        return JsonResponse({"error": _("This part of the recording is too large.")}, status=413)
    try:
        chunk = recording.recording_chunk_append(
            recording_id=recording_id,
            session_id=session_id,
            uploader=request.user,
            sequence=sequence,
            data=request.body,
            content_type=request.content_type or "",
        )
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"sequence": chunk.sequence, "size": chunk.size_bytes}, status=201)


@login_required
@require_GET
def recording_play(request: AuthenticatedHttpRequest, recording_id: int) -> HttpResponseBase:
    rec = recording.get_recording_for_viewer(request.user, recording_id)
    byte_range = recording.parse_range(request.headers.get("Range", ""), rec.size_bytes)
    if request.headers.get("Range") and byte_range is None:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{rec.size_bytes}"
        return refused
    response = StreamingHttpResponse(recording.recording_stream(rec, byte_range), content_type=rec.content_type)
    if byte_range is not None:
        response.status_code = 206
        response["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{rec.size_bytes}"
        response["Content-Length"] = str(byte_range.length)
    else:
        response["Content-Length"] = str(rec.size_bytes)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="peerlearn-session-{rec.session_id}-{rec.pk}.webm"'
    return response


# --- after the session ---------------------------------------------------------------------------------------------


def _after_session_response(
    request: AuthenticatedHttpRequest, membership, *, partial: str | None = None, **forms
) -> HttpResponse:
    context = room_selectors.after_session_context(membership, request.user)
    students = context["students"]
    context.update(
        note_form=forms.get("note_form") or MentorNoteForm(),
        task_form=forms.get("task_form") or FollowUpTaskForm(students=students),
        milestone_form=forms.get("milestone_form") or MilestoneForm(students=students),
        editable_until=feedback.review_editable_until(context["review"]) if context["review"] else None,
    )
    template = "sessions_app/after_session.html"
    status = 400 if any(form.is_bound and form.errors for form in forms.values()) else 200
    if partial and request.htmx:
        template += f"#{partial}"
    return render(request, template, context, status=status)


@login_required
@require_GET
def after_session(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    membership = room_selectors.get_session_membership(request.user, session_id)
    return _after_session_response(request, membership)


def _mentor_membership(request: AuthenticatedHttpRequest, session_id: int):
    membership = room_selectors.get_session_membership(request.user, session_id)
    if not membership.is_mentor:
        raise PermissionDenied
    return membership


def _done(request: AuthenticatedHttpRequest, membership, partial: str, message: str) -> HttpResponse:
    if request.htmx:
        return _after_session_response(request, membership, partial=partial)
    messages.success(request, message)
    return redirect("sessions_app:after_session", session_id=membership.session.pk)


@login_required
@require_POST
def note_add(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    membership = _mentor_membership(request, session_id)
    form = MentorNoteForm(request.POST)
    if form.is_valid():
        try:
            feedback.mentor_note_add(session=membership.session, author=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, membership, "notes", _("Note saved."))
    return _after_session_response(request, membership, partial="notes", note_form=form)


@login_required
@require_POST
def note_delete(request: AuthenticatedHttpRequest, session_id: int, note_id: int) -> HttpResponse:
    membership = _mentor_membership(request, session_id)
    note = get_object_or_404(MentorNote, pk=note_id, session=membership.session)
    try:
        feedback.mentor_note_delete(note=note, author=request.user)
    except ValidationError:
        raise PermissionDenied from None
    return _done(request, membership, "notes", _("Note deleted."))


@login_required
@require_POST
def task_add(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    membership = _mentor_membership(request, session_id)
    form = FollowUpTaskForm(request.POST, students=room_selectors.session_students(membership.session))
    if form.is_valid():
        data = form.cleaned_data
        try:
            feedback.follow_up_task_add(
                session=membership.session,
                mentor=request.user,
                student_id=data["student"],
                title=data["title"],
                due_on=data["due_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, membership, "tasks", _("Task added."))
    return _after_session_response(request, membership, partial="tasks", task_form=form)


@login_required
@require_POST
def task_delete(request: AuthenticatedHttpRequest, session_id: int, task_id: int) -> HttpResponse:
    membership = _mentor_membership(request, session_id)
    task = get_object_or_404(FollowUpTask, pk=task_id, session=membership.session)
    try:
        feedback.follow_up_task_delete(task=task, mentor=request.user)
    except ValidationError:
        raise PermissionDenied from None
    return _done(request, membership, "tasks", _("Task removed."))


@login_required
@require_POST
def task_toggle(request: AuthenticatedHttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(FollowUpTask.objects.select_related("session"), pk=task_id, student=request.user)
    feedback.follow_up_task_set_done(task=task, student=request.user, done=request.POST.get("done") == "1")
    if request.htmx:
        return render(request, "sessions_app/_task_item.html", {"task": task, "can_tick": True})
    return redirect(safe_next_url(request, reverse("sessions_app:progress")))


@login_required
@require_POST
def milestone_add_for_student(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    membership = _mentor_membership(request, session_id)
    students = room_selectors.session_students(membership.session)
    form = MilestoneForm(request.POST, students=students)
    if form.is_valid():
        data = form.cleaned_data
        student = next(s for s in students if s.pk == data["student"])
        try:
            feedback.milestone_record(
                student=student,
                recorded_by=request.user,
                session=membership.session,
                kind=data["kind"],
                title=data["title"],
                notes=data["notes"],
                next_steps=data["next_steps"],
                achieved_on=data["achieved_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, membership, "milestones", _("Milestone recorded."))
    return _after_session_response(request, membership, partial="milestones", milestone_form=form)


@login_required
@require_GET
def session_bundle(request: AuthenticatedHttpRequest, session_id: int) -> HttpResponse:
    membership = room_selectors.get_session_membership(request.user, session_id)
    if membership.is_mentor:
        raise PermissionDenied
    data = room_selectors.session_bundle_zip(membership, request.user)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="peerlearn-session-{session_id}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- reviews -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedHttpRequest, booking_uuid) -> HttpResponse:
    booking = get_object_or_404(
        Booking.objects.select_related("session", "session__mentor", "session__language"),
        uuid=booking_uuid,
        student=request.user,
    )
    existing = Review.objects.filter(booking=booking).first()
    initial = {"rating": existing.rating, "comment": existing.comment} if existing else None
    form = ReviewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if existing:
                feedback.review_update(review=existing, student=request.user, **form.cleaned_data)
            else:
                feedback.review_submit(booking=booking, student=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you for your review."))
            return redirect("sessions_app:after_session", session_id=booking.session_id)
    context = {
        "booking": booking,
        "session": booking.session,
        "form": form,
        "review": existing,
        "editable_until": feedback.review_editable_until(existing) if existing else None,
        "locked": existing is not None and not feedback.review_is_editable(existing),
    }
    return render(request, "sessions_app/review.html", context, status=form_status(form))


# --- progress ------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback.milestone_record(student=request.user, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Milestone recorded."))
            return redirect("sessions_app:progress")
    context = {
        "progress": room_selectors.student_progress(request.user),
        "milestones": room_selectors.student_milestones(request.user)[:50],
        "tasks": room_selectors.student_tasks(request.user)[:100],
        "form": form,
    }
    return render(request, "sessions_app/progress.html", context, status=form_status(form))
