import pytest

from cxm.accounts.roles import Role
from cxm.customers.tests.factories import CustomerFactory
from cxm.journeys.tests.factories import TouchpointFactory, channel
from cxm.surveys.models import Answer, Invitation, Response

pytestmark = pytest.mark.django_db
URL = "/api/v1/responses/"
BULK = "/api/v1/responses/bulk/"


def _item(survey, n, **extra):
    return {"survey": survey.pk, "external_id": f"r{n}", "answers": {"nps": n % 11}, **extra}


def test_single_create_is_idempotent_by_external_id(api_for, nps_survey):
    api = api_for(Role.ANALYST)
    customer = CustomerFactory.create(external_id="C-1")
    sms = channel("sms")
    touchpoint = TouchpointFactory.create()
    body = {
        "survey": nps_survey.pk,
        "external_id": "x-1",
        "customer_external_id": "C-1",
        "channel": "sms",
        "touchpoint": touchpoint.pk,
        "language": "en",
        "submitted_at": "2025-03-01T10:00:00+03:30",
        "hidden": {"order_id": "A-9"},
        "answers": {"nps": 9, "reason": "fast"},
    }
    first = api.post(URL, body, format="json")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["answers"] == {"nps": 9, "reason": "fast"}
    assert data["customer"] == customer.pk and data["channel"] == "sms"
    assert data["stage"] == touchpoint.stage_id
    again = api.post(URL, {**body, "answers": {"nps": 10}}, format="json")
    assert again.status_code == 200
    assert Response.objects.count() == 1
    assert Answer.objects.get().number_value == 10
    assert sms.pk == Response.objects.get().channel_id


def test_single_create_errors(api_for, nps_survey):
    api = api_for(Role.ANALYST)
    response = api.post(
        URL,
        {
            "survey": nps_survey.pk,
            "customer_external_id": "nobody",
            "channel": "pigeon",
            "submitted_at": "2025-03-01T10:00:00",
            "answers": {"nps": "lots", "unknown": 1},
        },
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["extra"]["fields"]
    assert fields["answers.nps"]["code"] == "not_a_number"
    assert fields["answers.unknown"]["code"] == "unknown_question"
    assert fields["customer_external_id"]["code"] == "unknown_customer"
    assert fields["channel"]["code"] == "unknown_channel"
    assert fields["submitted_at"]["code"] == "invalid"
    assert not Response.objects.exists()


def test_bulk_is_idempotent(api_for, nps_survey):
    api = api_for(Role.CX_MANAGER)
    items = [_item(nps_survey, n) for n in range(50)]
    first = api.post(BULK, {"items": items}, format="json")
    assert first.status_code == 200, first.json()
    assert first.json()["created"] == 50
    second = api.post(BULK, {"items": items}, format="json")
    assert second.json() == {**first.json(), "created": 0, "updated": 50}
    assert Response.objects.count() == 50
    assert Answer.objects.count() == 50


def test_bulk_one_bad_item_rejects_all_with_per_item_errors(api_for, nps_survey):
    api = api_for(Role.ANALYST)
    items = [_item(nps_survey, n) for n in range(10)]
    items[4]["answers"] = {"nps": 11}
    items[7] = {**items[7], "external_id": "r1"}
    del items[8]["external_id"]
    response = api.post(BULK, {"items": items}, format="json")
    assert response.status_code == 400
    errors = {e["index"]: e for e in response.json()["extra"]["items"]}
    assert set(errors) == {4, 7, 8}
    assert errors[4]["external_id"] == "r4"
    assert errors[4]["errors"]["answers.nps"] == {
        "code": "out_of_range",
        "message": "Choose a number from 0 to 10.",
    }
    assert errors[7]["errors"]["external_id"]["code"] == "duplicate_in_batch"
    assert errors[8]["errors"]["external_id"]["code"] == "required"
    assert not Response.objects.exists()
    assert not Answer.objects.exists()


def test_bulk_limit(api_for, nps_survey, settings):
    settings.CXM_BULK_MAX_ITEMS = 3
    response = api_for(Role.ANALYST).post(
        BULK, {"items": [_item(nps_survey, n) for n in range(4)]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_many"


def test_list_filters_and_reads_for_everybody(api_for, nps_survey, csat_survey):
    writer = api_for(Role.ANALYST)
    channel("sms")
    writer.post(
        BULK,
        {
            "items": [
                _item(nps_survey, 1, channel="sms", submitted_at="2025-01-01T00:00:00Z"),
                _item(nps_survey, 2, submitted_at="2025-02-01T00:00:00Z"),
                {"survey": csat_survey.pk, "external_id": "c1", "answers": {"csat": 4}},
            ]
        },
        format="json",
    )
    reader = api_for(Role.VIEWER)
    assert reader.get(URL).json()["count"] == 3
    assert reader.get(URL, {"survey": csat_survey.pk}).json()["count"] == 1
    assert reader.get(URL, {"channel": "sms"}).json()["count"] == 1
    after = reader.get(URL, {"submitted_after": "2025-01-15T00:00:00Z", "survey": nps_survey.pk})
    assert [r["external_id"] for r in after.json()["results"]] == ["r2"]
    assert reader.get("/api/v1/surveys/").status_code == 200


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.VIEWER, False), (Role.AGENT, False), (Role.ANALYST, True), (Role.ADMINISTRATOR, True)],
)
def test_writing_responses_needs_responses_import(api_for, nps_survey, role, allowed):
    response = api_for(role).post(URL, _item(nps_survey, 1), format="json")
    assert (response.status_code == 201) is allowed
    if not allowed:
        assert response.status_code == 403


def test_anonymous_cannot_read(client, nps_survey):
    assert client.get(URL).status_code in (401, 403)


def test_survey_event_webhook_creates_invitations(api_for, csat_survey):
    touchpoint = TouchpointFactory.create()
    csat_survey.trigger_event = "order.delivered"
    csat_survey.touchpoint = touchpoint
    csat_survey.save()
    CustomerFactory.create(external_id="C-9")
    body = {
        "event": "order.delivered",
        "customer_external_id": "C-9",
        "touchpoint": touchpoint.pk,
        "hidden": {"order_id": "O-1"},
    }
    assert (
        api_for(Role.VIEWER).post("/api/v1/survey-events/", body, format="json").status_code == 403
    )
    response = api_for(Role.ANALYST).post("/api/v1/survey-events/", body, format="json")
    assert response.status_code == 201, response.json()
    (created,) = response.json()["invitations"]
    assert "/s/" in created["url"]
    assert Invitation.objects.get().hidden == {"order_id": "O-1"}
    unknown = api_for(Role.ANALYST).post(
        "/api/v1/survey-events/", {**body, "customer_external_id": "zz"}, format="json"
    )
    assert unknown.status_code == 400


def test_empty_hidden_answer_is_not_stored_as_text(api_for):
    """An empty hidden-question value in `answers` is no answer, not the text "None"."""
    from cxm.surveys.services import survey_create_from_template, survey_set_status

    survey = survey_create_from_template(template="touchpoint_csat", name="CSAT", languages=["en"])
    survey_set_status(survey=survey, status="active")
    api = api_for(Role.ANALYST)
    answers = {"csat": 5, "order_id": None, "agent": "", "touchpoint": "T-7"}
    item = {"survey": survey.pk, "external_id": "h1", "answers": answers}
    response = api.post(BULK, {"items": [item]}, format="json")
    assert response.status_code == 200, response.json()
    stored = Response.objects.get(external_id="h1")
    assert stored.hidden == {"touchpoint": "T-7"}
