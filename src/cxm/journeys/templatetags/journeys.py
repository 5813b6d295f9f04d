"""Template helpers of the journey map: `{{ minutes|response_time }}`."""

from django import template
from django.utils.translation import gettext as _

from cxm.common.i18n import format_number

register = template.Library()


@register.filter
def response_time(minutes: int | None) -> str:
    """A target response time in the largest whole unit: "90 min", "24 h", "3 d"."""
    if minutes is None:
        return ""
    if minutes >= 2 * 1440 and minutes % 1440 == 0:
        return _("%(n)s d") % {"n": format_number(minutes // 1440)}
    if minutes >= 60 and minutes % 60 == 0:
        return _("%(n)s h") % {"n": format_number(minutes // 60)}
    return _("%(n)s min") % {"n": format_number(minutes)}
