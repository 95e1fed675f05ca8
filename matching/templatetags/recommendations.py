"""``{% load recommendations %}{% recommended_mentors_panel %}`` and ``{% recommended_group_sessions_panel %}``:
the signed-in student's recommended mentors (with the reasons) and group sessions, for pages owned by other apps
(accounts and sessions_app must not import matching)."""

from django import template
from django.utils import timezone

from matching.recommender import serving

register = template.Library()


@register.inclusion_tag("matching/_recommended_mentors.html", takes_context=True)
def recommended_mentors_panel(context: template.Context) -> dict:
    request = context["request"]
    return {
        "request": request,
        "recommendations": serving.recommendations_for(request.user, limit=serving.PANEL_SIZE),
        "source": "dashboard",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("matching/_recommended_group_sessions.html", takes_context=True)
def recommended_group_sessions_panel(context: template.Context) -> dict:
    request = context["request"]
    now = timezone.now()
    return {
        "request": request,
        "sessions": serving.recommended_group_sessions(request.user, now=now, tz=timezone.get_current_timezone()),
        "tz": context.get("tz") or timezone.get_current_timezone(),
    }
