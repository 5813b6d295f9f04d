"""Pagination that stays fast on tables with millions of rows.

An exact COUNT(*) over a large filtered table dominates a list request. Counting over a
LIMITed subquery caps that cost; past the cap the count is shown as "N+".

A filter that matches few rows (a search for one phone number) is the other trap: PostgreSQL
cannot estimate `LIKE '%…%'` below ~0.01% of the table, so for `ORDER BY id DESC LIMIT 50`
it walks the primary key backwards hoping to meet matches soon, and for an old customer it
reads the whole table. Once the count says the rows are few, the page is fetched by key.
"""

from collections import OrderedDict
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 100_000
FEW_ROWS = 5_000


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `COUNT_CAP` (+1 to know it was capped)."""

    count_cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        object_list: Any = self.object_list
        if hasattr(object_list, "query"):
            # The order does not change how many rows there are, and without it the
            # database may stop at the cap instead of sorting every match.
            return int(object_list.order_by()[: self.count_cap + 1].count())
        return len(object_list)

    def page(self, number: Any) -> Any:
        """Like Paginator.page; when the query matches at most FEW_ROWS rows, read their
        keys in order without a LIMIT (so the database collects the matches through their
        index and sorts them) and then the page's rows by key."""
        object_list: Any = self.object_list
        if not hasattr(object_list, "query") or not 0 < self.count <= FEW_ROWS:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(object_list.prefetch_related(None).values_list("pk", flat=True))[bottom:top]
        return Page(object_list.filter(pk__in=keys), number, self)

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
