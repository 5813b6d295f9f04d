"""The public referral link, the referrals page, the rules and the conversion API."""

import pytest
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.referrals import services
from cxm.referrals.models import ReferralConversion, ReferralInviteRule, ReferralVisit

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(make_customer):
    return services.referral_for(
        customer=make_customer(name="Nima", email="nima@example.com", preferred_language="fa")
    )


# ---------------------------------------------------------------------------- landing


def test_landing_records_a_visit_and_redirects_with_the_code(client, referral, settings):
    settings.CXM_REFERRAL_TARGET_URL = "https://shop.example.com/signup?utm=cx"
    response = client.get(f"/r/{referral.code}/", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    assert response["Location"] == f"https://shop.example.com/signup?utm=cx&ref={referral.code}"
    visit = ReferralVisit.objects.get()
    assert visit.referral == referral
    assert visit.ip_hash and "203.0.113.7" not in visit.ip_hash

    # A reload from the same address is not a second visit; another address is.
    client.get(f"/r/{referral.code}/", REMOTE_ADDR="203.0.113.7")
    client.get(f"/r/{referral.code}/", REMOTE_ADDR="198.51.100.9")
    assert ReferralVisit.objects.count() == 2


def test_without_target_a_welcome_page_in_the_promoters_language(client, referral, settings):
    settings.CXM_REFERRAL_TARGET_URL = ""
    response = client.get(f"/r/{referral.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="fa"' in html and 'dir="rtl"' in html
    assert referral.code in html
    assert ReferralVisit.objects.count() == 1

    english = client.get(f"/r/{referral.code}/?lang=en").content.decode()
    assert 'lang="en"' in english and "A friend invited you" in english


def test_unknown_code_is_a_clear_404_and_no_visit(client, db):
    response = client.get("/r/nope2345/?lang=en")
    assert response.status_code == 404
    assert "This link is not valid" in response.content.decode()
    assert not ReferralVisit.objects.exists()


# ---------------------------------------------------------------------------- page


def test_referrals_page_needs_sign_in(client, db):
    response = client.get(reverse("referrals:index"))
    assert response.status_code == 302


def test_referrals_page_shows_figures_and_contacts_only_with_the_capability(
    client_for, referral, make_customer
):
    friend = make_customer()
    services.referral_visit_record(referral=referral)
    services.referral_convert(code=referral.code, customer=friend)

    viewer = client_for(Role.VIEWER).get(reverse("referrals:index"))
    assert viewer.status_code == 200
    html = viewer.content.decode()
    assert "Nima" in html and referral.code in html
    assert "nima@example.com" not in html
    assert reverse("referrals:rule-list") not in html
    top = viewer.context["top"]
    assert [(r.pk, r.period_visits, r.period_conversions) for r in top] == [(referral.pk, 1, 1)]
    assert viewer.context["figures"].conversions == 1
    assert viewer.context["figures"].conversion_rate == pytest.approx(100.0)

    manager = client_for(Role.CX_MANAGER).get(reverse("referrals:index"))
    assert "nima@example.com" in manager.content.decode()


def test_rules_are_changed_only_with_cases_manage(client_for, db):
    url = reverse("referrals:rule-create")
    data = {"name": "Promoters", "is_active": "on", "position": "0", "review_url": ""}
    assert client_for(Role.AGENT).post(url, data).status_code == 403
    response = client_for(Role.CX_MANAGER).post(url, data)
    assert response.status_code == 302
    assert ReferralInviteRule.objects.get().name == "Promoters"
    assert client_for(Role.VIEWER).get(reverse("referrals:rule-list")).status_code == 200


# ---------------------------------------------------------------------------- API

CONVERT = "/api/v1/referrals/convert/"


def test_convert_api_is_idempotent_and_accepts_an_external_id(api_for, referral, make_customer):
    friend = make_customer(external_id="CRM-77")
    api = api_for(Role.SUPERVISOR)
    first = api.post(CONVERT, {"code": referral.code, "customer": "CRM-77"}, format="json")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["code"] == referral.code
    assert body["customer"] == friend.pk
    assert body["referrer"] == referral.customer_id
    assert body["created"] is True
    again = api.post(CONVERT, {"code": referral.code, "customer": friend.pk}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"] and again.json()["created"] is False
    assert ReferralConversion.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"code": "nope2345", "customer": "self"}, "unknown_referral_code"),
        ({"code": "<code>", "customer": "self"}, "self_referral"),
        ({"code": "<code>", "customer": "nobody-here"}, "unknown_customer"),
    ],
)
def test_convert_api_errors(api_for, referral, payload, code):
    payload = {
        "code": referral.code if payload["code"] == "<code>" else payload["code"],
        "customer": referral.customer_id if payload["customer"] == "self" else payload["customer"],
    }
    response = api_for(Role.CX_MANAGER).post(CONVERT, payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert not ReferralConversion.objects.exists()


def test_convert_api_validates_and_needs_customers_change(api_for, client, referral):
    bad = api_for(Role.ADMINISTRATOR).post(CONVERT, {"code": referral.code}, format="json")
    assert bad.status_code == 400 and "customer" in bad.json()["extra"]["fields"]
    payload = {"code": referral.code, "customer": referral.customer_id}
    assert api_for(Role.ANALYST).post(CONVERT, payload, format="json").status_code == 403
    assert client.post(CONVERT, payload, content_type="application/json").status_code in (401, 403)
