import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from cxm.customers.tests.factories import CustomerFactory
from cxm.surveys import services
from cxm.surveys.models import Answer, Response, SurveyStatus
from cxm.surveys.ratelimit import SUBMISSIONS_PER_WINDOW

pytestmark = pytest.mark.django_db


def _link(invitation):
    return reverse("survey_public:invitation", args=[invitation.token])


def _state(html: str) -> str:
    match = re.search(r'name="state" value="([^"]+)"', html)
    assert match
    return match.group(1)


def _post(client, url, html, page, **answers):
    return client.post(url, {"state": _state(html), "page": page, **answers})


@pytest.fixture
def invitation(nps_survey):
    customer = CustomerFactory.create(preferred_language="fa")
    return services.invitation_create(survey=nps_survey, customer=customer)


def test_persian_page_is_rtl_with_persian_digits_and_end_labels(client, invitation):
    response = client.get(_link(invitation))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in html
    for n, digit in enumerate("۰۱۲۳۴۵۶۷۸۹"):
        assert f'value="{n}"' in html
        assert f">{digit}" in html
    assert ">۱۰<" in html or ">۱۰" in html
    assert "<fieldset" in html and "<legend>" in html
    assert html.count('<label for="q-nps-') == 11
    assert 'class="ends"' in html
    assert "htmx" not in html


def test_language_falls_back_to_query_then_default(client, nps_survey):
    invitation = services.invitation_create(survey=nps_survey)
    html = client.get(_link(invitation) + "?lang=hu").content.decode()
    assert 'lang="hu" dir="ltr"' in html
    assert "Mennyire valószínű" in html
    html = client.get(_link(invitation)).content.decode()
    assert 'lang="fa"' in html
    english = CustomerFactory.create(preferred_language="en")
    invitation = services.invitation_create(survey=nps_survey, customer=english)
    html = client.get(_link(invitation) + "?lang=hu").content.decode()
    assert 'lang="en"' in html
    assert "Not at all likely" in html and "Extremely likely" in html


@pytest.mark.parametrize(
    ("score", "wording"),
    [
        ("10", "What do you like most about us?"),
        ("7", "What would make you give us a higher score?"),
        ("2", "We are sorry."),
    ],
)
def test_reason_wording_follows_the_nps_category(client, nps_survey, score, wording):
    invitation = services.invitation_create(survey=nps_survey, language="en")
    url = _link(invitation)
    page1 = client.get(url).content.decode()
    page2 = _post(client, url, page1, 1, nps=score)
    assert page2.status_code == 200
    assert wording in page2.content.decode()
    assert not Response.objects.exists()  # nothing saved before the last page


def test_full_flow_saves_once_and_thanks(client, invitation):
    url = _link(invitation)
    page1 = client.get(url).content.decode()
    page2 = _post(client, url, page1, 1, nps="۹").content.decode()
    assert "چه چیزی را بیش از همه در ما دوست دارید؟" in page2
    done = _post(client, url, page2, 2, reason="<script>alert(1)</script>")
    assert done.status_code == 302
    thanks = client.get(done["Location"])
    assert thanks.status_code == 200
    assert 'lang="fa"' in thanks.content.decode()
    response = Response.objects.get()
    assert response.customer == invitation.customer
    assert response.language == "fa"
    assert response.ip_hash and "127.0.0.1" not in response.ip_hash
    answers = {a.question.key: a for a in Answer.objects.select_related("question")}
    assert answers["nps"].number_value == 9 and answers["nps"].scale_max == 10
    assert answers["reason"].text_value == "<script>alert(1)</script>"
    invitation.refresh_from_db()
    assert invitation.opened_at is not None


@pytest.mark.parametrize("value", ["11", "-1", "abc", "5.5"])
def test_invalid_nps_shows_a_translated_error_and_saves_nothing(client, nps_survey, value):
    invitation = services.invitation_create(survey=nps_survey, language="en")
    url = _link(invitation)
    response = _post(client, url, client.get(url).content.decode(), 1, nps=value)
    html = response.content.decode()
    assert response.status_code == 200
    assert "from 0 to 10" in html
    assert 'role="alert"' in html
    assert not Response.objects.exists()


def test_required_nps_missing(client, nps_survey):
    invitation = services.invitation_create(survey=nps_survey, language="en")
    url = _link(invitation)
    html = _post(client, url, client.get(url).content.decode(), 1).content.decode()
    assert "Please answer this question." in html


def test_tampered_state_is_refused(client, invitation):
    url = _link(invitation)
    response = client.post(url, {"state": "x", "page": 1, "nps": 5})
    assert response.status_code == 400
    assert not Response.objects.exists()


def test_tampered_and_expired_tokens(client, invitation):
    bad = client.get(
        reverse("survey_public:invitation", args=[invitation.token + "x"]) + "?lang=en"
    )
    assert bad.status_code == 400
    assert "not valid" in bad.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        expired = client.get(_link(invitation))
    assert expired.status_code == 410
    assert 'lang="fa"' in expired.content.decode()


def _answer_all(client, url, score="8", reason="ok"):
    page1 = client.get(url).content.decode()
    page2 = _post(client, url, page1, 1, nps=score).content.decode()
    return _post(client, url, page2, 2, reason=reason)


def test_edit_within_window_then_refused_after(client, nps_survey):
    invitation = services.invitation_create(survey=nps_survey, language="en")
    url = _link(invitation)
    assert _answer_all(client, url, "3").status_code == 302
    page1 = client.get(url).content.decode()
    assert 'value="3" checked' in page1  # editing starts from the saved answers
    assert _answer_all(client, url, "10").status_code == 302
    assert Response.objects.count() == 1
    assert Answer.objects.get(question__key="nps").number_value == 10
    with time_machine.travel(timezone.now() + dt.timedelta(hours=30)):
        again = client.get(url)
        assert again.status_code == 409
        assert "already answered" in again.content.decode()
    assert Response.objects.count() == 1


def test_closed_survey(client, nps_survey):
    services.survey_set_status(survey=nps_survey, status=SurveyStatus.CLOSED)
    url = reverse("survey_public:public", args=[nps_survey.public_slug])
    assert client.get(url).status_code == 410


def test_anonymous_link_with_hidden_fields(client, csat_survey):
    url = reverse("survey_public:public", args=[csat_survey.public_slug])
    page = client.get(url + "?order_id=ORD-7&lang=en").content.decode()
    assert "How satisfied" in page
    assert "Very dissatisfied" in page and "Very satisfied" in page
    done = _post(client, url, page, 1, csat="5", comment="<b>great</b>")
    assert done.status_code == 302
    assert Response.objects.get().hidden == {"order_id": "ORD-7"}


def test_rate_limit_returns_429(client, csat_survey):
    url = reverse("survey_public:public", args=[csat_survey.public_slug])
    page = client.get(url + "?lang=en").content.decode()
    for _ in range(SUBMISSIONS_PER_WINDOW):
        assert _post(client, url, page, 1, csat="4").status_code == 302
    blocked = _post(client, url, page, 1, csat="4")
    assert blocked.status_code == 429
    assert 'lang="en"' in blocked.content.decode()
    assert Response.objects.count() == SUBMISSIONS_PER_WINDOW


def test_answers_are_escaped_where_shown(client, nps_survey, admin_user):
    invitation = services.invitation_create(survey=nps_survey, language="en")
    url = _link(invitation)
    _answer_all(client, url, "9", '<img src=x onerror="alert(1)">')
    page1 = client.get(url).content.decode()
    page2 = _post(client, url, page1, 1, nps="9").content.decode()
    assert "<img src=x" not in page2
    assert "&lt;img src=x" in page2


def test_persian_page_weighs_under_100_kb(client, invitation):
    html = client.get(_link(invitation)).content
    total = len(html)
    for ref in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html) + re.findall(
        rb'url\("(/static/[^"]+)"\)', html
    ):
        path = finders.find(ref.decode().removeprefix("/static/"))
        assert path, ref
        total += Path(path).stat().st_size
    assert b"<script" not in html
    assert total < 100_000, total


def test_page_uses_few_queries(client, invitation, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client.get(_link(invitation)).status_code == 200


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.9", "", [], "203.0.113.9"),
        # no trusted proxy configured: a client's own header is ignored
        ("203.0.113.9", "1.2.3.4", [], "203.0.113.9"),
        # behind the trusted proxy: the nearest untrusted hop
        ("10.0.0.5", "198.51.100.7", ["10.0.0.0/8"], "198.51.100.7"),
        # a spoofed first hop is skipped: only hops added by trusted proxies are peeled off
        ("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.0.9", ["10.0.0.0/8"], "198.51.100.7"),
        # a peer that is not a trusted proxy: its header is not believed
        ("198.51.100.8", "1.2.3.4", ["10.0.0.0/8"], "198.51.100.8"),
    ],
)
def test_client_ip_trusts_forwarded_for_only_from_trusted_proxies(
    rf, settings, peer, forwarded, trusted, expected
):
    from cxm.surveys.ratelimit import client_ip

    settings.CXM_TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
