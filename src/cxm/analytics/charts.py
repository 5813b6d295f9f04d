"""The data the charts draw, embedded with `json_script` (static/analytics/charts.js draws
it with ECharts). Plain numbers only: every figure is also in the page's tables."""

from typing import Any

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


def survey_chart_data(results: SurveyResults, *, rtl: bool) -> dict[str, Any]:
    return {
        "rtl": rtl,
        "questions": [
            {
                "id": q.question.pk,
                "categories": [label for _code, label, _n in q.distribution],
                "values": [n for _code, _label, n in q.distribution],
            }
            for q in results.questions
        ],
    }
