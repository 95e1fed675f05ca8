"""`{% mentor_quality_actions user %}`: a mentor's open quality actions, for their dashboard (mentors cannot import
the staff side, so the dashboard template pulls them in)."""

from django import template

from adminpanel.selectors import open_actions_for

register = template.Library()


@register.inclusion_tag("adminpanel/_quality_actions.html", takes_context=True)
def mentor_quality_actions(context, user):
    return {"actions": open_actions_for(user), "csrf_token": context.get("csrf_token")}
