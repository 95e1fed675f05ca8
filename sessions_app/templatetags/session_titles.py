from django import template

from sessions_app.selectors import session_heading as heading_for_viewer

register = template.Library()


@register.simple_tag
def session_heading(session, viewer, student=None) -> str:
    """``{% session_heading session request.user %}``: the title as this viewer reads it (see selectors)."""
    return heading_for_viewer(session, viewer=viewer, student=student)
