"""Emerging issues and key drivers against exact calculations, independent implementations
(scipy, statsmodels' own Poisson tests, a hand-written HC3), a published example
(Benjamini & Hochberg 1995) and simulations with known truth.
"""

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep_test

from cxm.core.insights import (
    DriverRow,
    benjamini_hochberg,
    detect_emerging_issues,
    key_drivers,
    key_drivers_by_segment,
    poisson_rate_increase_test,
    rate_ratio_interval,
    welch_interval,
)
from cxm.core.metrics import nps, nps_difference

# --------------------------------------------------------------------- the count test


def exact_conditional_p(x_r: int, n_r: float, x_b: int, n_b: float) -> float:
    """P(X ≥ x_r), X ~ Binomial(x_r + x_b, n_r / (n_r + n_b)), summed term by term."""
    n = x_r + x_b
    p = n_r / (n_r + n_b)
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(x_r, n + 1))


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # statsmodels' ratio 7/0
@pytest.mark.parametrize(
    ("x_r", "n_r", "x_b", "n_b"),
    [
        (12, 700, 20, 2800),
        (5, 100, 2, 2800),
        (0, 700, 9, 2800),
        (30, 700, 120, 2800),
        (7, 90, 0, 3000),
    ],
)
def test_p_value_is_the_conditional_binomial_test(x_r, n_r, x_b, n_b):
    """Przyborowski & Wilenski (1940) conditional test: the same value from the exact sum,
    scipy.stats.binomtest (alternative="greater") and statsmodels' test_poisson_2indep with
    method="exact-cond" (an independent implementation of the same test)."""
    p = poisson_rate_increase_test(x_r, n_r, x_b, n_b)
    assert p == pytest.approx(exact_conditional_p(x_r, n_r, x_b, n_b), rel=1e-9, abs=1e-15)
    if x_r + x_b:
        by_scipy = stats.binomtest(x_r, x_r + x_b, n_r / (n_r + n_b), alternative="greater")
        assert p == pytest.approx(by_scipy.pvalue, rel=1e-9)
        by_statsmodels = poisson_2indep_test(
            x_r, n_r, x_b, n_b, method="exact-cond", alternative="larger"
        )
        assert p == pytest.approx(by_statsmodels.pvalue, rel=1e-6)


def test_p_value_edges_and_bad_input():
    assert poisson_rate_increase_test(0, 10, 0, 10) == 1.0
    # No baseline mention: p = π0^x (every one of x mentions fell in the recent window).
    assert poisson_rate_increase_test(4, 100, 0, 300) == pytest.approx(0.25**4)
    with pytest.raises(ValueError):
        poisson_rate_increase_test(-1, 10, 0, 10)
    with pytest.raises(ValueError):
        poisson_rate_increase_test(True, 10, 0, 10)
    with pytest.raises(ValueError):
        poisson_rate_increase_test(1, 0, 0, 10)


def test_size_and_power_by_monte_carlo_simulation():
    """Monte Carlo: two Poisson processes with the same rate per text (H0) and exposures
    700 vs 2,800 texts; the exact conditional test rejects at most 5 % of the time (exact
    tests are conservative on discrete data), and with a tripled rate over 90 % of the time."""
    rng = np.random.default_rng(20240601)
    n_r, n_b, rate = 700, 2800, 0.01
    recent = rng.poisson(rate * n_r, 4000)
    baseline = rng.poisson(rate * n_b, 4000)
    p = np.array(
        [
            poisson_rate_increase_test(int(a), n_r, int(b), n_b)
            for a, b in zip(recent, baseline, strict=True)
        ]
    )
    size = float(np.mean(p <= 0.05))
    assert 0.015 < size <= 0.05 + 2 * math.sqrt(0.05 * 0.95 / 4000)
    recent_up = rng.poisson(3 * rate * n_r, 1000)
    baseline_up = rng.poisson(rate * n_b, 1000)
    power = np.mean(
        [
            poisson_rate_increase_test(int(a), n_r, int(b), n_b) <= 0.05
            for a, b in zip(recent_up, baseline_up, strict=True)
        ]
    )
    assert power > 0.9


def test_rate_ratio_interval_is_clopper_pearson_mapped():
    """The exact conditional interval: scipy's Clopper–Pearson interval for x_r of n
    (binomtest(...).proportion_ci(method="exact")) mapped by π/(1 − π)·N_b/N_r."""
    x_r, n_r, x_b, n_b = 12, 700, 20, 2800
    cp = stats.binomtest(x_r, x_r + x_b).proportion_ci(0.95, method="exact")
    low, high = rate_ratio_interval(x_r, n_r, x_b, n_b)
    assert low == pytest.approx(cp.low / (1 - cp.low) * n_b / n_r, rel=1e-9)
    assert high == pytest.approx(cp.high / (1 - cp.high) * n_b / n_r, rel=1e-9)
    assert low is not None and high is not None
    assert low < (x_r / n_r) / (x_b / n_b) < high
    # All mentions recent: the upper end is unbounded; none recent: the lower end is 0.
    assert rate_ratio_interval(5, 100, 0, 100)[1] is None
    assert rate_ratio_interval(0, 100, 5, 100)[0] == 0.0
    assert rate_ratio_interval(0, 100, 0, 100) == (None, None)


def test_rate_ratio_interval_coverage_by_simulation():
    """Monte Carlo coverage of the exact interval at a true ratio of 2: at least 95 %."""
    rng = np.random.default_rng(7)
    n_r, n_b, rate = 500, 2000, 0.01
    hits = 0
    reps = 1500
    for a, b in zip(rng.poisson(2 * rate * n_r, reps), rng.poisson(rate * n_b, reps), strict=True):
        low, high = rate_ratio_interval(int(a), n_r, int(b), n_b)
        hits += (low is None or low <= 2) and (high is None or high >= 2)
    assert hits / reps >= 0.95 - 2 * math.sqrt(0.05 * 0.95 / reps)


# ------------------------------------------------------------------ Benjamini–Hochberg

BH_1995_P = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
    0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000,
]  # fmt: skip


def test_benjamini_hochberg_published_example():
    """Benjamini & Hochberg (1995), JRSS B 57:289, section 4.2: 15 p-values from a
    myocardial-infarction study; at q = 0.05 the procedure rejects the four smallest
    (Bonferroni only three). Also equal to scipy.stats.false_discovery_control."""
    q = benjamini_hochberg(BH_1995_P)
    assert [i for i, value in enumerate(q) if value <= 0.05] == [0, 1, 2, 3]
    assert q == pytest.approx(list(stats.false_discovery_control(BH_1995_P)), rel=1e-12)
    shuffled = [BH_1995_P[i] for i in (14, 3, 0, 9, 7, 1, 2, 4, 5, 6, 8, 10, 11, 12, 13)]
    assert benjamini_hochberg(shuffled) == pytest.approx(
        list(stats.false_discovery_control(shuffled)), rel=1e-12
    )
    assert benjamini_hochberg([]) == []
    with pytest.raises(ValueError):
        benjamini_hochberg([0.2, 1.5])


# ------------------------------------------------------------------- emerging issues


def steady(per_day: int, days: int = 35) -> list[int]:
    return [per_day] * days


def test_emerging_topic_flagged_with_its_figures():
    totals = steady(100)
    counts = {
        "delivery": [5] * 28 + [15] * 7,  # tripled in the last week
        "price": steady(5),  # flat
        "noise": [1] * 28 + [1, 1, 2, 2, 2, 2, 2],  # 1.7 times, but within chance
        "app": [0] * 28 + [0, 0, 0, 0, 1, 1, 1],  # new but only 3 mentions
        "staff": [30] * 28 + [36] * 7,  # significant, but a 20 % rise
    }
    issues = {issue.key: issue for issue in detect_emerging_issues(counts, totals)}
    delivery = issues["delivery"]
    assert delivery.emerging and delivery.reason == "emerging"
    assert (delivery.recent_count, delivery.recent_total) == (105, 700)
    assert (delivery.baseline_count, delivery.baseline_total) == (140, 2800)
    assert delivery.rate_ratio == pytest.approx(3.0)
    assert delivery.p_value == pytest.approx(exact_conditional_p(105, 700, 140, 2800), rel=1e-9)
    assert delivery.ratio_ci_low is not None and delivery.ratio_ci_low > 2
    assert delivery.q_value is not None and delivery.p_value is not None
    assert delivery.q_value >= delivery.p_value
    assert issues["price"].reason == "small_increase" and issues[
        "price"
    ].rate_ratio == pytest.approx(1)
    assert (
        issues["app"].reason == "low_volume"
        and issues["app"].new
        and issues["app"].rate_ratio is None
    )
    assert issues["app"].p_value is None  # 3 mentions in all: outside the tested family
    noise = issues["noise"]
    assert noise.rate_ratio is not None and noise.rate_ratio > 1.5
    assert noise.reason == "not_significant" and noise.q_value is not None and noise.q_value > 0.05
    staff = issues["staff"]
    assert staff.p_value is not None and staff.p_value < 0.05
    assert staff.reason == "small_increase" and not staff.emerging
    # Flagged ones come first.
    assert detect_emerging_issues(counts, totals)[0].key == "delivery"


def test_q_values_are_bh_over_the_tested_family():
    totals = steady(100)
    counts = {"a": [5] * 28 + [15] * 7, "b": steady(5), "c": [3] * 28 + [6] * 7, "d": steady(0)}
    issues = {issue.key: issue for issue in detect_emerging_issues(counts, totals)}
    assert issues["d"].p_value is None and issues["d"].q_value is None
    family = ["a", "b", "c"]
    expected = stats.false_discovery_control([issues[k].p_value for k in family])
    assert [issues[k].q_value for k in family] == pytest.approx(list(expected))


def test_a_busier_week_raises_no_alarm():
    """The total volume doubles and every topic with it: the shares are flat."""
    totals = [100] * 28 + [200] * 7
    counts = {"delivery": [5] * 28 + [10] * 7}
    (issue,) = detect_emerging_issues(counts, totals)
    assert issue.rate_ratio == pytest.approx(1.0) and not issue.emerging


def test_last_day_window():
    totals = steady(200, 29)
    counts = {"outage": [2] * 28 + [25]}
    (issue,) = detect_emerging_issues(counts, totals, recent_days=1, baseline_days=28)
    assert (issue.recent_count, issue.baseline_count) == (25, 56)
    assert issue.rate_ratio == pytest.approx(12.5) and issue.emerging
    # The same rise judged over a week is diluted but still counted from the same days.
    (weekly,) = detect_emerging_issues(counts, totals, recent_days=7, baseline_days=22)
    assert (weekly.recent_count, weekly.baseline_count) == (37, 44)


def test_no_baseline_and_no_recent_volume():
    (issue,) = detect_emerging_issues({"x": [0, 0, 9]}, [0, 0, 20], recent_days=1)
    assert issue.reason == "no_baseline" and not issue.emerging and issue.p_value is None
    (quiet,) = detect_emerging_issues({"x": [5, 5, 0]}, [50, 50, 0], recent_days=1)
    assert quiet.reason == "no_recent_volume" and quiet.recent_rate is None


def test_emerging_bad_input():
    with pytest.raises(ValueError, match="days of counts"):
        detect_emerging_issues({"x": [1, 2]}, [5, 5, 5])
    with pytest.raises(ValueError, match="more mentions"):
        detect_emerging_issues({"x": [6, 2, 1]}, [5, 5, 5])
    with pytest.raises(ValueError):
        detect_emerging_issues({"x": [1, -2, 1]}, [5, 5, 5])
    with pytest.raises(ValueError):
        detect_emerging_issues({}, [5, 5], recent_days=0)
    with pytest.raises(ValueError):
        detect_emerging_issues({}, [5, 5], fdr=1.0)
    assert detect_emerging_issues({}, []) == []


def test_false_alarms_under_the_global_null_by_simulation():
    """Monte Carlo: 40 topics, none changing (Poisson counts at fixed shares of a varying
    daily volume), 150 runs: the share of runs with any flagged topic stays near or under
    the 5 % FDR (under the global null FDR equals the family-wise error rate)."""
    rng = np.random.default_rng(11)
    runs_with_alarm = 0
    shares = rng.uniform(0.005, 0.08, 40)
    for _ in range(150):
        totals = rng.integers(150, 400, 35)
        counts = {
            k: list(np.minimum(rng.poisson(s * totals), totals)) for k, s in enumerate(shares)
        }
        runs_with_alarm += any(
            issue.emerging for issue in detect_emerging_issues(counts, list(totals))
        )
    assert runs_with_alarm / 150 <= 0.05 + 2 * math.sqrt(0.05 * 0.95 / 150)


# ----------------------------------------------------------------------- key drivers


def test_welch_interval_matches_scipy():
    """Welch (1947) interval against scipy.stats.ttest_ind(equal_var=False)."""
    a = [9, 10, 8, 7, 10, 9, 6]
    b = [3, 6, 7, 2, 8, 5, 9, 4, 6]
    low, high, p = welch_interval(a, b)  # type: ignore[misc]
    reference = stats.ttest_ind(a, b, equal_var=False)
    ci = reference.confidence_interval(0.95)
    assert (low, high) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert p == pytest.approx(reference.pvalue, rel=1e-9)
    assert welch_interval([1], [2, 3]) is None
    assert welch_interval([5, 5], [5, 5]) is None


def hand_hc3(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS coefficients and HC3 standard errors by the formula of MacKinnon & White (1985):
    (X'X)⁻¹ X' diag(e_i² / (1 − h_ii)²) X (X'X)⁻¹, written out with numpy."""
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    resid = y - x @ beta
    h = np.einsum("ij,jk,ik->i", x, xtx_inv, x)
    meat = x.T @ (x * (resid**2 / (1 - h) ** 2)[:, None])
    cov = xtx_inv @ meat @ xtx_inv
    return beta, np.sqrt(np.diag(cov))


def test_regression_matches_hand_hc3():
    rng = np.random.default_rng(3)
    n = 120
    rows = []
    for _ in range(n):
        topics = frozenset(t for t, p in (("a", 0.3), ("b", 0.4), ("c", 0.2)) if rng.random() < p)
        rows.append(DriverRow(score=float(rng.normal(6, 2)), topics=topics))
    result = key_drivers(rows, metric="csat", topics=["a", "b", "c"])
    x = np.column_stack([np.ones(n)] + [[t in r.topics for r in rows] for t in "abc"]).astype(float)
    y = np.array([r.score for r in rows])
    beta, se = hand_hc3(x, y)
    t = stats.t.ppf(0.975, n - 4)
    assert result.robust == "HC3"
    by_key = {d.key: d for d in result.drivers}
    for j, key in enumerate("abc", start=1):
        d = by_key[key]
        assert d.coefficient == pytest.approx(beta[j], rel=1e-9)
        assert d.coefficient_ci_low == pytest.approx(beta[j] - t * se[j], rel=1e-9)
        assert d.coefficient_ci_high == pytest.approx(beta[j] + t * se[j], rel=1e-9)
        assert d.impact == pytest.approx(beta[j] * d.share)
        mask = x[:, j] == 1
        assert d.difference == pytest.approx(y[mask].mean() - y[~mask].mean())


def known_effects_rows(rng: np.random.Generator, n: int) -> list[DriverRow]:
    """delivery −2, price −1, staff +1, app 0 but mentioned mostly with delivery."""
    rows = []
    for _ in range(n):
        topics = set()
        if rng.random() < 0.3:
            topics.add("delivery")
            if rng.random() < 0.7:
                topics.add("app")
        elif rng.random() < 0.05:
            topics.add("app")
        if rng.random() < 0.2:
            topics.add("price")
        if rng.random() < 0.25:
            topics.add("staff")
        mean = 6 - 2 * ("delivery" in topics) - 1 * ("price" in topics) + 1 * ("staff" in topics)
        # Skewed, heteroskedastic noise: larger spread when delivery is mentioned.
        noise = rng.exponential(1.5 if "delivery" in topics else 0.8) - (
            1.5 if "delivery" in topics else 0.8
        )
        rows.append(DriverRow(score=mean + noise, topics=frozenset(topics)))
    return rows


TRUE_EFFECTS = {"delivery": -2.0, "price": -1.0, "staff": 1.0, "app": 0.0}


def test_known_effects_simulation_recovers_the_coefficients():
    """Known-effects simulation: scores generated from true topic effects; the regression
    recovers them, while the raw difference blames "app", which only travels with delivery."""
    rows = known_effects_rows(np.random.default_rng(42), 4000)
    result = key_drivers(rows, metric="csat")
    by_key = {d.key: d for d in result.drivers}
    for key, effect in TRUE_EFFECTS.items():
        d = by_key[key]
        assert d.coefficient == pytest.approx(effect, abs=0.15)
        assert d.coefficient_ci_low is not None and d.coefficient_ci_high is not None
        assert d.coefficient_ci_low < effect < d.coefficient_ci_high
    app = by_key["app"]
    assert app.difference is not None and app.difference_ci_high is not None
    assert app.difference < -1.0 and app.difference_ci_high < 0  # confounded
    assert result.drivers[0].key == "delivery"  # |−2 × 0.3| is the largest impact
    assert by_key["delivery"].impact == pytest.approx(-2 * by_key["delivery"].share, abs=0.06)


def test_known_effects_simulation_interval_coverage():
    """Known-effects simulation, 200 samples of 300 rows: the HC3 95 % intervals cover the
    true effects about 95 % of the time despite skewed, unequal-variance noise."""
    rng = np.random.default_rng(5)
    covered = {key: 0 for key in TRUE_EFFECTS}
    reps = 200
    for _ in range(reps):
        result = key_drivers(known_effects_rows(rng, 300), metric="csat", topics=list(TRUE_EFFECTS))
        for d in result.drivers:
            assert d.coefficient_ci_low is not None and d.coefficient_ci_high is not None
            key = str(d.key)
            covered[key] += d.coefficient_ci_low <= TRUE_EFFECTS[key] <= d.coefficient_ci_high
    for key, hits in covered.items():
        assert 0.9 <= hits / reps <= 0.99, (key, hits)


def test_nps_points_and_low_n():
    rows = (
        [DriverRow(3, frozenset({"delivery"}))] * 8
        + [DriverRow(9, frozenset({"delivery"}))] * 2
        + [DriverRow(10, frozenset())] * 25
        + [DriverRow(7, frozenset({"staff"}))] * 20
        + [DriverRow(10, frozenset({"staff"}))] * 15
    )
    result = key_drivers(rows, metric="nps")
    assert result.n == 70
    assert result.nps == pytest.approx(nps([r.score for r in rows]).value)
    d = next(d for d in result.drivers if d.key == "delivery")
    with_d = nps([r.score for r in rows if "delivery" in r.topics])
    without_d = nps([r.score for r in rows if "delivery" not in r.topics])
    reference = nps_difference(with_d, without_d)
    assert d.nps_with == pytest.approx(-60.0)  # 2 promoters, 8 detractors of 10
    assert d.nps_without == pytest.approx(40 / 60 * 100)
    assert (d.nps_difference, d.nps_difference_ci_low, d.nps_difference_ci_high) == pytest.approx(
        (reference.value, reference.ci_low, reference.ci_high)
    )
    assert reference.value is not None
    assert d.nps_impact == pytest.approx(10 / 70 * reference.value)
    assert d.low_n and d.n_mentioned == 10
    staff = next(d for d in result.drivers if d.key == "staff")
    assert staff.n_mentioned == 35 and not staff.low_n


def test_degenerate_topics_are_explained_not_crashed():
    rows = [
        DriverRow(float(s), frozenset({"all", "twin_a", "twin_b"} if s > 5 else {"all"}))
        for s in range(11)
    ]
    rows.append(DriverRow(2.0, frozenset({"all", "once"})))
    result = key_drivers(rows, metric="nps")
    notes = {d.key: d.regression_note for d in result.drivers}
    assert notes["all"] == "mentioned in every row"
    assert notes["once"] == "fewer than 2 mentions"
    # One of the twins gets the coefficient, the other is named as collinear.
    assert sorted(str(notes[k]) for k in ("twin_a", "twin_b")) == [
        "None",
        "always mentioned with other topics (collinear)",
    ]
    assert all(d.impact is None for d in result.drivers if notes[d.key])


def test_empty_small_and_bad_input():
    empty = key_drivers([], metric="nps")
    assert empty.n == 0 and empty.drivers == [] and empty.warning
    small = key_drivers([DriverRow(9, frozenset({"a"})), DriverRow(3, frozenset())], metric="nps")
    assert small.warning and small.drivers[0].coefficient is None
    with pytest.raises(ValueError, match="0 to 10"):
        key_drivers([DriverRow(11, frozenset())], metric="nps")
    with pytest.raises(ValueError, match="0 to 10"):
        key_drivers([DriverRow(8.5, frozenset())], metric="nps")
    with pytest.raises(ValueError, match="finite"):
        key_drivers([DriverRow(float("nan"), frozenset())], metric="csat")
    with pytest.raises(ValueError, match="metric"):
        key_drivers([], metric="ltv")


def test_by_segment():
    rng = np.random.default_rng(1)
    rows = [
        DriverRow(score=r.score, topics=r.topics, segment="web" if i % 2 else "branch")
        for i, r in enumerate(known_effects_rows(rng, 400))
    ]
    result = key_drivers_by_segment(rows, metric="csat")
    assert set(result) == {None, "web", "branch"}
    assert result[None].n == 400 and result["web"].n == 200 and result["branch"].n == 200
