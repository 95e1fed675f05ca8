import datetime as dt
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.selectors import active_languages, notifications_for_inbox, student_can_book
from accounts.timezones import viewer_time_zone
from mentors.models import MentorProfile
from mentors.permissions import mentor_required
from mentors.slots import next_open_slots, open_slots, price_for_duration_paise
from mentorship.forms import add_service_errors, form_status
from mentorship.htmx import render_page_or_partial, vary_on_htmx, wants_partial
from mentorship.http import AuthenticatedHttpRequest, HtmxHttpRequest
from mentorship.resilient_cache import count_hit
from sessions_app import ics, policy, selectors, services
from sessions_app.forms import (
    CancelForm,
    DisputeForm,
    GroupFilterForm,
    GroupSessionForm,
    OneToOneBookingForm,
    RescheduleForm,
    SessionCancelForm,
    SlotPickerForm,
)
from sessions_app.models import Booking, CalendarFeed, Session

# Seed 000 §4.1: at most 3 booking attempts a minute per student.
BOOKING_ATTEMPTS_PER_MINUTE = 3


def _too_many_booking_attempts(request: AuthenticatedHttpRequest) -> bool:
    key = f"sessions:booking-attempts:{request.user.pk}:{int(timezone.now().timestamp() // 60)}"
    hits = count_hit(key, window_seconds=90)
    # Fails open while Redis is down: a hold is short and the database's exclusion constraint still stops double
    # bookings, while refusing every booking during an outage would turn it into one for students too.
    return hits is not None and hits > BOOKING_ATTEMPTS_PER_MINUTE


def _after_hold(request: AuthenticatedHttpRequest, booking: Booking) -> HttpResponse:
    """Free bookings are done; paid ones go to checkout (or, if the gateway is down, to the booking to retry)."""
    if booking.status == Booking.Status.CONFIRMED:
        messages.success(request, _("You are booked! We have emailed you the details and a calendar invitation."))
        return redirect("sessions_app:booking_detail", booking.uuid)
    try:
        payment = services.booking_start_payment(booking=booking)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sessions_app:booking_detail", booking.uuid)
    return redirect("payments:checkout", payment_id=payment.pk)


# --- 1:1 booking ---------------------------------------------------------------------------------


def _slot_day_default(mentor: MentorProfile, duration: int, tz: zoneinfo.ZoneInfo, now: dt.datetime) -> dt.date:
    first = next_open_slots(mentor, 1, now=now, duration_minutes=duration)
    return first[0].start.astimezone(tz).date() if first else now.astimezone(tz).date()


def _slots_on(
    mentor: MentorProfile, *, day: dt.date, duration: int, tz, now, exclude_session_ids: tuple[int, ...] = ()
):
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    return open_slots(mentor=mentor, start=start, end=end, duration_minutes=duration, now=now,
                      exclude_session_ids=exclude_session_ids)


def _picker_state(request: AuthenticatedHttpRequest, mentor: MentorProfile, tz, now) -> tuple[int, dt.date]:
    """The duration and day whose slots to show, from the request, else the first day with a free slot."""
    data = request.POST if request.method == "POST" else request.GET
    picker = SlotPickerForm(data, durations=mentor.offered_durations)
    picker.is_valid()
    duration = picker.cleaned_data.get("duration") or min(mentor.offered_durations)
    day = picker.cleaned_data.get("date") or _start_day(data.get("start", ""), tz)
    return duration, day or _slot_day_default(mentor, duration, tz, now)


def _start_day(start: str, tz) -> dt.date | None:
    """The viewer's day of a slot chosen on the profile (`?start=`, an aware ISO time), None when there is none."""
    try:
        chosen = dt.datetime.fromisoformat(start)
        return chosen.astimezone(tz).date() if chosen.tzinfo is not None else None
    except (ValueError, OverflowError):  # not a time, or one at the calendar's edge
        return None


def _render_book(request: AuthenticatedHttpRequest, mentor: MentorProfile, form, *, duration: int, day: dt.date, now):
    allowed, blocked_reason = student_can_book(request.user)
    tz = request.user.tzinfo
    context = {"mentor": mentor, "form": form, "blocked_reason": blocked_reason, "duration": duration, "day": day,
               "tz": tz, "today": now.astimezone(tz).date(), "price_paise": price_for_duration_paise(mentor, duration),
               "slots": _slots_on(mentor, day=day, duration=duration, tz=tz, now=now) if allowed else [],
               "selected_start": request.POST.get("starts_at") or request.GET.get("start", ""),
               "hold_minutes": settings.SLOT_HOLD_MINUTES}
    if form is None:
        return render_page_or_partial(request, "sessions_app/book.html", "slots", context)
    return vary_on_htmx(render(request, "sessions_app/book.html", context, status=form_status(form)))


@login_required
@require_http_methods(["GET", "POST"])
def book(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    mentor = get_object_or_404(
        MentorProfile.objects.select_related("user__primary_language").prefetch_related("user__languages"), slug=slug
    )
    if not mentor.is_listed or not mentor.offered_durations:
        raise Http404
    prefetch_related_objects([request.user], "languages")  # read again by the service's language check
    now = timezone.now()
    duration, day = _picker_state(request, mentor, request.user.tzinfo, now)
    if wants_partial(request) and request.method == "GET":
        return _render_book(request, mentor, None, duration=duration, day=day, now=now)
    languages = selectors.common_languages(request.user, mentor.user)
    default_language = selectors.default_language(request.user, languages)
    form = OneToOneBookingForm(
        request.POST or None, durations=mentor.offered_durations, languages=languages,
        previous=selectors.previous_bookings_with(request.user, mentor.user),
        initial={"duration": duration, "date": day, "session_type": request.GET.get("type", ""),
                 "language": default_language.pk if default_language else None},
    )  # fmt: skip
    if request.method == "POST":
        if _too_many_booking_attempts(request):
            form.add_error(None, _("Too many booking attempts. Please wait a minute and try again."))
        elif form.is_valid():
            try:
                booking = services.booking_hold_one_to_one(
                    student=request.user, mentor=mentor, starts_at=form.cleaned_data["starts_at"],
                    duration_minutes=duration, session_type=form.cleaned_data["session_type"],
                    language=form.cleaned_data["language"], questionnaire=form.questionnaire(),
                    coupon_code=form.cleaned_data["coupon_code"], now=now)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return _after_hold(request, booking)
    return _render_book(request, mentor, form, duration=duration, day=day, now=now)


# --- a booking ---------------------------------------------------------------------------------


@login_required
@require_GET
def booking_detail(request: AuthenticatedHttpRequest, booking_uuid) -> HttpResponse:
    booking = selectors.get_booking_for_user(request.user, booking_uuid)
    now = timezone.now()
    is_student = request.user.pk == booking.student_id
    context = {
        "booking": booking,
        "session": booking.session,
        "is_student": is_student,
        "is_host": request.user.pk == booking.session.mentor_id,
        "now": now,
        "refund": selectors.refund_decision(booking, actor=request.user, now=now),
        "can_self_reschedule": policy.can_self_reschedule(starts_at=booking.session.starts_at, now=now),
        "hold_active": booking.status == Booking.Status.PENDING_PAYMENT
        and bool(booking.hold_expires_at and booking.hold_expires_at > now),
        "can_report": policy.dispute_window_open(
            starts_at=booking.session.starts_at, ends_at=booking.session.ends_at, now=now
        ),
        "can_mark_no_show": policy.student_no_show_reportable(starts_at=booking.session.starts_at, now=now),
        "open_dispute": booking.disputes.filter(status="open").first(),
        "reschedules": list(booking.reschedule_requests.all()[:5]),
        "tz": request.user.tzinfo,
    }
    return render(request, "sessions_app/booking_detail.html", context)


@login_required
@require_POST
def booking_pay(request: AuthenticatedHttpRequest, booking_uuid) -> HttpResponse:
    booking = selectors.get_booking_for_user(request.user, booking_uuid)
    if booking.student_id != request.user.pk:
        raise PermissionDenied
    return _after_hold(request, booking)


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request: AuthenticatedHttpRequest, booking_uuid) -> HttpResponse:
    booking = selectors.get_booking_for_user(request.user, booking_uuid)
    now = timezone.now()
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(booking=booking, actor=request.user, note=form.cleaned_data["note"], now=now)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The booking is cancelled."))
            return redirect("sessions_app:booking_detail", booking.uuid)
    context = {"booking": booking, "session": booking.session, "form": form, "tz": request.user.tzinfo,
               "refund": selectors.refund_decision(booking, actor=request.user, now=now)}
    return render(request, "sessions_app/booking_cancel.html", context, status=form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def booking_reschedule(request: AuthenticatedHttpRequest, booking_uuid) -> HttpResponse:
    booking = selectors.get_booking_for_user(request.user, booking_uuid)
    session = booking.session
    if session.is_group or booking.status != Booking.Status.CONFIRMED:
        raise Http404
    tz, now = request.user.tzinfo, timezone.now()
    mentor = session.mentor.mentor_profile
    emergency = not policy.can_self_reschedule(starts_at=session.starts_at, now=now)
    data = request.POST if request.method == "POST" else request.GET
    day_form = RescheduleForm(data)
    day_form.is_valid()
    day = day_form.cleaned_data.get("date") or session.starts_at.astimezone(tz).date()
    slots = _slots_on(mentor, day=day, duration=session.duration_minutes, tz=tz, now=now,
                     exclude_session_ids=(session.pk,))
    context = {"booking": booking, "session": session, "emergency": emergency, "day": day, "slots": slots, "tz": tz,
               "today": now.astimezone(tz).date()}
    if wants_partial(request) and request.method == "GET":
        return render_page_or_partial(request, "sessions_app/booking_reschedule.html", "slots", context)
    form = RescheduleForm(request.POST) if request.method == "POST" else RescheduleForm(initial={"date": day})
    if request.method == "POST" and form.is_valid():
        try:
            if emergency:
                services.reschedule_request_create(booking=booking, actor=request.user, now=now,
                                                   starts_at=form.cleaned_data["starts_at"],
                                                   reason=form.cleaned_data["reason"])
                messages.success(request, _("Your request is with our support team. We will email you."))
            else:
                services.booking_reschedule(booking=booking, actor=request.user, now=now,
                                            starts_at=form.cleaned_data["starts_at"])
                messages.success(request, _("Moved. Both of you have an updated calendar invitation."))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("sessions_app:booking_detail", booking.uuid)
    context["form"] = form
    return vary_on_htmx(render(request, "sessions_app/booking_reschedule.html", context, status=form_status(form)))


@login_required
@require_GET
def booking_ics(request: AuthenticatedHttpRequest, booking_uuid) -> HttpResponse:
    booking = selectors.get_booking_for_user(request.user, booking_uuid)
    if request.user.pk == booking.session.mentor_id:
        body = ics.hosted_invitation(booking.session, counterpart_name=booking.student.full_name)
    else:
        body = ics.booking_invitation(booking, cancelled=not booking.is_active)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="peerlearn-{booking.uuid}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def booking_dispute(request: AuthenticatedHttpRequest, booking_uuid) -> HttpResponse:
    booking = selectors.get_booking_for_user(request.user, booking_uuid)
    if booking.student_id != request.user.pk:
        raise PermissionDenied
    form = DisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dispute_raise(booking=booking, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you. Our support team will look into it and reply by email."))
            return redirect("sessions_app:booking_detail", booking.uuid)
    context = {"booking": booking, "session": booking.session, "form": form, "tz": request.user.tzinfo}
    return render(request, "sessions_app/booking_dispute.html", context, status=form_status(form))


@login_required
@require_POST
def booking_no_show(request: AuthenticatedHttpRequest, booking_uuid) -> HttpResponse:
    booking = selectors.get_booking_for_user(request.user, booking_uuid)
    try:
        services.booking_mark_no_show(booking=booking, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Marked as a no-show."))
    return redirect("sessions_app:booking_detail", booking.uuid)


# --- lists -------------------------------------------------------------------------------------


@login_required
@require_GET
def my_sessions(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    upcoming, past = selectors.student_bookings(request.user, now)
    tab = "past" if request.GET.get("tab") == "past" else "upcoming"
    context = {"upcoming": upcoming, "past": past, "tab": tab, "now": now, "tz": request.user.tzinfo,
               "notifications": notifications_for_inbox(request.user, unread_only=True, limit=5)}
    return render_page_or_partial(request, "sessions_app/my_sessions.html", "bookings", context)


@mentor_required(refuse_others=True)
@require_GET
def mentor_bookings(request: AuthenticatedHttpRequest, mentor: MentorProfile) -> HttpResponse:
    now = timezone.now()
    upcoming, past = selectors.mentor_bookings(request.user, now)
    tab = "past" if request.GET.get("tab") == "past" else "upcoming"
    context = {"upcoming": upcoming, "past": past, "tab": tab, "now": now, "tz": request.user.tzinfo,
               "notifications": notifications_for_inbox(request.user, unread_only=True, limit=5)}
    return render_page_or_partial(request, "sessions_app/mentor_bookings.html", "bookings", context)


# --- group sessions: students ------------------------------------------------------------------


@require_GET
def group_list(request: HtmxHttpRequest) -> HttpResponse:
    tz, now = viewer_time_zone(request), timezone.now()
    form = GroupFilterForm(request.GET or None, languages=active_languages())
    filters = form.filters() if form.is_valid() else selectors.GroupSessionFilters()
    sessions = list(selectors.group_sessions_listing(filters, now=now, tz=tz)[:60])
    context = {"form": form, "sessions": sessions, "tz": tz}
    return render_page_or_partial(request, "sessions_app/group_list.html", "results", context)


@require_GET
def group_detail(request: HttpRequest, session_uuid) -> HttpResponse:
    now = timezone.now()
    session = selectors.get_public_group_session(session_uuid, now)
    user = request.user
    context = {"session": session, "tz": viewer_time_zone(request), "now": now,
               "seats_left": max(session.capacity - session.seats_taken, 0),  # type: ignore[attr-defined]  # annotated
               "bookable": session.status == Session.Status.SCHEDULED and session.starts_at > now}
    if user.is_authenticated:
        context.update(booking=selectors.active_booking_of(session, user),
                       waitlist_entry=selectors.open_waitlist_entry(session, user),
                       blocked_reason=student_can_book(user)[1], is_host=user.pk == session.mentor_id)
    return render(request, "sessions_app/group_detail.html", context)


@login_required
@require_POST
def group_book(request: AuthenticatedHttpRequest, session_uuid) -> HttpResponse:
    session = selectors.get_public_group_session(session_uuid, timezone.now())
    if _too_many_booking_attempts(request):
        messages.error(request, _("Too many booking attempts. Please wait a minute and try again."))
        return redirect("sessions_app:group_detail", session.uuid)
    try:
        booking = services.booking_hold_group_seat(student=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sessions_app:group_detail", session.uuid)
    return _after_hold(request, booking)


@login_required
@require_POST
def group_waitlist(request: AuthenticatedHttpRequest, session_uuid) -> HttpResponse:
    session = selectors.get_public_group_session(session_uuid, timezone.now())
    if request.POST.get("action") == "leave":
        services.waitlist_leave(student=request.user, session=session)
        messages.success(request, _("You have left the waitlist."))
        return redirect("sessions_app:group_detail", session.uuid)
    try:
        services.waitlist_join(student=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You are on the waitlist. If a seat frees up we will offer it to you by email."))
    return redirect("sessions_app:group_detail", session.uuid)


# --- group sessions and hosted sessions: mentors -------------------------------------------------


@mentor_required(refuse_others=True)
@require_GET
def mentor_group_sessions(request: AuthenticatedHttpRequest, mentor: MentorProfile) -> HttpResponse:
    sessions = selectors.mentor_group_sessions(request.user, timezone.now())
    context = {"sessions": sessions, "tz": request.user.tzinfo, "verified": mentor.is_listed}
    return render(request, "sessions_app/mentor_group_sessions.html", context)


GROUP_FIELD_MAP = {"price_paise": "price_rupees", "starts_at": "date"}


@mentor_required(refuse_others=True)
@require_http_methods(["GET", "POST"])
def group_create(request: AuthenticatedHttpRequest, mentor: MentorProfile) -> HttpResponse:
    form = GroupSessionForm(request.POST or None, request.FILES or None,
                            initial={"time_zone": request.user.time_zone, "language": request.user.primary_language_id})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.group_session_create(mentor=request.user, data=form.data_for_service())
        except ValidationError as exc:
            add_service_errors(form, exc, field_map=GROUP_FIELD_MAP)
        else:
            messages.success(request, _("Saved as a draft. Publish it when you are ready."))
            return redirect("sessions_app:hosted_session", session.uuid)
    return render(request, "sessions_app/group_form.html", {"form": form}, status=form_status(form))


@mentor_required(refuse_others=True)
@require_http_methods(["GET", "POST"])
def group_edit(request: AuthenticatedHttpRequest, mentor: MentorProfile, session_uuid) -> HttpResponse:
    session = selectors.get_hosted_session(request.user, session_uuid)
    if not session.is_group or session.status not in (Session.Status.DRAFT, Session.Status.SCHEDULED):
        raise Http404
    form = GroupSessionForm(request.POST or None, request.FILES or None, initial=GroupSessionForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        try:
            services.group_session_update(session=session, actor=request.user, data=form.data_for_service())
        except ValidationError as exc:
            add_service_errors(form, exc, field_map=GROUP_FIELD_MAP)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("sessions_app:hosted_session", session.uuid)
    return render(request, "sessions_app/group_form.html", {"form": form, "session": session},
                  status=form_status(form))


@mentor_required(refuse_others=True)
@require_POST
def group_publish(request: AuthenticatedHttpRequest, mentor: MentorProfile, session_uuid) -> HttpResponse:
    session = selectors.get_hosted_session(request.user, session_uuid)
    try:
        services.group_session_publish(session=session, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Published: students can now book it."))
    return redirect("sessions_app:hosted_session", session.uuid)


@mentor_required(refuse_others=True)
@require_http_methods(["GET", "POST"])
def group_cancel(request: AuthenticatedHttpRequest, mentor: MentorProfile, session_uuid) -> HttpResponse:
    session = selectors.get_hosted_session(request.user, session_uuid)
    form = SessionCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(session=session, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The session is cancelled and every student will be refunded in full."))
            return redirect("sessions_app:hosted_session", session.uuid)
    context = {"session": session, "form": form, "tz": request.user.tzinfo,
               "seats_taken": selectors.seats_taken(session, timezone.now())}
    return render(request, "sessions_app/group_cancel.html", context, status=form_status(form))


@login_required
@require_GET
def hosted_session(request: AuthenticatedHttpRequest, session_uuid) -> HttpResponse:
    session = selectors.get_hosted_session(request.user, session_uuid)
    now = timezone.now()
    context = {"session": session, "roster": selectors.session_roster(session), "tz": request.user.tzinfo,
               "now": now, "seats_taken": selectors.seats_taken(session, now),
               "waiting": selectors.waiting_count(session), "started": session.starts_at <= now}
    return render(request, "sessions_app/hosted_session.html", context)


@login_required
@require_POST
def session_complete(request: AuthenticatedHttpRequest, session_uuid) -> HttpResponse:
    session = selectors.get_hosted_session(request.user, session_uuid)
    try:
        services.session_complete(session=session, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Marked as completed. Thank you for mentoring!"))
    return redirect("sessions_app:hosted_session", session.uuid)


# --- calendar ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.calendar_feed_regenerate(user=request.user)
        messages.success(request, _("Your calendar address has changed; the old one no longer works."))
        return redirect("sessions_app:calendar_settings")
    feed = services.calendar_feed_get_or_create(user=request.user)
    feed_url = request.build_absolute_uri(reverse("sessions_app:calendar_feed", args=[feed.token]))
    context = {"feed_url": feed_url, "webcal_url": feed_url.replace("http", "webcal", 1)}
    return render(request, "sessions_app/calendar_settings.html", context)


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)
    bookings, hosted = selectors.feed_entries(feed.user, timezone.now())
    body = ics.feed(bookings=bookings, hosted=hosted, name=f"PeerLearn · {feed.user.full_name}", now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
