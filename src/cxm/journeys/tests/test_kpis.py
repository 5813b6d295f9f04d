import pytest
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.journeys import kpis
from cxm.journeys.kpis import (
    TouchpointKpi,
    heat_for_kpi_level,
    register_touchpoint_kpi_provider,
    touchpoint_heat,
    touchpoint_kpis,
    unregister_touchpoint_kpi_provider,
)
from cxm.journeys.tests.factories import PainPointFactory, TouchpointFactory


@pytest.fixture
def provider():
    """Register a provider for one test and always remove it again."""
    added = []

    def register(func):
        register_touchpoint_kpi_provider(func)
        added.append(func)
        return func

    yield register
    for func in added:
        unregister_touchpoint_kpi_provider(func)


@pytest.mark.parametrize(
    ("level", "heat"),
    [
        (None, 0),
        (1.0, 0),
        (0.8, 0),
        (0.79, 1),
        (0.6, 1),
        (0.5, 2),
        (0.4, 2),
        (0.3, 3),
        (0.2, 3),
        (0.1, 4),
        (0.0, 4),
    ],
)
def test_kpi_level_maps_to_heat(level, heat):
    assert heat_for_kpi_level(level) == heat


def test_level_outside_zero_to_one_is_refused():
    with pytest.raises(ValueError):
        TouchpointKpi(label="CSAT", value=5, display="5", level=1.5)


def test_touchpoint_heat_is_the_worst_of_severities_and_kpis():
    assert touchpoint_heat(severities=[]) == 0
    assert touchpoint_heat(severities=[1, 3]) == 3
    poor = TouchpointKpi(label="CSAT", value=1.2, display="1.2", level=0.05)
    assert touchpoint_heat(severities=[2], kpis=[poor]) == 4


@pytest.mark.django_db
def test_providers_are_merged_and_registering_twice_is_a_no_op(provider):
    a, b = TouchpointFactory.create(), TouchpointFactory.create()

    def csat(touchpoints):
        return {
            tp.pk: TouchpointKpi("CSAT", 4.2, "4.2", 0.8) for tp in touchpoints if tp.pk == a.pk
        }

    def ces(touchpoints):
        return {tp.pk: TouchpointKpi("CES", 2.0, "2.0") for tp in touchpoints}

    provider(csat)
    provider(csat)
    provider(ces)
    assert kpis.registered_kpi_providers().count(csat) == 1
    result = touchpoint_kpis([a, b])
    assert [k.label for k in result[a.pk]] == ["CSAT", "CES"]
    assert [k.label for k in result[b.pk]] == ["CES"]


@pytest.mark.django_db
def test_a_failing_provider_does_not_break_the_others(provider, caplog):
    tp = TouchpointFactory.create()

    def broken(touchpoints):
        raise RuntimeError("listening database is down")

    provider(broken)
    provider(lambda tps: {t.pk: TouchpointKpi("NPS", 30, "+30", 0.7) for t in tps})
    assert [k.label for k in touchpoint_kpis([tp])[tp.pk]] == ["NPS"]
    assert "failed" in caplog.text


@pytest.mark.django_db
def test_map_shows_placeholder_then_provider_value_and_kpi_heat(client_for, provider):
    tp = TouchpointFactory.create(name="Checkout")
    url = reverse("journeys:detail", args=[tp.stage.journey_id])
    client = client_for(Role.VIEWER)
    page = client.get(url).text
    assert 'class="kpi-chip kpi-empty"' in page and "—" in page

    seen = []

    @provider
    def csat(touchpoints):
        seen.append([t.pk for t in touchpoints])
        return {t.pk: TouchpointKpi("CSAT", 2.1, "2.1 / 5", level=0.1) for t in touchpoints}

    page = client.get(url).text
    assert seen == [[tp.pk]]  # called once, with every touchpoint of the map
    assert "kpi-empty" not in page
    assert '<span class="kpi-chip heat-4"><span class="kpi-label"><bdi>CSAT</bdi></span>' in page
    assert "2.1 / 5" in page
    assert f'class="touchpoint heat-edge-4" id="touchpoint-{tp.pk}"' in page


@pytest.mark.django_db
def test_card_heat_follows_the_worst_open_pain_point(client_for):
    pain = PainPointFactory.create(severity=3)
    PainPointFactory.create(touchpoint=pain.touchpoint, severity=4, is_resolved=True)
    page = (
        client_for(Role.VIEWER)
        .get(reverse("journeys:detail", args=[pain.touchpoint.stage.journey_id]))
        .text
    )
    assert f'class="touchpoint heat-edge-3" id="touchpoint-{pain.touchpoint_id}"' in page
