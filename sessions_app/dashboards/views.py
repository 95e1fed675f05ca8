"""The business half of the mentor's dashboard (the page itself belongs to `mentors`, which cannot import this app:
`mentor_dashboard_context` is registered as its dashboard context provider) and the new-bookings list it refreshes
live."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.timezones import viewer_time_zone
from mentors.models import MentorProfile
from mentorship import charts
from mentorship.http import AuthenticatedHttpRequest
from sessions_app.dashboards.selectors import MentorDashboard, mentor_dashboard, mentor_new_bookings
from sessions_app.messaging.selectors import response_time_text

MENTOR_CHARTS_ID = "mentor-charts"


def mentor_charts(dashboard: MentorDashboard) -> list[charts.Chart]:
    return [
        charts.series_chart(
            id="earnings",
            title=_("Earnings, last 6 months"),
            kind="bar",
            period_heading=_("Month"),
            value_heading=_("Earnings (₹)"),
            points=[(month, paise / 100) for month, paise in dashboard.earnings_by_month],
            label=charts.month_label,
            show=lambda rupees: charts.rupees(round((rupees or 0) * 100)),
        ),
        charts.series_chart(
            id="sessions",
            title=_("Sessions per week"),
            kind="bar",
            period_heading=_("Week of"),
            value_heading=_("Sessions"),
            points=dashboard.sessions_by_week,
            label=charts.week_label,
        ),
        charts.series_chart(
            id="rating",
            title=_("Average rating per month"),
            kind="line",
            period_heading=_("Month"),
            value_heading=_("Average rating (of 5)"),
            points=[(month, average) for month, average, _count in dashboard.rating_by_month],
            label=charts.month_label,
            suggested_max=5,
        ),
    ]


def mentor_dashboard_context(request: HttpRequest, mentor: MentorProfile) -> dict:
    """`mentors.hooks` dashboard context provider (registered in `SessionsAppConfig.ready`)."""
    dashboard = mentor_dashboard(mentor, now=timezone.now(), zone=viewer_time_zone(request))
    chart_list = mentor_charts(dashboard)
    return {
        "business": dashboard,
        "response_time": response_time_text(dashboard.response_time_minutes),
        "charts": chart_list,
        "chart_specs": [chart.spec() for chart in chart_list],
        "charts_source": MENTOR_CHARTS_ID,
    }


@login_required
@require_GET
def mentor_new_bookings_panel(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The dashboard's new-bookings list alone: htmx fetches it again when a booking notification arrives."""
    user = request.user
    if not MentorProfile.objects.filter(user=user).exists():
        raise PermissionDenied
    bookings, count = mentor_new_bookings(user, now=timezone.now())
    return render(request, "sessions_app/_mentor_new_bookings.html", {"new_bookings": bookings, "new_count": count})
