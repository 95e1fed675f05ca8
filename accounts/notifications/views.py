"""The inbox page and its actions (each works as a plain form post and as an htmx swap)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Notification
from accounts.notifications import selectors, services
from accounts.notifications.forms import NotificationPreferencesForm
from accounts.notifications.kinds import notification_text_in_active_language
from accounts.timezones import time_zone_label
from mentorship.forms import form_status
from mentorship.htmx import render_page_or_partial
from mentorship.http import AuthenticatedHttpRequest


def _inbox_context(request: AuthenticatedHttpRequest) -> dict:
    archived = request.GET.get("show") == "archived"
    unread_only = request.GET.get("show") == "unread"
    try:
        before = int(request.GET["before"]) if request.GET.get("before") else None
    except ValueError:
        before = None
    items = selectors.notifications_for_inbox(
        request.user, archived=archived, unread_only=unread_only, before_id=before, limit=selectors.INBOX_PAGE + 1
    )
    more = len(items) > selectors.INBOX_PAGE
    items = items[: selectors.INBOX_PAGE]
    return {
        "items": items,
        "show": "archived" if archived else ("unread" if unread_only else "all"),
        "next_before": items[-1].pk if more and items else None,
        "unread_count": selectors.notification_unread_count(request.user),
        "tz": request.user.tzinfo,
    }


@login_required
@require_GET
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render_page_or_partial(request, "accounts/notifications/inbox.html", "inbox", _inbox_context(request))


def _item_response(request: AuthenticatedHttpRequest, notification: Notification) -> HttpResponse:
    item = selectors.InboxItem(notification, notification_text_in_active_language(notification, request.user))
    return render(request, "accounts/notifications/_item.html", {"item": item})


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404 from None
    if request.htmx:
        return _item_response(request, notification)
    return redirect(notification.link or "accounts:notifications")


@login_required
@require_POST
def notification_archive(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    try:
        services.notification_archive(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404 from None
    if request.htmx:
        return HttpResponse("")
    return redirect("accounts:notifications")


@login_required
@require_POST
def notifications_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    if request.htmx:
        return render(request, "accounts/notifications/inbox.html#inbox", _inbox_context(request))
    return redirect("accounts:notifications")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    initial = selectors.notification_preferences_initial(request.user)
    form = NotificationPreferencesForm(request.POST or None, initial=initial, has_phone=bool(request.user.phone))
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_set(
            user=request.user,
            choices=form.choices(),
            quiet_start=form.cleaned_data["quiet_start"],
            quiet_end=form.cleaned_data["quiet_end"],
            email_digest=form.cleaned_data["email_digest"],
        )
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("accounts:notification_preferences")
    return render(
        request,
        "accounts/notifications/preferences.html",
        {"form": form, "time_zone": time_zone_label(request.user.time_zone)},
        status=form_status(form),
    )


@login_required
@require_GET
def notification_count(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The bell's count when the socket is unavailable (the page asks while it waits to reconnect)."""
    response = JsonResponse({"unread": selectors.notification_unread_count(request.user)})
    response["Cache-Control"] = "no-store"
    return response
