"""The touchpoint KPI slot: an extension point for the listening capability.

A provider is a function that receives the touchpoints drawn on a map and returns the KPI
it knows for some of them, e.g. CSAT of the touchpoint surveys:

    @register_touchpoint_kpi_provider
    def touchpoint_csat(touchpoints):
        return {tp.pk: TouchpointKpi(label="CSAT", value=4.1, display="4.1 / 5", level=0.78)}

Providers are called once per map with every touchpoint (so they can read in one query)
and must not change data. The map shows "—" where no provider gave a value.

`level` says how good the value is, from 0 (worst) to 1 (best or target met); the map
turns it into a heat colour next to the pain points' severities.
"""

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cxm.journeys.models import Touchpoint

logger = logging.getLogger(__name__)

HEAT_LEVELS = 4  # CSS classes heat-1 … heat-4; 0 means no heat
# A KPI level at or above floor[i] gets heat i: ≥0.8 none, ≥0.6 1, ≥0.4 2, ≥0.2 3, else 4.
_KPI_LEVEL_FLOORS = (0.8, 0.6, 0.4, 0.2)


@dataclass(frozen=True)
class TouchpointKpi:
    """One KPI of one touchpoint. `label` and `display` are already translated/formatted."""

    label: str
    value: float | None
    display: str
    level: float | None = None

    def __post_init__(self) -> None:
        if self.level is not None and not 0 <= self.level <= 1:
            raise ValueError(f"level must be between 0 and 1, not {self.level!r}")

    @property
    def heat(self) -> int:
        return heat_for_kpi_level(self.level)


TouchpointKpiProvider = Callable[[Sequence["Touchpoint"]], Mapping[int, TouchpointKpi]]
_providers: list[TouchpointKpiProvider] = []


def register_touchpoint_kpi_provider(func: TouchpointKpiProvider) -> TouchpointKpiProvider:
    """Add a provider (usable as a decorator); registering the same function twice is a no-op."""
    if func not in _providers:
        _providers.append(func)
    return func


def unregister_touchpoint_kpi_provider(func: TouchpointKpiProvider) -> None:
    if func in _providers:
        _providers.remove(func)


def registered_kpi_providers() -> list[TouchpointKpiProvider]:
    return list(_providers)


def touchpoint_kpis(touchpoints: Iterable["Touchpoint"]) -> dict[int, list[TouchpointKpi]]:
    """Every provider's KPIs by touchpoint id, in registration order.

    A provider that fails is logged and skipped: a broken KPI source must not hide the map.
    Hides whatever queries the providers make.
    """
    points = list(touchpoints)
    result: dict[int, list[TouchpointKpi]] = {}
    if not points:
        return result
    for provider in list(_providers):
        try:
            values = provider(points)
        except Exception:
            logger.exception("Touchpoint KPI provider %r failed", provider)
            continue
        for touchpoint_id, kpi in values.items():
            result.setdefault(touchpoint_id, []).append(kpi)
    return result


def heat_for_kpi_level(level: float | None) -> int:
    """0 (no heat) for a good KPI up to 4 for a very poor one; 0 when there is no level."""
    if level is None:
        return 0
    for heat, floor in enumerate(_KPI_LEVEL_FLOORS):
        if level >= floor:
            return heat
    return HEAT_LEVELS


def touchpoint_heat(*, severities: Iterable[int], kpis: Iterable[TouchpointKpi] = ()) -> int:
    """The heat of a touchpoint: its worst open pain point or its poorest KPI, 0–4."""
    return max([0, *severities, *(kpi.heat for kpi in kpis)])
