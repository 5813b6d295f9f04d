"""REST API of journey maps: journeys (with the whole map on retrieve), stages,
touchpoints and pain points. Reading is open to signed-in users; writing needs
`journeys.change`. Writes go through `cxm.journeys.services`."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cxm.accounts.roles import Capability
from cxm.channels.models import Channel
from cxm.journeys import selectors, services
from cxm.journeys.models import Journey, PainPoint, Stage, Touchpoint

TIMESTAMPS = ["created_at", "updated_at"]


class PainPointSerializer(serializers.ModelSerializer):
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)

    class Meta:
        model = PainPoint
        fields = [
            "id",
            "touchpoint",
            "title",
            "description",
            "severity",
            "severity_label",
            "evidence",
            "evidence_url",
            "is_resolved",
            *TIMESTAMPS,
        ]


class TouchpointSerializer(serializers.ModelSerializer):
    channel = serializers.SlugRelatedField(slug_field="code", queryset=Channel.objects.all())
    channel_label = serializers.CharField(source="channel.label", read_only=True)
    position = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text=_("0 = first in its stage; left out on create: at the end."),
    )

    class Meta:
        model = Touchpoint
        fields = [
            "id",
            "stage",
            "position",
            "name",
            "channel",
            "channel_label",
            "owner_unit",
            "customer_expectation",
            "service_level",
            "target_response_minutes",
            *TIMESTAMPS,
        ]


class StageSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text=_("0 = first stage; left out on create: at the end."),
    )

    class Meta:
        model = Stage
        fields = ["id", "journey", "position", "name", "description", *TIMESTAMPS]

    def validate_journey(self, journey: Journey) -> Journey:
        if self.instance is not None and journey.pk != self.instance.journey_id:
            raise serializers.ValidationError(_("A stage cannot move to another journey."))
        return journey


class JourneySerializer(serializers.ModelSerializer):
    stage_count = serializers.IntegerField(read_only=True)
    touchpoint_count = serializers.IntegerField(read_only=True)
    pain_point_count = serializers.IntegerField(read_only=True)
    open_pain_point_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Journey
        fields = [
            "id",
            "name",
            "description",
            "owner_unit",
            "is_active",
            "stage_count",
            "touchpoint_count",
            "pain_point_count",
            "open_pain_point_count",
            *TIMESTAMPS,
        ]


class TouchpointTreeSerializer(TouchpointSerializer):
    pain_points = PainPointSerializer(many=True, read_only=True)

    class Meta(TouchpointSerializer.Meta):
        fields = [f for f in TouchpointSerializer.Meta.fields if f != "stage"] + ["pain_points"]


class StageTreeSerializer(StageSerializer):
    touchpoints = TouchpointTreeSerializer(many=True, read_only=True)

    class Meta(StageSerializer.Meta):
        fields = [f for f in StageSerializer.Meta.fields if f != "journey"] + ["touchpoints"]


class JourneyDetailSerializer(JourneySerializer):
    """A journey with its stages → touchpoints → pain points, in map order."""

    stages = StageTreeSerializer(many=True, read_only=True)

    class Meta(JourneySerializer.Meta):
        fields = [*JourneySerializer.Meta.fields, "stages"]


class MoveInputSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=["up", "down"], required=False)
    position = serializers.IntegerField(min_value=0, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("direction" in attrs) == ("position" in attrs):
            raise serializers.ValidationError(_("Send either a direction or a position."))
        return attrs


class JourneyViewSet(viewsets.ModelViewSet):
    """Journey maps. `retrieve` returns the whole map; deleting removes all its parts."""

    write_capability = Capability.JOURNEYS_CHANGE
    filterset_fields = ["is_active", "owner_unit"]
    ordering_fields = ["name", "created_at", "updated_at"]

    def get_queryset(self) -> Any:
        qs = selectors.journey_list()
        if self.action == "retrieve":
            qs = qs.prefetch_related(selectors.stages_prefetch())
        return qs

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return JourneyDetailSerializer if self.action == "retrieve" else JourneySerializer

    def perform_create(self, serializer: Any) -> None:
        journey = services.journey_create(**serializer.validated_data)
        serializer.instance = selectors.journey_list().get(pk=journey.pk)

    def perform_update(self, serializer: Any) -> None:
        journey = services.journey_update(
            journey=serializer.instance, data=serializer.validated_data
        )
        serializer.instance = selectors.journey_list().get(pk=journey.pk)

    def perform_destroy(self, instance: Journey) -> None:
        services.journey_delete(journey=instance)


class StageViewSet(viewsets.ModelViewSet):
    """Stages of journeys, in order. `position` on create inserts; on update moves."""

    queryset = Stage.objects.order_by("journey_id", "position", "id")
    serializer_class = StageSerializer
    write_capability = Capability.JOURNEYS_CHANGE
    filterset_fields = ["journey"]
    ordering_fields = ["position", "name", "created_at"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.stage_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        stage = services.stage_update(stage=serializer.instance, data=serializer.validated_data)
        stage.refresh_from_db()
        serializer.instance = stage

    def perform_destroy(self, instance: Stage) -> None:
        services.stage_delete(stage=instance)

    @extend_schema(request=MoveInputSerializer, responses=StageSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move one place (`{"direction": "up"}`, `"down"`) or to `{"position": n}`."""
        stage = self.get_object()
        move = MoveInputSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        if "position" in move.validated_data:
            services.stage_move_to(stage=stage, position=move.validated_data["position"])
        else:
            services.stage_move(stage=stage, direction=move.validated_data["direction"])
        stage.refresh_from_db()
        return Response(StageSerializer(stage, context=self.get_serializer_context()).data)


class TouchpointViewSet(viewsets.ModelViewSet):
    """Touchpoints of stages, in order. A new `stage` (same journey) moves the card."""

    queryset = Touchpoint.objects.select_related("channel").order_by(
        "stage__journey_id", "stage__position", "position", "id"
    )
    serializer_class = TouchpointSerializer
    write_capability = Capability.JOURNEYS_CHANGE
    filterset_fields = {
        "stage": ["exact"],
        "stage__journey": ["exact"],
        "channel__code": ["exact"],
        "owner_unit": ["exact"],
    }
    ordering_fields = ["position", "name", "created_at"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.touchpoint_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        touchpoint = services.touchpoint_update(
            touchpoint=serializer.instance, data=serializer.validated_data
        )
        touchpoint.refresh_from_db()
        serializer.instance = touchpoint

    def perform_destroy(self, instance: Touchpoint) -> None:
        services.touchpoint_delete(touchpoint=instance)

    @extend_schema(request=MoveInputSerializer, responses=TouchpointSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move one place within its stage (`direction`) or to `{"position": n}`."""
        touchpoint = self.get_object()
        move = MoveInputSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        if "position" in move.validated_data:
            services.touchpoint_move_to(
                touchpoint=touchpoint, position=move.validated_data["position"]
            )
        else:
            services.touchpoint_move(
                touchpoint=touchpoint, direction=move.validated_data["direction"]
            )
        touchpoint.refresh_from_db()
        return Response(
            TouchpointSerializer(touchpoint, context=self.get_serializer_context()).data
        )


class PainPointViewSet(viewsets.ModelViewSet):
    """Pain points of touchpoints, worst first."""

    queryset = PainPoint.objects.order_by("is_resolved", "-severity", "id")
    serializer_class = PainPointSerializer
    write_capability = Capability.JOURNEYS_CHANGE
    filterset_fields = {
        "touchpoint": ["exact"],
        "touchpoint__stage__journey": ["exact"],
        "severity": ["exact", "gte"],
        "is_resolved": ["exact"],
    }
    ordering_fields = ["severity", "created_at", "title"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.pain_point_create(**serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.pain_point_update(
            pain_point=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance: PainPoint) -> None:
        services.pain_point_delete(pain_point=instance)
