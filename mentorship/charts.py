"""Charts (dashboards, earnings) as `static/js/charts.js` draws them, each with the table that carries the same numbers
(`templates/partials/_chart.html`). Labels are made here, in the viewer's language, from the selectors' dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.functional import Promise

from mentorship.money import format_inr


@dataclass
class Chart:
    id: str
    title: str | Promise
    kind: str  # a Chart.js type: "bar" or "line"
    period_heading: str | Promise
    value_heading: str | Promise
    labels: list[str]
    values: list[float | None]
    shown: list[str]  # each value as the table shows it
    suggested_max: float | None = None

    def spec(self) -> dict[str, object]:
        """What the page embeds with `json_script` for the chart component."""
        spec: dict[str, object] = {
            "id": self.id,
            "type": self.kind,
            "labels": self.labels,
            "datasets": [{"label": str(self.value_heading), "data": self.values}],
        }
        if self.suggested_max is not None:
            spec["suggestedMax"] = self.suggested_max
        return spec

    @property
    def rows(self) -> list[tuple[str, str]]:
        return list(zip(self.labels, self.shown, strict=True))


def month_label(month: dt.date) -> str:
    return date_format(month, "M Y")


def week_label(week: dt.date) -> str:
    return date_format(week, "j M")


def series_chart(
    *,
    id: str,  # noqa: A002 - the chart's id in the page, as Chart.js and the template call it
    title: str | Promise,
    kind: str,
    period_heading: str | Promise,
    value_heading: str | Promise,
    points: Sequence[tuple[dt.date, float | None]],
    label: Callable[[dt.date], str],
    show: Callable[[float | None], str] = lambda value: "–" if value is None else f"{value:g}",
    suggested_max: float | None = None,
) -> Chart:
    return Chart(
        id=id,
        title=title,
        kind=kind,
        period_heading=period_heading,
        value_heading=value_heading,
        labels=[label(period) for period, _ in points],
        values=[value for _, value in points],
        shown=[show(value) for _, value in points],
        suggested_max=suggested_max,
    )


def rupees(paise: float | None) -> str:
    return format_inr(int(paise or 0))
