"""``{% load student_sessions %}{% upcoming_sessions_panel %}``: the signed-in student's next sessions, for
dashboards owned by other apps (accounts must not import sessions_app)."""

from django import template
from django.utils import timezone

from sessions_app.selectors import student_upcoming_bookings

register = template.Library()

PANEL_SIZE = 3


@register.inclusion_tag("sessions_app/_upcoming_sessions_panel.html", takes_context=True)
def upcoming_sessions_panel(context: template.Context) -> dict:
    request = context["request"]
    return {
        "request": request,
        "upcoming": list(student_upcoming_bookings(request.user, timezone.now())[:PANEL_SIZE]),
    }
