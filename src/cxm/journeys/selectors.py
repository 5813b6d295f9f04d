"""Reads of journey maps: the list with counts, and one map with everything it draws."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from cxm.journeys.kpis import TouchpointKpi, touchpoint_heat, touchpoint_kpis
from cxm.journeys.models import Journey, PainPoint, Stage, Touchpoint


def journey_list(*, filters: dict[str, Any] | None = None) -> QuerySet[Journey]:
    """Journeys with `stage_count`, `touchpoint_count`, `pain_point_count` and
    `open_pain_point_count` (one query)."""
    filters = filters or {}
    qs = Journey.objects.select_related("owner_unit").annotate(
        stage_count=Count("stages", distinct=True),
        touchpoint_count=Count("stages__touchpoints", distinct=True),
        pain_point_count=Count("stages__touchpoints__pain_points", distinct=True),
        open_pain_point_count=Count(
            "stages__touchpoints__pain_points",
            distinct=True,
            filter=Q(stages__touchpoints__pain_points__is_resolved=False),
        ),
    )
    if filters.get("is_active") is not None:
        qs = qs.filter(is_active=filters["is_active"])
    return qs.order_by("-is_active", "name", "id")


def stages_prefetch() -> Prefetch:
    """Stages → touchpoints (with channel and unit) → pain points, each in map order."""
    pain_points = PainPoint.objects.order_by("is_resolved", "-severity", "id")
    touchpoints = (
        Touchpoint.objects.select_related("channel", "owner_unit")
        .prefetch_related(Prefetch("pain_points", queryset=pain_points))
        .order_by("position", "id")
    )
    stages = Stage.objects.prefetch_related(Prefetch("touchpoints", queryset=touchpoints))
    return Prefetch("stages", queryset=stages.order_by("position", "id"))


def journey_tree() -> QuerySet[Journey]:
    """Journeys with the whole map prefetched (four queries however large the map)."""
    return Journey.objects.select_related("owner_unit").prefetch_related(stages_prefetch())


@dataclass
class MapCard:
    """A touchpoint as the map draws it: its pain points, KPIs and heat (0–4)."""

    touchpoint: Touchpoint
    pain_points: list[PainPoint]
    kpis: list[TouchpointKpi] = field(default_factory=list)
    heat: int = 0

    @property
    def open_pain_points(self) -> int:
        return sum(1 for p in self.pain_points if not p.is_resolved)


@dataclass
class MapStage:
    stage: Stage
    cards: list[MapCard]


@dataclass
class JourneyMap:
    journey: Journey
    stages: list[MapStage]

    @property
    def touchpoint_count(self) -> int:
        return sum(len(s.cards) for s in self.stages)

    @property
    def open_pain_point_count(self) -> int:
        return sum(c.open_pain_points for s in self.stages for c in s.cards)


def journey_map(*, journey_id: int) -> JourneyMap:
    """Everything the map page draws; raises Journey.DoesNotExist.

    Four queries, plus what the registered KPI providers make.
    """
    journey = journey_tree().get(pk=journey_id)
    stages = list(journey.stages.all())
    touchpoints = [tp for stage in stages for tp in stage.touchpoints.all()]
    kpis = touchpoint_kpis(touchpoints)
    map_stages = []
    for stage in stages:
        cards = []
        for tp in stage.touchpoints.all():
            pains = list(tp.pain_points.all())
            tp_kpis = kpis.get(tp.pk, [])
            heat = touchpoint_heat(
                severities=[p.severity for p in pains if not p.is_resolved], kpis=tp_kpis
            )
            cards.append(MapCard(touchpoint=tp, pain_points=pains, kpis=tp_kpis, heat=heat))
        map_stages.append(MapStage(stage=stage, cards=cards))
    return JourneyMap(journey=journey, stages=map_stages)
