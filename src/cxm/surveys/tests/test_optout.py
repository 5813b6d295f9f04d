"""The opt-out link: a signed token, a confirmation page, the opt-out recorded once."""

import pytest

from cxm.customers.models import ChannelConsent, ConsentStatus, CustomerEvent
from cxm.surveys.optout import (
    InvalidOptOutToken,
    optout_token,
    optout_url,
    read_optout_token,
)
from cxm.surveys.tests.distribution_helpers import channel, make_customer

pytestmark = pytest.mark.django_db


def _path(customer, code="email") -> str:
    return f"/s/optout/{optout_token(customer=customer, channel=channel(code))}/"


def test_token_round_trip_and_tampering():
    customer = make_customer()
    token = optout_token(customer=customer, channel=channel("sms"))
    assert read_optout_token(token) == (customer.pk, "sms")
    assert len(token) < 30  # short enough for an SMS
    for bad in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        token.replace(".sms.", ".email."),
        "x",
        "",
    ):
        with pytest.raises(InvalidOptOutToken):
            read_optout_token(bad)


def test_url_uses_the_public_site(settings):
    settings.CXM_PUBLIC_URL = "https://cx.example.com/"
    customer = make_customer()
    assert optout_url(customer=customer, channel=channel("email")).startswith(
        "https://cx.example.com/s/optout/"
    )


def test_get_asks_in_the_customer_language(client):
    customer = make_customer(preferred_language="en")
    response = client.get(_path(customer))
    assert response.status_code == 200
    assert b"Opt out of all channels" in response.content
    assert not ChannelConsent.objects.exists()  # a GET (link preview, scanner) changes nothing


def test_persian_page_is_right_to_left(client):
    customer = make_customer(preferred_language="fa")
    response = client.get(_path(customer))
    assert 'dir="rtl"' in response.content.decode()


def test_post_opts_out_of_the_channel(client):
    customer = make_customer(preferred_language="en")
    response = client.post(_path(customer), {"scope": "channel"})
    assert response.status_code == 200
    consent = ChannelConsent.objects.get(customer=customer)
    assert consent.channel.code == "email" and consent.status == ConsentStatus.OPT_OUT
    assert consent.source == "opt-out link"
    assert CustomerEvent.objects.filter(customer=customer, kind="consent").count() == 1
    client.post(_path(customer), {"scope": "channel"})  # twice: no second event
    assert CustomerEvent.objects.filter(customer=customer, kind="consent").count() == 1


def test_post_all_channels(client):
    customer = make_customer(preferred_language="en")
    response = client.post(_path(customer, "sms"), {"scope": "all"})
    assert b"any channel" in response.content
    codes = set(
        ChannelConsent.objects.filter(customer=customer, status="opt_out").values_list(
            "channel__code", flat=True
        )
    )
    assert {"email", "sms", "telegram"} <= codes


def test_tampered_token_is_refused(client):
    customer = make_customer()
    path = _path(customer)
    tampered = path.replace(
        f"/{optout_token(customer=customer, channel=channel('email'))[:2]}", "/zz", 1
    )
    assert client.get(tampered).status_code == 400
    assert client.post(tampered, {"scope": "all"}).status_code == 400
    assert client.get("/s/optout/nonsense/").status_code == 400
    assert not ChannelConsent.objects.exists()


def test_unknown_customer_is_refused(client):
    customer = make_customer()
    path = _path(customer)
    customer.delete()
    assert client.get(path).status_code == 400
