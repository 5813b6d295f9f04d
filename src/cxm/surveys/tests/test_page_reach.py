"""Drop-off per page: arrivals on each page are counted as respondents go forward, and the
per-survey results show how many left on each page."""

import re

import pytest
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.customers.tests.factories import CustomerFactory
from cxm.surveys import services
from cxm.surveys.models import SurveyPageReach

pytestmark = pytest.mark.django_db


def _state(html: str) -> str:
    match = re.search(r'name="state" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_arrivals_are_counted_forward_only_and_shown_as_drop_off(client, client_for, nps_survey):
    links = [
        reverse(
            "survey_public:invitation",
            args=[
                services.invitation_create(
                    survey=nps_survey, customer=CustomerFactory.create()
                ).token
            ],
        )
        for _ in range(3)
    ]
    pages = [client.get(link).content.decode() for link in links]  # three arrive on page 1
    # One answers wrongly first (no count), then goes on; another goes on; the third leaves.
    client.post(links[0], {"state": _state(pages[0]), "page": 1, "nps": "11"})
    second = [
        client.post(link, {"state": _state(html), "page": 1, "nps": "3"}).content.decode()
        for link, html in zip(links[:2], pages[:2], strict=True)
    ]
    # Going back from page 2 is not an arrival on page 1.
    client.post(links[1], {"state": _state(second[1]), "page": 2, "back": "1"})
    response = client.post(links[0], {"state": _state(second[0]), "page": 2, "reason": "slow"})
    assert response.status_code == 302  # submitted

    reach = {r.page: r.reached for r in SurveyPageReach.objects.filter(survey=nps_survey)}
    assert reach == {1: 3, 2: 2}
    html = (
        client_for(Role.VIEWER)
        .get(reverse("analytics:survey-results", args=[nps_survey.pk]))
        .content.decode()
    )
    table = html[html.index('id="h-drop"') : html.index("</table>", html.index('id="h-drop"'))]
    cells = re.findall(r'<td class="num">([^<]+)</td>', table)
    # page 1: 3 reached, 2 went on, 1 left (33.3%); page 2: 2 reached, 1 sent, 1 left (50%)
    assert cells == ["3", "2", "1 (33.3%)", "2", "1", "1 (50.0%)"]
