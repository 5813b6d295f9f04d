"""Close the loop in a real browser: a detractor's answer opens a case, an agent replies and
resolves it in the case page, the follow-up CSAT reaches the customer, who answers it, and
the answer is linked to the case.

Runs with the suite's immediate task backend: the background tasks (feedback rules, the
reply's delivery, the post-resolution survey) run as soon as their transaction commits.
"""

import re

import pytest
from django.core import mail

from tests.browser.test_browser_smoke import CHROMIUM, MISSING, PASSWORD, REQUIRED, shot

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not CHROMIUM.exists() and not REQUIRED, reason=MISSING),
]


@pytest.fixture
def browser_page(monkeypatch):
    from tests.browser.test_browser_smoke import CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.fail(MISSING + "; CXM_REQUIRE_BROWSER is set")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
            yield page.new_page()
        finally:
            browser.close()


def _answer_survey(page, url: str, score_key: str, score: int, comment: str) -> None:
    page.goto(url)
    page.locator(f"label[for='q-{score_key}-{score}']").click()
    page.locator("button.primary").click()
    textarea = page.locator("textarea")
    if textarea.count():
        textarea.first.fill(comment)
        page.locator("button.primary").click()
    page.wait_for_url("**/thanks/**")


@pytest.mark.django_db(transaction=True)
def test_detractor_answer_opens_case_agent_resolves_and_csat_is_linked(
    live_server, browser_page, settings
):
    from cxm.accounts.models import Team, Unit, User
    from cxm.accounts.roles import Role
    from cxm.cases.defaults import load_defaults, load_feedback_rule_defaults
    from cxm.cases.models import ActivityKind, Case, CaseType, StatusCategory
    from cxm.channels.models import Channel
    from cxm.customers.models import Customer
    from cxm.surveys import services
    from cxm.surveys.models import Invitation, Response, SurveyKind, SurveyStatus

    # The call-back survey after a case skips the contact budget (the customer has just
    # answered the NPS survey, which would otherwise quarantine them).
    # Rows of data migrations: an earlier transactional test may have flushed them.
    Channel.objects.get_or_create(code="email", defaults={"kind": "email", "can_send": True})
    load_defaults()
    settings.CXM_BUDGET_EXEMPT_SURVEY_KINDS = ["follow_up"]
    settings.CXM_QUIET_HOURS = ""
    unit = Unit.objects.create(name="Care", code="care")
    team = Team.objects.create(name="Complaints", unit=unit)
    User.objects.create_user(
        username="agent", password=PASSWORD, role=Role.AGENT, team=team, language="en"
    )
    customer = Customer.objects.create(
        name="Narges Karimi", email="narges@example.com", preferred_language="en"
    )
    nps = services.survey_create_from_template(
        template="relationship_nps", name="Relationship NPS", languages=["en"]
    )
    services.survey_set_status(survey=nps, status=SurveyStatus.ACTIVE)
    csat = services.survey_create_from_template(
        template="touchpoint_csat", name="After your case", languages=["en"]
    )
    csat.kind = SurveyKind.FOLLOW_UP
    services.survey_update(survey=csat)
    services.survey_set_status(survey=csat, status=SurveyStatus.ACTIVE)
    load_feedback_rule_defaults()  # NPS <= 6 -> detractor follow-up
    followup_type = CaseType.objects.get(code="detractor_followup")
    followup_type.followup_survey = csat
    followup_type.default_team = team
    followup_type.save()
    invitation = services.invitation_create(survey=nps, customer=customer)

    page = browser_page
    expect = sync_api.expect

    # 1. The customer answers 3 with a comment: the feedback rule opens a case.
    _answer_survey(page, f"{live_server.url}/s/{invitation.token}/", "nps", 3, "Late again")
    case = Case.objects.get(source_response__invitation=invitation)
    assert case.type == followup_type and case.customer == customer
    assert case.assignee is not None and case.assignee.username == "agent"
    shot(page, "cases-1-answered")

    # 2. The agent signs in, finds the case in the list and opens it.
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    page.goto(f"{live_server.url}/cases/")
    page.locator(f"a[href='/cases/{case.pk}/']").first.click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    expect(page.locator("main")).to_contain_text("Late again")
    shot(page, "cases-2-case")

    # 3. Reply and resolve in one go: the reply goes out by e-mail, the case is resolved.
    page.locator("form[action$='/reply/'] textarea").fill("Sorry! The courier was replaced.")
    resolve = page.locator("form[action$='/reply/'] button[value='resolved']")
    with page.expect_navigation():
        resolve.click()
    case.refresh_from_db()
    assert case.status_category == StatusCategory.RESOLVED
    assert case.first_responded_on is not None
    shot(page, "cases-3-resolved")
    to_customer = [m for m in mail.outbox if m.to == ["narges@example.com"]]
    assert any("The courier was replaced" in m.body for m in to_customer)

    # 4. The follow-up CSAT went to the customer, with a link; they answer it.
    followup = Invitation.objects.get(survey=csat, customer=customer)
    assert followup.hidden.get("case") == str(case.pk) and followup.sent_at is not None
    body = next(str(m.body) for m in to_customer if "/s/" in str(m.body))
    link = re.search(r"https?://\S+/s/\S+/", body)
    assert link is not None
    _answer_survey(page, f"{live_server.url}/s/{followup.token}/", "csat", 5, "Thank you")
    shot(page, "cases-4-csat")

    # 5. The answer is linked to the case (and, being good, leaves it resolved).
    answer = Response.objects.get(invitation=followup)
    linked = case.activities.get(kind=ActivityKind.SURVEY_ANSWERED)
    assert linked.data["response"] == answer.pk
    case.refresh_from_db()
    assert case.status_category == StatusCategory.RESOLVED
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    shot(page, "cases-5-linked")
