"""The data the charts draw, embedded with `json_script` (static/analytics/charts.js draws
it with ECharts). Plain numbers only: every figure is also in the page's tables."""

from typing import Any

from django.utils.translation import gettext as _

from cxm.analytics.selectors import KPI_METRICS, Dashboard, SurveyResults


def _value(result: Any) -> float | None:
    return None if result is None or result.value is None else round(result.value, 1)


def dashboard_chart_data(board: Dashboard, labels: dict[str, str], *, rtl: bool) -> dict[str, Any]:
    return {
        "rtl": rtl,
        "distribution": {
            metric: {"categories": [str(k) for k in dist], "values": list(dist.values())}
            for metric, dist in board.distributions.items()
        },
        "trend": {
            "categories": [p.label for p in board.trend],
            "series": {m: [_value(p.figures.get(m)) for p in board.trend] for m in KPI_METRICS},
        },
        "breakdowns": {
            name: {
                "title": labels.get(name, name),
                "categories": [r.label for r in rows],
                "series": {m: [_value(r.figures.get(m)) for r in rows] for m in KPI_METRICS},
            }
            for name, rows in board.breakdowns.items()
        },
    }


def _bars(chart_id: Any, distribution: list[tuple[str, str, int]]) -> dict[str, Any]:
    return {
        "id": chart_id,
        "categories": [label for _code, label, _n in distribution],
        "values": [n for _code, _label, n in distribution],
    }


def survey_chart_data(results: SurveyResults, *, rtl: bool) -> dict[str, Any]:
    """One bar chart per question; a matrix has one per row (id `<question id>-<row>`)."""
    charts: list[dict[str, Any]] = []
    for q in results.questions:
        if q.rows:
            charts.extend(_bars(f"{q.question.pk}-{row.code}", row.distribution) for row in q.rows)
        else:
            charts.append(_bars(q.question.pk, q.distribution))
    return {"rtl": rtl, "questions": charts}


def loop_chart_data(loop: Any, referrals: Any) -> dict[str, Any]:
    """The close-the-loop funnel: detractors → contacted → closed → recovered, then promoters
    invited → visits → new customers (counts; the panel's table has the same numbers)."""
    return {
        "categories": [
            _("Detractors"),
            _("Contacted"),
            _("Loop closed"),
            _("Recovered"),
            _("Promoters invited"),
            _("Referral visits"),
            _("New customers"),
        ],
        "values": [
            loop.detractors,
            loop.contacted,
            loop.closed,
            loop.recovered,
            referrals.invited,
            referrals.visits,
            referrals.conversions,
        ],
    }
