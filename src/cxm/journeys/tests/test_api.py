import pytest

from cxm.accounts.models import Unit
from cxm.accounts.roles import Role
from cxm.journeys.models import Journey, PainPoint, Stage, Touchpoint
from cxm.journeys.tests.factories import (
    JourneyFactory,
    PainPointFactory,
    StageFactory,
    TouchpointFactory,
    channel,
)

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_viewer_reads_but_every_write_is_403(api_for):
    pain = PainPointFactory.create()
    tp = pain.touchpoint
    stage = tp.stage
    api = api_for(Role.VIEWER)
    assert api.get(f"{API}/journeys/").status_code == 200
    assert api.get(f"{API}/journeys/{stage.journey_id}/").status_code == 200
    for url in ["journeys", "stages", "touchpoints", "pain-points"]:
        assert api.get(f"{API}/{url}/").status_code == 200
    writes = [
        ("post", f"{API}/journeys/", {"name": "x"}),
        ("patch", f"{API}/journeys/{stage.journey_id}/", {"name": "x"}),
        ("delete", f"{API}/journeys/{stage.journey_id}/", None),
        ("post", f"{API}/stages/", {"journey": stage.journey_id, "name": "x"}),
        ("patch", f"{API}/stages/{stage.pk}/", {"name": "x"}),
        ("post", f"{API}/stages/{stage.pk}/move/", {"direction": "down"}),
        ("delete", f"{API}/stages/{stage.pk}/", None),
        ("post", f"{API}/touchpoints/", {"stage": stage.pk, "name": "x", "channel": "sms"}),
        ("patch", f"{API}/touchpoints/{tp.pk}/", {"name": "x"}),
        ("post", f"{API}/touchpoints/{tp.pk}/move/", {"direction": "up"}),
        ("delete", f"{API}/touchpoints/{tp.pk}/", None),
        ("post", f"{API}/pain-points/", {"touchpoint": tp.pk, "title": "x"}),
        ("patch", f"{API}/pain-points/{pain.pk}/", {"title": "x"}),
        ("delete", f"{API}/pain-points/{pain.pk}/", None),
    ]
    for method, url, data in writes:
        response = getattr(api, method)(url, data, format="json")
        assert response.status_code == 403, (method, url)
        assert set(response.json()) == {"message", "code", "extra"}
    assert PainPoint.objects.get().title == pain.title and Journey.objects.count() == 1


def test_anonymous_is_refused(client):
    assert client.get(f"{API}/journeys/").status_code in (401, 403)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.CX_MANAGER])
def test_editor_crud_and_nested_read(api_for, role):
    api = api_for(role)
    unit = Unit.objects.create(name="CX", code="cx")
    response = api.post(f"{API}/journeys/", {"name": "Food", "owner_unit": unit.pk}, format="json")
    assert response.status_code == 201, response.json()
    journey_id = response.json()["id"]
    assert response.json()["stage_count"] == 0

    stage_ids = []
    for name in ["Order", "Pay"]:
        r = api.post(f"{API}/stages/", {"journey": journey_id, "name": name}, format="json")
        assert r.status_code == 201, r.json()
        stage_ids.append(r.json()["id"])
    r = api.post(
        f"{API}/stages/", {"journey": journey_id, "name": "Aware", "position": 0}, format="json"
    )
    assert r.status_code == 201 and r.json()["position"] == 0

    r = api.post(
        f"{API}/touchpoints/",
        {
            "stage": stage_ids[1],
            "name": "Gateway",
            "channel": "app",
            "owner_unit": unit.pk,
            "customer_expectation": "No errors",
            "service_level": "98%",
            "target_response_minutes": 5,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    tp = r.json()
    assert tp["channel"] == "app" and tp["position"] == 0
    r = api.post(
        f"{API}/pain-points/",
        {
            "touchpoint": tp["id"],
            "title": "Gateway fails",
            "severity": 4,
            "evidence": "3.2% failed",
            "evidence_url": "https://example.org/x",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["severity_label"] == "Critical"

    detail = api.get(f"{API}/journeys/{journey_id}/").json()
    assert detail["stage_count"] == 3 and detail["touchpoint_count"] == 1
    assert [s["name"] for s in detail["stages"]] == ["Aware", "Order", "Pay"]
    assert [s["position"] for s in detail["stages"]] == [0, 1, 2]
    pay = detail["stages"][2]
    assert pay["touchpoints"][0]["name"] == "Gateway"
    assert pay["touchpoints"][0]["pain_points"][0]["title"] == "Gateway fails"
    # the list stays flat
    listed = api.get(f"{API}/journeys/").json()["results"][0]
    assert "stages" not in listed and listed["pain_point_count"] == 1

    # update and move
    r = api.patch(f"{API}/touchpoints/{tp['id']}/", {"stage": stage_ids[0]}, format="json")
    assert r.status_code == 200 and r.json()["stage"] == stage_ids[0]
    r = api.post(f"{API}/stages/{stage_ids[1]}/move/", {"direction": "up"}, format="json")
    assert r.status_code == 200 and r.json()["position"] == 1
    r = api.patch(
        f"{API}/stages/{stage_ids[1]}/", {"position": 0, "name": "Payment"}, format="json"
    )
    assert r.status_code == 200 and r.json()["position"] == 0 and r.json()["name"] == "Payment"
    names = [s.name for s in Stage.objects.filter(journey_id=journey_id).order_by("position")]
    assert names == ["Payment", "Aware", "Order"]

    # delete closes gaps
    assert api.delete(f"{API}/stages/{stage_ids[1]}/").status_code == 204
    assert list(
        Stage.objects.filter(journey_id=journey_id)
        .order_by("position")
        .values_list("position", flat=True)
    ) == [0, 1]
    assert api.delete(f"{API}/journeys/{journey_id}/").status_code == 204
    assert not Touchpoint.objects.exists()


def test_validation_errors_use_the_project_error_shape(api_for):
    api = api_for(Role.ANALYST)
    tp = TouchpointFactory.create()
    r = api.post(
        f"{API}/pain-points/", {"touchpoint": tp.pk, "title": "", "severity": 7}, format="json"
    )
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid" and {"title", "severity"} <= set(body["extra"]["fields"])
    r = api.post(
        f"{API}/touchpoints/",
        {"stage": tp.stage_id, "name": "x", "channel": "pigeon"},
        format="json",
    )
    assert r.status_code == 400 and "channel" in r.json()["extra"]["fields"]
    r = api.post(f"{API}/stages/{tp.stage_id}/move/", {}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"


def test_touchpoint_cannot_move_to_another_journeys_stage(api_for):
    tp = TouchpointFactory.create()
    elsewhere = StageFactory.create()
    r = api_for(Role.ANALYST).patch(
        f"{API}/touchpoints/{tp.pk}/", {"stage": elsewhere.pk}, format="json"
    )
    assert r.status_code == 400 and r.json()["code"] == "other_journey"
    r = api_for(Role.ANALYST).patch(
        f"{API}/stages/{tp.stage_id}/", {"journey": elsewhere.journey_id}, format="json"
    )
    assert r.status_code == 400 and "journey" in r.json()["extra"]["fields"]


def test_filters_and_pagination(api_for):
    food, telecom = (
        JourneyFactory.create(name="Food"),
        JourneyFactory.create(name="Telecom", is_active=False),
    )
    food_tp = TouchpointFactory.create(
        stage=StageFactory.create(journey=food), channel=channel("sms")
    )
    TouchpointFactory.create(stage=StageFactory.create(journey=telecom), channel=channel("phone"))
    PainPointFactory.create(touchpoint=food_tp, severity=4)
    PainPointFactory.create(touchpoint=food_tp, severity=1, is_resolved=True)
    api = api_for(Role.VIEWER)
    names = [
        j["name"] for j in api.get(f"{API}/journeys/", {"is_active": "true"}).json()["results"]
    ]
    assert names == ["Food"]
    stages = api.get(f"{API}/stages/", {"journey": telecom.pk}).json()
    assert stages["count"] == 1 and {"count", "next", "previous", "results"} <= set(stages)
    tps = api.get(f"{API}/touchpoints/", {"channel__code": "sms"}).json()["results"]
    assert [t["id"] for t in tps] == [food_tp.pk]
    tps = api.get(f"{API}/touchpoints/", {"stage__journey": telecom.pk}).json()["results"]
    assert [t["channel"] for t in tps] == ["phone"]
    pains = api.get(f"{API}/pain-points/", {"is_resolved": "false", "severity__gte": 3}).json()
    assert [p["severity"] for p in pains["results"]] == [4]
    page = api.get(f"{API}/pain-points/", {"page_size": 1}).json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]


def test_nested_read_query_count_is_bounded(api_for, django_assert_max_num_queries):
    journey = JourneyFactory.create()
    for _ in range(4):
        stage = StageFactory.create(journey=journey)
        for _ in range(4):
            PainPointFactory.create_batch(2, touchpoint=TouchpointFactory.create(stage=stage))
    api = api_for(Role.VIEWER)
    with django_assert_max_num_queries(8):
        data = api.get(f"{API}/journeys/{journey.pk}/").json()
    assert sum(len(t["pain_points"]) for s in data["stages"] for t in s["touchpoints"]) == 32


def test_schema_includes_journey_endpoints(api_for):
    response = api_for(Role.VIEWER).get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    for path in [
        "/api/v1/journeys/{id}/",
        "/api/v1/stages/{id}/move/",
        "/api/v1/touchpoints/",
        "/api/v1/pain-points/",
    ]:
        assert path in text
