"""``{% load student_dashboard %}{% student_learning_panel %}``: the signed-in student's learning at a glance (hours
per week chart, week streak, next session, tasks due, milestones and next goal, recent activity), for the dashboard
that `accounts` owns and cannot fill itself. The page loads Chart.js and static/js/charts.js."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.timezones import viewer_time_zone
from mentorship import charts
from sessions_app.dashboards.selectors import student_dashboard

register = template.Library()

STUDENT_CHARTS_ID = "student-charts"


@register.inclusion_tag("sessions_app/_student_learning.html", takes_context=True)
def student_learning_panel(context: template.Context) -> dict:
    request = context["request"]
    now = timezone.now()
    dashboard = student_dashboard(request.user, now=now, zone=viewer_time_zone(request))
    hours = charts.series_chart(
        id="hours",
        title=_("Hours learned per week"),
        kind="bar",
        period_heading=_("Week of"),
        value_heading=_("Hours"),
        points=dashboard.hours_by_week,
        label=charts.week_label,
    )
    return {
        "request": request,
        "user": request.user,
        "csrf_token": context.get("csrf_token"),
        "now": now,
        "dashboard": dashboard,
        "progress": dashboard.progress,
        "charts": [hours],
        "chart_specs": [hours.spec()],
        "charts_source": STUDENT_CHARTS_ID,
    }
