"""REST API of the case configuration: permissions per role, create/read/update/delete of
every catalogue, the same refusals as the pages (codes, per-field messages, nothing written),
one default status per category, routing order and trial."""

import pytest

from cxm.accounts.roles import Role
from cxm.cases import services as case_services
from cxm.cases.models import (
    CannedReply,
    CaseStatus,
    CaseTopic,
    CaseType,
    FeedbackRule,
    RootCause,
    RoutingRule,
    SlaPolicy,
    StatusCategory,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "case-types",
    "case-statuses",
    "case-topics",
    "root-causes",
    "sla-policies",
    "routing-rules",
    "feedback-rules",
    "canned-replies",
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_signed_in_users_read_and_anonymous_do_not(api_for, client, endpoint):
    response = api_for(Role.VIEWER).get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200 and "results" in response.data
    assert client.get(f"/api/v1/{endpoint}/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("endpoint", "body", "denied", "allowed"),
    [
        (
            "case-types",
            {"code": "warranty", "names": {"en": "Warranty"}},
            Role.AGENT,
            Role.SUPERVISOR,
        ),
        (
            "case-topics",
            {"code": "billing", "names": {"fa": "صورتحساب"}},
            Role.ANALYST,
            Role.CX_MANAGER,
        ),
        (
            "root-causes",
            {"code": "training", "names": {"en": "Training"}},
            Role.AGENT,
            Role.ANALYST,
        ),
        (
            "canned-replies",
            {"title": "Hi", "texts": {"en": "Hi {customer_name}"}},
            Role.VIEWER,
            Role.SUPERVISOR,
        ),
        (
            "sla-policies",
            {"name": "Fast", "targets": {"high": {"first_response": 60, "resolution": "1d"}}},
            Role.SUPERVISOR,
            Role.CX_MANAGER,
        ),
    ],
)
def test_write_permissions(api_for, endpoint, body, denied, allowed):
    refused = api_for(denied).post(f"/api/v1/{endpoint}/", body, format="json")
    assert refused.status_code == 403
    created = api_for(allowed).post(f"/api/v1/{endpoint}/", body, format="json")
    assert created.status_code == 201, created.data


def test_case_type_crud(api_for, team):
    api = api_for(Role.SUPERVISOR)
    created = api.post(
        "/api/v1/case-types/",
        {"code": "warranty", "names": {"en": "Warranty", "fa": "گارانتی"}, "default_team": team.pk},
        format="json",
    )
    assert created.status_code == 201
    pk = created.data["id"]
    assert created.data["name"] == "Warranty" and created.data["default_priority"] == "normal"
    assert created.data["position"] > CaseType.objects.get(code="complaint").position
    patched = api.patch(f"/api/v1/case-types/{pk}/", {"default_priority": "high"}, format="json")
    assert patched.status_code == 200 and patched.data["default_priority"] == "high"
    assert patched.data["names"] == {"fa": "گارانتی", "en": "Warranty"}
    assert api.get(f"/api/v1/case-types/{pk}/").data["code"] == "warranty"
    assert api.delete(f"/api/v1/case-types/{pk}/").status_code == 204
    assert not CaseType.objects.filter(pk=pk).exists()


def test_duplicate_code_and_bad_names(api_for):
    api = api_for(Role.SUPERVISOR)
    duplicate = api.post(
        "/api/v1/case-types/", {"code": "complaint", "names": {"en": "Again"}}, format="json"
    )
    assert duplicate.status_code == 400 and duplicate.data["code"] == "duplicate_code"
    assert "code" in duplicate.data["extra"]["fields"]
    no_name = api.post("/api/v1/case-topics/", {"code": "x", "names": {"en": " "}}, format="json")
    assert no_name.status_code == 400 and "names" in no_name.data["extra"]["fields"]
    unknown = api.post("/api/v1/case-topics/", {"code": "x", "names": {"de": "X"}}, format="json")
    assert unknown.status_code == 400
    assert not CaseTopic.objects.exists()
    assert CaseType.objects.filter(code="complaint").count() == 1


def test_one_default_per_category(api_for):
    api = api_for(Role.SUPERVISOR)
    previous = CaseStatus.objects.get(category=StatusCategory.OPEN, is_default=True)
    created = api.post(
        "/api/v1/case-statuses/",
        {"code": "triage", "names": {"en": "Triage"}, "category": "open", "is_default": True},
        format="json",
    )
    assert created.status_code == 201, created.data
    assert list(
        CaseStatus.objects.filter(category="open", is_default=True).values_list("code", flat=True)
    ) == ["triage"]
    previous.refresh_from_db()
    assert not previous.is_default

    # Back to the previous one by a partial update of it.
    back = api.patch(f"/api/v1/case-statuses/{previous.pk}/", {"is_default": True}, format="json")
    assert back.status_code == 200
    assert CaseStatus.objects.get(code="triage").is_default is False

    # The only default cannot be switched off.
    refused = api.patch(
        f"/api/v1/case-statuses/{previous.pk}/", {"is_default": False}, format="json"
    )
    assert refused.status_code == 400 and refused.data["code"] == "needs_default"
    previous.refresh_from_db()
    assert previous.is_default

    # The first status of a new category layout becomes the default; pause is forced.
    waiting = api.post(
        "/api/v1/case-statuses/",
        {"code": "docs", "names": {"en": "Docs"}, "category": "waiting_customer"},
        format="json",
    )
    assert waiting.data["pauses_sla"] is True and waiting.data["is_default"] is False


def test_status_in_use_or_last_cannot_be_deleted(api_for, complaint):
    api = api_for(Role.SUPERVISOR)
    case = case_services.case_create(subject="Late", case_type=complaint)
    in_use = api.delete(f"/api/v1/case-statuses/{case.status_id}/")
    assert in_use.status_code == 400 and in_use.data["code"] == "in_use"
    closed = CaseStatus.objects.get(category="closed")
    last = api.delete(f"/api/v1/case-statuses/{closed.pk}/")
    assert last.status_code == 400 and last.data["code"] == "last_status"
    assert CaseStatus.objects.filter(pk__in=[case.status_id, closed.pk]).count() == 2
    moved = api.patch(
        f"/api/v1/case-statuses/{case.status_id}/", {"category": "resolved"}, format="json"
    )
    assert moved.status_code == 400 and moved.data["code"] == "in_use"


def test_sla_policy_durations_and_escalation(api_for, office_calendar, email_channel):
    api = api_for(Role.CX_MANAGER)
    created = api.post(
        "/api/v1/sla-policies/",
        {
            "name": "E-mail",
            "channels": [email_channel.pk],
            "priorities": ["high", "urgent"],
            "tiers": ["", "gold"],
            "calendar": office_calendar.pk,
            "targets": {
                "high": {"first_response": "۲h", "resolution": "1d 2h"},
                "urgent": {"first_response": 30, "resolution": "90m"},
            },
            "warn_at_percent": 70,
            "escalation": [
                {"at_percent": 100, "notify": "team_lead"},
                {"at_percent": 200, "notify": "supervisor", "reassign": True},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["targets"] == {
        "high": {"first_response": 120, "resolution": 1560},
        "urgent": {"first_response": 30, "resolution": 90},
    }
    assert created.data["escalation"][1] == {
        "at_percent": 200,
        "notify": "supervisor",
        "reassign": True,
    }
    pk = created.data["id"]
    patched = api.patch(f"/api/v1/sla-policies/{pk}/", {"is_active": False}, format="json")
    assert patched.status_code == 200 and patched.data["targets"]["high"]["resolution"] == 1560
    assert api.delete(f"/api/v1/sla-policies/{pk}/").status_code == 204


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"targets": {"high": {"resolution": "4x"}}}, "bad_duration", "targets"),
        ({"targets": {"vip": {"resolution": 60}}}, "invalid", "targets"),
        ({"targets": {}}, "invalid", "targets"),
        (
            {
                "targets": {"high": {"resolution": 60}},
                "escalation": [
                    {"at_percent": 150, "notify": "team_lead"},
                    {"at_percent": 100, "notify": "cx_manager"},
                ],
            },
            "bad_escalation",
            "escalation",
        ),
        (
            {
                "targets": {"high": {"resolution": 60}},
                "escalation": [{"at_percent": 100, "notify": "team_lead"}] * 4,
            },
            "bad_escalation",
            "escalation",
        ),
        (
            {"targets": {"high": {"resolution": 60}}, "warn_at_percent": 0},
            "invalid",
            "warn_at_percent",
        ),
    ],
)
def test_sla_policy_bad_input(api_for, body, code, field):
    before = SlaPolicy.objects.count()
    response = api_for(Role.ADMINISTRATOR).post(
        "/api/v1/sla-policies/", {"name": "Bad", **body}, format="json"
    )
    assert response.status_code == 400, response.data
    assert response.data["code"] == code and field in response.data["extra"]["fields"]
    assert SlaPolicy.objects.count() == before


def test_sla_policy_in_use_by_open_cases_cannot_be_deleted(api_for, complaint, office_policy):
    case_services.case_create(subject="Open", case_type=complaint)
    response = api_for(Role.CX_MANAGER).delete(f"/api/v1/sla-policies/{office_policy.pk}/")
    assert response.status_code == 400 and response.data["code"] == "in_use"
    assert SlaPolicy.objects.filter(pk=office_policy.pk).exists()


def test_feedback_rules(api_for, complaint):
    api = api_for(Role.SUPERVISOR)
    body = {
        "name": "Detractors",
        "metric": "nps",
        "comparison": "lte",
        "threshold": "6",
        "case_type": complaint.pk,
        "priority": "high",
    }
    created = api.post("/api/v1/feedback-rules/", body, format="json")
    assert created.status_code == 201 and created.data["threshold"] == "6.00"
    too_high = api.post("/api/v1/feedback-rules/", {**body, "threshold": "11"}, format="json")
    assert too_high.status_code == 400 and too_high.data["code"] == "bad_threshold"
    assert "threshold" in too_high.data["extra"]["fields"]
    ces = api.patch(
        f"/api/v1/feedback-rules/{created.data['id']}/",
        {"metric": "ces", "threshold": "8"},
        format="json",
    )
    assert ces.status_code == 400 and ces.data["code"] == "bad_threshold"
    assert FeedbackRule.objects.get(pk=created.data["id"]).metric == "nps"
    assert FeedbackRule.objects.filter(name="Detractors").count() == 1


def test_canned_replies(api_for):
    api = api_for(Role.SUPERVISOR)
    created = api.post(
        "/api/v1/canned-replies/",
        {"title": "Thanks", "texts": {"en": "Thanks {customer_name}", "fa": "  "}},
        format="json",
    )
    assert created.status_code == 201 and created.data["texts"] == {"en": "Thanks {customer_name}"}
    bad = api.patch(
        f"/api/v1/canned-replies/{created.data['id']}/",
        {"texts": {"en": "Thanks {customer}"}},
        format="json",
    )
    assert bad.status_code == 400 and bad.data["code"] == "bad_template"
    assert "{customer}" in bad.data["message"]
    unbalanced = api.post(
        "/api/v1/canned-replies/", {"title": "X", "texts": {"hu": "{agent_name"}}, format="json"
    )
    assert unbalanced.status_code == 400 and unbalanced.data["code"] == "bad_template"
    assert CannedReply.objects.get().texts == {"en": "Thanks {customer_name}"}


def test_routing_rules_order_and_trial(api_for, team, complaint, email_channel):
    api = api_for(Role.SUPERVISOR)
    first = api.post(
        "/api/v1/routing-rules/",
        {
            "name": "E-mail",
            "channels": [email_channel.pk],
            "team": team.pk,
            "intents": ["refund", " refund "],
            "languages": ["fa"],
            "set_priority": "urgent",
        },
        format="json",
    )
    assert first.status_code == 201, first.data
    assert first.data["intents"] == ["refund"] and first.data["position"] == 0
    second = api.post(
        "/api/v1/routing-rules/",
        {"name": "Everything", "team": team.pk, "tiers": ["gold"]},
        format="json",
    )
    assert second.data["position"] == 1
    bad = api.post(
        "/api/v1/routing-rules/",
        {"name": "Bad", "team": team.pk, "languages": ["de"]},
        format="json",
    )
    assert bad.status_code == 400 and RoutingRule.objects.count() == 2

    viewer = api_for(Role.VIEWER)
    trial = viewer.post(
        "/api/v1/routing-rules/trial/",
        {
            "case_type": complaint.pk,
            "channel": email_channel.pk,
            "language": "fa",
            "intent": "refund",
        },
        format="json",
    )
    assert trial.status_code == 200
    assert trial.data["rule"] == first.data["id"] and trial.data["team"] == team.pk
    assert trial.data["priority"] == "urgent"
    assert RoutingRule.objects.count() == 2  # nothing written

    moved = api.post(
        f"/api/v1/routing-rules/{second.data['id']}/move/", {"direction": "up"}, format="json"
    )
    assert [r["name"] for r in moved.data] == ["Everything", "E-mail"]
    gold = viewer.post(
        "/api/v1/routing-rules/trial/", {"case_type": complaint.pk, "tier": "gold"}, format="json"
    )
    assert gold.data["rule_name"] == "Everything"
    assert (
        viewer.post(
            f"/api/v1/routing-rules/{second.data['id']}/move/", {"direction": "down"}, format="json"
        ).status_code
        == 403
    )


def test_root_cause_in_use_cannot_be_deleted(api_for, complaint):
    cause = RootCause.objects.create(code="process", names={"en": "Process"})
    case = case_services.case_create(subject="Again", case_type=complaint)
    case.root_cause = cause
    case.save(update_fields=["root_cause"])
    response = api_for(Role.ANALYST).delete(f"/api/v1/root-causes/{cause.pk}/")
    assert response.status_code == 400 and response.data["code"] == "in_use"
    assert RootCause.objects.filter(pk=cause.pk).exists()


def test_schema_lists_the_endpoints(api_for):
    schema = api_for(Role.VIEWER).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for endpoint in ENDPOINTS:
        assert f"/api/v1/{endpoint}/" in paths
    assert "/api/v1/routing-rules/trial/" in paths
