"""NPS, CSAT and CES against hand computations from the published definitions, published
tables and independent implementations (scipy), plus edge cases and a coverage simulation.
"""

import json
import math
from dataclasses import FrozenInstanceError

import numpy as np
import pytest
from scipy import stats

from cxm.core import metrics
from cxm.core.metrics import (
    MIN_N,
    NPS_SCALE,
    InvalidScore,
    Rejection,
    ScoreSample,
    ces,
    ces_difference,
    collect_scores,
    csat,
    csat_difference,
    newcombe_interval,
    nps,
    nps_difference,
    parse_score,
    wilson_interval,
)

Z95 = 1.959963984540054  # Φ⁻¹(0.975)


def bounds(result: metrics.MetricResult | metrics.Difference) -> tuple[float, float]:
    assert result.ci_low is not None and result.ci_high is not None
    return result.ci_low, result.ci_high


def answers(**counts: int) -> list[int]:
    """answers(s9=3, s10=2) → [9, 9, 9, 10, 10]."""
    return [int(key[1:]) for key, count in counts.items() for _ in range(count)]


# ----------------------------------------------------------------------------------- NPS


def test_nps_adjusted_wald_by_hand():
    """Adjusted-Wald NPS interval, Sauro & Lewis (MeasuringU, "Confidence Intervals for Net
    Promoter Scores", 2021; Quantifying the User Experience, 2nd ed.), computed by hand:

    n = 36: 15 promoters, 13 passives, 8 detractors. NPS = 15/36 − 8/36 = 19.44 points.
    p̂p = 15.75/39 = 0.403846, p̂d = 8.75/39 = 0.224359, NPS_adj = 0.179487
    Var = (0.403846 + 0.224359 − 0.179487²)/39 = (0.628205 − 0.032216)/39 = 0.0152818
    se = 0.123620; 1.959964 · se = 0.242291 → [−0.062804, 0.421778] → −6.28 to 42.18 points.
    """
    result = nps(answers(s10=15, s8=13, s3=8))
    assert result.n == 36
    assert (result.promoters, result.passives, result.detractors) == (15, 13, 8)
    assert result.value == pytest.approx(19.444, abs=1e-3)
    assert result.ci_low == pytest.approx(-6.280, abs=1e-3)
    assert result.ci_high == pytest.approx(42.178, abs=1e-3)
    assert not result.low_n and result.warning is None


def test_nps_boundaries_of_the_groups():
    """Reichheld's definition: promoters 9–10, passives 7–8, detractors 0–6."""
    result = nps(list(range(11)))
    assert (result.promoters, result.passives, result.detractors) == (2, 2, 7)
    assert result.value == pytest.approx(100 * (2 - 7) / 11)


def test_nps_all_promoters_stays_within_100():
    """n = 10, all promoters. By hand: p̂p = 10.75/13 = 0.826923, p̂d = 0.75/13 = 0.057692,
    adj = 0.769231, Var = (0.884615 − 0.591716)/13 = 0.0225307, se = 0.150102,
    interval 0.769231 ± 0.294195 = [0.475036, 1.063426] → [47.50, 100] after clipping."""
    result = nps([10] * 10)
    assert result.value == 100
    assert result.ci_low == pytest.approx(47.5036, abs=1e-3)
    assert result.ci_high == 100
    down = nps([0] * 10)
    assert down.value == -100
    assert down.ci_low == -100 and down.ci_high == pytest.approx(-47.5036, abs=1e-3)


def test_nps_single_answer():
    """n = 1 promoter. By hand: p̂p = 1.75/4, p̂d = 0.75/4, adj = 0.25,
    Var = (0.625 − 0.0625)/4 = 0.140625, se = 0.375: 0.25 ± 0.734987 → −48.50 to 98.50.
    The plain NPS (100) lies outside the interval centred on the adjusted one: the low-n
    warning is what tells the reader not to trust the number."""
    result = nps([9])
    assert result.n == 1 and result.value == 100
    assert result.ci_low == pytest.approx(-48.4987, abs=1e-3)
    assert result.ci_high == pytest.approx(98.4987, abs=1e-3)
    assert result.low_n and "below the minimum" in (result.warning or "")


def test_nps_empty():
    result = nps([])
    assert result.n == 0
    assert result.value is result.ci_low is result.ci_high is None
    assert result.promoters_pct is None
    assert result.low_n and result.warning


def test_minimum_n_rule():
    assert nps([9] * (MIN_N - 1)).low_n
    assert not nps([9] * MIN_N).low_n
    assert MIN_N == 30


def test_confidence_level_changes_the_width():
    data = answers(s10=40, s7=30, s2=30)
    wide, narrow = nps(data, confidence=0.99), nps(data, confidence=0.90)
    assert bounds(wide)[0] < bounds(narrow)[0] < bounds(narrow)[1] < bounds(wide)[1]
    for bad in (0, 1, 1.5, -0.1, math.nan):
        with pytest.raises(ValueError, match="confidence"):
            nps(data, confidence=bad)


def test_nps_adjusted_wald_coverage_by_simulation():
    """Rocks (2016) and Sauro & Lewis report the adjusted-Wald interval keeps close to its
    nominal coverage; 2,000 samples of n = 100 from known trinomials, fixed seed."""
    rng = np.random.default_rng(20240601)
    for probabilities in ((0.5, 0.3, 0.2), (0.3, 0.3, 0.4)):
        true_nps = 100 * (probabilities[0] - probabilities[2])
        draws = rng.multinomial(100, probabilities, size=2000)
        covered = 0
        for promoters, passives, detractors in draws:
            counts = (int(detractors),) + (0,) * 6 + (int(passives), 0, int(promoters), 0)
            sample = ScoreSample(
                scale=NPS_SCALE,
                counts=counts,
                weight_sums=tuple(map(float, counts)),
                weight_squares=tuple(map(float, counts)),
            )
            result = nps(sample)
            assert result.ci_low is not None and result.ci_high is not None
            covered += result.ci_low <= true_nps <= result.ci_high
        assert 0.93 <= covered / 2000 <= 0.97


# ---------------------------------------------------------------------------------- CSAT


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe (1998) "Two-sided confidence intervals for the single proportion",
        # Statistics in Medicine 17:857–872, Table I, method 3 (Wilson score, no correction).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_interval_against_newcombes_table(successes, n, low, high):
    got = wilson_interval(successes / n, n, Z95)
    assert got == pytest.approx((low, high), abs=5e-5)
    # And against an independent implementation.
    ci = stats.binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert got == pytest.approx((ci.low, ci.high), abs=1e-9)


def test_csat_top_two_boxes_with_wilson():
    """CSAT 1–5: satisfied = 4 or 5. 12 fives, 9 fours, 5 threes, 3 twos, 1 one → 21/30 = 70%;
    Wilson (hand), z² = 3.841459: centre = (0.7 + 3.841459/60)/(1 + 3.841459/30)
    = 0.764024/1.128049 = 0.677297, half = 1.959964/1.128049 · √(0.21/30 + 3.841459/3600)
    = 1.737482 · 0.089817 = 0.156053 → 52.12 to 83.33 %."""
    result = csat(answers(s5=12, s4=9, s3=5, s2=3, s1=1))
    assert result.top_boxes == (4, 5)
    assert (result.satisfied, result.total) == (21, 30)
    assert result.value == pytest.approx(70.0)
    assert result.ci_low == pytest.approx(52.12, abs=0.01)
    assert result.ci_high == pytest.approx(83.33, abs=0.01)
    ci = stats.binomtest(21, 30).proportion_ci(method="wilson")
    assert (result.ci_low, result.ci_high) == pytest.approx((100 * ci.low, 100 * ci.high))


@pytest.mark.parametrize(
    ("scale_max", "top"),
    [(2, (2,)), (3, (3,)), (4, (3, 4)), (5, (4, 5)), (7, (6, 7)), (10, (9, 10))],
)
def test_csat_top_boxes_by_scale(scale_max, top):
    """Top two boxes; on a scale of three points or fewer, the top box only (the second
    box of a 1–3 scale is its neutral midpoint)."""
    result = csat([scale_max], scale_max=scale_max)
    assert result.top_boxes == top
    assert result.value == 100


def test_csat_edges():
    everyone = csat([5] * 40)
    assert everyone.value == 100 and bounds(everyone)[1] == 100 and bounds(everyone)[0] < 100
    one = csat([1])
    assert one.value == 0 and one.ci_low == 0 and one.low_n
    empty = csat([])
    assert empty.n == 0 and empty.value is None and empty.ci_low is None
    assert csat([6, 0, 5]).rejected == 2


# ----------------------------------------------------------------------------------- CES


def test_ces_mean_t_interval_and_share_agree():
    """CES 2.0 (1–7). Scores 7,6,6,5,5,5,4,3,2,1: mean 4.4, Σ(x − x̄)² = 32.4,
    s² = 32.4/9 = 3.6, s = 1.897367, se = s/√10 = 0.6, t(0.975, 9) = 2.262157
    → 4.4 ± 1.357294 = 3.0427 to 5.7573.
    Agree (5–7): 6 of 10 = 60 %."""
    data = [7, 6, 6, 5, 5, 5, 4, 3, 2, 1]
    result = ces(data)
    assert result.value == pytest.approx(4.4)
    assert result.sd == pytest.approx(math.sqrt(3.6))
    assert result.ci_low == pytest.approx(3.0427, abs=1e-4)
    assert result.ci_high == pytest.approx(5.7573, abs=1e-4)
    low, high = stats.t.interval(0.95, 9, loc=np.mean(data), scale=stats.sem(data))
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high))
    assert result.agree_from == 5 and result.agree == 6
    assert result.share_agree == pytest.approx(60.0)
    ci = stats.binomtest(6, 10).proportion_ci(method="wilson")
    assert result.share_agree_ci_low == pytest.approx(100 * ci.low)


def test_ces_single_answer_has_no_interval():
    result = ces([6])
    assert result.value == 6 and result.sd is None
    assert result.ci_low is None and result.ci_high is None
    assert "single answer" in (result.warning or "")
    assert result.share_agree == 100


def test_ces_constant_answers_and_empty():
    same = ces([4, 4])
    assert same.ci_low == same.ci_high == 4
    empty = ces([])
    assert empty.value is None and empty.share_agree is None and empty.warning


def test_ces_other_scale_agree_from_above_the_midpoint():
    assert ces([4, 5], scale_max=5).agree_from == 4
    assert ces([7, 8], scale_max=7).rejected == 1


# ------------------------------------------------------------------------------- weights


def test_weights_equal_to_repeated_answers_for_the_point_value():
    weighted = nps([10, 5, 8], weights=[3, 1, 1])
    assert weighted.value == pytest.approx(100 * (3 - 1) / 5)
    assert weighted.weighted and weighted.n == 3


def test_kish_effective_sample_size_in_the_interval():
    """Kish (1965): n_eff = (Σw)²/Σw². Weights 2,1,1,…: 10 promoters at weight 2 and 30
    detractors at weight 1 → Σw = 50, Σw² = 70, n_eff = 35.714; p̂p = 0.4, p̂d = 0.6.
    Adjusted-Wald with n_eff: P = 14.2857 + 0.75, D = 21.4286 + 0.75, n + 3 = 38.714;
    p̂p = 0.388376, p̂d = 0.572878, adj = −0.184502,
    Var = (0.961255 − 0.034041)/38.714 = 0.0239497, se = 0.154757 → −48.78 to 11.88."""
    result = nps([10] * 10 + [0] * 30, weights=[2.0] * 10 + [1.0] * 30)
    assert result.n == 40
    assert result.n_eff == pytest.approx(2500 / 70)
    assert result.value == pytest.approx(-20.0)
    assert result.ci_low == pytest.approx(-48.78, abs=0.01)
    assert result.ci_high == pytest.approx(11.88, abs=0.01)


def test_equal_weights_change_nothing_but_the_flag():
    data = [7, 6, 5, 5, 2, 1, 4]
    plain, weighted = ces(data), ces(data, weights=[2.5] * len(data))
    assert weighted.n_eff == pytest.approx(plain.n_eff)
    assert (weighted.value, weighted.ci_low, weighted.ci_high) == pytest.approx(
        (plain.value, plain.ci_low, plain.ci_high)
    )
    assert csat([5, 4, 1], weights=[3, 3, 3]).ci_low == pytest.approx(csat([5, 4, 1]).ci_low)


def test_weights_are_validated():
    with pytest.raises(ValueError, match="weight"):
        nps([9, 10], weights=[1, -1])
    with pytest.raises(ValueError):
        nps([9, 10], weights=[1])  # one weight per answer
    with pytest.raises(ValueError, match="add up to 0"):
        nps([9], weights=[0])


def test_low_n_uses_the_effective_n():
    result = nps([10] * 35 + [0], weights=[1.0] * 35 + [20.0])
    assert result.n == 36 and result.n_eff < MIN_N and result.low_n
    assert "Effective n" in (result.warning or "")


# --------------------------------------------------------------------------- differences


def test_nps_difference_by_hand():
    """Adjusted-Wald difference (MeasuringU, "Comparing Two Net Promoter Scores"): the two
    variances add. A: 60 promoters, 20 passives, 20 detractors of 100; B: 40/20/40 of 100.
    A: p̂p = 60.75/103, p̂d = 20.75/103, adj = 0.388350, Var = (0.791262 − 0.150816)/103
    = 0.00621792. B: adj = 0, Var = 81.5/103/103 = 0.00768216. se = √0.0139001 = 0.117899;
    0.388350 ± 0.231079 → 15.73 to 61.94 points; plain difference 40 − 0 = 40."""
    a = nps(answers(s10=60, s7=20, s0=20))
    b = nps(answers(s9=40, s8=20, s6=40))
    diff = nps_difference(a, b)
    assert diff.value == pytest.approx(40.0)
    assert diff.ci_low == pytest.approx(15.73, abs=0.01)
    assert diff.ci_high == pytest.approx(61.94, abs=0.01)
    assert diff.significant and diff.method == "adjusted-wald"
    same = nps_difference(a, nps(answers(s10=55, s7=20, s0=25)))
    assert not same.significant and bounds(same)[0] < 0 < bounds(same)[1]


@pytest.mark.parametrize(
    ("a", "n1", "b", "n2", "low", "high"),
    [
        # Newcombe (1998) "Interval estimation for the difference between independent
        # proportions", Statistics in Medicine 17:873–890, Table II, method 10.
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
    ],
)
def test_newcombe_hybrid_score_against_the_published_table(a, n1, b, n2, low, high):
    got = newcombe_interval(a / n1, n1, b / n2, n2, Z95)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_csat_difference_uses_newcombe():
    first = csat([5] * 56 + [1] * 14)  # 56/70
    second = csat([4] * 48 + [2] * 32)  # 48/80
    diff = csat_difference(first, second)
    assert diff.value == pytest.approx(20.0)
    assert (diff.ci_low, diff.ci_high) == pytest.approx((5.24, 33.39), abs=0.005)
    assert diff.significant
    assert not csat_difference(csat([5, 1] * 20), csat([5, 1, 1] * 10)).significant
    with pytest.raises(ValueError, match="scales"):
        csat_difference(csat([3], scale_max=3), csat([5]))


def test_ces_difference_is_welch():
    a = [7, 6, 6, 5, 5, 5, 4, 3, 2, 1, 6, 6]
    b = [3, 2, 2, 1, 4, 3, 2, 1]
    diff = ces_difference(ces(a), ces(b))
    expected = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert diff.value == pytest.approx(np.mean(a) - np.mean(b))
    assert (diff.ci_low, diff.ci_high) == pytest.approx((expected.low, expected.high))
    assert diff.significant and diff.method == "welch-t" and diff.low_n
    assert not ces_difference(ces([4, 5, 3, 4]), ces([4, 3, 5, 4])).significant
    lonely = ces_difference(ces(a), ces([4]))
    assert lonely.ci_low is None and not lonely.significant and lonely.warning


def test_difference_with_an_empty_side():
    diff = nps_difference(nps([9, 10]), nps([]))
    assert diff.value is None and diff.ci_low is None and not diff.significant
    assert diff.n_a == 2 and diff.n_b == 0


# ---------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("value", "score"),
    [(9, 9), (9.0, 9), ("9", 9), (" 9 ", 9), ("9.0", 9), ("۹", 9), ("٩", 9), ("۱۰", 10)],
)
def test_accepted_scores(value, score):
    assert parse_score(value, NPS_SCALE) == score


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (11, Rejection.OUT_OF_RANGE),
        (-1, Rejection.OUT_OF_RANGE),
        ("-1", Rejection.OUT_OF_RANGE),
        ("11", Rejection.OUT_OF_RANGE),
        (None, Rejection.EMPTY),
        ("", Rejection.EMPTY),
        ("  ", Rejection.EMPTY),
        ("nine", Rejection.NOT_A_NUMBER),
        ("9/10", Rejection.NOT_A_NUMBER),
        (True, Rejection.NOT_A_NUMBER),
        (math.nan, Rejection.NOT_A_NUMBER),
        (9.5, Rejection.NOT_INTEGER),
        ("9.5", Rejection.NOT_INTEGER),
        ("۹٫۵", Rejection.NOT_INTEGER),
    ],
)
def test_rejected_scores(value, reason):
    with pytest.raises(metrics.InvalidScore) as info:
        parse_score(value, NPS_SCALE)
    assert info.value.reason == reason


def test_rejections_are_counted_never_dropped_silently():
    sample = collect_scores([9, 11, -1, "x", "", None, "9.5", "۱۰"], NPS_SCALE)
    assert sample.n == 2
    assert sample.rejected == 6
    assert sample.rejected_by_reason == {
        "out_of_range": 2,
        "not_a_number": 1,
        "empty": 2,
        "not_integer": 1,
    }
    assert sample.rejected_rows == (2, 3, 4, 5, 6, 7)
    result = nps(sample)
    assert result.rejected == 6 and result.n == 2


def test_csat_and_ces_scales_reject_outside_values():
    assert csat([0, 1, 5, 6]).rejected == 2
    assert ces([0, 1, 7, 8]).rejected == 2
    with pytest.raises(ValueError):
        csat([1], scale_max=1)


def test_results_are_frozen_and_serialisable():
    result = ces([5, 6, 7])
    with pytest.raises(FrozenInstanceError):
        result.value = 1  # type: ignore[misc]
    data = result.as_dict()
    assert data["metric"] == "ces" and data["n"] == 3
    json.dumps(data)
    json.dumps(nps_difference(nps([9]), nps([0])).as_dict())


def test_summarise_and_scale_for():
    assert metrics.summarise("nps", [9, 10]).metric == "nps"
    assert metrics.summarise("csat", [3], scale_max=3).value == 100
    assert metrics.scale_for("ces") == metrics.Scale(1, 7)
    with pytest.raises(ValueError, match="0–10"):
        metrics.scale_for("nps", 5)
    with pytest.raises(ValueError):
        metrics.scale_for("mood")


@pytest.mark.parametrize(
    ("raw", "score"),
    [
        ("10 - Extremely likely", 10),
        ("0 – Not at all likely", 0),
        ("9 (promoter)", 9),
        ("۵ - کاملاً راضی", 5),
        ("3 stars", 3),
        ("7: strongly agree", 7),
    ],
)
def test_scores_exported_with_their_label_are_read(raw, score):
    """Survey tools often export "10 - Extremely likely"; the number is the answer."""
    assert parse_score(raw, NPS_SCALE) == score


@pytest.mark.parametrize("raw", ["10/10", "1 - 5", "about 9", "9.5 - great"])
def test_ambiguous_labels_are_still_rejected(raw):
    with pytest.raises(InvalidScore):
        parse_score(raw, NPS_SCALE)
