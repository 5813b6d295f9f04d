"""A real browser (Debian's Chromium driven by Playwright) walks the main path of a Persian user.

Sign in, switch the language to Persian in the top bar, see a right-to-left page with today's
Jalali date and Persian digits, find a customer by typing Arabic letter forms, and open the
customer 360 page with its timeline. A screenshot of each step lands in test-artifacts/.

`make test` installs Chromium through apt-get when it can (scripts/ensure_chromium.py); without
/usr/bin/chromium these tests skip and say why.
"""

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import jdatetime
import pytest
from django.utils import timezone

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
LATIN_DIGIT = re.compile(r"[0-9]")
PERSIAN_DIGIT = re.compile(r"[۰-۹]")
PASSWORD = "pw-Secret-123"
# .ci/run sets CXM_REQUIRE_BROWSER=1: there a missing Chromium fails instead of skipping.
REQUIRED = os.environ.get("CXM_REQUIRE_BROWSER", "") not in ("", "0")
MISSING = f"{CHROMIUM} is missing (install Debian's chromium: apt-get install chromium)"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [
    pytest.mark.browser,
    # One Chromium at a time: on a 2-core CI machine two would starve each other.
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(not CHROMIUM.exists() and not REQUIRED, reason=MISSING),
]


def jalali_today_in_persian_digits(day: dt.date) -> str:
    return jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d").translate(PERSIAN_DIGITS)


@pytest.fixture
def browser_page(monkeypatch):
    """A Chromium page (English browser locale), closed after the test.

    Playwright's sync API runs an event loop in the test's thread, which makes Django's
    async-safety check refuse ORM calls there; the test only touches the ORM outside the
    browser's work, so the check is lifted for this test alone (not for the whole worker).
    """
    if not CHROMIUM.exists():
        pytest.fail(MISSING + "; CXM_REQUIRE_BROWSER is set")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(20_000)
            yield page
        finally:
            browser.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_persian_user_signs_in_sees_rtl_jalali_and_finds_customer(live_server, browser_page):
    from cxm.accounts.models import User
    from cxm.accounts.roles import Role
    from cxm.customers.models import Customer
    from cxm.customers.services import customer_save

    User.objects.create_user(username="admin", password=PASSWORD, role=Role.ADMINISTRATOR)
    customer = customer_save(
        customer=Customer(external_id="C-1001", name="کیمیا یزدانی‌کرمانی", phone="+989121234567"),
        source="test",
    )
    page = browser_page
    expect = sync_api.expect
    broken: list[str] = []  # stylesheets, scripts, fonts the page could not load

    def note_failure(response: Any) -> None:
        if response.status >= 400:
            broken.append(f"{response.status} {response.url}")

    page.on("response", note_failure)

    # 1. Sign in through the form (the browser says it prefers English).
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    expect(page.locator("#lang-switch")).to_be_visible()
    assert page.locator("html").get_attribute("dir") == "ltr"

    # 2. Switch to Persian with the language menu in the top bar.
    day_before = timezone.localdate()
    with page.expect_navigation():
        page.select_option("#lang-switch", "fa")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fa")
    expect(html).to_have_attribute("dir", "rtl")

    # 3. The dashboard shows today's Jalali date and counts in Persian digits.
    page.goto(f"{live_server.url}/")
    today = page.locator("time.today").inner_text().strip()
    expected = {jalali_today_in_persian_digits(d) for d in (day_before, timezone.localdate())}
    assert today in expected, f"dashboard date {today!r}, expected one of {expected}"
    kpis = page.locator(".kpi .value").all_inner_texts()
    # Tiles without data show "—"; every number shown is in Persian digits.
    assert any(PERSIAN_DIGIT.search(k) for k in kpis), kpis
    assert not any(LATIN_DIGIT.search(k) for k in kpis), kpis
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px Vazirmatn', 'سلام')"), "Vazirmatn not loaded"
    shot(page, "1-dashboard-fa")

    # 4. The customer list finds "کیمیا" typed with the Arabic forms ي and ك.
    page.goto(f"{live_server.url}/customers/")
    expect(html).to_have_attribute("dir", "rtl")
    page.fill("input[name=q]", "كيميا يزداني")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    link = page.locator("table a", has_text=customer.name)
    expect(link).to_have_count(1)
    shot(page, "2-customer-search-fa")

    # 5. The customer 360 page shows the profile and the timeline.
    with page.expect_navigation():
        link.click()
    assert page.url.rstrip("/").endswith(f"/customers/{customer.pk}")
    expect(page.locator("h1")).to_contain_text(customer.name)
    events = page.locator("ol.timeline li.event")
    expect(events.first).to_be_visible()
    stamp = events.first.locator("time").inner_text()
    assert PERSIAN_DIGIT.search(stamp) and not LATIN_DIGIT.search(stamp), stamp
    shot(page, "3-customer-360-fa")
    assert not broken, f"resources that failed to load: {broken}"


@pytest.mark.django_db(transaction=True)
def test_customer_answers_a_persian_survey_on_a_phone(live_server, browser_page):
    """A customer opens a personal Persian NPS link on a phone-sized screen, answers the
    score and the reason right to left, and sends; the comment reaches the dashboard, and
    the same link cannot send a second response."""
    from cxm.accounts.models import User
    from cxm.accounts.roles import Role
    from cxm.customers.models import Customer
    from cxm.customers.services import customer_save
    from cxm.surveys import services
    from cxm.surveys.models import Response, SurveyStatus

    User.objects.create_user(username="reader", password=PASSWORD, role=Role.VIEWER)
    customer = customer_save(
        customer=Customer(external_id="C-7", name="نرگس", preferred_language="fa"), source="test"
    )
    survey = services.survey_create_from_template(
        template="relationship_nps", name="NPS", languages=["fa", "en"]
    )
    survey.edit_window_hours = 0  # no editing afterwards: a second send must be refused
    services.survey_update(survey=survey)
    services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)
    invitation = services.invitation_create(survey=survey, customer=customer)
    link = f"{live_server.url}/s/{invitation.token}/"

    page = browser_page
    expect = sync_api.expect
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "fa")
    score = page.locator("label[for='q-nps-3']")
    expect(score).to_contain_text("۳")  # the scale speaks Persian digits
    # Right to left: 0 sits right of 10 on the screen.
    zero, ten = (page.locator(f"label[for='q-nps-{v}']").bounding_box() for v in (0, 10))
    assert zero and ten and zero["x"] > ten["x"], (zero, ten)
    shot(page, "survey-1-score")
    score.click()
    page.locator("button.primary").click()
    reason = page.locator("textarea")
    expect(reason).to_be_visible()
    reason.fill("پیک دیر رسید <b>و</b> غذا سرد بود")
    shot(page, "survey-2-reason")
    page.locator("button.primary").click()
    page.wait_for_url("**/thanks/**")
    shot(page, "survey-3-thanks")

    response = Response.objects.get(invitation=invitation)
    assert {a.question.key: a.number_value for a in response.answers.select_related("question")}[
        "nps"
    ] == 3

    # Everybody reads the comment on the dashboard, escaped.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "reader")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    page.goto(f"{live_server.url}/dashboard/")
    comments = page.locator("ul.comments")
    expect(comments).to_contain_text("پیک دیر رسید <b>و</b> غذا سرد بود")
    shot(page, "survey-4-dashboard")

    # The same link cannot send again.
    again = page.goto(link)
    assert again is not None and again.status == 409
    expect(page.locator("form")).to_have_count(0)
    shot(page, "survey-5-again")
    assert Response.objects.filter(invitation=invitation).count() == 1
