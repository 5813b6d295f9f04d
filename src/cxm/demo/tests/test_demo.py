import random
from io import StringIO

import pytest
from django.core.management import call_command

from cxm.accounts.models import User
from cxm.accounts.roles import Role
from cxm.customers.models import Customer
from cxm.demo.organisation import SEED, _customer_row

pytestmark = pytest.mark.django_db


def test_demo_loads_once_with_every_role():
    out = StringIO()
    call_command("demo", customers=300, stdout=out)
    assert "Demo loaded" in out.getvalue()
    assert User.objects.count() == 50
    assert {u.role for u in User.objects.all()} == {r.value for r in Role}
    assert Customer.objects.count() == 300
    languages = set(Customer.objects.values_list("preferred_language", flat=True))
    assert languages == {"fa", "ar", "hu", "en"}
    from cxm.journeys.models import Journey, PainPoint

    assert Journey.objects.exists() and PainPoint.objects.exists()

    again = StringIO()
    call_command("demo", customers=300, stdout=again)
    assert "already loaded" in again.getvalue()
    assert User.objects.count() == 50 and Customer.objects.count() == 300
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("opencxm-demo")


def test_demo_rows_are_deterministic():
    first = [_customer_row(random.Random(SEED), n) for n in range(1, 50)]
    second = [_customer_row(random.Random(SEED), n) for n in range(1, 50)]
    assert first == second


def test_print_login():
    out = StringIO()
    call_command("demo", print_login=True, stdout=out)
    assert "admin / opencxm-demo" in out.getvalue()
    assert not User.objects.exists()
