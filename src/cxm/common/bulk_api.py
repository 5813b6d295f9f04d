"""The shared shape of bulk API endpoints: an `items` list under a size limit, every item
validated, every bad item reported with its index, and nothing written unless all are good.
"""

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from cxm.common.exceptions import ApplicationError

T = TypeVar("T")


class ItemError(Protocol):
    """A validation error whose `errors` maps a field to (code, translated message)."""

    errors: dict[str, tuple[str, str]]


def field_errors(error: ItemError) -> dict[str, dict[str, str]]:
    """`{field: {"code", "message"}}` as the API shows an item's errors."""
    return {name: {"code": code, "message": msg} for name, (code, msg) in error.errors.items()}


def bulk_items(data: Any, *, not_a_list: str, too_many_code: str) -> list[Any]:
    """The request's items (`{"items": [...]}` or a bare list), or an ApplicationError."""
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ApplicationError(not_a_list)
    limit = settings.CXM_BULK_MAX_ITEMS
    if len(items) > limit:
        raise ApplicationError(
            _("At most %(limit)d items per request; this one has %(n)d.")
            % {"limit": limit, "n": len(items)},
            code=too_many_code,
        )
    return items


def clean_bulk_items(
    items: list[Any],
    clean_one: Callable[[Any], T],
    *,
    error_types: tuple[type[Exception], ...],
    external_id: Callable[[T], str | None],
    duplicate_code: str,
) -> tuple[list[T], list[dict[str, Any]]]:
    """Validate every item; return the clean ones and the errors of the bad ones.

    Two items with the same external id are an error on the second, naming the first.
    """
    clean: list[T] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(items):
        try:
            item = clean_one(raw)
        except error_types as exc:
            given = raw.get("external_id") if isinstance(raw, dict) else None
            errors.append(
                {"index": index, "external_id": given, "errors": field_errors(exc)}  # type: ignore[arg-type]
            )
            continue
        key = external_id(item)
        if key is not None and key in seen:
            message = _("Same external id as item %(other)d.") % {"other": seen[key]}
            errors.append(
                {
                    "index": index,
                    "external_id": key,
                    "errors": {"external_id": {"code": duplicate_code, "message": message}},
                }
            )
            continue
        if key is not None:
            seen[key] = index
        clean.append(item)
    return clean, errors


def invalid_items_response(errors: list[dict[str, Any]], total: int) -> Response:
    """400 with every bad item: the request wrote nothing."""
    return Response(
        {
            "message": _("%(n)d of %(total)d items are invalid; nothing was saved.")
            % {"n": len(errors), "total": total},
            "code": "invalid",
            "extra": {"items": errors},
        },
        status=status.HTTP_400_BAD_REQUEST,
    )
