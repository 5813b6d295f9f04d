"""Writes to journey maps: create, update, delete and reorder stages, touchpoints and
pain points.

Positions stay dense (0 … n-1) within the parent after every call. Reordering locks the
parent row first, so two people moving cards at once do not interleave.
"""

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from django.db import models, transaction
from django.utils.translation import gettext as _

from cxm.accounts.models import Unit
from cxm.channels.models import Channel
from cxm.common.exceptions import ApplicationError
from cxm.journeys.error_codes import JourneyErrorCode
from cxm.journeys.models import Journey, PainPoint, Severity, Stage, Touchpoint

Direction = Literal["up", "down"]

JOURNEY_FIELDS = ("name", "description", "owner_unit", "is_active")
STAGE_FIELDS = ("name", "description")
TOUCHPOINT_FIELDS = (
    "name",
    "channel",
    "owner_unit",
    "customer_expectation",
    "service_level",
    "target_response_minutes",
)
PAIN_POINT_FIELDS = ("title", "description", "severity", "evidence", "evidence_url", "is_resolved")


def _apply(instance: models.Model, data: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """Set the allowed fields that `data` names and differ; return their names."""
    changed = []
    for name in fields:
        if name not in data:
            continue
        value = data[name]
        field = instance._meta.get_field(name)
        if isinstance(field, models.ForeignKey):  # compare ids: reading the object costs a query
            current = getattr(instance, field.attname)
            same = current == (value.pk if isinstance(value, models.Model) else value)
        else:
            same = getattr(instance, name) == value
        if not same:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def _save_changes(instance: models.Model, changed: list[str]) -> None:
    if changed:
        instance.full_clean()
        instance.save(update_fields=[*changed, "updated_at"])


def _renumber(items: list[Any]) -> None:
    """Write positions 0 … n-1 in list order, touching only rows that change."""
    moved = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            moved.append(item)
    if moved:
        type(moved[0]).objects.bulk_update(moved, ["position"])


def _place(siblings: list[Any], item: Any, position: int | None) -> None:
    """Put `item` at `position` (end when None, clamped) among `siblings` and renumber."""
    others = [s for s in siblings if s.pk != item.pk]
    index = len(others) if position is None else max(0, min(position, len(others)))
    others.insert(index, item)
    _renumber(others)


def _lock_journey(journey_id: int) -> Journey:
    return Journey.objects.select_for_update().get(pk=journey_id)


def _lock_stage(stage_id: int) -> Stage:
    return Stage.objects.select_for_update().get(pk=stage_id)


def _stages_of(journey_id: int) -> list[Stage]:
    return list(Stage.objects.filter(journey_id=journey_id).order_by("position", "id"))


def _touchpoints_of(stage_id: int) -> list[Touchpoint]:
    return list(Touchpoint.objects.filter(stage_id=stage_id).order_by("position", "id"))


def _step(position: int, direction: Direction) -> int:
    if direction == "up":
        return position - 1
    if direction == "down":
        return position + 1
    raise ApplicationError(_("Move up or down."), code=JourneyErrorCode.INVALID_MOVE)


# Journeys


@transaction.atomic
def journey_create(
    *, name: str, description: str = "", owner_unit: Unit | None = None, is_active: bool = True
) -> Journey:
    journey = Journey(
        name=name, description=description, owner_unit=owner_unit, is_active=is_active
    )
    journey.full_clean()
    journey.save()
    return journey


@transaction.atomic
def journey_update(*, journey: Journey, data: Mapping[str, Any]) -> Journey:
    """Change the fields of JOURNEY_FIELDS that `data` names."""
    _save_changes(journey, _apply(journey, data, JOURNEY_FIELDS))
    return journey


@transaction.atomic
def journey_delete(*, journey: Journey) -> None:
    """Delete the journey with its stages, touchpoints and pain points."""
    journey.delete()


# Stages


@transaction.atomic
def stage_create(
    *, journey: Journey, name: str, description: str = "", position: int | None = None
) -> Stage:
    """Add a stage at `position` (0 = first), or at the end when None."""
    _lock_journey(journey.pk)
    stage = Stage(
        journey=journey,
        name=name,
        description=description,
        position=Stage.objects.filter(journey=journey).count(),
    )
    stage.full_clean()
    stage.save()
    if position is not None:
        _place(_stages_of(journey.pk), stage, position)
    return stage


@transaction.atomic
def stage_update(*, stage: Stage, data: Mapping[str, Any]) -> Stage:
    """Change name/description; a `position` in `data` moves the stage there."""
    _save_changes(stage, _apply(stage, data, STAGE_FIELDS))
    if data.get("position") is not None and data["position"] != stage.position:
        stage_move_to(stage=stage, position=data["position"])
    return stage


@transaction.atomic
def stage_delete(*, stage: Stage) -> None:
    """Delete the stage with its touchpoints; the stages after it close the gap."""
    journey_id = stage.journey_id
    _lock_journey(journey_id)
    stage.delete()
    _renumber(_stages_of(journey_id))


@transaction.atomic
def stage_move_to(*, stage: Stage, position: int) -> Stage:
    """Move the stage to `position` (clamped to the journey's stages)."""
    _lock_journey(stage.journey_id)
    siblings = _stages_of(stage.journey_id)
    current = next(s for s in siblings if s.pk == stage.pk)
    _place(siblings, current, position)
    stage.position = current.position
    return stage


@transaction.atomic
def stage_move(*, stage: Stage, direction: Direction) -> Stage:
    """One place earlier ("up") or later ("down"); at either end nothing changes."""
    _lock_journey(stage.journey_id)
    stage.refresh_from_db(fields=["position"])
    return stage_move_to(stage=stage, position=_step(stage.position, direction))


def stage_move_up(*, stage: Stage) -> Stage:
    return stage_move(stage=stage, direction="up")


def stage_move_down(*, stage: Stage) -> Stage:
    return stage_move(stage=stage, direction="down")


# Touchpoints


@transaction.atomic
def touchpoint_create(
    *,
    stage: Stage,
    name: str,
    channel: Channel,
    owner_unit: Unit | None = None,
    customer_expectation: str = "",
    service_level: str = "",
    target_response_minutes: int | None = None,
    position: int | None = None,
) -> Touchpoint:
    """Add a touchpoint to the stage at `position`, or at the end when None."""
    _lock_stage(stage.pk)
    touchpoint = Touchpoint(
        stage=stage,
        name=name,
        channel=channel,
        owner_unit=owner_unit,
        customer_expectation=customer_expectation,
        service_level=service_level,
        target_response_minutes=target_response_minutes,
        position=Touchpoint.objects.filter(stage=stage).count(),
    )
    touchpoint.full_clean()
    touchpoint.save()
    if position is not None:
        _place(_touchpoints_of(stage.pk), touchpoint, position)
    return touchpoint


@transaction.atomic
def touchpoint_update(*, touchpoint: Touchpoint, data: Mapping[str, Any]) -> Touchpoint:
    """Change the fields of TOUCHPOINT_FIELDS that `data` names.

    A different `stage` (of the same journey) moves the touchpoint to the end of that
    stage; a `position` then places it within its stage.
    """
    _save_changes(touchpoint, _apply(touchpoint, data, TOUCHPOINT_FIELDS))
    new_stage: Stage | None = data.get("stage")
    if new_stage is not None and new_stage.pk != touchpoint.stage_id:
        touchpoint_move_to_stage(touchpoint=touchpoint, stage=new_stage)
    if data.get("position") is not None and data["position"] != touchpoint.position:
        touchpoint_move_to(touchpoint=touchpoint, position=data["position"])
    return touchpoint


@transaction.atomic
def touchpoint_delete(*, touchpoint: Touchpoint) -> None:
    """Delete the touchpoint with its pain points; the next cards close the gap."""
    stage_id = touchpoint.stage_id
    _lock_stage(stage_id)
    touchpoint.delete()
    _renumber(_touchpoints_of(stage_id))


@transaction.atomic
def touchpoint_move_to(*, touchpoint: Touchpoint, position: int) -> Touchpoint:
    """Move the touchpoint to `position` within its stage (clamped)."""
    _lock_stage(touchpoint.stage_id)
    siblings = _touchpoints_of(touchpoint.stage_id)
    current = next(t for t in siblings if t.pk == touchpoint.pk)
    _place(siblings, current, position)
    touchpoint.position = current.position
    return touchpoint


@transaction.atomic
def touchpoint_move(*, touchpoint: Touchpoint, direction: Direction) -> Touchpoint:
    """One place up or down within its stage; at either end nothing changes."""
    _lock_stage(touchpoint.stage_id)
    touchpoint.refresh_from_db(fields=["position"])
    return touchpoint_move_to(touchpoint=touchpoint, position=_step(touchpoint.position, direction))


def touchpoint_move_up(*, touchpoint: Touchpoint) -> Touchpoint:
    return touchpoint_move(touchpoint=touchpoint, direction="up")


def touchpoint_move_down(*, touchpoint: Touchpoint) -> Touchpoint:
    return touchpoint_move(touchpoint=touchpoint, direction="down")


@transaction.atomic
def touchpoint_move_to_stage(
    *, touchpoint: Touchpoint, stage: Stage, position: int | None = None
) -> Touchpoint:
    """Move the touchpoint to another stage of the same journey (end, or `position`)."""
    old_stage = Stage.objects.get(pk=touchpoint.stage_id)
    if stage.journey_id != old_stage.journey_id:
        raise ApplicationError(
            _("A touchpoint can only move to a stage of the same journey."),
            code=JourneyErrorCode.OTHER_JOURNEY,
        )
    for stage_id in sorted({old_stage.pk, stage.pk}):  # a fixed order avoids deadlocks
        _lock_stage(stage_id)
    touchpoint.stage = stage
    touchpoint.position = Touchpoint.objects.filter(stage=stage).count()
    touchpoint.full_clean()
    touchpoint.save(update_fields=["stage", "position", "updated_at"])
    _renumber(_touchpoints_of(old_stage.pk))
    _place(_touchpoints_of(stage.pk), touchpoint, position)
    return touchpoint


# Pain points


@transaction.atomic
def pain_point_create(
    *,
    touchpoint: Touchpoint,
    title: str,
    severity: int = Severity.MEDIUM,
    description: str = "",
    evidence: str = "",
    evidence_url: str = "",
    is_resolved: bool = False,
) -> PainPoint:
    pain_point = PainPoint(
        touchpoint=touchpoint,
        title=title,
        severity=severity,
        description=description,
        evidence=evidence,
        evidence_url=evidence_url,
        is_resolved=is_resolved,
    )
    pain_point.full_clean()
    pain_point.save()
    return pain_point


@transaction.atomic
def pain_point_update(*, pain_point: PainPoint, data: Mapping[str, Any]) -> PainPoint:
    """Change the fields of PAIN_POINT_FIELDS that `data` names; `touchpoint` moves it."""
    fields = [*PAIN_POINT_FIELDS, "touchpoint"]
    _save_changes(pain_point, _apply(pain_point, data, fields))
    return pain_point


@transaction.atomic
def pain_point_delete(*, pain_point: PainPoint) -> None:
    pain_point.delete()
