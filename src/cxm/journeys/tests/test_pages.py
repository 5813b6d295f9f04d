import re

import pytest
from django.urls import reverse

from cxm.accounts.models import Unit
from cxm.accounts.roles import Role
from cxm.journeys.models import Journey, PainPoint, Severity, Stage, Touchpoint
from cxm.journeys.tests.factories import (
    JourneyFactory,
    PainPointFactory,
    StageFactory,
    TouchpointFactory,
    channel,
)

pytestmark = pytest.mark.django_db


def map_url(journey) -> str:
    return reverse("journeys:detail", args=[journey.pk])


@pytest.fixture
def food_map():
    unit = Unit.objects.create(name="مرکز تماس", code="cc")
    journey = JourneyFactory.create(name="سفارش غذا", owner_unit=unit)
    stages = [
        StageFactory.create(journey=journey, name=n) for n in ["آگاهی", "ثبت سفارش", "پرداخت"]
    ]
    tp = TouchpointFactory.create(
        stage=stages[2],
        name="درگاه پرداخت",
        channel=channel("app"),
        owner_unit=unit,
        customer_expectation="پرداخت بی‌خطا",
        service_level="۹۸٪ موفق",
        target_response_minutes=1440,
    )
    for severity in Severity.values:
        PainPointFactory.create(touchpoint=tp, title=f"pain-{severity}", severity=severity)
    return journey


def test_list_shows_counts_and_hides_add_for_viewers(client_for, food_map):
    JourneyFactory.create(name="Empty")
    page = client_for(Role.VIEWER).get(reverse("journeys:list"))
    assert page.status_code == 200
    row = re.search(
        rf'<tr class="">\s*<td><a href="{map_url(food_map)}"><bdi>سفارش غذا</bdi></a>.*?</tr>',
        page.text,
        re.S,
    )
    assert row, page.text
    assert [c.strip() for c in re.findall(r'<td class="num">(.*?)</td>', row.group(0))] == [
        "3",
        "1",
        "4",
        "4",
    ]
    assert reverse("journeys:create") not in page.text
    assert reverse("journeys:create") in client_for(Role.ANALYST).get(reverse("journeys:list")).text


def test_map_draws_stages_in_order_with_cards_and_heat_classes(client_for, food_map):
    page = client_for(Role.VIEWER).get(map_url(food_map))
    assert page.status_code == 200
    html = page.text
    names = re.findall(r'<h2 class="stage-name"><bdi>(.*?)</bdi></h2>', html)
    assert names == ["آگاهی", "ثبت سفارش", "پرداخت"]
    assert "درگاه پرداخت" in html and "پرداخت بی‌خطا" in html and "۹۸٪ موفق" in html
    assert 'class="channel-badge channel-app"' in html
    for severity in Severity.values:
        assert re.search(
            rf'class="pain-point heat heat-{severity}"[^>]*>\s*<div class="pain-title">\s*'
            rf"<strong><bdi>pain-{severity}</bdi></strong>",
            html,
        )
    # worst first within the card
    assert html.index("pain-4") < html.index("pain-1")
    assert 'class="touchpoint heat-edge-4"' in html
    # the viewer sees no edit controls, the export buttons are there
    assert "edit-controls" not in html and reverse("journeys:edit", args=[food_map.pk]) not in html
    assert "data-export-png" in html and "data-print" in html
    assert "vendor/html-to-image/html-to-image.js" in html and "journeys/map.js" in html
    assert "journeys/journeys.css" in html


def test_stage_order_follows_moves(client_for, food_map):
    client = client_for(Role.ANALYST)
    last = Stage.objects.get(name="پرداخت")
    response = client.post(reverse("journeys:stage-move", args=[last.pk]), {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"] == f"{map_url(food_map)}#stage-{last.pk}"
    names = re.findall(
        r'<h2 class="stage-name"><bdi>(.*?)</bdi></h2>', client.get(map_url(food_map)).text
    )
    assert names == ["آگاهی", "پرداخت", "ثبت سفارش"]


def test_persian_user_gets_rtl_page_with_persian_digits(client_for, food_map):
    page = client_for(Role.VIEWER, language="fa").get(map_url(food_map))
    assert re.search(r'<html lang="fa" dir="rtl">', page.text)
    # 1,440 minutes shown as 24 hours in Persian digits
    assert re.search(r"<dd><bdi>۹۸٪ موفق</bdi> · [^<]*۲۴[^<]*</dd>", page.text)
    # the stage-move arrows point the RTL way for an editor
    editor = client_for(Role.CX_MANAGER, language="fa").get(map_url(food_map)).text
    assert 'dir="rtl"' in editor and "→</button>" in editor


def test_english_user_gets_ltr(client_for, food_map):
    page = client_for(Role.VIEWER, language="en").get(map_url(food_map))
    assert '<html lang="en" dir="ltr">' in page.text


def test_pain_point_html_is_escaped(client_for):
    pain = PainPointFactory.create(
        title="<script>alert(1)</script>",
        evidence='<img src=x onerror="alert(2)">',
        description="<b>bold</b>",
    )
    pain.touchpoint.name = "<i>tp</i>"
    pain.touchpoint.save()
    html = client_for(Role.VIEWER).get(map_url(pain.touchpoint.stage.journey)).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "<b>bold</b>" not in html and "<i>tp</i>" not in html


def test_map_query_count_does_not_grow_with_the_map(client_for, django_assert_max_num_queries):
    journey = JourneyFactory.create()
    for _s in range(6):
        stage = StageFactory.create(journey=journey)
        for _t in range(5):
            tp = TouchpointFactory.create(
                stage=stage,
                channel=channel("phone"),
                owner_unit=Unit.objects.get_or_create(name="U", code="u")[0],
            )
            PainPointFactory.create_batch(3, touchpoint=tp)
    client = client_for(Role.CX_MANAGER)
    client.get(map_url(journey))  # warm the session and caches
    with django_assert_max_num_queries(10):
        page = client.get(map_url(journey))
    assert page.text.count('class="touchpoint ') == 30


def test_unknown_journey_is_404(client_for):
    assert client_for(Role.VIEWER).get(reverse("journeys:detail", args=[999])).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("journeys:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_viewer_cannot_change_anything(client_for, food_map):
    client = client_for(Role.VIEWER)
    stage = Stage.objects.get(name="آگاهی")
    tp = Touchpoint.objects.get()
    pain = PainPoint.objects.order_by("id")[0]
    for url in [
        reverse("journeys:create"),
        reverse("journeys:edit", args=[food_map.pk]),
        reverse("journeys:stage-create", args=[food_map.pk]),
        reverse("journeys:stage-edit", args=[stage.pk]),
        reverse("journeys:touchpoint-create", args=[stage.pk]),
        reverse("journeys:touchpoint-edit", args=[tp.pk]),
        reverse("journeys:painpoint-create", args=[tp.pk]),
        reverse("journeys:painpoint-edit", args=[pain.pk]),
        reverse("journeys:painpoint-edit", args=[99999]),  # 403, not 404
    ]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x", "title": "x", "delete": "1"}).status_code == 403, url
    for url in [
        reverse("journeys:stage-move", args=[stage.pk]),
        reverse("journeys:touchpoint-move", args=[tp.pk]),
    ]:
        assert client.post(url, {"direction": "down"}).status_code == 403
    assert Journey.objects.count() == 1 and PainPoint.objects.count() == 4
    assert Stage.objects.get(pk=stage.pk).position == 0


@pytest.mark.parametrize("role", [Role.ANALYST, Role.CX_MANAGER])
def test_editor_builds_a_map_through_the_forms(client_for, role):
    client = client_for(role)
    response = client.post(reverse("journeys:create"), {"name": "Telecom", "is_active": "on"})
    assert response.status_code == 302, response.content
    journey = Journey.objects.get(name="Telecom")
    assert response["Location"] == map_url(journey)
    for name in ["Buy SIM", "Activate"]:
        response = client.post(reverse("journeys:stage-create", args=[journey.pk]), {"name": name})
        assert response.status_code == 302
    activate = Stage.objects.get(name="Activate")
    assert activate.position == 1
    form = client.get(reverse("journeys:touchpoint-create", args=[activate.pk]))
    assert form.status_code == 200 and 'name="target_response_minutes"' in form.text
    response = client.post(
        reverse("journeys:touchpoint-create", args=[activate.pk]),
        {
            "stage": activate.pk,
            "name": "Activation SMS",
            "channel": channel("sms").pk,
            "customer_expectation": "Fast",
            "service_level": "1 min",
            "target_response_minutes": "۱۵",
        },  # Persian digits are accepted
    )
    assert response.status_code == 302, response.content
    tp = Touchpoint.objects.get(name="Activation SMS")
    assert tp.target_response_minutes == 15 and tp.stage == activate
    response = client.post(
        reverse("journeys:painpoint-create", args=[tp.pk]),
        {
            "title": "SMS late",
            "severity": "3",
            "evidence": "4% late",
            "evidence_url": "https://example.org/report",
        },
    )
    assert response.status_code == 302, response.content
    pain = PainPoint.objects.get(title="SMS late")
    assert pain.severity == 3 and pain.touchpoint == tp
    assert "SMS late" in client.get(map_url(journey)).text


def test_editing_a_touchpoint_moves_it_to_another_stage(client_for, food_map):
    client = client_for(Role.ANALYST)
    tp = Touchpoint.objects.get()
    first = Stage.objects.get(name="آگاهی")
    response = client.post(
        reverse("journeys:touchpoint-edit", args=[tp.pk]),
        {
            "stage": first.pk,
            "name": "Renamed",
            "channel": tp.channel_id,
            "target_response_minutes": "",
        },
    )
    assert response.status_code == 302, response.content
    tp.refresh_from_db()
    assert tp.stage == first and tp.name == "Renamed" and tp.target_response_minutes is None


def test_edit_form_errors_are_shown_and_nothing_changes(client_for, food_map):
    client = client_for(Role.ANALYST)
    response = client.post(reverse("journeys:edit", args=[food_map.pk]), {"name": ""})
    assert response.status_code == 200 and 'class="error"' in response.text
    food_map.refresh_from_db()
    assert food_map.name == "سفارش غذا"


def test_delete_stage_through_the_form(client_for, food_map):
    client = client_for(Role.CX_MANAGER)
    stage = Stage.objects.get(name="آگاهی")
    response = client.post(reverse("journeys:stage-edit", args=[stage.pk]), {"delete": "1"})
    assert response.status_code == 302
    assert list(Stage.objects.order_by("position").values_list("name", "position")) == [
        ("ثبت سفارش", 0),
        ("پرداخت", 1),
    ]


def test_delete_pain_point_and_journey(client_for, food_map):
    client = client_for(Role.CX_MANAGER)
    pain = PainPoint.objects.order_by("id")[0]
    client.post(reverse("journeys:painpoint-edit", args=[pain.pk]), {"delete": "1"})
    assert not PainPoint.objects.filter(pk=pain.pk).exists()
    response = client.post(reverse("journeys:edit", args=[food_map.pk]), {"delete": "1"})
    assert response["Location"] == reverse("journeys:list")
    assert not Journey.objects.exists() and not Touchpoint.objects.exists()


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(None, ""), (15, "15 min"), (90, "90 min"), (60, "1 h"), (1440, "24 h"), (4320, "3 d")],
)
def test_response_time_filter(minutes, text):
    from cxm.journeys.templatetags.journeys import response_time

    assert response_time(minutes) == text
