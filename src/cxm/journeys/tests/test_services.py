import pytest
from django.core.exceptions import ValidationError

from cxm.common.exceptions import ApplicationError
from cxm.journeys import services
from cxm.journeys.models import PainPoint, Stage, Touchpoint
from cxm.journeys.tests.factories import (
    PainPointFactory,
    StageFactory,
    TouchpointFactory,
    channel,
)

pytestmark = pytest.mark.django_db


def stage_names(journey) -> list[str]:
    return list(
        Stage.objects.filter(journey=journey).order_by("position").values_list("name", flat=True)
    )


def positions(journey) -> list[int]:
    return list(
        Stage.objects.filter(journey=journey)
        .order_by("position")
        .values_list("position", flat=True)
    )


def card_names(stage) -> list[str]:
    return list(
        Touchpoint.objects.filter(stage=stage).order_by("position").values_list("name", flat=True)
    )


@pytest.fixture
def journey():
    journey = services.journey_create(name="Food")
    for name in ["A", "B", "C", "D"]:
        services.stage_create(journey=journey, name=name)
    return journey


def test_stages_are_appended_in_order_with_dense_positions(journey):
    assert stage_names(journey) == ["A", "B", "C", "D"]
    assert positions(journey) == [0, 1, 2, 3]


def test_stage_create_at_position_inserts_and_shifts(journey):
    services.stage_create(journey=journey, name="X", position=1)
    services.stage_create(journey=journey, name="Y", position=99)  # clamped to the end
    services.stage_create(journey=journey, name="Z", position=0)
    assert stage_names(journey) == ["Z", "A", "X", "B", "C", "D", "Y"]
    assert positions(journey) == list(range(7))


def test_move_up_and_down_swap_neighbours_and_stop_at_the_ends(journey):
    b = Stage.objects.get(journey=journey, name="B")
    services.stage_move_up(stage=b)
    assert stage_names(journey) == ["B", "A", "C", "D"]
    services.stage_move_up(stage=b)  # already first: nothing changes
    assert stage_names(journey) == ["B", "A", "C", "D"]
    d = Stage.objects.get(journey=journey, name="D")
    services.stage_move_down(stage=d)
    assert stage_names(journey) == ["B", "A", "C", "D"]
    services.stage_move_down(stage=b)
    services.stage_move_down(stage=b)
    assert stage_names(journey) == ["A", "C", "B", "D"]
    assert positions(journey) == [0, 1, 2, 3]


def test_move_uses_the_saved_position_not_a_stale_instance(journey):
    stale_c = Stage.objects.get(journey=journey, name="C")  # position 2 in memory
    services.stage_move_to(stage=Stage.objects.get(journey=journey, name="A"), position=3)
    services.stage_move_up(stage=stale_c)  # C is really at 1 now
    assert stage_names(journey) == ["C", "B", "D", "A"]


def test_move_to_position(journey):
    a = Stage.objects.get(journey=journey, name="A")
    services.stage_move_to(stage=a, position=2)
    assert stage_names(journey) == ["B", "C", "A", "D"]
    assert a.position == 2


def test_invalid_direction_is_refused(journey):
    with pytest.raises(ApplicationError):
        services.stage_move(stage=Stage.objects.first(), direction="sideways")  # type: ignore[arg-type]


def test_stage_delete_closes_the_gap_and_removes_its_cards(journey):
    b = Stage.objects.get(journey=journey, name="B")
    TouchpointFactory.create(stage=b)
    services.stage_delete(stage=b)
    assert stage_names(journey) == ["A", "C", "D"]
    assert positions(journey) == [0, 1, 2]
    assert not Touchpoint.objects.exists()


def test_stages_of_other_journeys_are_not_touched(journey):
    other = StageFactory.create(name="Other")
    services.stage_move_to(stage=Stage.objects.get(journey=journey, name="D"), position=0)
    other.refresh_from_db()
    assert other.position == 0 and stage_names(other.journey) == ["Other"]


def test_touchpoint_order_moves_and_delete():
    stage = StageFactory.create()
    for name in ["t1", "t2", "t3"]:
        services.touchpoint_create(stage=stage, name=name, channel=channel("phone"))
    t3 = Touchpoint.objects.get(name="t3")
    services.touchpoint_move_up(touchpoint=t3)
    assert card_names(stage) == ["t1", "t3", "t2"]
    services.touchpoint_move_down(touchpoint=Touchpoint.objects.get(name="t1"))
    assert card_names(stage) == ["t3", "t1", "t2"]
    services.touchpoint_delete(touchpoint=Touchpoint.objects.get(name="t1"))
    assert card_names(stage) == ["t3", "t2"]
    assert sorted(Touchpoint.objects.values_list("position", flat=True)) == [0, 1]


def test_touchpoint_changes_stage_within_the_journey():
    first = StageFactory.create()
    second = StageFactory.create(journey=first.journey)
    a = services.touchpoint_create(stage=first, name="a", channel=channel())
    services.touchpoint_create(stage=first, name="b", channel=channel())
    services.touchpoint_create(stage=second, name="c", channel=channel())
    services.touchpoint_update(touchpoint=a, data={"stage": second, "name": "a2"})
    assert card_names(first) == ["b"]
    assert card_names(second) == ["c", "a2"]
    assert Touchpoint.objects.get(name="b").position == 0


def test_touchpoint_cannot_move_to_another_journey():
    tp = TouchpointFactory.create()
    elsewhere = StageFactory.create()
    with pytest.raises(ApplicationError):
        services.touchpoint_update(touchpoint=tp, data={"stage": elsewhere})
    tp.refresh_from_db()
    assert tp.stage_id != elsewhere.pk


def test_update_changes_only_allowed_fields_and_validates():
    journey = services.journey_create(name="Old")
    services.journey_update(journey=journey, data={"name": "New", "created_at": None})
    journey.refresh_from_db()
    assert journey.name == "New" and journey.created_at is not None
    with pytest.raises(ValidationError):
        services.journey_update(journey=journey, data={"name": ""})


def test_pain_point_validation_and_update():
    tp = TouchpointFactory.create()
    with pytest.raises(ValidationError):
        services.pain_point_create(touchpoint=tp, title="x", severity=9)
    with pytest.raises(ValidationError):
        services.pain_point_create(touchpoint=tp, title="x", evidence_url="javascript:alert(1)")
    pain = services.pain_point_create(touchpoint=tp, title="Late", severity=4, evidence="18%")
    services.pain_point_update(pain_point=pain, data={"is_resolved": True, "severity": 2})
    pain.refresh_from_db()
    assert pain.is_resolved and pain.severity == 2


def test_journey_delete_removes_the_whole_map():
    pain = PainPointFactory.create()
    services.journey_delete(journey=pain.touchpoint.stage.journey)
    assert not PainPoint.objects.exists() and not Stage.objects.exists()


def test_journey_changes_are_audited():
    from auditlog.models import LogEntry

    journey = services.journey_create(name="Audited")
    services.journey_update(journey=journey, data={"name": "Audited 2"})
    assert LogEntry.objects.get_for_object(journey).count() == 2
