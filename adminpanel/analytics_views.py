"""/panel/analytics/: the admin dashboard over the daily rollups, its tables (also as CSV) and charts."""

import contextlib
import csv
from dataclasses import dataclass
from typing import cast

from django import forms
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from accounts.suggestions import INDIAN_STATE_CHOICES
from adminpanel.permissions import admin_required
from adminpanel.selectors import AnalyticsReport, analytics_report
from adminpanel.services.analytics import ANALYTICS_ZONE
from mentors.models import StudentLevel
from mentorship.http import AuthenticatedHttpRequest
from sessions_app.models import Session

PERIODS = [(7, gettext_lazy("Last 7 days")), (30, gettext_lazy("Last 30 days")), (90, gettext_lazy("Last 90 days"))]


class AnalyticsFilterForm(forms.Form):
    days = forms.TypedChoiceField(label=gettext_lazy("Period"), choices=PERIODS, coerce=int, required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("State"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.selectors import active_languages

        self.fields["language"].choices = [("", _("All languages"))] + [
            (lang.code, lang.display_name) for lang in active_languages()
        ]
        self.fields["state"].choices = [("", _("All states")), *INDIAN_STATE_CHOICES]

    def values(self) -> tuple[int, str, str]:
        if not self.is_valid():
            return 30, "", ""
        data = self.cleaned_data
        return data["days"] or 30, data["language"], data["state"]


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list]  # cells: int, float, str; money already in rupees


def _rupees(paise: int) -> float:
    return round(paise / 100, 2)


def _change(current: int, previous: int) -> str:
    if not previous:
        return "—"
    return f"{(current - previous) * 100 / previous:+.0f} %"


def _rate(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f} %" if whole else "—"


def build_tables(report: AnalyticsReport, language_names: dict[str, str]) -> list[Table]:
    t = report.totals

    def pair(metric):
        return t.get(metric, (0, 0))

    money = {"gross_paise", "platform_paise", "refunds_paise", "tips_paise", "payouts_paise"}
    averaged = {"active_students", "active_mentors"}
    labels = [
        ("signups", _("Sign-ups")),
        ("active_students", _("Active students (daily average)")),
        ("active_mentors", _("Active mentors (daily average)")),
        ("bookings", _("Bookings")),
        ("completed", _("Completed sessions")),
        ("cancelled", _("Cancellations")),
        ("no_shows", _("Student no-shows")),
        ("mentor_no_shows", _("Mentor no-shows")),
        ("gross_paise", _("Gross bookings (₹)")),
        ("platform_paise", _("Platform share (₹)")),
        ("refunds_paise", _("Refunds (₹)")),
        ("tips_paise", _("Tips (₹)")),
        ("payouts_paise", _("Payouts (₹)")),
        ("tickets", _("Support tickets")),
        ("tickets_breached", _("Tickets answered late")),
    ]
    summary = []
    for metric, label in labels:
        current, previous = pair(metric)
        if metric in money:
            shown = (_rupees(current), _rupees(previous))
        elif metric in averaged:
            shown = (round(current / report.days, 1), round(previous / report.days, 1))
        else:
            shown = (current, previous)
        summary.append([label, shown[0], shown[1], _change(current, previous)])
    done, cancelled, no_shows = pair("completed")[0], pair("cancelled")[0], pair("no_shows")[0]
    ended = done + cancelled + no_shows
    summary += [
        [_("Completion rate"), _rate(done, ended), "", ""],
        [_("Cancellation rate"), _rate(cancelled, ended), "", ""],
        [
            _("Tickets answered on time"),
            _rate(pair("tickets")[0] - pair("tickets_breached")[0], pair("tickets")[0]),
            "",
            "",
        ],
    ]
    signups = pair("signups")[0]
    funnel = [
        [label, pair(metric)[0], _rate(pair(metric)[0], signups)]
        for metric, label in (
            ("signups", _("Signed up")),
            ("verified", _("Verified email")),
            ("onboarded", _("Finished onboarding")),
            ("first_booking", _("First booking")),
            ("second_booking", _("Second booking")),
        )
    ]
    daily = [
        [
            day,
            report.series["signups"][n],
            report.series["bookings"][n],
            report.series["completed"][n],
            report.series["cancelled"][n],
            _rupees(report.series["gross_paise"][n]),
            _rupees(report.series["refunds_paise"][n]),
        ]
        for n, day in enumerate(report.day_labels)
    ]
    ratings = [[f"{stars}★", report.segments["ratings"].get(str(stars), 0)] for stars in range(1, 6)]
    s = report.segments

    def supply_demand(supply_key, demand_key, names):
        keys = sorted(set(s[supply_key]) | set(s[demand_key]), key=lambda k: -s[demand_key].get(k, 0))
        rows = []
        for key in keys:
            mentors, bookings = s[supply_key].get(key, 0), s[demand_key].get(key, 0)
            rows.append(
                [
                    names.get(key, key) or _("Not given"),
                    mentors,
                    bookings,
                    round(bookings / mentors, 1) if mentors else "—",
                ]
            )
        return rows

    sd_columns = [_("Mentors listed"), _("Bookings"), _("Bookings per mentor")]
    return [
        Table(
            "summary",
            _("This period against the previous one"),
            [_("Measure"), _("This period"), _("Previous period"), _("Change")],
            summary,
        ),
        Table(
            "funnel",
            _("Sign-up and onboarding funnel (students who signed up in the period)"),
            [_("Step"), _("Students"), _("Of sign-ups")],
            funnel,
        ),
        Table(
            "daily",
            _("Day by day"),
            [_("Day"), _("Sign-ups"), _("Bookings"), _("Completed"), _("Cancelled"), _("Gross (₹)"), _("Refunds (₹)")],
            daily,
        ),
        Table("ratings", _("Ratings"), [_("Rating"), _("Reviews")], ratings),
        Table(
            "supply_language",
            _("Supply and demand by language"),
            [_("Language"), *sd_columns],
            supply_demand("supply_language", "demand_language", language_names),
        ),
        Table(
            "supply_level",
            _("Supply and demand by level (state filter only)"),
            [_("Level"), *sd_columns],
            supply_demand("supply_level", "demand_level", dict(StudentLevel.choices)),
        ),
        Table(
            "supply_subject",
            _("Supply and demand by subject (state filter only)"),
            [_("Subject"), *sd_columns],
            supply_demand("supply_subject", "demand_subject", dict(Session.Category.choices)),
        ),
    ]


def _charts(report: AnalyticsReport, tables: dict[str, Table]) -> list[dict]:
    """What static/js/charts.js draws; each chart sits beside the table with the same numbers."""
    daily = tables["daily"].rows
    sd = tables["supply_language"].rows
    return [
        {
            "id": "daily",
            "table": "daily",
            "type": "line",
            "labels": [r[0] for r in daily],
            "datasets": [
                {"label": str(tables["daily"].columns[i]), "data": [r[i] for r in daily]} for i in (1, 2, 3, 4)
            ],
        },
        {
            "id": "revenue",
            "table": "daily",
            "type": "bar",
            "labels": [r[0] for r in daily],
            "datasets": [{"label": str(tables["daily"].columns[i]), "data": [r[i] for r in daily]} for i in (5, 6)],
        },
        {
            "id": "ratings",
            "table": "ratings",
            "type": "bar",
            "labels": [r[0] for r in tables["ratings"].rows],
            "datasets": [{"label": str(tables["ratings"].columns[1]), "data": [r[1] for r in tables["ratings"].rows]}],
        },
        {
            "id": "supply_language",
            "table": "supply_language",
            "type": "bar",
            "labels": [r[0] for r in sd],
            "datasets": [
                {"label": str(tables["supply_language"].columns[i]), "data": [r[i] for r in sd]} for i in (1, 2)
            ],
        },
    ]


REPORT_CACHE_SECONDS = 300


def _tables_and_charts(days: int, language: str, state: str, names: dict[str, str]):
    """Rollups change once a night, so a view's tables stay valid for minutes: cached per filter and interface
    language. Without Redis they are simply computed (four indexed queries)."""
    end = timezone.now().astimezone(ANALYTICS_ZONE).date()
    key = f"analytics:{end}:{days}:{language}:{state}:{get_language()}"
    try:
        cached = cache.get(key)
    except RedisError:
        cached = None
    if cached is not None:
        return cached
    report = analytics_report(end=end, days=days, language_code=language, state=state)
    tables = build_tables(report, names)
    result = (report.start, report.end, tables, _charts(report, {t.key: t for t in tables}))
    with contextlib.suppress(RedisError):
        cache.set(key, result, REPORT_CACHE_SECONDS)
    return result


@admin_required
def analytics(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AnalyticsFilterForm(request.GET or None)
    days, language, state = form.values()
    language_names = dict(cast(forms.ChoiceField, form.fields["language"]).choices)  # type: ignore[arg-type]  # pairs
    start, end, tables, charts = _tables_and_charts(days, language, state, language_names)
    export = request.GET.get("export")
    if export:
        return _csv(next((t for t in tables if t.key == export), tables[0]), start, end)
    query = request.GET.copy()
    query.pop("export", None)
    context = {
        "form": form,
        "start": start,
        "end": end,
        "sections": [(t, [c["id"] for c in charts if c["table"] == t.key]) for t in tables],
        "charts": charts,
        "query": query.urlencode(),
    }
    return render(request, "adminpanel/analytics.html", context)


def _csv(table: Table, start, end) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="peerlearn-{table.key}-{start}-{end}.csv"'
    writer = csv.writer(response)
    writer.writerow([str(c) for c in table.columns])
    writer.writerows([[str(cell) for cell in row] for row in table.rows])
    return response
