"""Insight on top of the text pipeline: emerging issues and key drivers.

Pure Python (numpy, scipy; statsmodels for the regression, imported when used); no Django.

Emerging issues
---------------
A topic (or phrase) is *emerging* when its share of the day's texts in a recent window (the
last day, or the last 7 days) is significantly above its share in the baseline window just
before it (the previous 28 days by default). Each topic's count is its own Poisson process
with the total text volume as exposure: x_r ~ Poisson(θ_r·N_r), x_b ~ Poisson(θ_b·N_b). The
test of H0: θ_r ≤ θ_b is the conditional test for two Poisson rates (Przyborowski &
Wilenski 1940, "Homogeneity of results in testing samples from Poisson series", Biometrika
31; the "C-test" of Krishnamoorthy & Thomson 2004): given n = x_r + x_b mentions in both
windows, under H0 x_r ~ Binomial(n, π0) with π0 = N_r / (N_r + N_b), and the exact one-sided
p-value is P(X ≥ x_r). Measuring against the topic's *share* of the volume (rather than its
raw count) keeps a busy Monday or a campaign that doubles every topic from raising alarms.

The rate ratio θ̂_r/θ̂_b = (x_r/N_r)/(x_b/N_b) comes with the exact conditional interval:
the Clopper–Pearson interval (π_lo, π_hi) of x_r out of n mapped through
RR = π/(1 − π) · N_b/N_r. With no baseline mention the ratio is unbounded (`rate_ratio` None,
`new` true) and the test still applies (p = π0^x_r).

Across topics the p-values are adjusted by Benjamini & Hochberg (1995) (false-discovery
rate). The family is every topic with at least `min_count` mentions in the two windows
together: a topic with fewer could never be flagged, and filtering on n, the sufficient
statistic the test conditions on, keeps the conditional p-values valid (independent
filtering, Bourgon, Gentleman & Huber 2010, PNAS 107:9546). A topic is flagged when
q ≤ `fdr`, it has at least `min_count` mentions in the recent window and its rate ratio is at
least `min_ratio` (a significant rise of 5 % in a big topic is not news).

Key drivers
-----------
Rows are (score, topics mentioned, segment). For each topic:

- the mean score of rows that mention it against rows that do not, with the Welch t interval
  of the difference (Welch 1947; Satterthwaite degrees of freedom);
- for NPS (0–10) also the NPS of the two groups and their difference in points with the
  adjusted-Wald interval of `cxm.core.metrics.nps_difference`, and its `nps_impact`, the NPS
  points the topic costs (or earns) overall: share × difference;
- the coefficient of its indicator in one multiple regression score ~ 1 + Σ topic
  indicators (OLS), with heteroskedasticity-consistent HC3 standard errors (MacKinnon &
  White 1985; Long & Ervin 2000 recommend HC3 for small samples) and a t interval: the
  effect of the topic holding the other mentions fixed, which the plain difference is not
  when topics travel together;
- `impact` = coefficient × share of rows mentioning it: how far the overall mean score moves
  because of the topic (its effect times its volume); the list is ranked by |impact|.

Topics mentioned by fewer than `min_n` rows (30) are `low_n`: shown, with their intervals,
never as a plain number. A topic mentioned by every row or fewer than 2 rows has no
regression coefficient (no contrast, or a leverage-1 row where HC3 is undefined); columns
that are linear combinations of others (two topics always mentioned together) are left out
of the regression and say so (`regression_note`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from numbers import Integral
from typing import TypeVar

import numpy as np
from scipy import stats

from cxm.core.metrics import (
    DEFAULT_CONFIDENCE,
    NPS_SCALE,
    check_confidence,
    nps,
    nps_difference,
    t_value,
)

RECENT_DAYS = 7
BASELINE_DAYS = 28
MIN_COUNT = 5
MIN_RATIO = 1.5
FDR = 0.05

MIN_N = 30
METRICS = ("nps", "csat", "ces")
TopicKey = TypeVar("TopicKey", bound=Hashable)  # a topic id, a phrase: anything hashable

METHOD_EMERGING = "conditional binomial test of two Poisson rates (Przyborowski & Wilenski 1940)"

# ------------------------------------------------------------------------ emerging issues


@dataclass(frozen=True)
class EmergingIssue:
    """One topic's recent window against its baseline window."""

    key: Hashable
    recent_count: int
    recent_total: int
    baseline_count: int
    baseline_total: int
    recent_rate: float | None  # mentions per text in the recent window
    baseline_rate: float | None
    rate_ratio: float | None  # None: no baseline mention (new) or no recent volume
    ratio_ci_low: float | None
    ratio_ci_high: float | None  # None: unbounded
    p_value: float | None  # one-sided, H1: the recent rate is higher; None: not tested
    q_value: float | None  # Benjamini–Hochberg over the tested topics
    emerging: bool
    reason: str  # why it is or is not flagged: "emerging", "low_volume", "not_significant", …

    @property
    def new(self) -> bool:
        """Mentioned in the recent window and never in the baseline."""
        return self.recent_count > 0 and self.baseline_count == 0 and self.baseline_total > 0


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Benjamini–Hochberg (1995) adjusted p-values (q-values), in the order given."""
    m = len(p_values)
    if m == 0:
        return []
    for p in p_values:
        if not 0.0 <= p <= 1.0 or math.isnan(p):
            raise ValueError("p-values lie in [0, 1]")
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 1.0
    # From the largest p down: q_(i) = min over j ≥ i of p_(j)·m/j.
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, p_values[index] * m / rank)
        adjusted[index] = running
    return adjusted


def poisson_rate_increase_test(
    recent_count: int, recent_total: float, baseline_count: int, baseline_total: float
) -> float:
    """One-sided exact conditional p-value for "the recent rate is higher" (see module doc)."""
    _check_count(recent_count)
    _check_count(baseline_count)
    if recent_total <= 0 or baseline_total <= 0:
        raise ValueError("both windows need a positive volume")
    n = recent_count + baseline_count
    if n == 0:
        return 1.0
    share = recent_total / (recent_total + baseline_total)
    return float(min(1.0, stats.binom.sf(recent_count - 1, n, share)))


def rate_ratio_interval(
    recent_count: int,
    recent_total: float,
    baseline_count: int,
    baseline_total: float,
    confidence: float = DEFAULT_CONFIDENCE,
) -> tuple[float | None, float | None]:
    """Exact conditional interval of the rate ratio; an unbounded end is None."""
    n = recent_count + baseline_count
    if n == 0:
        return None, None
    alpha = 1 - check_confidence(confidence)
    low = (
        0.0 if recent_count == 0 else stats.beta.ppf(alpha / 2, recent_count, n - recent_count + 1)
    )
    high = (
        1.0
        if recent_count == n
        else stats.beta.ppf(1 - alpha / 2, recent_count + 1, n - recent_count)
    )
    scale = baseline_total / recent_total
    ratio_low = float(low / (1 - low) * scale)
    ratio_high = None if high >= 1.0 else float(high / (1 - high) * scale)
    return ratio_low, ratio_high


def _check_count(value: int) -> int:
    """`value` as an int (numpy integers accepted), or ValueError when it is not a count."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise ValueError("counts are whole numbers ≥ 0")
    return int(value)


def detect_emerging_issues(
    daily_counts: Mapping[TopicKey, Sequence[int]],
    daily_totals: Sequence[int],
    *,
    recent_days: int = RECENT_DAYS,
    baseline_days: int = BASELINE_DAYS,
    min_count: int = MIN_COUNT,
    min_ratio: float = MIN_RATIO,
    fdr: float = FDR,
    confidence: float = DEFAULT_CONFIDENCE,
) -> list[EmergingIssue]:
    """Each topic's recent window against its baseline, flagged ones first.

    `daily_counts[key]` and `daily_totals` are aligned day by day, oldest first, the last
    element being the most recent day; `daily_totals[d]` is the number of texts on day d
    (the exposure), so a topic's count on a day is at most that day's total. A series shorter
    than `recent_days + baseline_days` uses the baseline days it has.
    """
    if recent_days < 1 or baseline_days < 1:
        raise ValueError("windows are at least one day long")
    if min_count < 1:
        raise ValueError("min_count is at least 1")
    if not 0 < fdr < 1:
        raise ValueError("fdr lies strictly between 0 and 1")
    totals = [_check_count(total) for total in daily_totals]
    days = len(totals)
    recent_slice = slice(max(0, days - recent_days), days)
    baseline_slice = slice(max(0, days - recent_days - baseline_days), max(0, days - recent_days))
    recent_total = sum(totals[recent_slice])
    baseline_total = sum(totals[baseline_slice])

    unadjusted: list[EmergingIssue] = []
    for key, series in daily_counts.items():
        counts = [_check_count(count) for count in series]
        if len(counts) != days:
            raise ValueError(
                f"topic {key!r}: {len(counts)} days of counts for {days} days of totals"
            )
        for count, total in zip(counts, totals, strict=True):
            if count > total:
                raise ValueError(
                    f"topic {key!r}: more mentions ({count}) than texts ({total}) on a day"
                )
        recent_count = sum(counts[recent_slice])
        baseline_count = sum(counts[baseline_slice])
        recent_rate = recent_count / recent_total if recent_total else None
        baseline_rate = baseline_count / baseline_total if baseline_total else None
        ratio = recent_rate / baseline_rate if recent_rate is not None and baseline_rate else None
        ci: tuple[float | None, float | None] = (None, None)
        p_value = None
        if recent_total and baseline_total:
            ci = rate_ratio_interval(
                recent_count, recent_total, baseline_count, baseline_total, confidence
            )
            if recent_count + baseline_count >= min_count:
                p_value = poisson_rate_increase_test(
                    recent_count, recent_total, baseline_count, baseline_total
                )
        unadjusted.append(
            EmergingIssue(
                key=key,
                recent_count=recent_count,
                recent_total=recent_total,
                baseline_count=baseline_count,
                baseline_total=baseline_total,
                recent_rate=recent_rate,
                baseline_rate=baseline_rate,
                rate_ratio=ratio,
                ratio_ci_low=ci[0],
                ratio_ci_high=ci[1],
                p_value=p_value,
                q_value=None,
                emerging=False,
                reason="",
            )
        )

    tested = [issue.p_value for issue in unadjusted if issue.p_value is not None]
    q_values = iter(benjamini_hochberg(tested))
    issues = []
    for issue in unadjusted:
        q = next(q_values) if issue.p_value is not None else None
        rises = issue.rate_ratio is None or issue.rate_ratio >= min_ratio
        if not baseline_total:
            reason = "no_baseline"
        elif not recent_total:
            reason = "no_recent_volume"
        elif issue.recent_count < min_count:
            reason = "low_volume"
        elif not rises:
            reason = "small_increase"
        elif q is None or q > fdr:
            reason = "not_significant"
        else:
            reason = "emerging"
        issues.append(replace(issue, q_value=q, emerging=reason == "emerging", reason=reason))
    issues.sort(
        key=lambda issue: (not issue.emerging, issue.p_value if issue.p_value is not None else 2.0)
    )
    return issues


# --------------------------------------------------------------------------- key drivers


@dataclass(frozen=True)
class DriverRow:
    """One scored answer and the topics its comment mentions."""

    score: float
    topics: frozenset[Hashable]
    segment: Hashable | None = None


@dataclass(frozen=True)
class TopicDriver:
    """One topic's effect on the score."""

    key: Hashable
    n_mentioned: int
    n_not_mentioned: int
    share: float  # of rows mentioning it
    mean_with: float
    mean_without: float | None
    difference: float | None  # mean with − mean without
    difference_ci_low: float | None  # Welch t
    difference_ci_high: float | None
    difference_p_value: float | None
    coefficient: float | None  # OLS, other topics held fixed
    coefficient_ci_low: float | None  # HC3 (or the fallback in `robust`)
    coefficient_ci_high: float | None
    coefficient_p_value: float | None
    impact: float | None  # coefficient × share, in score units of the overall mean
    low_n: bool
    nps_with: float | None = None  # NPS only, in points
    nps_without: float | None = None
    nps_difference: float | None = None
    nps_difference_ci_low: float | None = None
    nps_difference_ci_high: float | None = None
    nps_impact: float | None = None  # share × NPS difference: overall NPS points
    regression_note: str | None = None  # why there is no coefficient


@dataclass(frozen=True)
class KeyDrivers:
    """Key-driver analysis of one metric over a set of rows, drivers ranked by |impact|."""

    metric: str
    n: int
    mean: float | None
    confidence: float
    robust: str  # the covariance estimator used: "HC3", or "HC1" where HC3 is undefined
    r_squared: float | None
    drivers: list[TopicDriver] = field(default_factory=list)
    nps: float | None = None
    warning: str | None = None


def welch_interval(
    a: Sequence[float], b: Sequence[float], confidence: float = DEFAULT_CONFIDENCE
) -> tuple[float, float, float] | None:
    """mean(a) − mean(b): Welch t interval and two-sided p-value, or None when undefined."""
    n_a, n_b = len(a), len(b)
    if n_a < 2 or n_b < 2:
        return None
    var_a = float(np.var(a, ddof=1)) / n_a
    var_b = float(np.var(b, ddof=1)) / n_b
    se2 = var_a + var_b
    if se2 == 0:
        return None
    df = se2**2 / (var_a**2 / (n_a - 1) + var_b**2 / (n_b - 1))
    diff = float(np.mean(a) - np.mean(b))
    se = math.sqrt(se2)
    half = t_value(confidence, df) * se
    p = float(2 * stats.t.sf(abs(diff) / se, df))
    return diff - half, diff + half, p


def _independent_columns(matrix: np.ndarray) -> list[int]:
    """Greedy: keep each column that raises the rank of those kept (intercept first)."""
    kept: list[int] = []
    rank = 0
    for column in range(matrix.shape[1]):
        trial = [*kept, column]
        new_rank = int(np.linalg.matrix_rank(matrix[:, trial]))
        if new_rank > rank:
            kept, rank = trial, new_rank
    return kept


def key_drivers(
    rows: Iterable[DriverRow],
    *,
    metric: str = "nps",
    topics: Sequence[Hashable] | None = None,
    min_n: int = MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> KeyDrivers:
    """Each topic's difference, regression coefficient and impact on the score (module doc).

    `topics` fixes the topics analysed (default: every topic some row mentions, in order of
    volume). For NPS the scores are the 0–10 answers.
    """
    if metric not in METRICS:
        raise ValueError(f"metric is one of {', '.join(METRICS)}")
    level = check_confidence(confidence)
    data = list(rows)
    scores = np.array([float(row.score) for row in data], dtype=float)
    if len(data) and not np.all(np.isfinite(scores)):
        raise ValueError("scores are finite numbers")
    off_scale = (scores < NPS_SCALE.low) | (scores > NPS_SCALE.high) | (scores != np.round(scores))
    if metric == "nps" and np.any(off_scale):
        raise ValueError("NPS scores are whole numbers from 0 to 10")
    if topics is None:
        volume: dict[Hashable, int] = {}
        for row in data:
            for key in row.topics:
                volume[key] = volume.get(key, 0) + 1
        keys = sorted(volume, key=lambda k: (-volume[k], str(k)))
    else:
        keys = list(dict.fromkeys(topics))
    n = len(data)
    if n == 0:
        return KeyDrivers(
            metric=metric,
            n=0,
            mean=None,
            confidence=level,
            robust="HC3",
            r_squared=None,
            warning="no scored rows",
        )

    indicators = np.array(
        [[key in row.topics for key in keys] for row in data], dtype=float
    ).reshape(n, len(keys))
    coefficients, robust, r_squared, notes = _regression(scores, indicators, keys, level)
    overall_nps = nps([int(s) for s in scores], confidence=level) if metric == "nps" else None

    drivers = []
    for j, key in enumerate(keys):
        mask = indicators[:, j] == 1
        with_scores, without_scores = scores[mask], scores[~mask]
        n_with = int(mask.sum())
        if n_with == 0:
            continue
        share = n_with / n
        welch = welch_interval(with_scores, without_scores, level)
        mean_without = float(without_scores.mean()) if len(without_scores) else None
        coef = coefficients.get(key)
        extra: dict = {}
        if metric == "nps":
            a = nps([int(s) for s in with_scores], confidence=level)
            b = nps([int(s) for s in without_scores], confidence=level)
            diff = nps_difference(a, b, confidence=level)
            extra = {
                "nps_with": a.value,
                "nps_without": b.value,
                "nps_difference": diff.value,
                "nps_difference_ci_low": diff.ci_low,
                "nps_difference_ci_high": diff.ci_high,
                "nps_impact": share * diff.value if diff.value is not None else None,
            }
        drivers.append(
            TopicDriver(
                key=key,
                n_mentioned=n_with,
                n_not_mentioned=n - n_with,
                share=share,
                mean_with=float(with_scores.mean()),
                mean_without=mean_without,
                difference=float(with_scores.mean()) - mean_without
                if mean_without is not None
                else None,
                difference_ci_low=welch[0] if welch else None,
                difference_ci_high=welch[1] if welch else None,
                difference_p_value=welch[2] if welch else None,
                coefficient=coef[0] if coef else None,
                coefficient_ci_low=coef[1] if coef else None,
                coefficient_ci_high=coef[2] if coef else None,
                coefficient_p_value=coef[3] if coef else None,
                impact=coef[0] * share if coef else None,
                low_n=n_with < min_n,
                regression_note=notes.get(key),
                **extra,
            )
        )
    drivers.sort(key=lambda d: (d.impact is None, -abs(d.impact or 0.0), -d.n_mentioned))
    warning = None
    if n < min_n:
        warning = f"only {n} scored rows (fewer than {min_n}): read the intervals, not the numbers"
    return KeyDrivers(
        metric=metric,
        n=n,
        mean=float(scores.mean()),
        confidence=level,
        robust=robust,
        r_squared=r_squared,
        drivers=drivers,
        nps=overall_nps.value if overall_nps else None,
        warning=warning,
    )


def _regression(
    scores: np.ndarray, indicators: np.ndarray, keys: list[Hashable], confidence: float
) -> tuple[
    dict[Hashable, tuple[float, float, float, float]], str, float | None, dict[Hashable, str]
]:
    """OLS of the score on the topic indicators: {key: (coef, low, high, p)}, estimator, R²."""
    import statsmodels.api as sm  # imported here: a second to load, only needed for this

    n = len(scores)
    notes: dict[Hashable, str] = {}
    usable = []
    for j, key in enumerate(keys):
        mentions = int(indicators[:, j].sum())
        if mentions < 2:
            notes[key] = "fewer than 2 mentions"
        elif mentions == n:
            notes[key] = "mentioned in every row"
        else:
            usable.append(j)
    design = np.column_stack([np.ones(n), indicators[:, usable]]) if usable else np.ones((n, 1))
    kept = _independent_columns(design)
    for column in range(1, design.shape[1]):
        if column not in kept:
            notes[keys[usable[column - 1]]] = "always mentioned with other topics (collinear)"
    design = design[:, kept]
    columns = [usable[c - 1] for c in kept if c > 0]
    if n - design.shape[1] < 1 or not columns:
        for j in columns:
            notes[keys[j]] = "too few rows for the regression"
        return {}, "HC3", None, notes

    fit = sm.OLS(scores, design).fit()
    robust = "HC3"
    leverage = fit.get_influence().hat_matrix_diag
    if np.any(leverage > 1 - 1e-9):
        robust = "HC1"  # HC3 divides by 1 − h, undefined for a row that fixes its own fit
    result = fit.get_robustcov_results(cov_type=robust)
    interval = result.conf_int(alpha=1 - confidence)
    out = {}
    for position, j in enumerate(columns, start=1):
        se = float(result.bse[position])
        if not math.isfinite(se):
            notes[keys[j]] = "no standard error"
            continue
        out[keys[j]] = (
            float(result.params[position]),
            float(interval[position][0]),
            float(interval[position][1]),
            float(result.pvalues[position]),
        )
    r_squared = float(fit.rsquared) if math.isfinite(fit.rsquared) else None
    return out, robust, r_squared, notes


def key_drivers_by_segment(
    rows: Iterable[DriverRow],
    *,
    metric: str = "nps",
    min_n: int = MIN_N,
    confidence: float = DEFAULT_CONFIDENCE,
) -> dict[Hashable | None, KeyDrivers]:
    """Key drivers over all rows (key None) and within each segment the rows name."""
    data = list(rows)
    result: dict[Hashable | None, KeyDrivers] = {
        None: key_drivers(data, metric=metric, min_n=min_n, confidence=confidence)
    }
    segments: dict[Hashable, list[DriverRow]] = {}
    for row in data:
        if row.segment is not None:
            segments.setdefault(row.segment, []).append(row)
    for segment, members in segments.items():
        result[segment] = key_drivers(members, metric=metric, min_n=min_n, confidence=confidence)
    return result
