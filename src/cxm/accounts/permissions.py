"""Enforcing the role matrix on API endpoints and pages.

Reading is open to every signed-in user; writing needs the view's `write_capability`.
A view may also set `read_capability` for data not everybody may read (e.g. the audit log).
"""

from typing import Any

from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest, HttpResponseBase
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request


def user_can(user: Any, capability: str | None) -> bool:
    if capability is None:
        return bool(user and user.is_authenticated)
    return bool(user and user.is_authenticated and user.can(capability))


class RolePermission(BasePermission):
    """DRF permission: authenticated to read; `write_capability` to change."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return user_can(request.user, getattr(view, "read_capability", None))
        capability = getattr(view, "write_capability", None)
        if capability is None:
            # A view that changes data must name what it needs; refuse rather than allow.
            return bool(request.user.is_superuser)
        return user_can(request.user, capability)


class CapabilityRequiredMixin(AccessMixin):
    """Page views: sign-in required, plus `capability` when set (403 otherwise)."""

    capability: str | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.capability and not user_can(request.user, self.capability):
            self.raise_exception = True
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
