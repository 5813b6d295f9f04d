"""`__any`: the same rows as `__in`, with one parameter (SQLite and PostgreSQL)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cxm.customers.models import Customer


@pytest.mark.django_db
def test_any_matches_in_for_ids_and_text():
    customers = Customer.objects.bulk_create(
        [Customer(name=f"C{i}", external_id=f"E-{i}") for i in range(50)]
    )
    ids = [c.pk for c in customers[::3]] + [10**9]  # one id that does not exist
    assert set(Customer.objects.filter(pk__any=ids).values_list("pk", flat=True)) == set(
        Customer.objects.filter(pk__in=ids).values_list("pk", flat=True)
    )
    codes = ["E-1", "E-7", "nope", "E-49"]
    found = set(
        Customer.objects.filter(external_id__any=codes).values_list("external_id", flat=True)
    )
    assert found == {"E-1", "E-7", "E-49"}
    assert not Customer.objects.filter(pk__any=[]).exists()


@pytest.mark.django_db
def test_any_sends_one_parameter_for_ten_thousand_values():
    ids = list(range(1, 10_001))
    with CaptureQueriesContext(connection) as queries:
        list(Customer.objects.filter(pk__any=ids).values_list("pk", flat=True))
    sql = queries.captured_queries[-1]["sql"]
    assert "json_each" in sql or "ANY" in sql
