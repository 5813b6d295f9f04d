"""cxm.core.forecasting on synthetic series with known weekly and daily seasonality, a
holiday dip and Poisson noise (the truth is known, so the checks are against it)."""

import datetime as dt
import itertools

import numpy as np
import pytest

from cxm.core import forecasting as fc

SATURDAY = dt.datetime(2024, 1, 6)
HOURS = [SATURDAY + dt.timedelta(hours=i) for i in range(50)]
DOW_LEVEL = {5: 1.1, 6: 1.0, 0: 1.0, 1: 0.95, 2: 0.9, 3: 0.6, 4: 0.25}  # Iranian week


def synthetic(
    *,
    weeks: int = 8,
    step_minutes: int = 60,
    holidays: frozenset[dt.date] = frozenset(),
    dip: float = 0.3,
    level: float = 40.0,
    seed: int = 7,
) -> tuple[list[dt.datetime], np.ndarray, np.ndarray]:
    """Timestamps, Poisson counts and their true mean."""
    rng = np.random.default_rng(seed)
    step = dt.timedelta(minutes=step_minutes)
    n = weeks * 7 * 1440 // step_minutes
    stamps = [SATURDAY + i * step for i in range(n)]
    hours = np.array([t.hour + t.minute / 60 for t in stamps])
    intraday = np.exp(-(((hours - 11) / 3.5) ** 2)) + 0.6 * np.exp(-(((hours - 17) / 2.5) ** 2))
    weekly = np.array([DOW_LEVEL[t.weekday()] for t in stamps])
    dips = np.array([dip if t.date() in holidays else 1.0 for t in stamps])
    mean = (
        level
        * (intraday + 0.03)
        * weekly
        * dips
        * (1 + 0.002 * np.arange(n) * step_minutes / 60 / 24)
    )
    return stamps, rng.poisson(mean).astype(float), mean


def score(result: fc.Forecast, model: str) -> float:
    value = result.wape[model]
    assert value is not None
    return value


def test_build_series_infers_the_interval_and_keeps_gaps_missing():
    stamps, counts, _ = synthetic(weeks=3)
    keep = [i for i in range(len(stamps)) if i not in (5, 6, 100)]
    shuffled = keep[::-1]  # order does not matter
    series = fc.build_series([stamps[i] for i in shuffled], [counts[i] for i in shuffled])
    assert series.step == dt.timedelta(hours=1)
    assert series.start == SATURDAY
    assert len(series.values) == len(stamps)
    assert np.isnan(series.values[[5, 6, 100]]).all()
    zero = fc.build_series([stamps[i] for i in keep], [counts[i] for i in keep], gaps_as_zero=True)
    assert zero.values[5] == 0


@pytest.mark.parametrize(
    "stamps, code",
    [
        ([SATURDAY + dt.timedelta(minutes=7 * i) for i in range(50)], "irregular"),
        ([*HOURS, SATURDAY + dt.timedelta(minutes=90)], "irregular"),
        ([SATURDAY, SATURDAY, SATURDAY + dt.timedelta(hours=1)], "duplicate"),
        ([SATURDAY + dt.timedelta(days=2 * i) for i in range(20)], "irregular"),
    ],
)  # fmt: skip
def test_build_series_rejects_irregular_series(stamps, code):
    with pytest.raises(fc.ForecastError) as info:
        fc.build_series(stamps, [1.0] * len(stamps))
    assert info.value.code == code


def test_too_short_history_and_bad_horizon():
    stamps, counts, _ = synthetic(weeks=1)
    series = fc.build_series(stamps, counts)
    with pytest.raises(fc.ForecastError, match="at least 14"):
        fc.forecast(series, 7, calendar=fc.Calendar())
    series = fc.build_series(*synthetic(weeks=3)[:2])
    with pytest.raises(fc.ForecastError, match="horizon"):
        fc.forecast(series, 0, calendar=fc.Calendar())


def test_wape_by_definition():
    actual = np.array([10.0, 0.0, np.nan, 30.0])
    assert fc.wape(actual, np.array([12.0, 1.0, 99.0, 27.0])) == pytest.approx(6 / 40)
    assert fc.wape(np.array([0.0]), np.array([1.0])) is None


def test_chosen_model_beats_seasonal_naive_with_right_length_and_interval():
    stamps, counts, _ = synthetic(weeks=8, step_minutes=30)
    series = fc.build_series(stamps, counts)
    result = fc.forecast(series, 3, calendar=fc.Calendar())
    assert result.model in fc.MODELS
    assert result.backtest_folds == 4
    assert result.model_wape is not None
    assert result.model_wape < score(result, "seasonal_naive")
    assert len(result.forecast) == len(result.timestamps) == 3 * 48
    assert result.timestamps[0] == stamps[-1] + dt.timedelta(minutes=30)
    assert all(b - a == dt.timedelta(minutes=30) for a, b in itertools.pairwise(result.timestamps))
    assert (result.forecast >= 0).all()
    assert (result.lower <= result.forecast).all() and (result.forecast <= result.upper).all()
    assert (result.lower >= 0).all()


def test_gaps_are_handled():
    stamps, counts, mean = synthetic(weeks=6, step_minutes=60)
    counts[200:230] = np.nan  # a missing day and a bit
    counts[-30:-25] = np.nan  # and some in the last week
    keep = [i for i in range(len(stamps)) if not (500 <= i < 510)]  # and absent rows
    series = fc.build_series([stamps[i] for i in keep], counts[keep])
    result = fc.forecast(series, 7, calendar=fc.Calendar())
    assert np.isfinite(result.forecast).all()
    truth = mean[-168:] * (1 + 0.002 * 7)  # next week ≈ last week's mean, a little trend
    assert (fc.wape(truth, result.forecast) or 1.0) < 0.15


def test_holiday_effect_is_learned_from_a_holidays_list():
    # a Nowruz-like block in week 3, a single holiday in week 5, and one in the horizon
    block = frozenset(dt.date(2024, 1, 23) + dt.timedelta(days=k) for k in range(4))
    later = frozenset({dt.date(2024, 2, 6)})
    ahead = dt.date(2024, 3, 4)  # a Monday after the last history day (2024-03-01)
    stamps, counts, _ = synthetic(weeks=8, step_minutes=60, holidays=block | later)
    series = fc.build_series(stamps, counts)
    calendar = fc.calendar_from_dates({d: "holiday" for d in block | later | {ahead}})
    result = fc.forecast(series, 7, calendar=calendar, models=["calendar_regression"])
    per_day = result.forecast.reshape(7, 24).sum(axis=1)
    days = [result.timestamps[24 * k].date() for k in range(7)]
    monday = per_day[days.index(ahead)]
    tuesday = per_day[days.index(ahead + dt.timedelta(days=1))]
    assert monday / tuesday == pytest.approx(0.3 / 0.95, rel=0.25)
    # without the list, that Monday is an ordinary Monday
    plain = fc.forecast(series, 7, calendar=fc.Calendar(), models=["calendar_regression"])
    plain_monday = plain.forecast.reshape(7, 24).sum(axis=1)[days.index(ahead)]
    assert plain_monday > 2 * monday


def test_holidays_help_the_backtest():
    block = frozenset(dt.date(2024, 2, 20) + dt.timedelta(days=k) for k in range(4))
    early = frozenset(dt.date(2024, 1, 16) + dt.timedelta(days=k) for k in range(2))
    stamps, counts, _ = synthetic(weeks=8, step_minutes=60, holidays=block | early)
    series = fc.build_series(stamps, counts)
    known = fc.forecast(
        series, 7, calendar=fc.calendar_from_dates(dict.fromkeys(block | early, "h"))
    )
    assert known.model == "calendar_regression"
    best_baseline = min(score(known, m) for m in fc.BASELINES)
    assert score(known, known.model) < 0.9 * best_baseline


def test_five_minute_series_uses_the_fast_path():
    stamps, counts, _ = synthetic(weeks=3, step_minutes=5, level=10)
    series = fc.build_series(stamps, counts)
    assert series.per_week == 2016
    result = fc.forecast(series, 2, calendar=fc.Calendar())
    assert len(result.forecast) == 2 * 288
    assert result.wape["weekly_ets"] is not None


def test_daily_series():
    stamps, counts, _ = synthetic(weeks=10, step_minutes=1440, level=500)
    series = fc.build_series(stamps, counts)
    result = fc.forecast(series, 14, calendar=fc.Calendar())
    assert len(result.forecast) == 14
    assert result.timestamps[0] == stamps[-1] + dt.timedelta(days=1)


def test_iranian_calendar_has_nowruz_and_ramadan():
    calendar = fc.iranian_calendar([2024])
    assert dt.date(2024, 3, 20) in calendar.holidays  # Nowruz
    assert dt.date(2024, 4, 10) in calendar.holidays  # Eid al-Fitr (lunar, moves each year)
    assert dt.date(2024, 3, 25) in calendar.ramadan
    assert dt.date(2024, 5, 1) not in calendar.ramadan
