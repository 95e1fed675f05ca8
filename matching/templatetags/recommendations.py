"""``{% load recommendations %}{% recommended_mentors_panel %}``: the signed-in student's recommended mentors, with
the reasons, for dashboards owned by other apps (accounts must not import matching)."""

from django import template

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
