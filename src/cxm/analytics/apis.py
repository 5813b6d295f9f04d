"""API of the dashboard: KPIs with intervals (optionally grouped) and goals CRUD."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cxm.accounts.permissions import RolePermission
from cxm.accounts.roles import Capability
from cxm.analytics import selectors, services
from cxm.analytics.models import KpiGoal
from cxm.common.exceptions import ApplicationError

GROUPS = ("channel", "touchpoint", "stage", "team", "language", "segment", "day")


def _figure(result: Any) -> dict[str, Any]:
    return {
        "n": result.n,
        "value": result.value,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "confidence": result.confidence,
        "low_n": result.low_n,
        "warning": result.warning,
    }


class KpiApi(APIView):
    """`GET /api/v1/kpis/?metric=nps&group_by=channel&start=…&end=…&channel=…` (filters as
    on the dashboard): the overall value and one per group, each with its interval."""

    permission_classes = [RolePermission]

    class OutputSerializer(serializers.Serializer):
        metric = serializers.CharField()
        group_by = serializers.CharField(allow_null=True)
        start = serializers.DateField()
        end = serializers.DateField()
        overall = serializers.DictField(allow_null=True)
        results = serializers.ListField(child=serializers.DictField())

    @extend_schema(
        parameters=[
            OpenApiParameter("metric", str, enum=list(selectors.KPI_METRICS)),
            OpenApiParameter("group_by", str, enum=list(GROUPS), required=False),
        ],
        responses=OutputSerializer,
    )
    def get(self, request: Request) -> Response:
        metric = request.query_params.get("metric", "nps")
        group_by = request.query_params.get("group_by") or None
        if metric not in selectors.KPI_METRICS:
            raise ApplicationError(_("The metric is one of nps, csat, ces."), code="invalid")
        if group_by is not None and group_by not in GROUPS:
            raise ApplicationError(
                _("group_by is one of %(groups)s.") % {"groups": ", ".join(GROUPS)}, code="invalid"
            )
        filters = selectors.parse_filters(request.query_params)
        column = "day" if group_by == "day" else selectors.DIMENSIONS.get(group_by or "", "")
        sets: list[tuple[str, ...]] = [()]
        if column:
            sets.append((column,))
        wanted = (metric,)
        results = selectors.rollup_sets(
            filters, sets, metrics_wanted=wanted, segment_table=group_by == "segment"
        )
        overall_entry = selectors._results(results[0]).get(())
        overall = (
            _figure(selectors.metric_result(metric, overall_entry["scales"][metric]))
            if overall_entry and metric in overall_entry["scales"]
            else None
        )
        groups = []
        if column:
            options = selectors.filter_options() if group_by != "day" else None
            for key, entry in sorted(
                selectors._results(results[1]).items(), key=lambda item: str(item[0][0])
            ):
                if metric not in entry["scales"]:
                    continue
                value = key[0].isoformat() if hasattr(key[0], "isoformat") else key[0]
                groups.append(
                    {
                        "group": value,
                        "label": options.label(group_by or "", key[0]) if options else str(value),
                        **_figure(selectors.metric_result(metric, entry["scales"][metric])),
                    }
                )
        data = {
            "metric": metric,
            "group_by": group_by,
            "start": filters.start,
            "end": filters.end,
            "overall": overall,
            "results": groups,
        }
        return Response(self.OutputSerializer(data).data)


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = KpiGoal
        fields = ["id", "kpi", "target", "unit", "team", "survey", "owner", "deadline", "notes"]
        read_only_fields = ["id", "owner"]


class GoalListCreateApi(generics.ListCreateAPIView):
    """Goals: everybody lists; `goals.change` creates (the caller becomes the owner)."""

    permission_classes = [RolePermission]
    write_capability = Capability.GOALS_CHANGE
    serializer_class = GoalSerializer
    queryset = KpiGoal.objects.order_by("deadline", "id")

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.goal_save(
            goal=KpiGoal(owner=self.request.user, **serializer.validated_data)  # type: ignore[misc]
        )


class GoalDetailApi(generics.RetrieveUpdateDestroyAPIView):
    """One goal: everybody reads; `goals.change` changes or deletes."""

    permission_classes = [RolePermission]
    write_capability = Capability.GOALS_CHANGE
    serializer_class = GoalSerializer
    queryset = KpiGoal.objects.all()

    def perform_update(self, serializer: Any) -> None:
        goal = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(goal, name, value)
        serializer.instance = services.goal_save(goal=goal)

    def perform_destroy(self, instance: KpiGoal) -> None:
        services.goal_delete(goal=instance)
