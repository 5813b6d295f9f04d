"""Rates before and after a change, and whether the change is more than chance.

Pure Python (scipy only for the normal distribution, through cxm.core.metrics); no Django.

Used for the verification of effectiveness of a corrective action (ISO 9001 §10.2.1 f,
ISO 10002 §8.7): the complaint rate on the action's topic in a window before the action was
implemented against a window of the same length after it.

The rate is a proportion: events (complaints on the topic) out of a total that contains them
(every case opened in the window), shown per 1,000. Because the events are a subset of the
total, each trial is "this case is / is not a complaint on the topic" and the classical
two-proportion z-test applies (pooled standard error under H0: p1 = p2):

    p̂ = (x1 + x2) / (n1 + n2)
    z = (p1 − p2) / √(p̂ (1 − p̂) (1/n1 + 1/n2))

The two-sided p-value is 2·(1 − Φ(|z|)); the one-sided p-value for "the rate dropped" is
1 − Φ(z) with z computed as before − after, reported for reading. A drop counts as
significant when the two-sided test rejects at the chosen level and the rate went down (the
conservative reading, consistent with the two-sided interval shown beside it). The interval
of the difference (before − after) is Newcombe's hybrid score interval (Newcombe 1998,
method 10), which behaves with small counts where the Wald interval does not. With an
expected count below 5 in any cell the normal approximation is poor: the result says so in
`warning`.
"""

import math
from dataclasses import dataclass

from scipy import stats

from cxm.core.metrics import check_confidence, newcombe_interval, z_value

PER = 1000


@dataclass(frozen=True)
class RateChange:
    """Before vs after: counts, rates per `per`, the test and the interval (before − after)."""

    before_events: int
    before_total: int
    after_events: int
    after_total: int
    per: int
    before_rate: float | None
    after_rate: float | None
    difference: float | None  # before − after, per `per` (positive: the rate dropped)
    ci_low: float | None
    ci_high: float | None
    z: float | None
    p_value: float | None  # two-sided
    p_value_drop: float | None  # one-sided, H1: the rate after is lower
    confidence: float
    significant_drop: bool  # two-sided test at `confidence`, and the rate went down
    warning: str | None

    @property
    def relative_change(self) -> float | None:
        """(after − before) / before, e.g. −0.4 for a 40 % drop; None without a before rate."""
        if not self.before_rate or self.after_rate is None:
            return None
        return (self.after_rate - self.before_rate) / self.before_rate


def _check_counts(events: int, total: int) -> None:
    for value in (events, total):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("counts are whole numbers ≥ 0")
    if events > total:
        raise ValueError("the events are part of the total: events ≤ total")


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """The pooled two-proportion z statistic for p1 − p2 and its two-sided p-value."""
    _check_counts(x1, n1)
    _check_counts(x2, n2)
    if n1 == 0 or n2 == 0:
        raise ValueError("both samples need at least one trial")
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:  # no events at all, or all events: nothing to tell apart
        return 0.0, 1.0
    z = (p1 - p2) / se
    return z, float(2 * stats.norm.sf(abs(z)))


def rate_change(
    *,
    before_events: int,
    before_total: int,
    after_events: int,
    after_total: int,
    per: int = PER,
    confidence: float = 0.95,
) -> RateChange:
    """Compare the rate after a change with the rate before it (see the module's notes)."""
    _check_counts(before_events, before_total)
    _check_counts(after_events, after_total)
    level = check_confidence(confidence)
    before_rate = per * before_events / before_total if before_total else None
    after_rate = per * after_events / after_total if after_total else None
    counts = (before_events, before_total, after_events, after_total, per)
    if not before_total or not after_total:
        return RateChange(
            *counts,
            before_rate=before_rate,
            after_rate=after_rate,
            confidence=level,
            difference=None,
            ci_low=None,
            ci_high=None,
            z=None,
            p_value=None,
            p_value_drop=None,
            significant_drop=False,
            warning="A window has no cases: there is nothing to compare yet.",
        )
    p1, p2 = before_events / before_total, after_events / after_total
    z, p_value = two_proportion_z(before_events, before_total, after_events, after_total)
    p_drop = float(stats.norm.sf(z)) if (before_events + after_events) else 1.0
    low, high = newcombe_interval(p1, before_total, p2, after_total, z_value(level))
    pooled = (before_events + after_events) / (before_total + after_total)
    expected = min(
        pooled * before_total,
        pooled * after_total,
        (1 - pooled) * before_total,
        (1 - pooled) * after_total,
    )
    warning = (
        "Fewer than 5 events expected in a window: the test is approximate; read the interval."
        if expected < 5
        else None
    )
    return RateChange(
        *counts,
        before_rate=before_rate,
        after_rate=after_rate,
        confidence=level,
        difference=per * (p1 - p2),
        ci_low=per * low,
        ci_high=per * high,
        z=z,
        p_value=p_value,
        p_value_drop=p_drop,
        significant_drop=p1 > p2 and p_value < (1 - level),
        warning=warning,
    )
