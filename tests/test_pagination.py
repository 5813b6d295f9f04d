"""CappedPaginator: capped counts, and pages of few matches read by key in the right order."""

import pytest

from cxm.common import pagination
from cxm.common.pagination import CappedPaginator
from cxm.customers.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    rows = [
        Customer(external_id=f"P-{i:03d}", name=f"Name {i}", search_text=f"name {i}")
        for i in range(1, 31)
    ]
    Customer.objects.bulk_create(rows)
    return Customer.objects.order_by("-id")


def test_pages_of_few_rows_are_read_by_key_in_order(customers, django_assert_num_queries):
    paginator = CappedPaginator(customers, 7)
    expected = list(customers.values_list("external_id", flat=True))
    assert paginator.count == 30
    seen = []
    for number in paginator.page_range:
        with django_assert_num_queries(2):  # the keys, then the rows
            seen += [c.external_id for c in paginator.page(number)]
    assert seen == expected


def test_many_rows_take_the_ordinary_path(customers, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(pagination, "FEW_ROWS", 10)
    paginator = CappedPaginator(customers, 7)
    assert paginator.count == 30
    with django_assert_num_queries(1):
        page = list(paginator.page(2))
    assert [c.external_id for c in page] == list(
        customers.values_list("external_id", flat=True)[7:14]
    )


def test_count_is_capped(customers, monkeypatch):
    paginator = CappedPaginator(customers, 7)
    paginator.count_cap = 20
    assert paginator.count == 21
    assert paginator.count_capped


def test_empty_result_and_orphans(customers):
    assert list(CappedPaginator(customers.filter(name="nobody"), 7).page(1)) == []
    paginator = CappedPaginator(customers, 7, orphans=2)  # 30 = 7+7+7+9
    assert paginator.num_pages == 4
    assert len(paginator.page(4)) == 9
