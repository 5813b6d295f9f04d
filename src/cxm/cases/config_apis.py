"""REST API of the case configuration: case types, statuses, topics, root causes, SLA
policies, routing rules, feedback rules and canned replies.

Reading is open to signed-in users; writing needs `cases.manage` (SLA policies:
`sla.change`; root causes: `capa.change` or `cases.manage`). Serializers only shape the
data: every write goes through `cxm.cases.config_services`, the same functions the settings
pages call, so a refusal reads the same in both (`{"message", "code", "extra": {"fields"}}`).
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from cxm.accounts.permissions import RolePermission, user_can
from cxm.accounts.roles import Capability
from cxm.cases import config_services as services
from cxm.cases.models import (
    CannedReply,
    CaseStatus,
    CaseTopic,
    CaseType,
    EscalationTarget,
    FeedbackRule,
    Priority,
    RootCause,
    RoutingRule,
    SlaPolicy,
)
from cxm.channels.models import Channel
from cxm.customers.models import ClubTier

TIMESTAMPS = ["created_at", "updated_at"]
NAMES_HELP = _('Names by language code (fa, ar, hu, en): {"en": "Complaint", "fa": "شکایت"}.')


class NamesField(serializers.DictField):
    def __init__(self, **kwargs: Any):
        kwargs.setdefault("help_text", NAMES_HELP)
        super().__init__(child=serializers.CharField(allow_blank=True), **kwargs)


class ServiceViewSet(viewsets.ModelViewSet, metaclass=ABCMeta):
    """A ModelViewSet whose writes call `create`, `update` and `delete` services."""

    write_capability = Capability.CASES_MANAGE
    object_kwarg = ""

    @abstractmethod
    def create_object(self, data: dict[str, Any]) -> Any:
        """The catalogue's create service."""

    @abstractmethod
    def update_object(self, instance: Any, data: dict[str, Any]) -> Any:
        """The catalogue's update service."""

    @abstractmethod
    def delete_object(self, instance: Any) -> None:
        """The catalogue's delete service."""

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = self.create_object(dict(serializer.validated_data))

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = self.update_object(
            serializer.instance, dict(serializer.validated_data)
        )

    def perform_destroy(self, instance: Any) -> None:
        self.delete_object(instance)


# --- case types ----------------------------------------------------------------------------


class CaseTypeSerializer(serializers.ModelSerializer):
    names = NamesField()
    name = serializers.CharField(read_only=True)

    class Meta:
        model = CaseType
        fields = [
            "id",
            "code",
            "names",
            "name",
            "default_priority",
            "default_team",
            "followup_survey",
            "is_active",
            "position",
            *TIMESTAMPS,
        ]
        extra_kwargs: dict[str, Any] = {"code": {"validators": []}}


class CaseTypeViewSet(ServiceViewSet):
    """Case types (complaint, return/refund …); `code` is what rules and the API use."""

    queryset = CaseType.objects.all()
    serializer_class = CaseTypeSerializer
    filterset_fields = ["is_active", "default_priority"]

    def create_object(self, data: dict[str, Any]) -> Any:
        return services.case_type_create(**data)

    def update_object(self, instance: Any, data: dict[str, Any]) -> Any:
        return services.case_type_update(case_type=instance, data=data)

    def delete_object(self, instance: Any) -> None:
        services.case_type_delete(case_type=instance)


# --- statuses ------------------------------------------------------------------------------


class CaseStatusSerializer(serializers.ModelSerializer):
    names = NamesField()
    name = serializers.CharField(read_only=True)

    class Meta:
        model = CaseStatus
        fields = [
            "id",
            "code",
            "names",
            "name",
            "category",
            "pauses_sla",
            "is_default",
            "position",
            *TIMESTAMPS,
        ]
        extra_kwargs: dict[str, Any] = {
            "code": {"validators": []},
            "pauses_sla": {
                "help_text": _(
                    "Forced on for waiting_customer and off for resolved and closed; "
                    "optional for the other categories."
                )
            },
            "is_default": {
                "help_text": _(
                    "Exactly one default per category: setting it unsets the previous default "
                    "of the category."
                )
            },
        }
        validators: list[Any] = []  # the service moves the default in one transaction


class CaseStatusViewSet(ServiceViewSet):
    """Statuses, each in a fixed category (open, waiting_customer, waiting_third_party,
    resolved, closed). A status cases have, or the last of its category, cannot be deleted."""

    queryset = CaseStatus.objects.all()
    serializer_class = CaseStatusSerializer
    filterset_fields = ["category", "is_default"]

    def create_object(self, data: dict[str, Any]) -> Any:
        return services.case_status_create(**data)

    def update_object(self, instance: Any, data: dict[str, Any]) -> Any:
        return services.case_status_update(status=instance, data=data)

    def delete_object(self, instance: Any) -> None:
        services.case_status_delete(status=instance)


# --- topics and root causes ----------------------------------------------------------------

CODED_FIELDS = ["id", "code", "names", "name", "is_active", *TIMESTAMPS]


class CaseTopicSerializer(serializers.ModelSerializer):
    names = NamesField()
    name = serializers.CharField(read_only=True)

    class Meta:
        model = CaseTopic
        fields = CODED_FIELDS
        extra_kwargs: dict[str, Any] = {"code": {"validators": []}}


class CaseTopicViewSet(ServiceViewSet):
    """Topics of cases (billing, delivery …); routing rules and agent skills use them."""

    queryset = CaseTopic.objects.all()
    serializer_class = CaseTopicSerializer
    filterset_fields = ["is_active"]

    def create_object(self, data: dict[str, Any]) -> Any:
        return services.case_topic_create(**data)

    def update_object(self, instance: Any, data: dict[str, Any]) -> Any:
        return services.case_topic_update(topic=instance, data=data)

    def delete_object(self, instance: Any) -> None:
        services.case_topic_delete(topic=instance)


class RootCauseSerializer(serializers.ModelSerializer):
    names = NamesField()
    name = serializers.CharField(read_only=True)

    class Meta:
        model = RootCause
        fields = CODED_FIELDS
        extra_kwargs: dict[str, Any] = {"code": {"validators": []}}


class RootCausePermission(RolePermission):
    """Writing root causes: `capa.change` or `cases.manage`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().has_permission(request, view)
        return user_can(request.user, Capability.CAPA_CHANGE) or user_can(
            request.user, Capability.CASES_MANAGE
        )


class RootCauseViewSet(ServiceViewSet):
    """Root-cause codes set on cases (ISO 10002)."""

    queryset = RootCause.objects.all()
    serializer_class = RootCauseSerializer
    permission_classes = [RootCausePermission]
    write_capability = Capability.CAPA_CHANGE
    filterset_fields = ["is_active"]

    def create_object(self, data: dict[str, Any]) -> Any:
        return services.root_cause_create(**data)

    def update_object(self, instance: Any, data: dict[str, Any]) -> Any:
        return services.root_cause_update(root_cause=instance, data=data)

    def delete_object(self, instance: Any) -> None:
        services.root_cause_delete(root_cause=instance)


# --- SLA policies --------------------------------------------------------------------------


class EscalationStepSerializer(serializers.Serializer):
    at_percent = serializers.IntegerField(help_text=_("Percent of the resolution time."))
    notify = serializers.ChoiceField(choices=EscalationTarget.choices)
    reassign = serializers.BooleanField(default=False)


class SlaPolicySerializer(serializers.ModelSerializer):
    priorities = serializers.ListField(
        child=serializers.ChoiceField(choices=Priority.choices), required=False
    )
    tiers = serializers.ListField(
        child=serializers.ChoiceField(choices=ClubTier.choices, allow_blank=True),
        required=False,
        help_text=_('Customer club tiers; "" is a customer who is not a member.'),
    )
    targets = serializers.JSONField(
        help_text=_(
            "Per priority (low, normal, high, urgent) the first response and resolution in "
            'business minutes, or as durations: {"high": {"first_response": 240, '
            '"resolution": "2d"}}. Responses always give minutes.'
        )
    )
    escalation = EscalationStepSerializer(many=True, required=False)

    class Meta:
        model = SlaPolicy
        fields = [
            "id",
            "name",
            "position",
            "is_active",
            "channels",
            "case_types",
            "priorities",
            "tiers",
            "calendar",
            "targets",
            "warn_at_percent",
            "escalation",
            *TIMESTAMPS,
        ]


class SlaPolicyViewSet(ServiceViewSet):
    """SLA policies: conditions → targets per priority in business time on a working
    calendar (none: around the clock), a warning and up to three escalation steps."""

    queryset = SlaPolicy.objects.select_related("calendar").prefetch_related(
        "channels", "case_types"
    )
    serializer_class = SlaPolicySerializer
    write_capability = Capability.SLA_CHANGE
    filterset_fields = ["is_active", "calendar"]

    def create_object(self, data: dict[str, Any]) -> Any:
        return services.sla_policy_create(**data)

    def update_object(self, instance: Any, data: dict[str, Any]) -> Any:
        return services.sla_policy_update(policy=instance, data=data)

    def delete_object(self, instance: Any) -> None:
        services.sla_policy_delete(policy=instance)


# --- routing rules -------------------------------------------------------------------------


class RoutingRuleSerializer(serializers.ModelSerializer):
    intents = serializers.ListField(child=serializers.CharField(), required=False)
    tiers = serializers.ListField(
        child=serializers.ChoiceField(choices=ClubTier.choices, allow_blank=True),
        required=False,
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(choices=services.LANGUAGES), required=False
    )

    class Meta:
        model = RoutingRule
        fields = [
            "id",
            "name",
            "position",
            "is_active",
            "case_types",
            "channels",
            "topics",
            "intents",
            "tiers",
            "languages",
            "team",
            "set_priority",
            *TIMESTAMPS,
        ]


class RoutingMoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("up", "up"), ("down", "down")])


class RoutingTrialSerializer(serializers.Serializer):
    case_type = serializers.PrimaryKeyRelatedField(queryset=CaseType.objects.all())
    channel = serializers.PrimaryKeyRelatedField(
        queryset=Channel.objects.all(), required=False, allow_null=True
    )
    topic = serializers.PrimaryKeyRelatedField(
        queryset=CaseTopic.objects.all(), required=False, allow_null=True
    )
    tier = serializers.ChoiceField(choices=ClubTier.choices, required=False, allow_blank=True)
    language = serializers.CharField(required=False, allow_blank=True, max_length=8)
    intent = serializers.CharField(required=False, allow_blank=True, max_length=50)


class RoutingTrialResultSerializer(serializers.Serializer):
    rule = serializers.IntegerField(allow_null=True, help_text=_("The first matching rule."))
    rule_name = serializers.CharField(allow_blank=True)
    team = serializers.IntegerField(allow_null=True)
    team_name = serializers.CharField(allow_blank=True)
    priority = serializers.CharField()
    by_default_team = serializers.BooleanField(
        help_text=_("No rule named a team: the case type's default team takes it.")
    )


class RoutingRuleViewSet(ServiceViewSet):
    """Routing rules in order (first match wins); `move` changes the order and `trial`
    tells which rule and team a described case would get, writing nothing."""

    queryset = RoutingRule.objects.select_related("team").prefetch_related(
        "case_types", "channels", "topics"
    )
    serializer_class = RoutingRuleSerializer
    filterset_fields = ["is_active", "team"]

    def create_object(self, data: dict[str, Any]) -> Any:
        return services.routing_rule_create(**data)

    def update_object(self, instance: Any, data: dict[str, Any]) -> Any:
        return services.routing_rule_update(rule=instance, data=data)

    def delete_object(self, instance: Any) -> None:
        services.routing_rule_delete(rule=instance)

    @extend_schema(request=RoutingMoveSerializer, responses=RoutingRuleSerializer(many=True))
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move the rule one place up or down; answers the rules in their new order."""
        rule = self.get_object()
        data = RoutingMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.routing_rule_move(rule=rule, up=data.validated_data["direction"] == "up")
        rules = self.get_queryset().order_by("position", "id")
        return Response(RoutingRuleSerializer(rules, many=True).data)

    @extend_schema(request=RoutingTrialSerializer, responses=RoutingTrialResultSerializer)
    @action(detail=False, methods=["post"], permission_classes=[IsAuthenticated])
    def trial(self, request: Request) -> Response:
        """Which rule, team and priority a case like this would get (nothing is written)."""
        data = RoutingTrialSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.routing_try(**data.validated_data)
        return Response(
            RoutingTrialResultSerializer(
                {
                    "rule": result.rule.pk if result.rule else None,
                    "rule_name": result.rule.name if result.rule else "",
                    "team": result.team.pk if result.team else None,
                    "team_name": result.team.name if result.team else "",
                    "priority": result.priority,
                    "by_default_team": result.by_default_team,
                }
            ).data
        )


# --- feedback rules ------------------------------------------------------------------------


class FeedbackRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeedbackRule
        fields = ["id", *services.FEEDBACK_FIELDS, *TIMESTAMPS]
        extra_kwargs: dict[str, Any] = {
            "threshold": {
                "help_text": _(
                    "Inside the metric's scale: NPS 0–10, CSAT and CES 1–7, comment and post "
                    "sentiment −1 to 1."
                )
            }
        }


class FeedbackRuleViewSet(ServiceViewSet):
    """Answers that open a case (e.g. NPS ≤ 6 → detractor follow-up, high)."""

    queryset = FeedbackRule.objects.all()
    serializer_class = FeedbackRuleSerializer
    filterset_fields = ["is_active", "metric", "survey"]

    def create_object(self, data: dict[str, Any]) -> Any:
        return services.feedback_rule_create(**data)

    def update_object(self, instance: Any, data: dict[str, Any]) -> Any:
        return services.feedback_rule_update(rule=instance, data=data)

    def delete_object(self, instance: Any) -> None:
        services.feedback_rule_delete(rule=instance)


# --- canned replies ------------------------------------------------------------------------


class CannedReplySerializer(serializers.ModelSerializer):
    texts = serializers.DictField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        help_text=_(
            "Texts by language code (fa, ar, hu, en); variables: {customer_name}, "
            "{case_number}, {agent_name}."
        ),
    )

    class Meta:
        model = CannedReply
        fields = ["id", "title", "texts", "is_active", *TIMESTAMPS]


class CannedReplyViewSet(ServiceViewSet):
    """Reply templates in four languages with the variables {customer_name},
    {case_number} and {agent_name}."""

    queryset = CannedReply.objects.all()
    serializer_class = CannedReplySerializer
    filterset_fields = ["is_active"]

    def create_object(self, data: dict[str, Any]) -> Any:
        return services.canned_reply_create(**data)

    def update_object(self, instance: Any, data: dict[str, Any]) -> Any:
        return services.canned_reply_update(reply=instance, data=data)

    def delete_object(self, instance: Any) -> None:
        services.canned_reply_delete(reply=instance)
