"""Case settings pages through the Django test client: who reads and who changes, each
catalogue created and edited, bad input answered next to the field with nothing written, the
routing "test a case" helper, team assignment and agent profiles, and the defaults."""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.cases import services as case_services
from cxm.cases.defaults import FEEDBACK_RULES, load_feedback_rule_defaults
from cxm.cases.models import (
    AgentProfile,
    AssignmentStrategy,
    CannedReply,
    CaseStatus,
    CaseTopic,
    CaseType,
    FeedbackRule,
    RootCause,
    RoutingRule,
    SlaPolicy,
    StatusCategory,
    TeamRouting,
)
from cxm.surveys.models import Survey, SurveyKind

pytestmark = pytest.mark.django_db


def u(name: str, *args: int) -> str:
    return reverse(f"cases:cases_config:{name}", args=args or None)


def names(en: str, **more: str) -> dict[str, str]:
    data = {"name_fa": "", "name_ar": "", "name_hu": "", "name_en": en}
    data.update({f"name_{k}": v for k, v in more.items()})
    return data


def errors_of(response) -> dict:
    return response.context["form"].errors


# --- permissions ---------------------------------------------------------------------------

LISTS = [
    "index",
    "types",
    "statuses",
    "topics",
    "root-causes",
    "routing-rules",
    "teams",
    "feedback-rules",
    "sla-policies",
    "canned-replies",
]


@pytest.mark.parametrize("name", LISTS)
def test_every_signed_in_user_reads_the_settings(client_for, name):
    response = client_for(Role.VIEWER).get(u(name))
    assert response.status_code == 200
    body = response.content.decode()
    assert "/new/" not in body  # no "Add" for a reader


def test_index_links_every_section(client_for):
    body = client_for(Role.VIEWER).get(u("index")).content.decode()
    for name in LISTS[1:]:
        assert f'href="{u(name)}"' in body


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(u("types"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("role", "name", "allowed"),
    [
        (Role.VIEWER, "type-create", False),
        (Role.AGENT, "type-create", False),
        (Role.ANALYST, "type-create", False),
        (Role.SUPERVISOR, "type-create", True),
        (Role.CX_MANAGER, "canned-reply-create", True),
        (Role.AGENT, "canned-reply-create", False),
        (Role.SUPERVISOR, "sla-policy-create", False),
        (Role.CX_MANAGER, "sla-policy-create", True),
        (Role.ANALYST, "root-cause-create", True),
        (Role.SUPERVISOR, "root-cause-create", True),
        (Role.AGENT, "root-cause-create", False),
        (Role.ANALYST, "topic-create", False),
    ],
)
def test_who_may_change(client_for, role, name, allowed):
    response = client_for(role).get(u(name))
    assert response.status_code == (200 if allowed else 403)


def test_reader_cannot_post(client_for):
    response = client_for(Role.AGENT).post(
        u("type-create"), {"code": "x", "default_priority": "normal", "position": 0, **names("X")}
    )
    assert response.status_code == 403
    assert not CaseType.objects.filter(code="x").exists()


def test_editor_sees_add_and_edit_links(client_for):
    body = client_for(Role.SUPERVISOR).get(u("types")).content.decode()
    complaint = CaseType.objects.get(code="complaint")
    assert u("type-create") in body and u("type-edit", complaint.pk) in body


# --- case types ----------------------------------------------------------------------------


def test_case_type_create_and_edit(client_for, team):
    touchpoint = Survey.objects.create(
        name="After support", kind=SurveyKind.TOUCHPOINT, languages=["en"], default_language="en"
    )
    relationship = Survey.objects.create(
        name="Yearly NPS", kind=SurveyKind.RELATIONSHIP, languages=["en"], default_language="en"
    )
    manager = client_for(Role.SUPERVISOR)
    form_page = manager.get(u("type-create")).content.decode()
    assert "After support" in form_page and "Yearly NPS" not in form_page

    response = manager.post(
        u("type-create"),
        {
            "code": "warranty",
            "default_priority": "high",
            "default_team": team.pk,
            "followup_survey": touchpoint.pk,
            "is_active": "on",
            "position": "۷",
            **names("Warranty", fa="گارانتی"),
        },
    )
    assert response.status_code == 302 and response["Location"] == u("types")
    warranty = CaseType.objects.get(code="warranty")
    assert warranty.names == {"fa": "گارانتی", "en": "Warranty"}
    assert warranty.position == 7 and warranty.default_team == team
    assert warranty.followup_survey == touchpoint

    refused = manager.post(
        u("type-edit", warranty.pk),
        {
            "code": "warranty",
            "default_priority": "high",
            "followup_survey": relationship.pk,
            "position": "1",
            **names("Warranty"),
        },
    )
    assert refused.status_code == 200 and "followup_survey" in errors_of(refused)
    warranty.refresh_from_db()
    assert warranty.followup_survey == touchpoint


def test_duplicate_code_is_refused_next_to_the_code(client_for):
    response = client_for(Role.SUPERVISOR).post(
        u("type-create"),
        {"code": "complaint", "default_priority": "normal", "position": 0, **names("Again")},
    )
    assert response.status_code == 200
    assert "already has the code" in errors_of(response)["code"][0]
    assert CaseType.objects.filter(code="complaint").count() == 1


def test_a_name_is_required_in_some_language(client_for):
    response = client_for(Role.SUPERVISOR).post(
        u("topic-create"), {"code": "billing", "is_active": "on", **names("")}
    )
    assert response.status_code == 200
    assert "at least one language" in response.content.decode()
    assert not CaseTopic.objects.exists()


def test_case_type_in_use_cannot_be_deleted(client_for, complaint):
    case_services.case_create(subject="Broken", case_type=complaint)
    client = client_for(Role.SUPERVISOR)
    response = client.post(u("type-edit", complaint.pk), {"delete": "1"}, follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert CaseType.objects.filter(pk=complaint.pk).exists()


# --- statuses ------------------------------------------------------------------------------


def status_post(code: str, category: str, **extra: str) -> dict[str, str]:
    return {"code": code, "category": category, "position": "9", **names(code.title()), **extra}


def test_new_default_replaces_the_previous_one(client_for):
    old = CaseStatus.objects.get(category=StatusCategory.OPEN, is_default=True)
    response = client_for(Role.SUPERVISOR).post(
        u("status-create"), status_post("triage", StatusCategory.OPEN, is_default="on")
    )
    assert response.status_code == 302
    defaults = CaseStatus.objects.filter(category=StatusCategory.OPEN, is_default=True)
    assert [s.code for s in defaults] == ["triage"]
    old.refresh_from_db()
    assert old.is_default is False


def test_the_only_default_cannot_be_unset(client_for):
    resolved = CaseStatus.objects.get(category=StatusCategory.RESOLVED, is_default=True)
    response = client_for(Role.SUPERVISOR).post(
        u("status-edit", resolved.pk), status_post("resolved", StatusCategory.RESOLVED)
    )
    assert response.status_code == 200
    assert "exactly one default" in errors_of(response)["is_default"][0]
    resolved.refresh_from_db()
    assert resolved.is_default


def test_pause_is_forced_by_the_category(client_for):
    client = client_for(Role.SUPERVISOR)
    client.post(u("status-create"), status_post("awaiting_docs", StatusCategory.WAITING_CUSTOMER))
    client.post(u("status-create"), status_post("done", StatusCategory.CLOSED, pauses_sla="on"))
    assert CaseStatus.objects.get(code="awaiting_docs").pauses_sla is True
    assert CaseStatus.objects.get(code="done").pauses_sla is False
    form = client.get(u("status-create")).content.decode()
    assert "always on for" in form


def test_status_in_use_and_last_of_its_category_cannot_be_deleted(client_for, complaint):
    client = client_for(Role.SUPERVISOR)
    case = case_services.case_create(subject="Late", case_type=complaint)
    in_use = case.status
    response = client.post(u("status-edit", in_use.pk), {"delete": "1"}, follow=True)
    assert "cases have this status, so it cannot be deleted" in response.content.decode()
    assert CaseStatus.objects.filter(pk=in_use.pk).exists()

    closed = CaseStatus.objects.get(category=StatusCategory.CLOSED)
    response = client.post(u("status-edit", closed.pk), {"delete": "1"}, follow=True)
    assert "is the last status of the category" in response.content.decode()
    assert CaseStatus.objects.filter(pk=closed.pk).exists()


def test_deleting_a_default_promotes_the_next_status(client_for):
    client = client_for(Role.SUPERVISOR)
    client.post(u("status-create"), status_post("archived", StatusCategory.CLOSED))
    closed = CaseStatus.objects.get(code="closed")
    response = client.post(u("status-edit", closed.pk), {"delete": "1"})
    assert response.status_code == 302
    assert CaseStatus.objects.get(code="archived").is_default


# --- topics and root causes ----------------------------------------------------------------


def test_topic_and_root_cause_create_and_edit(client_for):
    supervisor = client_for(Role.SUPERVISOR)
    supervisor.post(u("topic-create"), {"code": "billing", "is_active": "on", **names("Billing")})
    topic = CaseTopic.objects.get(code="billing")
    supervisor.post(u("topic-edit", topic.pk), {"code": "billing", **names("Bills", hu="Számlák")})
    topic.refresh_from_db()
    assert topic.names == {"hu": "Számlák", "en": "Bills"} and topic.is_active is False

    analyst = client_for(Role.ANALYST)
    response = analyst.post(
        u("root-cause-create"), {"code": "training", "is_active": "on", **names("Training")}
    )
    assert response.status_code == 302
    assert RootCause.objects.get(code="training").is_active
    assert u("root-cause-create") in analyst.get(u("root-causes")).content.decode()


# --- routing rules -------------------------------------------------------------------------


def test_routing_rule_create_move_and_test_a_case(client_for, team, complaint, email_channel):
    client = client_for(Role.SUPERVISOR)
    billing = CaseTopic.objects.create(code="billing", names={"en": "Billing"})
    response = client.post(
        u("routing-rule-create"),
        {
            "name": "Gold e-mail complaints",
            "position": "0",
            "is_active": "on",
            "case_types": [complaint.pk],
            "channels": [email_channel.pk],
            "intents": "refund, late_delivery ,refund",
            "tiers": ["gold"],
            "languages": ["fa"],
            "team": team.pk,
            "set_priority": "urgent",
        },
    )
    assert response.status_code == 302, errors_of(response)
    gold = RoutingRule.objects.get(name="Gold e-mail complaints")
    assert gold.intents == ["refund", "late_delivery"] and gold.tiers == ["gold"]
    assert list(gold.channels.all()) == [email_channel]
    client.post(
        u("routing-rule-create"),
        {"name": "Billing", "is_active": "on", "topics": [billing.pk], "team": team.pk},
    )
    catch_all = RoutingRule.objects.get(name="Billing")

    response = client.get(
        u("routing-rules"),
        {
            "case_type": complaint.pk,
            "channel": email_channel.pk,
            "tier": "gold",
            "language": "fa",
            "intent": "refund",
        },
    )
    body = response.content.decode()
    assert response.context["trial"].rule == gold
    assert "Gold e-mail complaints" in body and "matches first" in body
    assert response.context["trial"].priority == "urgent"

    # A silver customer does not match the gold rule, and nothing else names a team.
    miss = client.get(u("routing-rules"), {"case_type": complaint.pk, "tier": "silver"})
    assert miss.context["trial"].rule is None and "No rule matches" in miss.content.decode()

    # Move the billing rule above the gold rule.
    client.post(u("routing-rule-move", catch_all.pk), {"direction": "up"})
    order = list(RoutingRule.objects.order_by("position").values_list("name", flat=True))
    assert order == ["Billing", "Gold e-mail complaints"]
    moved = client.get(u("routing-rules"), {"case_type": complaint.pk, "topic": billing.pk})
    assert moved.context["trial"].rule == catch_all
    assert (
        client_for(Role.AGENT)
        .post(u("routing-rule-move", gold.pk), {"direction": "up"})
        .status_code
        == 403
    )


def test_routing_helper_falls_back_to_the_default_team(client_for, team, complaint):
    complaint.default_team = team
    complaint.save()
    response = client_for(Role.VIEWER).get(u("routing-rules"), {"case_type": complaint.pk})
    trial = response.context["trial"]
    assert trial.rule is None and trial.team == team and trial.by_default_team
    assert "default team" in response.content.decode()


def test_routing_rule_needs_a_team(client_for):
    response = client_for(Role.SUPERVISOR).post(
        u("routing-rule-create"), {"name": "No team", "position": "0"}
    )
    assert response.status_code == 200 and "team" in errors_of(response)
    assert not RoutingRule.objects.exists()


# --- teams and agents ----------------------------------------------------------------------


def test_team_page_lists_agents_with_open_cases_and_edits_them(client_for, team, agents):
    complaint = CaseType.objects.get(code="complaint")
    case_services.case_create(subject="One", case_type=complaint, team=team, assignee=agents[0])
    viewer = client_for(Role.VIEWER)
    page = viewer.get(u("team", team.pk))
    rows = {row["user"].username: row for row in page.context["agents"]}
    assert set(rows) == {"agent1", "agent2", "agent3"}
    assert rows["agent1"]["user"].open_cases == 1 and rows["agent2"]["user"].open_cases == 0
    assert rows["agent1"]["form"] is None  # readers see no forms

    manager = client_for(Role.SUPERVISOR)
    response = manager.post(u("team", team.pk), {"strategy": AssignmentStrategy.ROUND_ROBIN})
    assert response.status_code == 302
    assert TeamRouting.objects.get(team=team).strategy == AssignmentStrategy.ROUND_ROBIN

    agent = agents[1]
    prefix = f"agent-{agent.pk}"
    response = manager.post(
        u("team", team.pk),
        {
            "agent": agent.pk,
            f"{prefix}-capacity": "۵",
            f"{prefix}-languages": ["fa", "en"],
            f"{prefix}-case_types": [complaint.pk],
        },
    )
    assert response.status_code == 302
    profile = AgentProfile.objects.get(user=agent)
    assert profile.capacity == 5 and profile.available is False
    assert profile.languages == ["fa", "en"] and list(profile.case_types.all()) == [complaint]

    bad = manager.post(u("team", team.pk), {"agent": agent.pk, f"{prefix}-capacity": "-1"})
    assert bad.status_code == 200
    profile.refresh_from_db()
    assert profile.capacity == 5
    assert manager.post(u("team", team.pk), {"strategy": "bogus"}).status_code == 200
    assert viewer.post(u("team", team.pk), {"strategy": "manual"}).status_code == 403


# --- feedback rules ------------------------------------------------------------------------


def feedback_post(complaint, **extra) -> dict:
    return {
        "name": "Detractors",
        "is_active": "on",
        "position": "0",
        "metric": "nps",
        "comparison": "lte",
        "threshold": "6",
        "case_type": complaint.pk,
        "priority": "high",
        **extra,
    }


def test_feedback_rule_create_and_threshold_out_of_scale(client_for, complaint):
    client = client_for(Role.SUPERVISOR)
    response = client.post(u("feedback-rule-create"), feedback_post(complaint, threshold="۶"))
    assert response.status_code == 302
    rule = FeedbackRule.objects.get(name="Detractors")
    assert rule.threshold == Decimal(6) and rule.survey is None

    bad = client.post(u("feedback-rule-create"), feedback_post(complaint, threshold="11"))
    assert bad.status_code == 200
    assert "between 0 and 10" in errors_of(bad)["threshold"][0]
    csat = client.post(
        u("feedback-rule-create"), feedback_post(complaint, metric="csat", threshold="0")
    )
    assert "between 1 and 7" in errors_of(csat)["threshold"][0]
    assert FeedbackRule.objects.count() == 1


def test_feedback_rule_defaults_are_idempotent():
    FeedbackRule.objects.all().delete()
    assert load_feedback_rule_defaults() == 2
    assert load_feedback_rule_defaults() == 0
    nps = FeedbackRule.objects.get(metric="nps")
    assert (nps.threshold, nps.comparison, nps.case_type.code, nps.priority) == (
        Decimal(6),
        "lte",
        "detractor_followup",
        "high",
    )
    csat = FeedbackRule.objects.get(metric="csat")
    assert (csat.threshold, csat.case_type.code, csat.priority) == (2, "complaint", "normal")
    assert {r.name for r in FeedbackRule.objects.all()} == {r["name"] for r in FEEDBACK_RULES}


# --- SLA policies --------------------------------------------------------------------------


def sla_post(**extra: Any) -> dict:
    data = {
        "name": "VIP",
        "position": "0",
        "is_active": "on",
        "warn_at_percent": "80",
        "target_urgent_first_response": "۳۰m",
        "target_urgent_resolution": "4h",
        "target_high_first_response": "1h",
        "target_high_resolution": "1d 2h",
        "escalation_1_at": "100",
        "escalation_1_notify": "team_lead",
        "escalation_2_at": "150",
        "escalation_2_notify": "cx_manager",
        "escalation_2_reassign": "on",
    }
    data.update(extra)
    return data


def test_sla_policy_create_with_durations_and_escalation(client_for, office_calendar):
    client = client_for(Role.CX_MANAGER)
    response = client.post(
        u("sla-policy-create"),
        sla_post(calendar=str(office_calendar.pk), priorities=["urgent", "high"], tiers=["gold"]),
    )
    assert response.status_code == 302, errors_of(response)
    policy = SlaPolicy.objects.get(name="VIP")
    assert policy.targets == {
        "urgent": {"first_response": 30, "resolution": 240},
        "high": {"first_response": 60, "resolution": 26 * 60},
    }
    assert policy.escalation == [
        {"at_percent": 100, "notify": "team_lead", "reassign": False},
        {"at_percent": 150, "notify": "cx_manager", "reassign": True},
    ]
    assert policy.calendar == office_calendar and policy.priorities == ["urgent", "high"]
    edit = client.get(u("sla-policy-edit", policy.pk)).content.decode()
    assert 'value="1d 2h"' in edit and 'value="30m"' in edit
    listing = client.get(u("sla-policies")).content.decode()
    assert "VIP" in listing and "1d 2h" in listing


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"target_high_resolution": "4x"}, "target_high_resolution", "is not a duration"),
        ({"target_high_first_response": "0m"}, "target_high_first_response", "more than 0"),
        ({"escalation_2_at": "90"}, "escalation_2_at", "higher percentage"),
        ({"warn_at_percent": "100"}, "warn_at_percent", "Between 1 and 99"),
        ({"name": ""}, "name", ""),
    ],
)
def test_sla_policy_errors_per_field(client_for, extra, field, words):
    before = SlaPolicy.objects.count()
    response = client_for(Role.ADMINISTRATOR).post(u("sla-policy-create"), sla_post(**extra))
    assert response.status_code == 200
    errors = errors_of(response)
    assert field in errors and words in " ".join(errors[field])
    assert SlaPolicy.objects.count() == before


def test_sla_policy_first_response_after_resolution_is_refused(client_for):
    response = client_for(Role.ADMINISTRATOR).post(
        u("sla-policy-create"), sla_post(target_high_first_response="2d")
    )
    assert response.status_code == 200
    assert "cannot be due after the resolution" in response.content.decode()
    assert not SlaPolicy.objects.filter(name="VIP").exists()


# --- canned replies ------------------------------------------------------------------------


def canned_post(**texts: str) -> dict:
    data = {"title": "Apology", "is_active": "on"}
    data.update({f"text_{c}": "" for c in ("fa", "ar", "hu", "en")})
    data.update({f"text_{c}": t for c, t in texts.items()})
    return data


def test_canned_reply_create_preview_and_edit(client_for):
    client = client_for(Role.SUPERVISOR)
    text_en = "Dear {customer_name}, about case {case_number}: sorry. {agent_name}"
    preview = client.post(
        u("canned-reply-create"),
        {**canned_post(en=text_en, fa="{customer_name} عزیز"), "preview": "1"},
    )
    assert preview.status_code == 200 and not CannedReply.objects.exists()
    body = preview.content.decode()
    assert "Dear Sara Ahmadi, about case #1234: sorry. Reza" in body
    assert "Sara Ahmadi عزیز" in body

    saved = client.post(u("canned-reply-create"), canned_post(en=text_en))
    assert saved.status_code == 302
    reply = CannedReply.objects.get(title="Apology")
    assert reply.texts == {"en": text_en}
    assert "Dear Sara Ahmadi" in client.get(u("canned-reply-edit", reply.pk)).content.decode()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hello {customer}", "Unknown variable {customer}"),
        ("Hello {customer_name", "braces do not balance"),
        ("Hello customer_name}", "braces do not balance"),
        ("{agent_name.__class__}", "Unknown variable"),
    ],
)
def test_canned_reply_bad_variables(client_for, text, words):
    response = client_for(Role.SUPERVISOR).post(
        u("canned-reply-create"), canned_post(hu=text, en="fine {agent_name}")
    )
    assert response.status_code == 200
    assert words in " ".join(errors_of(response)["text_hu"])
    assert not CannedReply.objects.exists()


def test_user_text_is_escaped(client_for):
    client = client_for(Role.SUPERVISOR)
    client.post(u("canned-reply-create"), canned_post(en="<script>alert(1)</script>"))
    reply = CannedReply.objects.get()
    body = client.get(u("canned-reply-edit", reply.pk)).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_every_page_renders_right_to_left_in_persian(client_for, team, agents, office_policy):
    rule = RoutingRule.objects.create(name="همه", team=team, tiers=[""], languages=["fa"])
    reply = CannedReply.objects.create(title="پاسخ", texts={"fa": "{customer_name} عزیز"})
    feedback = FeedbackRule.objects.create(
        name="NPS", metric="nps", threshold=6, case_type=CaseType.objects.get(code="complaint")
    )
    topic = CaseTopic.objects.create(code="billing", names={"fa": "صورتحساب"})
    cause = RootCause.objects.create(code="process", names={"fa": "فرایند"})
    client = client_for(Role.ADMINISTRATOR, language="fa")
    pages = [u(name) for name in LISTS] + [
        u("type-edit", CaseType.objects.get(code="complaint").pk),
        u("status-edit", CaseStatus.objects.get(code="new").pk),
        u("topic-edit", topic.pk),
        u("root-cause-edit", cause.pk),
        u("routing-rule-edit", rule.pk),
        u("team", team.pk),
        u("feedback-rule-edit", feedback.pk),
        u("sla-policy-edit", office_policy.pk),
        u("canned-reply-edit", reply.pk),
        u("sla-policy-create"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert 'dir="rtl"' in response.content.decode(), page
    previews = client.get(u("canned-reply-edit", reply.pk)).context["previews"]
    assert [(code, text.endswith(" عزیز"), "{" in text) for code, _l, text in previews] == [
        ("fa", True, False)
    ]
