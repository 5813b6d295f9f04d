"""Contact volume forecasting for one regular series (5-minute to daily intervals).

Pure Python (numpy, statsmodels, `holidays`); no Django.

Three models, chosen automatically by rolling-origin backtesting (WAPE) over the last whole
weeks of history:

- ``seasonal_naive``: the same interval one week earlier (the last observed week repeated).
- ``weekly_ets``: Holt-Winters exponential smoothing with a weekly season. With up to
  ``ETS_MAX_PERIOD`` intervals a week (hourly, half-hourly, quarter-hourly) it runs on the
  series itself (statsmodels ``ExponentialSmoothing``, heuristic initial state); with more
  (e.g. 2,016 five-minute intervals a week) it smooths the daily totals (weekly season of 7)
  and spreads each day over the intraday profile of its day of week, which is far faster and
  as accurate.
- ``calendar_regression``: the log of each day's total regressed on day of week (the
  Saturday-to-Friday week of Iran is just seven dummies), a linear trend, holidays and
  Ramadan, weighted towards recent weeks; each day spread over the intraday profile of its
  day of week (holidays over the Friday profile, the Iranian weekend, unless the history holds
  enough holidays to learn their own). A holiday never seen in history is forecast as a
  Friday. Holidays come from the caller (a site's list) or, by default, from the Iranian
  public holidays of the ``holidays`` package (Nowruz, and the lunar holidays that move each
  year); Ramadan is the 30 days before Eid al-Fitr.

Missing intervals (gaps) are NaN, not zero: models skip them when fitting and the backtest
does not score them. Prediction intervals come from the chosen model's backtest residuals,
scaled by sqrt(forecast + 1) (count data spread grows with the level).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

MIN_STEP = dt.timedelta(minutes=5)
MAX_STEP = dt.timedelta(days=1)
DAY = dt.timedelta(days=1)
MIN_HISTORY_DAYS = 14
BACKTEST_WEEKS = 4
ETS_MAX_PERIOD = 700
INTERVAL_LEVEL = 0.9
FRIDAY = 4  # date.weekday(): Monday 0 … Friday 4, Saturday 5
RAMADAN_DAYS = 30
RECENT_WEEKS_HALF_LIFE = 4.0  # weight of a day in the regression halves every 4 weeks back

MODELS = ("seasonal_naive", "weekly_ets", "calendar_regression")
BASELINES = ("seasonal_naive", "weekly_ets")


class ForecastError(ValueError):
    """The series cannot be forecast; `code` is stable, the message is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Series:
    """A regular series: `values[i]` is the count of the interval starting at start + i·step;
    NaN where the interval is missing."""

    start: dt.datetime
    step: dt.timedelta
    values: np.ndarray

    @property
    def per_day(self) -> int:
        return int(DAY / self.step)

    @property
    def per_week(self) -> int:
        return 7 * self.per_day

    def timestamps(self, offset: int = 0, count: int | None = None) -> list[dt.datetime]:
        n = len(self.values) if count is None else count
        return [self.start + (offset + i) * self.step for i in range(n)]


@dataclass(frozen=True)
class Calendar:
    """Holidays (date → name) and Ramadan days the calendar regression uses."""

    holidays: dict[dt.date, str] = field(default_factory=dict)
    ramadan: frozenset[dt.date] = frozenset()

    def is_holiday(self, day: dt.date) -> bool:
        return day in self.holidays


@dataclass(frozen=True)
class Forecast:
    timestamps: list[dt.datetime]
    forecast: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    model: str
    wape: dict[str, float | None]  # backtest WAPE per model (None: could not run)
    backtest_folds: int
    interval_level: float = INTERVAL_LEVEL

    @property
    def model_wape(self) -> float | None:
        return self.wape.get(self.model)


# ------------------------------------------------------------------------------ the series


def build_series(
    timestamps: Sequence[dt.datetime],
    counts: Sequence[float] | np.ndarray,
    *,
    gaps_as_zero: bool = False,
) -> Series:
    """A regular series from (timestamp, count) pairs in any order.

    The interval is the most common step between consecutive timestamps; it must be from 5
    minutes to a day and divide a day, and every timestamp must fall on that grid. Missing
    intervals are NaN (or 0 with `gaps_as_zero`); NaN counts stay missing. Aware timestamps
    are converted to the offset of the first one.
    """
    if len(timestamps) != len(counts):
        raise ValueError("timestamps and counts differ in length")
    if len(timestamps) < 2:
        raise ForecastError("too_short", "fewer than two timestamps")
    aware = [t.tzinfo is not None and t.utcoffset() is not None for t in timestamps]
    if any(aware) and not all(aware):
        raise ForecastError(
            "mixed_timezones", "some timestamps have a time zone offset and others do not"
        )
    if all(aware):
        zone = dt.timezone(timestamps[0].utcoffset() or dt.timedelta(0))
        timestamps = [t.astimezone(zone) for t in timestamps]
    order = sorted(range(len(timestamps)), key=lambda i: timestamps[i])
    ordered = [timestamps[i] for i in order]
    values = [float(counts[i]) for i in order]
    for before, after in itertools.pairwise(ordered):
        if before == after:
            raise ForecastError("duplicate", f"the timestamp {after.isoformat()} appears twice")
    steps = Counter(b - a for a, b in itertools.pairwise(ordered))
    step = max(steps, key=lambda s: (steps[s], -s))
    if not MIN_STEP <= step <= MAX_STEP or DAY % step:
        raise ForecastError(
            "irregular",
            f"the series is irregular: its most common interval is {_describe(step)}; it must "
            "be from 5 minutes to a day and divide a day",
        )
    start = ordered[0]
    offsets = [(t - start) / step for t in ordered]
    off_grid = [t for t, o in zip(ordered, offsets, strict=True) if not float(o).is_integer()]
    if off_grid:
        raise ForecastError(
            "irregular",
            f"the series is irregular: {len(off_grid)} timestamp(s) are off the "
            f"{_describe(step)} grid (first {off_grid[0].isoformat()})",
        )
    length = int(offsets[-1]) + 1
    series = np.full(length, 0.0 if gaps_as_zero else np.nan)
    series[[int(o) for o in offsets]] = values
    if (series < 0).any():
        raise ForecastError("negative", "counts must not be negative")
    return Series(start=start, step=step, values=series)


def _describe(step: dt.timedelta) -> str:
    minutes = step.total_seconds() / 60
    if minutes >= 60 and minutes % 60 == 0:
        hours = int(minutes // 60)
        return f"{hours} hour{'s' if hours > 1 else ''}"
    return f"{minutes:g} minutes"


# ----------------------------------------------------------------------------- calendars


def iranian_calendar(years: Iterable[int]) -> Calendar:
    """Iranian public holidays (the `holidays` package) and Ramadan days for `years`."""
    import holidays

    wanted = sorted(set(years))
    table = holidays.country_holidays("IR", years=wanted)
    days = {day: str(name) for day, name in table.items()}
    return Calendar(holidays=days, ramadan=ramadan_days(days))


def ramadan_days(holidays: dict[dt.date, str]) -> frozenset[dt.date]:
    """The 30 days before each Eid al-Fitr found in `holidays` (by name)."""
    days: set[dt.date] = set()
    for day, name in holidays.items():
        lowered = name.lower()
        if "fitr" in lowered and "holiday" not in lowered:
            days.update(day - dt.timedelta(days=k) for k in range(1, RAMADAN_DAYS + 1))
    return frozenset(days)


def calendar_from_dates(holidays: dict[dt.date, str], *, with_ramadan: bool = True) -> Calendar:
    """A calendar from a site's holiday list; Ramadan from its Eid al-Fitr entries, if any."""
    ramadan = ramadan_days(holidays) if with_ramadan else frozenset()
    return Calendar(holidays=dict(holidays), ramadan=ramadan)


def years_of(series: Series, horizon_days: int) -> range:
    first = series.start.year
    last = (series.start + len(series.values) * series.step + horizon_days * DAY).year
    return range(first, last + 1)


# ---------------------------------------------------------------------------- the models

Model = Callable[[Series, int, Calendar], np.ndarray]


def seasonal_naive(history: Series, steps: int, calendar: Calendar) -> np.ndarray:
    """The same interval one week earlier; a missing one takes the week before that, else the
    mean of that interval of the week."""
    period = history.per_week
    values = history.values
    last_week = _fill_by_week(values, period)[-period:]
    reps = math.ceil(steps / period)
    return np.tile(last_week, reps)[:steps]


def _fill_by_week(values: np.ndarray, period: int) -> np.ndarray:
    """NaNs replaced by the value a week earlier, else by the mean of that interval of the
    week, else by the overall mean (so that smoothing can run)."""
    filled = values.copy()
    for i in np.flatnonzero(np.isnan(filled)):
        if i >= period and not np.isnan(filled[i - period]):
            filled[i] = filled[i - period]
    if np.isnan(filled).any():
        n = len(filled)
        pad = (-n) % period
        grid = np.concatenate([filled, np.full(pad, np.nan)]).reshape(-1, period)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            means = np.nanmean(grid, axis=0)
        overall = np.nanmean(filled) if not np.isnan(filled).all() else 0.0
        means = np.where(np.isnan(means), overall, means)
        index = np.flatnonzero(np.isnan(filled))
        filled[index] = means[index % period]
    return filled


def weekly_ets(history: Series, steps: int, calendar: Calendar) -> np.ndarray:
    """Holt-Winters with a weekly season (additive, no trend) — on the intervals when a week
    has at most ETS_MAX_PERIOD of them, else on daily totals × intraday profile."""
    period = history.per_week
    if period <= ETS_MAX_PERIOD:
        filled = _fill_by_week(history.values, period)
        if len(filled) < 2 * period + 10:
            return seasonal_naive(history, steps, calendar)
        return _holt_winters(filled, period, steps)
    days, totals = _daily_totals(history)
    filled_totals = _fill_by_week(totals, 7)
    if len(filled_totals) < 14:
        return seasonal_naive(history, steps, calendar)
    first_day = _day_of(history, len(history.values))
    day_count = math.ceil(_offset_in_day(history, len(history.values)) + steps / history.per_day)
    # the forecast may start within a day: forecast whole days, then cut
    daily = _holt_winters(filled_totals, 7, day_count + 1)
    if _offset_in_day(history, len(history.values)):  # history ends within a day
        daily = np.concatenate([filled_totals[-1:], daily])
    profiles = _intraday_profiles(history, days, calendar=None)
    return _spread(history, len(history.values), steps, first_day, daily, profiles, None)


def _holt_winters(values: np.ndarray, period: int, steps: int) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ExponentialSmoothing(
            values,
            trend=None,
            seasonal="add",
            seasonal_periods=period,
            # the heuristic start needs no optimisation of hundreds of seasonal states;
            # a short season can afford the estimated one (and the heuristic's 10 + period)
            initialization_method="estimated" if period <= 24 else "heuristic",
        )
        fitted = model.fit(optimized=True)
        forecast = np.asarray(fitted.forecast(steps), dtype=float)
    if not np.isfinite(forecast).all():
        return np.tile(values[-period:], math.ceil(steps / period))[:steps]
    return forecast


def calendar_regression(history: Series, steps: int, calendar: Calendar) -> np.ndarray:
    """Daily totals from a weighted log-linear regression on day of week, trend, holidays and
    Ramadan, spread over intraday profiles per day of week (holidays: their own or Friday's)."""
    days, totals = _daily_totals(history)
    first_day = _day_of(history, len(history.values))
    day_count = math.ceil(_offset_in_day(history, len(history.values)) + steps / history.per_day)
    future = [first_day + dt.timedelta(days=k) for k in range(day_count + 1)]
    daily = _regress_daily(days, totals, future, calendar)
    profiles = _intraday_profiles(history, days, calendar)
    return _spread(history, len(history.values), steps, first_day, daily, profiles, calendar)


def _regress_daily(
    days: list[dt.date], totals: np.ndarray, future: list[dt.date], calendar: Calendar
) -> np.ndarray:
    known = ~np.isnan(totals)
    train_days = [d for d, k in zip(days, known, strict=True) if k]
    y = np.log1p(totals[known])
    holiday_seen = sum(calendar.is_holiday(d) for d in train_days)
    ramadan_seen = sum(d in calendar.ramadan for d in train_days)
    use_holiday = holiday_seen >= 1
    use_ramadan = ramadan_seen >= 7 and ramadan_seen < len(train_days) - 7
    origin = train_days[-1]

    def design(day_list: list[dt.date], *, for_future: bool) -> np.ndarray:
        rows = []
        for day in day_list:
            holiday = calendar.is_holiday(day)
            weekday = day.weekday()
            if holiday and not use_holiday:
                weekday = FRIDAY  # an unseen kind of day: like the Iranian weekend
            row = [1.0 if weekday == w else 0.0 for w in range(7)]
            row.append((day - origin).days / 7.0)
            if use_holiday:
                row.append(1.0 if holiday else 0.0)
            if use_ramadan:
                row.append(1.0 if day in calendar.ramadan else 0.0)
            rows.append(row)
        return np.asarray(rows, dtype=float)

    x = design(train_days, for_future=False)
    age_weeks = np.array([(origin - d).days / 7.0 for d in train_days])
    weights = np.sqrt(0.5 ** (age_weeks / RECENT_WEEKS_HALF_LIFE))
    # a weekday never seen (a short history with gaps) must not make the system singular
    ridge = 1e-3 * np.eye(x.shape[1])
    xw = x * weights[:, None]
    beta = np.linalg.solve(xw.T @ xw + ridge, xw.T @ (y * weights))
    fitted = x @ beta
    residual_var = float(np.average((y - fitted) ** 2, weights=weights**2))
    predicted = design(future, for_future=True) @ beta
    # back from logs: the mean of a log-normal, not its median
    return np.maximum(np.expm1(predicted + residual_var / 2), 0.0)


def _daily_totals(history: Series) -> tuple[list[dt.date], np.ndarray]:
    """Each calendar day's total; a day with fewer than half its intervals observed is NaN, a
    partly observed one is scaled up by the share of the day its observed intervals carry."""
    per_day = history.per_day
    n = len(history.values)
    lead = _offset_in_day(history, 0)
    padded = np.concatenate(
        [np.full(lead, np.nan), history.values, np.full((-(lead + n)) % per_day, np.nan)]
    ).reshape(-1, per_day)
    first = history.start.date()
    days = [first + dt.timedelta(days=k) for k in range(padded.shape[0])]
    observed = ~np.isnan(padded)
    complete = observed.all(axis=1)
    share = np.full(per_day, 1.0 / per_day)
    if complete.sum() >= 3:
        sums = padded[complete].sum(axis=0)
        if sums.sum() > 0:
            share = sums / sums.sum()
    totals = np.full(padded.shape[0], np.nan)
    for k in range(padded.shape[0]):
        mask = observed[k]
        if mask.sum() * 2 < per_day:
            continue
        carried = share[mask].sum()
        if carried > 0:
            totals[k] = np.nansum(padded[k]) / carried
    return days, totals


def _intraday_profiles(
    history: Series, days: list[dt.date], calendar: Calendar | None
) -> dict[str, np.ndarray]:
    """Share of the day per interval, per weekday ("0".."6") and for holidays ("holiday"),
    from complete days, recent weeks weighing more."""
    per_day = history.per_day
    n = len(history.values)
    lead = _offset_in_day(history, 0)
    grid = np.concatenate(
        [np.full(lead, np.nan), history.values, np.full((-(lead + n)) % per_day, np.nan)]
    ).reshape(-1, per_day)
    last = days[-1]
    sums: dict[str, np.ndarray] = {}
    counts: Counter[str] = Counter()
    for day, row in zip(days, grid, strict=True):
        if np.isnan(row).any() or row.sum() <= 0:
            continue
        key = "holiday" if calendar is not None and calendar.is_holiday(day) else str(day.weekday())
        weight = 0.5 ** ((last - day).days / 7.0 / RECENT_WEEKS_HALF_LIFE)
        sums[key] = sums.get(key, np.zeros(per_day)) + weight * row / row.sum()
        counts[key] += 1
    overall = sum(sums.values(), np.zeros(per_day))
    flat = np.full(per_day, 1.0 / per_day)
    default = overall / overall.sum() if overall.sum() > 0 else flat
    profiles = {}
    for key, total in sums.items():
        if key == "holiday" and counts[key] < 3:
            continue
        profiles[key] = total / total.sum()
    for weekday in range(7):
        profiles.setdefault(str(weekday), default)
    profiles.setdefault("holiday", profiles[str(FRIDAY)])
    return profiles


def _spread(
    history: Series,
    first_index: int,
    steps: int,
    first_day: dt.date,
    daily: np.ndarray,
    profiles: dict[str, np.ndarray],
    calendar: Calendar | None,
) -> np.ndarray:
    per_day = history.per_day
    lead = _offset_in_day(history, first_index)
    out = np.empty(steps)
    for i in range(steps):
        position = lead + i
        k, slot = divmod(position, per_day)
        day = first_day + dt.timedelta(days=k)
        holiday = calendar is not None and calendar.is_holiday(day)
        profile = profiles["holiday" if holiday else str(day.weekday())]
        out[i] = daily[k] * profile[slot]
    return out


def _offset_in_day(history: Series, index: int) -> int:
    moment = history.start + index * history.step
    midnight = dt.datetime.combine(moment.date(), dt.time(0), tzinfo=moment.tzinfo)
    return int((moment - midnight) / history.step)


def _day_of(history: Series, index: int) -> dt.date:
    return (history.start + index * history.step).date()


MODEL_FUNCTIONS: dict[str, Model] = {
    "seasonal_naive": seasonal_naive,
    "weekly_ets": weekly_ets,
    "calendar_regression": calendar_regression,
}


# ------------------------------------------------------------------- backtest and choice


def wape(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    """Weighted absolute percentage error: sum |actual - predicted| / sum |actual| over the
    observed intervals; None when nothing was observed or all actuals are zero."""
    mask = ~np.isnan(actual)
    denominator = float(np.abs(actual[mask]).sum())
    if not mask.any() or denominator == 0:
        return None
    return float(np.abs(actual[mask] - predicted[mask]).sum()) / denominator


@dataclass
class Backtest:
    wape: dict[str, float | None]
    residuals: dict[str, list[tuple[float, float]]]  # (forecast, actual) pairs
    folds: int


def backtest(
    series: Series,
    calendar: Calendar,
    *,
    weeks: int = BACKTEST_WEEKS,
    models: Sequence[str] = MODELS,
) -> Backtest:
    """Rolling origin: for each of the last `weeks` weeks, fit on everything before it and
    forecast it; WAPE per model over all folds. Folds keep at least two weeks of training
    (one when the history is shorter than three weeks)."""
    period = series.per_week
    n = len(series.values)
    min_train = 2 * period if n >= 3 * period else period
    folds = [n - k * period for k in range(1, weeks + 1) if n - k * period >= min_train]
    errors: dict[str, list[float]] = {m: [] for m in models}
    totals: dict[str, float] = {m: 0.0 for m in models}
    pairs: dict[str, list[tuple[float, float]]] = {m: [] for m in models}
    for origin in folds:
        train = Series(series.start, series.step, series.values[:origin])
        actual = series.values[origin : origin + period]
        mask = ~np.isnan(actual)
        for name in models:
            predicted = np.maximum(MODEL_FUNCTIONS[name](train, len(actual), calendar), 0.0)
            errors[name].append(float(np.abs(actual[mask] - predicted[mask]).sum()))
            totals[name] += float(np.abs(actual[mask]).sum())
            pairs[name].extend(zip(predicted[mask].tolist(), actual[mask].tolist(), strict=True))
    scores: dict[str, float | None] = {}
    for name in models:
        scores[name] = sum(errors[name]) / totals[name] if folds and totals[name] > 0 else None
    return Backtest(wape=scores, residuals=pairs, folds=len(folds))


def forecast(
    series: Series,
    horizon_days: int,
    *,
    calendar: Calendar | None = None,
    models: Sequence[str] = MODELS,
    backtest_weeks: int = BACKTEST_WEEKS,
    level: float = INTERVAL_LEVEL,
) -> Forecast:
    """Forecast the `horizon_days` days after the last interval with the model whose rolling
    backtest WAPE is lowest, with prediction intervals from its backtest residuals."""
    if horizon_days <= 0:
        raise ForecastError("horizon", "the horizon must be at least one day")
    history_days = len(series.values) * series.step / DAY
    if history_days < MIN_HISTORY_DAYS:
        raise ForecastError(
            "too_short",
            f"the history covers {history_days:.1f} days; at least {MIN_HISTORY_DAYS} are needed",
        )
    if np.isnan(series.values[-series.per_week :]).all():
        raise ForecastError("no_recent_data", "the last week of history has no counts")
    if calendar is None:
        calendar = iranian_calendar(years_of(series, horizon_days))
    tested = backtest(series, calendar, weeks=backtest_weeks, models=models)
    ranked = [m for m in models if tested.wape.get(m) is not None]
    chosen = min(ranked, key=lambda m: tested.wape[m] or 0.0) if ranked else models[0]
    steps = horizon_days * series.per_day
    point = np.maximum(MODEL_FUNCTIONS[chosen](series, steps, calendar), 0.0)
    lower, upper = _interval(point, tested.residuals.get(chosen, []), level)
    return Forecast(
        timestamps=series.timestamps(offset=len(series.values), count=steps),
        forecast=point,
        lower=lower,
        upper=upper,
        model=chosen,
        wape=tested.wape,
        backtest_folds=tested.folds,
        interval_level=level,
    )


def _interval(
    point: np.ndarray, pairs: list[tuple[float, float]], level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles of the backtest residuals scaled by sqrt(forecast + 1)."""
    if len(pairs) < 20:
        spread = 1.64 * np.sqrt(point + 1.0)  # too few residuals: a Poisson-like guess
        return np.maximum(point - spread, 0.0), point + spread
    predicted, actual = (np.asarray(v) for v in zip(*pairs, strict=True))
    scaled = (actual - predicted) / np.sqrt(predicted + 1.0)
    alpha = (1.0 - level) / 2
    low_q, high_q = np.quantile(scaled, [alpha, 1.0 - alpha])
    scale = np.sqrt(point + 1.0)
    lower = np.clip(point + min(low_q, 0.0) * scale, 0.0, None)
    upper = point + max(high_q, 0.0) * scale
    return np.minimum(lower, point), np.maximum(upper, point)
