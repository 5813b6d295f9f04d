"""`{% emerging_issues_panel %}`: the newest emerging-issue alerts, for the KPI dashboard."""

from typing import Any

from django import template

from cxm.textanalytics import insights

register = template.Library()


@register.inclusion_tag("textanalytics/insights/_alert_panel.html", takes_context=True)
def emerging_issues_panel(context: dict[str, Any]) -> dict[str, Any]:
    """One query: the alerts the daily job recorded in the last week."""
    return {"alerts": insights.recent_alerts(), "request": context.get("request")}


@register.filter
def rounded(value: Any, decimals: int = 2) -> Any:
    """`value` rounded before `|num` shows it: Django's number formatting cuts a float's
    digits (2.9999… shows as 2.9), it does not round them."""
    return round(value, int(decimals)) if isinstance(value, int | float) else value
