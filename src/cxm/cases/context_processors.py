"""The unread-notification count in the top bar of every page."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import cached_property

from cxm.cases import selectors
from cxm.common.i18n import format_number


class UnreadNotifications:
    """Counted when a template first asks (one small indexed query), then remembered."""

    def __init__(self, user: Any):
        self.user = user

    @cached_property
    def count(self) -> int:
        if self.user is None or not self.user.is_authenticated:
            return 0
        return selectors.unread_count(user=self.user)

    @property
    def label(self) -> str:
        if self.count > selectors.UNREAD_CAP:
            return format_number(selectors.UNREAD_CAP) + "+"
        return format_number(self.count)

    def __bool__(self) -> bool:
        return self.count > 0


def notifications(request: HttpRequest) -> dict[str, Any]:
    """`cases_unread`: the signed-in user's unread notifications, one per request."""
    unread = getattr(request, "_cases_unread", None)
    if unread is None:
        unread = UnreadNotifications(getattr(request, "user", None))
        request._cases_unread = unread  # type: ignore[attr-defined]
    return {"cases_unread": unread}
