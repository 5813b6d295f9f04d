"""The cases REST API: create (idempotent), list filters and pagination, change, the
actions (reply, note, status, assign, merge, messages), errors and permissions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cxm.accounts.roles import Role
from cxm.cases import services
from cxm.cases.models import (
    Case,
    CaseMessage,
    DeliveryStatus,
    MessageKind,
    SlaState,
    StatusCategory,
)

LIST = "/api/v1/cases/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def agent_api(api_for):
    return api_for(Role.AGENT)


def detail(case_id: int, action: str = "") -> str:
    return f"{LIST}{case_id}/{action + '/' if action else ''}"


def make_case(complaint, **kw) -> Case:
    kw.setdefault("subject", "Late delivery")
    return services.case_create(case_type=complaint, **kw)


@pytest.mark.django_db
def test_create_is_idempotent_by_external_id(agent_api, customer, team):
    payload = {
        "subject": "Refund for order 77",
        "type": "return",
        "customer": customer.pk,
        "channel": "email",
        "team": team.pk,
        "external_id": "crm-77",
        "message": "I want my money back.",
    }
    first = agent_api.post(LIST, payload, format="json")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["type"] == "return" and body["customer"] == customer.pk
    assert body["team"] == team.pk and body["channel"] == "email"
    case = Case.objects.get(pk=body["id"])
    assert case.source == "api" and case.messages.get().body == "I want my money back."
    again = agent_api.post(LIST, {**payload, "subject": "Something else"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_create_defaults_to_inquiry_and_validates(agent_api):
    response = agent_api.post(LIST, {"subject": "Question"}, format="json")
    assert response.status_code == 201 and response.json()["type"] == "inquiry"
    bad = agent_api.post(LIST, {"type": "nope"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert set(bad.json()["extra"]["fields"]) == {"subject", "type"}


@pytest.mark.django_db
def test_create_with_an_attachment_on_the_first_message(agent_api):
    upload = SimpleUploadedFile("photo.png", b"\x89PNG", content_type="image/png")
    response = agent_api.post(
        LIST, {"subject": "Broken", "message": "See photo", "attachments": [upload]}
    )
    assert response.status_code == 201, response.content
    message = Case.objects.get(pk=response.json()["id"]).messages.get()
    assert [a.name for a in message.attachments.all()] == ["photo.png"]


@pytest.mark.django_db
def test_list_filters(api_for, complaint, team, agents, customer, email_channel, status_of):
    api = api_for(Role.VIEWER)
    mine = make_case(complaint, team=team, assignee=agents[0], customer=customer)
    email = make_case(complaint, channel=email_channel, priority="low")
    closed = make_case(complaint)
    services.case_set_status(case=closed, status=status_of(StatusCategory.CLOSED))

    def ids(query: str) -> set[int]:
        response = api.get(LIST + query)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {mine.pk, email.pk, closed.pk}
    assert ids("?status_category=closed") == {closed.pk}
    assert ids(f"?team={team.pk}") == {mine.pk}
    assert ids(f"?assignee={agents[0].pk}") == {mine.pk}
    assert ids("?assignee=none") == {email.pk, closed.pk}
    assert ids("?channel=email") == {email.pk}
    assert ids("?priority=low") == {email.pk}
    assert ids(f"?customer={customer.pk}") == {mine.pk}
    assert ids("?type=complaint") == {mine.pk, email.pk, closed.pk}
    assert ids("?type=inquiry") == set()
    assert ids(f"?sla_state={SlaState.FIRST_RESPONSE_DUE}") == {mine.pk, email.pk}
    assert ids("?updated_since=2000-01-01T00:00:00Z") == {mine.pk, email.pk, closed.pk}
    assert ids("?updated_since=2999-01-01T00:00:00Z") == set()
    bad = api.get(LIST + "?status_category=nonsense")
    assert bad.status_code == 400 and "status_category" in bad.json()["extra"]["fields"]


@pytest.mark.django_db
def test_list_cursor_pages(agent_api, complaint):
    made = [make_case(complaint, subject=f"Case {i}").pk for i in range(5)]
    first = agent_api.get(LIST + "?page_size=2").json()
    assert [row["id"] for row in first["results"]] == sorted(made, reverse=True)[:2]
    second = agent_api.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == sorted(made, reverse=True)[2:4]


@pytest.mark.django_db
def test_list_needs_no_query_per_row(
    agent_api, complaint, customer, email_channel, django_assert_max_num_queries
):
    for i in range(10):
        make_case(complaint, subject=f"C{i}", customer=customer, channel=email_channel)
    with django_assert_max_num_queries(6):
        response = agent_api.get(LIST)
    assert len(response.json()["results"]) == 10


@pytest.mark.django_db
def test_retrieve_and_patch(agent_api, complaint):
    case = make_case(complaint)
    got = agent_api.get(detail(case.pk))
    assert got.status_code == 200 and got.json()["subject"] == "Late delivery"
    changed = agent_api.patch(
        detail(case.pk), {"priority": "urgent", "subject": "Very late"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    case.refresh_from_db()
    assert case.priority == "urgent" and case.subject == "Very late"
    assert case.activities.filter(kind="priority").exists()


@pytest.mark.django_db
def test_reply_note_status_and_thread(
    agent_api, complaint, customer, email_channel, django_capture_on_commit_callbacks
):
    case = make_case(complaint, customer=customer, channel=email_channel, message="Hello?")
    with django_capture_on_commit_callbacks(execute=True):
        reply = agent_api.post(
            detail(case.pk, "reply"),
            {"body": "We are on it.", "status": "waiting_customer"},
            format="json",
        )
    assert reply.status_code == 201, reply.content
    assert reply.json()["kind"] == MessageKind.OUTBOUND
    message = CaseMessage.objects.get(pk=reply.json()["id"])
    assert message.delivery_status == DeliveryStatus.SENT
    case.refresh_from_db()
    assert case.status_category == StatusCategory.WAITING_CUSTOMER
    assert case.first_responded_on is not None

    note = agent_api.post(
        detail(case.pk, "note"),
        {
            "body": "Checked the warehouse",
            "attachments": [SimpleUploadedFile("log.txt", b"scan ok", content_type="text/plain")],
        },
    )
    assert note.status_code == 201 and note.json()["kind"] == MessageKind.NOTE
    assert note.json()["attachments"][0]["name"] == "log.txt"

    resolved = agent_api.post(detail(case.pk, "status"), {"status": "resolved"}, format="json")
    assert resolved.status_code == 200
    assert resolved.json()["status_category"] == StatusCategory.RESOLVED

    thread = agent_api.get(detail(case.pk, "messages")).json()["results"]
    assert [m["kind"] for m in thread] == ["inbound", "outbound", "note"]


@pytest.mark.django_db
def test_reply_to_a_closed_case_is_400_case_closed(agent_api, complaint, status_of):
    case = make_case(complaint)
    services.case_set_status(case=case, status=status_of(StatusCategory.CLOSED))
    response = agent_api.post(detail(case.pk, "reply"), {"body": "Hi"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "case_closed" and response.json()["message"]
    assert not case.messages.exists()


@pytest.mark.django_db
def test_unknown_case_is_404_json(agent_api):
    responses = [
        agent_api.get(detail(999999)),
        agent_api.get(detail(999999, "messages")),
        agent_api.post(detail(999999, "reply"), {"body": "x"}, format="json"),
        agent_api.post(detail(999999, "status"), {"status": "resolved"}, format="json"),
    ]
    for response in responses:
        assert response.status_code == 404
        assert response.json()["code"] == "unknown_case" and response.json()["message"]


@pytest.mark.django_db
def test_assign_and_unassign(agent_api, complaint, team, agents, make_user):
    case = make_case(complaint)
    response = agent_api.post(
        detail(case.pk, "assign"), {"assignee": agents[1].pk, "team": team.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == agents[1].pk and response.json()["team"] == team.pk
    back = agent_api.post(detail(case.pk, "assign"), {"assignee": None}, format="json")
    assert back.status_code == 200 and back.json()["assignee"] is None
    viewer = make_user(Role.VIEWER, username="just-looking")
    refused = agent_api.post(detail(case.pk, "assign"), {"assignee": viewer.pk}, format="json")
    assert refused.status_code == 400 and "assignee" in refused.json()["extra"]["fields"]


@pytest.mark.django_db
def test_merge(agent_api, complaint, customer):
    keep = make_case(complaint, customer=customer, message="First")
    dup = make_case(complaint, customer=customer, message="Second")
    response = agent_api.post(detail(dup.pk, "merge"), {"into": keep.pk}, format="json")
    assert response.status_code == 200 and response.json()["id"] == keep.pk
    dup.refresh_from_db()
    assert dup.merged_into == keep and dup.status_category == StatusCategory.CLOSED
    assert keep.messages.count() == 2
    itself = agent_api.post(detail(keep.pk, "merge"), {"into": keep.pk}, format="json")
    assert itself.status_code == 400 and itself.json()["code"] == "merge_self"
    missing = agent_api.post(detail(keep.pk, "merge"), {"into": 999999}, format="json")
    assert missing.status_code == 400


@pytest.mark.django_db
def test_customer_message_is_idempotent_and_reopens(agent_api, complaint, status_of):
    case = make_case(complaint)
    services.case_set_status(case=case, status=status_of(StatusCategory.WAITING_CUSTOMER))
    payload = {"body": "Here is the info", "external_id": "wa-1", "channel": "sms"}
    first = agent_api.post(detail(case.pk, "messages"), payload, format="json")
    assert first.status_code == 201 and first.json()["kind"] == MessageKind.INBOUND
    again = agent_api.post(detail(case.pk, "messages"), payload, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    case.refresh_from_db()
    assert case.status_category == StatusCategory.OPEN
    assert case.messages.filter(kind=MessageKind.INBOUND).count() == 1


@pytest.mark.django_db
def test_forbidden_attachment_is_refused_before_writing(agent_api, complaint):
    case = make_case(complaint)
    upload = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = agent_api.post(detail(case.pk, "note"), {"body": "x", "attachments": [upload]})
    assert response.status_code == 400 and response.json()["code"] == "attachment_forbidden"
    assert not case.messages.exists()


@pytest.mark.django_db
def test_permissions(api_for, complaint, client):
    case = make_case(complaint)
    viewer = api_for(Role.VIEWER)
    assert viewer.get(LIST).status_code == 200
    assert viewer.get(detail(case.pk)).status_code == 200
    for path, payload in (
        (LIST, {"subject": "x"}),
        (detail(case.pk, "reply"), {"body": "x"}),
        (detail(case.pk, "note"), {"body": "x"}),
        (detail(case.pk, "status"), {"status": "resolved"}),
        (detail(case.pk, "merge"), {"into": case.pk}),
    ):
        response = viewer.post(path, payload, format="json")
        assert response.status_code == 403, path
        assert response.json()["code"] == "permission_denied"
    assert viewer.patch(detail(case.pk), {"subject": "y"}, format="json").status_code == 403
    assert client.get(LIST).status_code in (401, 403)  # not signed in
    assert Case.objects.count() == 1 and not case.messages.exists()
