"""The before/after rate comparison, against published and hand-computed values."""

import math

import pytest

from cxm.core.rates import rate_change, two_proportion_z


def test_two_proportion_z_against_openstax_hives_example():
    """OpenStax, *Introductory Statistics* (2013), §10.3 "Comparing Two Independent Population
    Proportions", Example 10.8: medication A 20/200 adults still with hives, medication B
    12/200; the text gives z ≈ 1.47 and p-value = 0.1404 (two-sided)."""
    z, p = two_proportion_z(20, 200, 12, 200)
    # By hand: pooled p = 32/400 = 0.08; SE = √(0.08·0.92·(1/200 + 1/200)) = 0.027129;
    # z = (0.10 − 0.06) / 0.027129 = 1.4744.
    assert z == pytest.approx(0.04 / math.sqrt(0.08 * 0.92 * 0.01), rel=1e-12)
    assert z == pytest.approx(1.4744, abs=1e-4)
    assert p == pytest.approx(0.1404, abs=1e-4)


def test_rate_change_per_thousand_and_newcombe_interval():
    """Newcombe (1998), Stat. Med. 17:873–890, Table II example (a): 56/70 − 48/80, method 10
    gives the 95 % interval 0.0524 to 0.3339 (here scaled per 1,000)."""
    result = rate_change(before_events=56, before_total=70, after_events=48, after_total=80)
    assert result.before_rate == pytest.approx(800.0)
    assert result.after_rate == pytest.approx(600.0)
    assert result.difference == pytest.approx(200.0)
    assert result.ci_low == pytest.approx(52.4, abs=0.1)
    assert result.ci_high == pytest.approx(333.9, abs=0.1)
    # By hand: pooled p = 104/150 = 0.69333, p(1−p) = 0.212622, 1/70 + 1/80 = 0.0267857,
    # SE = √(0.212622 · 0.0267857) = 0.075467, z = 0.2 / 0.075467 = 2.6502;
    # two-sided p = 2·(1 − Φ(2.6502)) = 0.00805.
    assert result.z == pytest.approx(2.6502, abs=1e-4)
    assert result.p_value == pytest.approx(0.00805, abs=1e-5)
    assert result.significant_drop
    assert result.relative_change == pytest.approx(-0.25)
    assert result.warning is None


def test_a_rise_is_never_a_significant_drop():
    result = rate_change(before_events=48, before_total=80, after_events=56, after_total=70)
    assert result.p_value == pytest.approx(0.00805, abs=1e-5)
    assert result.difference == pytest.approx(-200.0)
    assert not result.significant_drop


def test_small_drop_is_not_significant_and_small_counts_warn():
    result = rate_change(before_events=3, before_total=1000, after_events=1, after_total=1000)
    assert result.before_rate == pytest.approx(3.0)
    assert result.after_rate == pytest.approx(1.0)
    assert not result.significant_drop
    assert result.warning and "approximate" in result.warning


def test_empty_window_has_no_test():
    result = rate_change(before_events=0, before_total=0, after_events=2, after_total=50)
    assert result.before_rate is None
    assert result.after_rate == pytest.approx(40.0)
    assert result.p_value is None and not result.significant_drop
    assert result.warning


def test_no_events_at_all_is_no_difference():
    z, p = two_proportion_z(0, 100, 0, 100)
    assert (z, p) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"), [(5, 4, 1, 10), (-1, 10, 1, 10), (1, 10, 2, 1), (True, 10, 1, 10)]
)
def test_bad_counts_are_refused(x1, n1, x2, n2):
    with pytest.raises(ValueError):
        rate_change(before_events=x1, before_total=n1, after_events=x2, after_total=n2)
