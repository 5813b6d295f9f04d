"""Customer-experience metrics with honest intervals: NPS, CSAT and CES.

Pure Python (scipy only for the normal and t quantiles); no Django.

Definitions and sources
-----------------------
- **NPS** (Reichheld 2003): % promoters (9–10) − % detractors (0–6) on the 0–10 scale, in
  points from −100 to 100. Interval: the adjusted-Wald method of Sauro & Lewis
  (*Quantifying the User Experience*, 2nd ed.; MeasuringU, "Confidence Intervals for Net
  Promoter Scores", 2021, after Rocks 2016): add ¾ to promoters and to detractors and 3 to n,
  p̂p = (P + ¾)/(n + 3), p̂d = (D + ¾)/(n + 3), Var = [p̂p + p̂d − (p̂p − p̂d)²]/(n + 3),
  interval (p̂p − p̂d) ± z·√Var, clipped to [−100, 100]. The reported value is the plain NPS;
  the interval is centred on the adjusted one, so with a handful of answers the value can lie
  outside its interval (that is the method, and why small samples carry a warning).
- **CSAT**: % of answers in the top two boxes of a 1..K scale (K and K − 1); on a scale of
  three points or fewer only the top box counts, since the second box is the midpoint or the
  bottom. Interval: Wilson score interval (Wilson 1927; Agresti & Coull 1998).
- **CES** (CES 2.0, 1–7 agreement scale): the mean, with a Student t interval (df = n − 1),
  and `share_agree`, the % of answers above the midpoint (5–7 on 1–7) with a Wilson interval.
  With one answer the t interval does not exist: its bounds are None, with a warning.
- **Differences** (a − b, e.g. this month − last month): NPS by the adjusted-Wald difference
  (the two variances added; MeasuringU, "Comparing two Net Promoter Scores"), CSAT by
  Newcombe's hybrid score interval (Newcombe 1998, method 10), CES by the Welch t interval.
  `significant` means the interval excludes 0.
- **Weights** (optional, one per answer, ≥ 0): proportions and means are weighted, and the
  interval formulas use Kish's effective sample size n_eff = (Σw)² / Σw² in place of n
  (Kish 1965, *Survey Sampling*). Without weights n_eff = n and every formula is the textbook
  one.
- **Minimum n**: below `MIN_N` (effective) answers a result is `low_n` and carries a
  warning: it is to be shown with its interval, never as a plain number.

Validation: scores are integers on their scale. Text, empty cells, values off the scale and
fractions (9.5 on an integer scale is a typing or import error, not an answer) are rejected
and counted by reason, never silently dropped or rounded. Accepted: ints, integral floats
(9.0 from a spreadsheet), and text such as " 9 ", "9.0", "۹" (Persian/Arabic-Indic digits).
"""

import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from scipy import stats

from cxm.core.text import to_latin_digits

MIN_N = 30
DEFAULT_CONFIDENCE = 0.95
MAX_SCALE_POINTS = 100
REJECTED_ROWS_KEPT = 10

_INTEGRAL = re.compile(r"[+-]?\d+(?:\.0*)?")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)")
# A score exported with its label: "10 - Extremely likely", "9 (promoter)", "۵ – راضی".
# The label starts with a letter and holds no digit, so "1 - 5" or "10/10" stay unread.
_LABELLED = re.compile(r"([+-]?\d+)\s*(?:[-–—:(|]\s*|\s+)[^\W\d_]\D*", re.DOTALL)
# Marks that a copy from an RTL document leaves around a number.
_INVISIBLE = re.compile("[\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


# ------------------------------------------------------------------------------ scales


@dataclass(frozen=True)
class Scale:
    """An integer answer scale, both ends included."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if self.high <= self.low:
            raise ValueError(f"scale end {self.high} is not above its start {self.low}")
        if self.high - self.low + 1 > MAX_SCALE_POINTS:
            raise ValueError(f"a scale has at most {MAX_SCALE_POINTS} points")

    @property
    def points(self) -> range:
        return range(self.low, self.high + 1)


NPS_SCALE = Scale(0, 10)
CSAT_DEFAULT_MAX = 5
CES_DEFAULT_MAX = 7


def csat_scale(scale_max: int = CSAT_DEFAULT_MAX) -> Scale:
    """The CSAT scale 1..`scale_max`."""
    return Scale(1, scale_max)


def ces_scale(scale_max: int = CES_DEFAULT_MAX) -> Scale:
    """The CES agreement scale 1..`scale_max` (1–7 in CES 2.0)."""
    return Scale(1, scale_max)


def csat_top_boxes(scale: Scale) -> tuple[int, ...]:
    """The satisfied answers: the top two boxes, or the top box on a scale of ≤ 3 points."""
    if scale.high - scale.low + 1 <= 3:
        return (scale.high,)
    return (scale.high - 1, scale.high)


def ces_agree_from(scale: Scale) -> int:
    """The lowest score that agrees: the first one above the midpoint (5 on 1–7)."""
    return math.floor((scale.low + scale.high) / 2) + 1


# -------------------------------------------------------------------------- validation


class Rejection(StrEnum):
    """Why an answer was not counted."""

    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    NOT_INTEGER = "not_integer"
    OUT_OF_RANGE = "out_of_range"


class InvalidScore(ValueError):
    def __init__(self, reason: Rejection, value: object):
        super().__init__(f"{reason.value}: {value!r}")
        self.reason = reason
        self.value = value


def parse_score(value: object, scale: Scale) -> int:
    """The integer score in `value`, or InvalidScore saying why it is not one."""
    if value is None:
        raise InvalidScore(Rejection.EMPTY, value)
    if isinstance(value, bool):
        raise InvalidScore(Rejection.NOT_A_NUMBER, value)
    number: float | int
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidScore(Rejection.NOT_A_NUMBER, value)
        if not value.is_integer():
            raise InvalidScore(Rejection.NOT_INTEGER, value)
        number = int(value)
    elif isinstance(value, str):
        text = _INVISIBLE.sub("", to_latin_digits(value)).strip()
        if not text:
            raise InvalidScore(Rejection.EMPTY, value)
        if _INTEGRAL.fullmatch(text):
            number = int(float(text))
        elif _DECIMAL.fullmatch(text):
            raise InvalidScore(Rejection.NOT_INTEGER, value)
        elif labelled := _LABELLED.fullmatch(text):
            number = int(labelled.group(1))
        else:
            raise InvalidScore(Rejection.NOT_A_NUMBER, value)
    else:
        raise InvalidScore(Rejection.NOT_A_NUMBER, value)
    if not scale.low <= number <= scale.high:
        raise InvalidScore(Rejection.OUT_OF_RANGE, value)
    return int(number)


def _check_weight(weight: float) -> float:
    weight = float(weight)
    if not math.isfinite(weight) or weight < 0:
        raise ValueError(f"a weight must be a finite number ≥ 0, not {weight!r}")
    return weight


@dataclass(frozen=True)
class ScoreSample:
    """Valid answers summed per score (enough for every metric), and what was rejected."""

    scale: Scale
    counts: tuple[int, ...]  # answers per score, scale.low first
    weight_sums: tuple[float, ...]  # Σw per score
    weight_squares: tuple[float, ...]  # Σw² per score
    weighted: bool = False
    rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    rejected_rows: tuple[int, ...] = ()  # the first few, as the caller numbered them

    @property
    def n(self) -> int:
        return sum(self.counts)

    @property
    def total_weight(self) -> float:
        return math.fsum(self.weight_sums)

    @property
    def n_eff(self) -> float:
        """Kish's effective sample size (Σw)²/Σw²; n itself without weights."""
        if not self.weighted:
            return float(self.n)
        squares = math.fsum(self.weight_squares)
        return self.total_weight**2 / squares if squares > 0 else 0.0

    def distribution(self) -> dict[int, int]:
        return dict(zip(self.scale.points, self.counts, strict=True))

    def share(self, scores: Iterable[int]) -> float:
        """The (weighted) proportion of answers with one of `scores`, in [0, 1]."""
        wanted = set(scores)
        part = math.fsum(
            w for s, w in zip(self.scale.points, self.weight_sums, strict=True) if s in wanted
        )
        return part / self.total_weight

    def count(self, scores: Iterable[int]) -> int:
        wanted = set(scores)
        return sum(c for s, c in zip(self.scale.points, self.counts, strict=True) if s in wanted)


class ScoreCollector:
    """Validates answers one by one (a file is streamed through it) into a ScoreSample."""

    def __init__(self, scale: Scale, *, keep_rows: int = REJECTED_ROWS_KEPT):
        self.scale = scale
        self._size = scale.high - scale.low + 1
        self._counts = [0] * self._size
        self._weights = [0.0] * self._size
        self._squares = [0.0] * self._size
        self._weighted = False
        self._rejected: dict[str, int] = {}
        self._rejected_rows: list[int] = []
        self._keep_rows = keep_rows

    def add(self, value: object, *, row: int | None = None, weight: float | None = None) -> bool:
        """Count `value`; False (and the rejection recorded) when it is not a valid score."""
        try:
            score = parse_score(value, self.scale)
        except InvalidScore as exc:
            self.reject(exc.reason, row=row)
            return False
        w = 1.0
        if weight is not None:
            w = _check_weight(weight)
            self._weighted = True
        index = score - self.scale.low
        self._counts[index] += 1
        self._weights[index] += w
        self._squares[index] += w * w
        return True

    def reject(self, reason: Rejection, *, row: int | None = None) -> None:
        self._rejected[reason.value] = self._rejected.get(reason.value, 0) + 1
        if row is not None and len(self._rejected_rows) < self._keep_rows:
            self._rejected_rows.append(row)

    def sample(self) -> ScoreSample:
        return ScoreSample(
            scale=self.scale,
            counts=tuple(self._counts),
            weight_sums=tuple(self._weights),
            weight_squares=tuple(self._squares),
            weighted=self._weighted,
            rejected=sum(self._rejected.values()),
            rejected_by_reason=dict(self._rejected),
            rejected_rows=tuple(self._rejected_rows),
        )


def collect_scores(
    values: Iterable[object], scale: Scale, weights: Iterable[float] | None = None
) -> ScoreSample:
    """Validate `values` (rows numbered from 1 in order), with optional matching weights."""
    collector = ScoreCollector(scale)
    if weights is None:
        for row, value in enumerate(values, start=1):
            collector.add(value, row=row)
    else:
        for row, (value, weight) in enumerate(zip(values, weights, strict=True), start=1):
            collector.add(value, row=row, weight=weight)
    return collector.sample()


# ------------------------------------------------------------------------------ maths


def check_confidence(confidence: float) -> float:
    """`confidence` as a float strictly between 0 and 1, or ValueError."""
    value = float(confidence)
    if not (math.isfinite(value) and 0 < value < 1):
        raise ValueError(f"confidence must be strictly between 0 and 1, not {confidence!r}")
    return value


def z_value(confidence: float) -> float:
    """The two-sided normal quantile: 1.959964 for 0.95."""
    return float(stats.norm.ppf(1 - (1 - check_confidence(confidence)) / 2))


def t_value(confidence: float, df: float) -> float:
    """The two-sided Student t quantile with `df` degrees of freedom."""
    return float(stats.t.ppf(1 - (1 - check_confidence(confidence)) / 2, df))


def wilson_interval(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson's score interval for a proportion `p` observed in `n` (effective) answers."""
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(max(p * (1 - p) / n + z2 / (4 * n * n), 0.0))
    return max(0.0, centre - half), min(1.0, centre + half)


def _adjusted_wald(p_promoters: float, p_detractors: float, n: float) -> tuple[float, float]:
    """Sauro & Lewis's adjusted NPS (a proportion difference) and its variance."""
    promoters = p_promoters * n + 0.75
    detractors = p_detractors * n + 0.75
    pp, pd = promoters / (n + 3), detractors / (n + 3)
    return pp - pd, (pp + pd - (pp - pd) ** 2) / (n + 3)


def _clip(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def _low_n_warning(n: int, n_eff: float, weighted: bool) -> str | None:
    if n == 0:
        return "No valid answers: there is no score to show."
    if n_eff >= MIN_N:
        return None
    if weighted:
        return (
            f"Effective n = {n_eff:.1f} (n = {n}, weighted) is below the minimum of {MIN_N}: "
            "show the interval, not the score alone."
        )
    return f"n = {n} is below the minimum of {MIN_N}: show the interval, not the score alone."


def _join(*warnings: str | None) -> str | None:
    text = " ".join(w for w in warnings if w)
    return text or None


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True, kw_only=True)
class MetricResult:
    """What every metric reports. Percentages and points are unrounded."""

    metric: str
    n: int
    n_eff: float
    value: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    distribution: dict[int, int]
    rejected: int
    rejected_by_reason: dict[str, int]
    low_n: bool
    warning: str | None
    weighted: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class NpsResult(MetricResult):
    """NPS in points (−100…100); shares in percent."""

    promoters: int
    passives: int
    detractors: int
    promoters_pct: float | None
    passives_pct: float | None
    detractors_pct: float | None


@dataclass(frozen=True, kw_only=True)
class CsatResult(MetricResult):
    """CSAT in percent of answers in `top_boxes`."""

    scale_max: int
    top_boxes: tuple[int, ...]
    satisfied: int
    total: int


@dataclass(frozen=True, kw_only=True)
class CesResult(MetricResult):
    """CES mean on its scale; `share_agree` in percent (answers ≥ `agree_from`)."""

    scale_max: int
    sd: float | None
    agree_from: int
    agree: int
    share_agree: float | None
    share_agree_ci_low: float | None
    share_agree_ci_high: float | None


@dataclass(frozen=True, kw_only=True)
class Difference:
    """a − b with its interval; `significant` when the interval excludes 0."""

    metric: str
    method: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    significant: bool
    n_a: int
    n_b: int
    low_n: bool
    warning: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sample(
    data: ScoreSample | Iterable[object], scale: Scale, weights: Iterable[float] | None
) -> ScoreSample:
    if isinstance(data, ScoreSample):
        if weights is not None:
            raise ValueError("weights go with raw answers, not with a ScoreSample")
        if data.scale != scale:
            raise ValueError(f"the sample is on {data.scale}, the metric needs {scale}")
        return data
    return collect_scores(data, scale, weights)


def _common(metric: str, sample: ScoreSample, confidence: float) -> dict[str, Any]:
    n, n_eff = sample.n, sample.n_eff
    if n and sample.total_weight <= 0:
        raise ValueError("the weights of the valid answers add up to 0")
    return {
        "metric": metric,
        "n": n,
        "n_eff": n_eff,
        "confidence": confidence,
        "distribution": sample.distribution(),
        "rejected": sample.rejected,
        "rejected_by_reason": dict(sample.rejected_by_reason),
        "low_n": n_eff < MIN_N,
        "weighted": sample.weighted,
    }


def nps(
    data: ScoreSample | Iterable[object],
    *,
    weights: Iterable[float] | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> NpsResult:
    """Net Promoter Score in points with its adjusted-Wald interval (see the module doc)."""
    confidence = check_confidence(confidence)
    sample = _sample(data, NPS_SCALE, weights)
    common = _common("nps", sample, confidence)
    counts: dict[str, Any] = {
        "promoters": sample.count((9, 10)),
        "passives": sample.count((7, 8)),
        "detractors": sample.count(range(0, 7)),
    }
    warning = _low_n_warning(sample.n, sample.n_eff, sample.weighted)
    if sample.n == 0:
        return NpsResult(
            **common,
            **counts,
            value=None,
            ci_low=None,
            ci_high=None,
            warning=warning,
            promoters_pct=None,
            passives_pct=None,
            detractors_pct=None,
        )
    pp, pd = sample.share((9, 10)), sample.share(range(0, 7))
    adjusted, variance = _adjusted_wald(pp, pd, sample.n_eff)
    half = z_value(confidence) * math.sqrt(variance)
    return NpsResult(
        **common,
        **counts,
        value=100 * (pp - pd),
        ci_low=_clip(100 * (adjusted - half), -100.0, 100.0),
        ci_high=_clip(100 * (adjusted + half), -100.0, 100.0),
        warning=warning,
        promoters_pct=100 * pp,
        passives_pct=100 * (1 - pp - pd),
        detractors_pct=100 * pd,
    )


def csat(
    data: ScoreSample | Iterable[object],
    *,
    scale_max: int = CSAT_DEFAULT_MAX,
    weights: Iterable[float] | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> CsatResult:
    """CSAT: percent of answers in the top boxes, with a Wilson score interval."""
    confidence = check_confidence(confidence)
    scale = csat_scale(scale_max)
    sample = _sample(data, scale, weights)
    common = _common("csat", sample, confidence)
    top = csat_top_boxes(scale)
    extra: dict[str, Any] = {
        "scale_max": scale_max,
        "top_boxes": top,
        "satisfied": sample.count(top),
        "total": sample.n,
        "warning": _low_n_warning(sample.n, sample.n_eff, sample.weighted),
    }
    if sample.n == 0:
        return CsatResult(**common, **extra, value=None, ci_low=None, ci_high=None)
    p = sample.share(top)
    low, high = wilson_interval(p, sample.n_eff, z_value(confidence))
    return CsatResult(**common, **extra, value=100 * p, ci_low=100 * low, ci_high=100 * high)


def _weighted_mean_sd(sample: ScoreSample) -> tuple[float, float | None]:
    """Weighted mean and the standard deviation with Kish's correction (None for n_eff ≤ 1)."""
    total = sample.total_weight
    points = list(sample.scale.points)
    mean = math.fsum(s * w for s, w in zip(points, sample.weight_sums, strict=True)) / total
    n_eff = sample.n_eff
    if sample.n < 2 or n_eff <= 1:
        return mean, None
    spread = math.fsum(w * (s - mean) ** 2 for s, w in zip(points, sample.weight_sums, strict=True))
    variance = spread / total * n_eff / (n_eff - 1)
    return mean, math.sqrt(variance)


def ces(
    data: ScoreSample | Iterable[object],
    *,
    scale_max: int = CES_DEFAULT_MAX,
    weights: Iterable[float] | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> CesResult:
    """Customer Effort Score: the mean with a t interval, and the share that agrees."""
    confidence = check_confidence(confidence)
    scale = ces_scale(scale_max)
    sample = _sample(data, scale, weights)
    common = _common("ces", sample, confidence)
    agree_from = ces_agree_from(scale)
    agree_scores = range(agree_from, scale.high + 1)
    low_n = _low_n_warning(sample.n, sample.n_eff, sample.weighted)
    extra: dict[str, Any] = {
        "scale_max": scale_max,
        "agree_from": agree_from,
        "agree": sample.count(agree_scores),
    }
    if sample.n == 0:
        return CesResult(
            **common,
            **extra,
            value=None,
            ci_low=None,
            ci_high=None,
            warning=low_n,
            sd=None,
            share_agree=None,
            share_agree_ci_low=None,
            share_agree_ci_high=None,
        )
    mean, sd = _weighted_mean_sd(sample)
    ci_low = ci_high = None
    undefined = None
    if sd is None:
        undefined = "With a single answer the interval of the mean is undefined."
    else:
        half = t_value(confidence, sample.n_eff - 1) * sd / math.sqrt(sample.n_eff)
        ci_low, ci_high = mean - half, mean + half
    share = sample.share(agree_scores)
    agree_low, agree_high = wilson_interval(share, sample.n_eff, z_value(confidence))
    return CesResult(
        **common,
        **extra,
        value=mean,
        ci_low=ci_low,
        ci_high=ci_high,
        warning=_join(low_n, undefined),
        sd=sd,
        share_agree=100 * share,
        share_agree_ci_low=100 * agree_low,
        share_agree_ci_high=100 * agree_high,
    )


# -------------------------------------------------------------------------- differences


def _difference(
    a: MetricResult,
    b: MetricResult,
    *,
    method: str,
    confidence: float,
    value: float | None,
    interval: tuple[float, float] | None,
    why_none: str | None = None,
) -> Difference:
    low_n = a.low_n or b.low_n
    warning = _join(
        f"A sample is below the minimum of {MIN_N}: read the interval, not the difference."
        if low_n
        else None,
        why_none if interval is None else None,
    )
    ci_low, ci_high = interval if interval is not None else (None, None)
    significant = interval is not None and (interval[0] > 0 or interval[1] < 0)
    return Difference(
        metric=a.metric,
        method=method,
        value=value,
        ci_low=ci_low,
        ci_high=ci_high,
        confidence=confidence,
        significant=significant,
        n_a=a.n,
        n_b=b.n,
        low_n=low_n,
        warning=warning,
    )


_EMPTY_SIDE = "One of the two samples has no valid answers."


def nps_difference(a: NpsResult, b: NpsResult, *, confidence: float | None = None) -> Difference:
    """NPS a − b in points; adjusted-Wald interval with the two variances added."""
    level = check_confidence(confidence if confidence is not None else a.confidence)
    method = "adjusted-wald"
    if a.value is None or b.value is None:
        return _difference(
            a, b, method=method, confidence=level, value=None, interval=None, why_none=_EMPTY_SIDE
        )
    adjusted_a, var_a = _adjusted_wald(
        (a.promoters_pct or 0) / 100, (a.detractors_pct or 0) / 100, a.n_eff
    )
    adjusted_b, var_b = _adjusted_wald(
        (b.promoters_pct or 0) / 100, (b.detractors_pct or 0) / 100, b.n_eff
    )
    centre = 100 * (adjusted_a - adjusted_b)
    half = 100 * z_value(level) * math.sqrt(var_a + var_b)
    interval = (_clip(centre - half, -200.0, 200.0), _clip(centre + half, -200.0, 200.0))
    return _difference(
        a, b, method=method, confidence=level, value=a.value - b.value, interval=interval
    )


def newcombe_interval(p1: float, n1: float, p2: float, n2: float, z: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 − p2 (Newcombe 1998, method 10)."""
    l1, u1 = wilson_interval(p1, n1, z)
    l2, u2 = wilson_interval(p2, n2, z)
    d = p1 - p2
    return (
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


def csat_difference(a: CsatResult, b: CsatResult, *, confidence: float | None = None) -> Difference:
    """CSAT a − b in percentage points; Newcombe's hybrid score interval."""
    if a.scale_max != b.scale_max:
        raise ValueError("CSAT on different scales cannot be compared")
    level = check_confidence(confidence if confidence is not None else a.confidence)
    method = "newcombe-hybrid-score"
    if a.value is None or b.value is None:
        return _difference(
            a, b, method=method, confidence=level, value=None, interval=None, why_none=_EMPTY_SIDE
        )
    low, high = newcombe_interval(a.value / 100, a.n_eff, b.value / 100, b.n_eff, z_value(level))
    return _difference(
        a,
        b,
        method=method,
        confidence=level,
        value=a.value - b.value,
        interval=(100 * low, 100 * high),
    )


def ces_difference(a: CesResult, b: CesResult, *, confidence: float | None = None) -> Difference:
    """CES mean a − b; Welch's t interval (Welch–Satterthwaite degrees of freedom)."""
    if a.scale_max != b.scale_max:
        raise ValueError("CES on different scales cannot be compared")
    level = check_confidence(confidence if confidence is not None else a.confidence)
    method = "welch-t"
    if a.value is None or b.value is None:
        return _difference(
            a, b, method=method, confidence=level, value=None, interval=None, why_none=_EMPTY_SIDE
        )
    value = a.value - b.value
    if a.sd is None or b.sd is None:
        return _difference(
            a,
            b,
            method=method,
            confidence=level,
            value=value,
            interval=None,
            why_none="A sample has a single answer: the interval is undefined.",
        )
    va, vb = a.sd**2 / a.n_eff, b.sd**2 / b.n_eff
    se = math.sqrt(va + vb)
    if se == 0:  # both samples constant: no sampling spread to speak of
        return _difference(
            a, b, method=method, confidence=level, value=value, interval=(value,) * 2
        )
    df = (va + vb) ** 2 / (va**2 / (a.n_eff - 1) + vb**2 / (b.n_eff - 1))
    half = t_value(level, df) * se
    return _difference(
        a, b, method=method, confidence=level, value=value, interval=(value - half, value + half)
    )


def scale_for(metric: str, scale_max: int | None = None) -> Scale:
    """The answer scale of `metric` ("nps", "csat", "ces"); ValueError for a wrong one."""
    if metric == "nps":
        if scale_max not in (None, NPS_SCALE.high):
            raise ValueError("the NPS scale is 0–10: its maximum can only be 10")
        return NPS_SCALE
    if metric == "csat":
        return csat_scale(CSAT_DEFAULT_MAX if scale_max is None else scale_max)
    if metric == "ces":
        return ces_scale(CES_DEFAULT_MAX if scale_max is None else scale_max)
    raise ValueError(f"unknown metric {metric!r}")


def summarise(
    metric: str,
    data: ScoreSample | Iterable[object],
    *,
    scale_max: int | None = None,
    weights: Iterable[float] | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MetricResult:
    """The result of `metric` ("nps", "csat", "ces") on `data`."""
    scale = scale_for(metric, scale_max)
    if metric == "nps":
        return nps(data, weights=weights, confidence=confidence)
    if metric == "csat":
        return csat(data, scale_max=scale.high, weights=weights, confidence=confidence)
    return ces(data, scale_max=scale.high, weights=weights, confidence=confidence)


__all__ = [
    "DEFAULT_CONFIDENCE",
    "MIN_N",
    "NPS_SCALE",
    "CesResult",
    "CsatResult",
    "Difference",
    "InvalidScore",
    "MetricResult",
    "NpsResult",
    "Rejection",
    "Scale",
    "ScoreCollector",
    "ScoreSample",
    "ces",
    "ces_difference",
    "collect_scores",
    "csat",
    "csat_difference",
    "newcombe_interval",
    "nps",
    "nps_difference",
    "parse_score",
    "scale_for",
    "summarise",
    "wilson_interval",
]
