"""``{% load room_progress %}{% student_progress_panel %}``: the signed-in student's tasks due, milestones and hours
learned (``templates/sessions_app/_student_progress.html``), for dashboards owned by other apps."""

from django import template

from sessions_app.room.selectors import student_progress

register = template.Library()


@register.inclusion_tag("sessions_app/_student_progress.html", takes_context=True)
def student_progress_panel(context: template.Context) -> dict:
    request = context["request"]
    return {"request": request, "user": request.user, "progress": student_progress(request.user)}
