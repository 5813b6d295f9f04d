import pytest
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.customers.models import Customer, CustomerEvent
from cxm.customers.tests.factories import CustomerFactory


def make_customer(**kwargs) -> Customer:
    return CustomerFactory(**kwargs)  # type: ignore[return-value]


pytestmark = pytest.mark.django_db


def test_list_search_treats_arabic_and_persian_letters_alike(client_for):
    CustomerFactory(name="علی کریمی")
    CustomerFactory(name="Szabó Péter")
    client = client_for(Role.AGENT)
    page = client.get(reverse("customers:list"), {"q": "علي كريمي"})
    assert page.status_code == 200
    assert "علی کریمی" in page.text
    assert "Szabó" not in page.text
    page = client.get(reverse("customers:list"), {"q": "szabo"})
    assert "Szabó Péter" in page.text


def test_viewer_reads_list_but_not_contacts_and_cannot_create(client_for):
    CustomerFactory(name="Sara", phone="+989121234567")
    client = client_for(Role.VIEWER)
    page = client.get(reverse("customers:list"))
    assert page.status_code == 200 and "Sara" in page.text
    assert "+989121234567" not in page.text
    assert client.get(reverse("customers:create")).status_code == 403
    assert (
        client.post(reverse("customers:create"), {"name": "x", "external_id": "1"}).status_code
        == 403
    )
    assert not Customer.objects.filter(external_id="1").exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("customers:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_create_normalises_phone_and_records_timeline(client_for):
    client = client_for(Role.AGENT)
    response = client.post(
        reverse("customers:create"),
        {
            "external_id": "A-1",
            "name": "مریم",
            "phone": "۰۹۱۲ ۱۲۳ ۴۵۶۷",
            "lifecycle_stage": "new",
            "attributes": "{}",
        },
    )
    assert response.status_code == 302, response.content
    customer = Customer.objects.get(external_id="A-1")
    assert customer.phone == "+989121234567"
    assert CustomerEvent.objects.filter(customer=customer, kind="created").exists()
    detail = client.get(response["Location"])
    assert "Customer created" in detail.text


def test_invalid_phone_is_a_form_error_and_nothing_saved(client_for):
    client = client_for(Role.AGENT)
    response = client.post(
        reverse("customers:create"),
        {
            "external_id": "A-2",
            "name": "x",
            "phone": "12",
            "lifecycle_stage": "new",
            "attributes": "{}",
        },
    )
    assert response.status_code == 200
    assert "is not a valid phone number" in response.text
    assert not Customer.objects.filter(external_id="A-2").exists()


def test_html_in_name_is_escaped(client_for):
    customer = make_customer(name="<script>alert(1)</script>")
    client = client_for(Role.AGENT)
    for url in (reverse("customers:list"), reverse("customers:detail", args=[customer.pk])):
        text = client.get(url).text
        assert "<script>alert(1)</script>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_persian_user_sees_jalali_dates_and_rtl(client_for, make_user):
    from django.test import Client

    user = make_user(Role.AGENT, language="fa")
    client = Client()
    client.force_login(user)
    page = client.get(reverse("home"))
    assert 'dir="rtl"' in page.text and 'lang="fa"' in page.text
    import jdatetime

    today = (
        jdatetime.date.today()
        .strftime("%Y/%m/%d")
        .translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    )
    assert today in page.text


def test_consent_change_recorded_on_timeline(client_for):
    from cxm.channels.models import Channel

    customer = make_customer()
    sms = Channel.objects.get(code="sms")
    client = client_for(Role.AGENT)
    response = client.post(
        reverse("customers:consent", args=[customer.pk]),
        {"channel": sms.pk, "status": "opt_out", "source": "phone call"},
    )
    assert response.status_code == 302
    consent = customer.consents.get()
    assert consent.status == "opt_out" and consent.source == "phone call"
    detail = client.get(reverse("customers:detail", args=[customer.pk]))
    assert "Consent on SMS: Opted out" in detail.text


def test_detail_query_count_is_bounded(client_for, django_assert_max_num_queries):
    customer = make_customer()
    client = client_for(Role.AGENT)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200
