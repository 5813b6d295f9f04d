"""Template helpers: `|jdate`, `|jdatetime`, `|num`, `|digits` and `{% query_with %}`."""

from typing import Any

from django import template
from django.utils.http import urlencode

from cxm.common.i18n import current_digits, format_date, format_number
from cxm.core.text import localize_digits

register = template.Library()


@register.filter
def jdate(value: Any) -> str:
    return format_date(value)


@register.filter
def jdatetime(value: Any) -> str:
    return format_date(value, with_time=True)


@register.filter
def num(value: Any, decimals: int | None = None) -> str:
    return format_number(value, decimals)


@register.filter
def digits(value: Any) -> str:
    return localize_digits(str(value), current_digits()) if value is not None else ""


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    request = context["request"]
    params = request.GET.copy()
    for key, val in changes.items():
        params[key] = val
    return "?" + urlencode(sorted(params.items()))
