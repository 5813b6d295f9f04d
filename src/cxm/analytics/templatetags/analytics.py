"""`{% home_kpis %}`: the KPI tiles of the last 90 days on the home page."""

from typing import Any

from django import template

from cxm.analytics import selectors

register = template.Library()


@register.inclusion_tag("analytics/_home_kpis.html", takes_context=True)
def home_kpis(context: dict[str, Any]) -> dict[str, Any]:
    filters = selectors.parse_filters({})
    board = selectors.dashboard(filters, selectors.filter_options())
    return {"board": board, "filters": filters, "request": context.get("request")}


@register.filter
def signed(value: Any) -> str:
    """A leading + for positive numbers (NPS, gaps)."""
    return "+" if isinstance(value, int | float) and value > 0 else ""
