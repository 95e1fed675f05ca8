"""The business half of the mentor's dashboard (the page itself belongs to `mentors`, which cannot import this app:
`mentor_dashboard_context` is registered as its dashboard context provider) and the new-bookings list it refreshes
live."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.timezones import viewer_time_zone
from mentors.models import MentorProfile
from mentorship import charts
from mentorship.http import AuthenticatedHttpRequest
from sessions_app.dashboards.selectors import (
    HISTORY_CACHE_SECONDS,
    MentorDashboard,
    mentor_dashboard,
    mentor_new_bookings,
)
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


def mentor_charts_html(mentor_user_id: int, dashboard: MentorDashboard, zone: object) -> SafeString:
    """The charts section, rendered once per read of the history figures (`history_computed_at`, which changes
    whenever they are read again) and language, and cached as long as those figures are: drawing the three charts
    and their tables costs more than reading the figures."""
    key = (
        f"dashboard:mentor-charts:{mentor_user_id}:{zone}:{get_language()}:{dashboard.history_computed_at.isoformat()}"
    )
    html = cache.get(key)
    if html is None:
        chart_list = mentor_charts(dashboard)
        html = render_to_string(
            "sessions_app/_mentor_charts.html",
            {
                "charts": chart_list,
                "chart_specs": [chart.spec() for chart in chart_list],
                "charts_source": MENTOR_CHARTS_ID,
            },
        )
        cache.set(key, html, HISTORY_CACHE_SECONDS)
    # Our own template's output, escaped when it was rendered.
    return mark_safe(html)  # noqa: S308


def mentor_dashboard_context(request: HttpRequest, mentor: MentorProfile) -> dict:
    """`mentors.hooks` dashboard context provider (registered in `SessionsAppConfig.ready`)."""
    zone = viewer_time_zone(request)
    dashboard = mentor_dashboard(mentor, now=timezone.now(), zone=zone)
    return {
        "business": dashboard,
        "response_time": response_time_text(dashboard.response_time_minutes),
        "charts_html": mentor_charts_html(mentor.user_id, dashboard, zone),
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
