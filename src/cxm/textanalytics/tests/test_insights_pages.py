"""Emerging issues and key drivers from stored texts: the selectors against the core on the
same counts, the fire-once alerts and their notifications, the pages and the dashboard panel.
Fixtures are small texts and scores written for these tests."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.cases.models import Notification
from cxm.core import insights as core
from cxm.surveys import services as survey_services
from cxm.surveys.models import Answer, Response, SurveyStatus
from cxm.textanalytics import insight_tasks, insights
from cxm.textanalytics.models import EmergingIssueAlert, TextItem, TextItemTopic, Topic

TODAY = dt.date(2025, 3, 10)
NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)
YESTERDAY = TODAY - dt.timedelta(days=1)
_source = [0]


def add_items(day: dt.date, n: int, topics_per_item: list[list[Topic]] | None = None, **fields):
    """n texts written at noon UTC of `day`; item i mentions topics_per_item[i] (if given)."""
    rows = []
    for i in range(n):
        _source[0] += 1
        rows.append(
            TextItem(
                source_kind="imported_review",
                source_id=_source[0],
                created_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
                + dt.timedelta(seconds=i),
                text=f"comment {_source[0]}",
                redacted_text=f"comment {_source[0]}",
                language=fields.get("language", "en"),
                analysed_at=NOW,
                response=fields.get("response"),
            )
        )
    created = TextItem.objects.bulk_create(rows)
    links = []
    for i, item in enumerate(created):
        for topic in (topics_per_item or [[]] * n)[i]:
            links.append(TextItemTopic(text_item=item, topic=topic))
    TextItemTopic.objects.bulk_create(links)
    return created


@pytest.fixture
def owner(make_user):
    return make_user(Role.CX_MANAGER, username="topic-owner", email="owner@example.com")


@pytest.fixture
def history(db, owner):
    """35 days of 40 texts a day: "delivery" 2 a day, tripled to 6 a day in the last week;
    "price" steady at 3 a day; "app" never mentioned until 2 texts yesterday."""
    delivery = Topic.objects.create(code="delivery", names={"en": "Delivery"}, owner=owner)
    price = Topic.objects.create(code="price", names={"en": "Price"})
    app = Topic.objects.create(code="app", names={"en": "App"})
    for offset in range(35):
        day = YESTERDAY - dt.timedelta(days=34 - offset)
        recent = offset >= 28
        n_delivery = 6 if recent else 2
        mentions = [[delivery]] * n_delivery + [[price]] * 3
        if day == YESTERDAY:
            mentions += [[app]] * 2
        mentions += [[]] * (40 - len(mentions))
        add_items(day, 40, mentions)
    # Texts outside the window count for nothing.
    add_items(TODAY, 50, [[delivery]] * 50)
    return {"delivery": delivery, "price": price, "app": app}


def test_daily_counts_are_utc_days(history):
    dates, totals, counts = insights.daily_topic_counts(last_day=YESTERDAY, days=35)
    assert dates[0] == YESTERDAY - dt.timedelta(days=34) and dates[-1] == YESTERDAY
    assert totals == [40] * 35
    assert counts[history["delivery"].pk] == [2] * 28 + [6] * 7
    assert counts[history["app"].pk] == [0] * 34 + [2]
    # An inactive topic is left out.
    history["price"].is_active = False
    history["price"].save()
    assert history["price"].pk not in insights.daily_topic_counts(last_day=YESTERDAY, days=35)[2]


def test_emerging_issues_match_the_core_on_the_same_counts(history):
    with time_machine.travel(NOW):
        rows = {row.topic.code: row.issue for row in insights.emerging_issues()}
    delivery = rows["delivery"]
    assert delivery.emerging and delivery.rate_ratio == pytest.approx(3.0)
    assert (delivery.recent_count, delivery.recent_total) == (42, 280)
    assert (delivery.baseline_count, delivery.baseline_total) == (56, 1120)
    assert delivery.p_value == pytest.approx(
        core.poisson_rate_increase_test(42, 280, 56, 1120), rel=1e-12
    )
    assert not rows["price"].emerging and rows["price"].rate_ratio == pytest.approx(1.0)
    assert rows["app"].reason == "low_volume" and rows["app"].new


def test_alerts_fire_once_per_issue_and_window(history, owner):
    with time_machine.travel(NOW):
        first = insights.emerging_issue_alerts_send()
        again = insights.emerging_issue_alerts_send()
    assert [a.topic.code for a in first] == ["delivery"] and again == []
    alert = EmergingIssueAlert.objects.get()
    assert (alert.recent_days, alert.last_day, alert.recent_count) == (7, YESTERDAY, 42)
    assert alert.rate_ratio == pytest.approx(3.0) and alert.q_value is not None
    notes = list(Notification.objects.filter(kind="emerging_issue"))
    assert [n.user_id for n in notes] == [owner.pk]
    assert "Delivery" in notes[0].text and "42" in notes[0].text
    # The next day the same rise is still running in an overlapping window: no new alert.
    with time_machine.travel(NOW + dt.timedelta(days=1)):
        assert insights.emerging_issue_alerts_send() == []
    assert Notification.objects.filter(kind="emerging_issue").count() == 1
    # A window that no longer overlaps the alerted one is a new issue: today's 50 texts all
    # mention delivery, so the week ending 7 days after the alerted one is alerted again.
    later = insights.emerging_issue_alerts_send(last_day=YESTERDAY + dt.timedelta(days=7))
    assert [a.last_day for a in later] == [YESTERDAY + dt.timedelta(days=7)]
    assert Notification.objects.filter(kind="emerging_issue").count() == 2


def test_a_topic_without_owner_is_recorded_but_nobody_is_told(history):
    history["delivery"].owner = None
    history["delivery"].save()
    with time_machine.travel(NOW):
        assert len(insights.emerging_issue_alerts_send()) == 1
    assert not Notification.objects.filter(kind="emerging_issue").exists()


def test_daily_job_is_registered_and_runs(history, owner):
    from cxm.common.scheduler import periodic_jobs

    jobs = {job.name: job for job in periodic_jobs()}
    job = jobs["textanalytics.emerging_issues"]
    assert job.every == dt.timedelta(days=1)
    with time_machine.travel(NOW):
        assert insight_tasks.detect_emerging_issues.call() == 1
        assert insight_tasks.detect_emerging_issues.call() == 0


def test_emerging_page_and_dashboard_panel(history, client_for):
    client = client_for(Role.ANALYST)
    with time_machine.travel(NOW):
        insights.emerging_issue_alerts_send()
        page = client.get(reverse("textanalytics:insights-emerging"))
        assert page.status_code == 200
        body = page.content.decode()
        assert "Delivery" in body and "emerging" in body
        assert page.context["emerging"][0].topic.code == "delivery"
        daily = client.get(reverse("textanalytics:insights-emerging"), {"window": 1})
        assert daily.context["window"] == 1
        bad = client.get(reverse("textanalytics:insights-emerging"), {"last_day": "yesterday"})
        assert bad.status_code == 200 and bad.context["rows"] == []
        assert "Last day" in bad.content.decode()
        dashboard = client.get(reverse("analytics:dashboard"))
    panel = dashboard.content.decode()
    assert "Emerging issues" in panel
    assert reverse("textanalytics:insights-emerging") in panel and "×3.0" in panel
    assert "Delivery" in panel


def test_pages_need_sign_in(client):
    for name in ("textanalytics:insights-emerging", "textanalytics:insights-drivers"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]


# ----------------------------------------------------------------------- key drivers


@pytest.fixture
def scored(db):
    """120 NPS responses with a comment each: "wait" mentioned by 40 (scores drop by about
    4), "friendly" by 30 (up by about 1), "parking" by 8 (no effect, low n)."""
    survey = survey_services.survey_create_from_template(
        template="relationship_nps", name="NPS", languages=["en"]
    )
    survey = survey_services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)
    question = survey.questions.get(type="nps")
    wait = Topic.objects.create(code="wait", names={"en": "Waiting time"})
    friendly = Topic.objects.create(code="friendly", names={"en": "Friendly staff"})
    parking = Topic.objects.create(code="parking", names={"en": "Parking"})
    rng = random.Random(3)
    day = TODAY - dt.timedelta(days=10)
    for i in range(120):
        mentions = []
        if i < 40:
            mentions.append(wait)
        if 30 <= i < 60:
            mentions.append(friendly)
        if i % 15 == 0:
            mentions.append(parking)
        score = 8 - 4 * (wait in mentions) + (friendly in mentions) + rng.choice([-1, 0, 0, 1])
        response = Response.objects.create(
            survey=survey,
            submitted_at=NOW - dt.timedelta(days=10),
            language="fa" if i % 2 else "en",
        )
        Answer.objects.create(
            response=response,
            question=question,
            number_value=Decimal(max(0, min(10, score))),
            scale_max=10,
        )
        add_items(day, 1, [mentions], response=response, language="fa" if i % 2 else "en")
    # A comment without a score counts for nothing.
    add_items(day, 1, [[wait]])
    return {"wait": wait, "friendly": friendly, "parking": parking, "survey": survey}


def test_driver_rows_and_report_match_the_core(scored):
    rows = insights.driver_rows(metric="nps", start=TODAY - dt.timedelta(days=30), end=TODAY)
    assert len(rows) == 120
    result = core.key_drivers(rows, metric="nps")
    report = insights.key_driver_report(
        metric="nps", start=TODAY - dt.timedelta(days=30), end=TODAY
    )
    assert report.result == result
    by_code = {report.topics[int(str(d.key))].code: d for d in report.result.drivers}
    assert by_code["wait"].coefficient is not None and by_code["wait"].coefficient < -3
    assert by_code["wait"].n_mentioned == 40 and not by_code["wait"].low_n
    assert by_code["parking"].low_n and by_code["parking"].n_mentioned == 8
    assert report.result.drivers[0].key == scored["wait"].pk  # the largest |impact|
    # Out of the period: nothing.
    assert insights.driver_rows(metric="nps", start=TODAY, end=TODAY) == []
    # No CSAT question in this survey: no rows.
    assert insights.driver_rows(metric="csat", start=TODAY - dt.timedelta(days=30), end=TODAY) == []


def test_driver_segments(scored):
    report = insights.key_driver_report(
        metric="nps",
        start=TODAY - dt.timedelta(days=30),
        end=TODAY,
        segment_by="language",
        segment="fa",
    )
    assert report.result.n == 60
    assert [value for value, _label in report.segments] == ["en", "fa"]
    with pytest.raises(ValueError):
        insights.driver_rows(metric="nps", start=TODAY, end=TODAY, segment_by="colour")


def test_key_drivers_page(scored, client_for):
    client = client_for(Role.VIEWER)
    url = reverse("textanalytics:insights-drivers")
    with time_machine.travel(NOW):
        page = client.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "Waiting time" in body and "low n" in body and 'id="chart-drivers"' in body
        chart = page.context["chart_data"]["drivers"]
        assert chart[0]["name"] == "Waiting time" and chart[0]["low"] < chart[0]["high"] < 0
        csat = client.get(url, {"metric": "csat"})
        assert csat.context["report"].result.n == 0
        assert "No scored responses" in csat.content.decode()
        seg = client.get(url, {"segment_by": "language", "segment": "en"})
        assert seg.context["report"].result.n == 60
        bad = client.get(url, {"start": "2025-03-09", "end": "2025-03-01"})
        assert bad.context["report"] is None
        assert "start of the period is after its end" in bad.content.decode()
        wrong = client.get(url, {"metric": "ltv"})
        assert wrong.context["report"] is None


def test_alert_text_in_the_owners_language(history, owner):
    owner.language = "fa"
    owner.save()
    history["delivery"].names = {"en": "Delivery", "fa": "ارسال سفارش"}
    history["delivery"].save()
    with time_machine.travel(NOW):
        insights.emerging_issue_alerts_send()
    assert "ارسال سفارش" in Notification.objects.get(kind="emerging_issue").text
