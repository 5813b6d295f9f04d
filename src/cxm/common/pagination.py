"""Pagination that stays fast on tables with millions of rows.

An exact COUNT(*) over a large filtered table dominates a list request. Counting over a
LIMITed subquery caps that cost; past the cap the count is shown as "N+".
"""

from collections import OrderedDict
from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 100_000


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `COUNT_CAP` (+1 to know it was capped)."""

    count_cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        object_list: Any = self.object_list
        if hasattr(object_list, "query"):
            return int(object_list[: self.count_cap + 1].count())
        return len(object_list)

    @property
    def count_capped(self) -> bool:
        return self.count > self.count_cap


class DefaultPagination(PageNumberPagination):
    """`?page=N&page_size=M` (at most 500), with `count_capped` when the count was capped."""

    django_paginator_class = CappedPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        paginator = self.page.paginator
        return Response(
            OrderedDict(
                [
                    ("count", min(paginator.count, COUNT_CAP)),
                    ("count_capped", getattr(paginator, "count_capped", False)),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        base = super().get_paginated_response_schema(schema)
        base["properties"]["count_capped"] = {"type": "boolean"}
        return base
