from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cxm.common.i18n import current_digits, is_rtl, uses_jalali


def ui(request: HttpRequest) -> dict[str, Any]:
    """Direction, calendar and digit style for the base template."""
    return {
        "ui_rtl": is_rtl(),
        "ui_dir": "rtl" if is_rtl() else "ltr",
        "ui_jalali": uses_jalali(),
        "ui_digits": current_digits(),
        "ui_languages": settings.LANGUAGES,
        "ui_caps": _capabilities(request),
    }


def _capabilities(request: HttpRequest) -> frozenset[str]:
    """What the signed-in user may change, for showing or hiding buttons."""
    from cxm.accounts.roles import all_capabilities

    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return frozenset()
    return frozenset(c for c in all_capabilities() if user.can(c))
