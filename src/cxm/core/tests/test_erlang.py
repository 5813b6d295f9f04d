"""Erlang C and Erlang A, against published figures, an exact independent implementation and
a discrete-event simulation (SimPy)."""

import math
import random
from collections.abc import Generator
from fractions import Fraction
from typing import Any

import pytest
import simpy

from cxm.core import erlang


def erlang_c_exact(agents: int, load: Fraction) -> Fraction:
    """The textbook factorial form, in exact rational arithmetic (the independent reference):
    C = (aⁿ/n! · n/(n − a)) / (Σ_{k<n} aᵏ/k! + aⁿ/n! · n/(n − a))."""
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    below = sum(load**k / math.factorial(k) for k in range(agents))
    return top / (below + top)


# Published: Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example"
# (100 calls in 30 minutes, AHT 180 s → 10 Erlangs; 80 % in 20 s; 30 % shrinkage; max
# occupancy 85 %): with 11 agents P(wait) = 68.21 % and a 39.0 % service level; 14 agents
# are needed, 20 scheduled with shrinkage.
def test_call_centre_helper_worked_example() -> None:
    eleven = erlang.erlang_c_figures(11, 10.0, 180, 20)
    assert eleven.probability_wait == pytest.approx(0.6821, abs=5e-5)
    assert eleven.service_level == pytest.approx(0.390, abs=5e-4)
    assert eleven.occupancy == pytest.approx(10 / 11)
    load = erlang.offered_load(100, 30 * 60, 180)
    assert load == pytest.approx(10.0)
    staffing = erlang.required_agents(
        load=load,
        aht=180,
        service_level=0.8,
        answer_within=20,
        max_occupancy=0.85,
        shrinkage=0.3,
    )
    assert staffing.agents == 14
    assert staffing.scheduled_agents == 20
    assert staffing.figures.service_level == pytest.approx(0.888, abs=5e-4)
    assert staffing.figures.abandon_rate is None


# Published: Westbay Engineers, "The Erlang-C formula" (360 calls per half hour, 4-minute
# calls, 55 agents, 15 s): traffic 48 Erlangs, occupancy 87.3 %, P(wait) 23.87 %,
# ASA 8.18 s, service level 84.6 %.
def test_westbay_worked_example() -> None:
    figures = erlang.erlang_c_figures(55, 360 * 240 / 1800, 240, 15)
    assert figures.occupancy == pytest.approx(0.873, abs=5e-4)
    assert figures.probability_wait == pytest.approx(0.2387, abs=5e-5)
    assert figures.asa == pytest.approx(8.18, abs=5e-3)
    assert figures.service_level == pytest.approx(0.846, abs=5e-4)


@pytest.mark.parametrize("occupancy", [Fraction(1, 3), Fraction(7, 10), Fraction(19, 20)])
def test_erlang_c_matches_exact_factorial_form_for_1_to_150_agents(occupancy: Fraction) -> None:
    worst = 0.0
    for agents in range(1, 151):
        load = occupancy * agents
        exact = erlang_c_exact(agents, load)
        worst = max(worst, abs(erlang.erlang_c(agents, float(load)) - float(exact)))
    assert worst < 1e-9


def test_erlang_c_is_stable_for_2000_agents() -> None:
    c = erlang.erlang_c(2000, 1950.0)
    assert 0 < c < 1
    figures = erlang.erlang_c_figures(2000, 1950.0, 300, 20)
    assert 0 < figures.service_level < 1 and math.isfinite(figures.asa)
    # Far above the load the probability underflows to 0 instead of overflowing.
    assert erlang.erlang_c(2000, 10.0) == 0.0
    staffing = erlang.required_agents(load=1950.0, aht=300, service_level=0.8, answer_within=20)
    assert 1950 < staffing.agents < 2050
    before = erlang.erlang_c_figures(staffing.agents - 1, 1950.0, 300, 20)
    assert before.service_level < 0.8 <= staffing.figures.service_level


def test_unstable_load_is_refused_not_looped() -> None:
    with pytest.raises(erlang.UnstableQueueError, match="unstable"):
        erlang.erlang_c(10, 10.0)
    with pytest.raises(erlang.UnstableQueueError):
        erlang.erlang_c_figures(5, 12.5, 180, 20)
    with pytest.raises(erlang.StaffingError, match="more than"):
        erlang.required_agents(load=1e9, aht=180, service_level=0.8, answer_within=20)
    with pytest.raises(erlang.StaffingError, match="more than 50"):
        erlang.required_agents(
            load=60.0, aht=180, service_level=0.8, answer_within=20, max_agents=50
        )


def test_staffing_is_the_fewest_agents_meeting_every_target() -> None:
    plain = erlang.required_agents(load=10.0, aht=180, service_level=0.8, answer_within=20)
    assert plain.agents == 14  # 13 agents give 79.6 %
    capped = erlang.required_agents(
        load=20.0, aht=60, service_level=0.5, answer_within=60, max_occupancy=0.8
    )
    assert capped.agents == 25 and capped.figures.occupancy <= 0.8  # occupancy binds


def test_zero_calls_need_no_agents() -> None:
    for patience in (None, 60.0):
        staffing = erlang.required_agents(
            load=0.0, aht=180, service_level=0.8, answer_within=20, patience=patience
        )
        assert staffing.agents == 0 and staffing.scheduled_agents == 0
        assert staffing.figures.service_level == 1.0


def test_shrinkage_rounds_up_without_floating_point_noise() -> None:
    assert erlang.scheduled_agents(7, 0.3) == 10
    assert erlang.scheduled_agents(14, 0.3) == 20
    assert erlang.scheduled_agents(15, 0.3) == 22
    assert erlang.scheduled_agents(3, 0.0) == 3
    with pytest.raises(erlang.StaffingError):
        erlang.scheduled_agents(3, 1.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"service_level": 0.0},
        {"service_level": 1.0},
        {"aht": 0.0},
        {"aht": -5.0},
        {"answer_within": -1.0},
        {"shrinkage": 1.0},
        {"max_occupancy": 0.0},
        {"max_occupancy": 1.2},
        {"patience": 0.0},
        {"load": -1.0},
        {"load": math.nan},
    ],
)
def test_bad_inputs_are_refused(kwargs: dict[str, float]) -> None:
    arguments: dict[str, float] = {
        "load": 10.0, "aht": 180.0, "service_level": 0.8, "answer_within": 20.0
    }  # fmt: skip
    arguments.update(kwargs)
    with pytest.raises(erlang.StaffingError):
        erlang.required_agents(**arguments)  # type: ignore[arg-type]


def test_offered_load_refuses_bad_inputs() -> None:
    with pytest.raises(erlang.StaffingError):
        erlang.offered_load(-1, 1800, 180)
    with pytest.raises(erlang.StaffingError):
        erlang.offered_load(100, 0, 180)
    with pytest.raises(erlang.StaffingError):
        erlang.offered_load(100, 1800, 0)


# ---------------------------------------------------------------------------- Erlang A


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    for agents, load in ((11, 10.0), (55, 48.0), (300, 290.0)):
        c = erlang.erlang_c_figures(agents, load, 180, 20)
        a = erlang.erlang_a_figures(agents, load, 180, 20, patience=1e10)
        assert a.probability_wait == pytest.approx(c.probability_wait, abs=1e-6)
        assert a.service_level == pytest.approx(c.service_level, abs=1e-6)
        assert a.asa == pytest.approx(c.asa, rel=1e-5)
        assert a.abandon_rate is not None and a.abandon_rate < 1e-6


def test_erlang_a_is_stable_when_overloaded_and_with_2000_agents() -> None:
    over = erlang.erlang_a_figures(10, 15.0, 180, 20, patience=60)  # load above agents
    assert over.probability_wait > 0.7 and over.abandon_rate is not None
    # Answered load ≈ agents: the abandoned share is about 1 − n/a.
    assert over.abandon_rate == pytest.approx(1 - 10 / 15, abs=0.05)
    big = erlang.erlang_a_figures(2000, 2100.0, 300, 20, patience=120)
    assert 0 < big.service_level < 1 and 0 < big.probability_wait <= 1
    assert big.abandon_rate is not None and 0.04 < big.abandon_rate < 0.1
    staffing = erlang.required_agents(
        load=1500.0, aht=300, service_level=0.8, answer_within=20, patience=120
    )
    below = erlang.erlang_a_figures(staffing.agents - 1, 1500.0, 300, 20, 120)
    assert below.service_level < 0.8 <= staffing.figures.service_level


def simulate_erlang_a(
    *, agents: int, arrival_rate: float, aht: float, patience: float, answer_within: float,
    calls: int, seed: int,
) -> dict[str, float]:  # fmt: skip
    """M/M/n+M in SimPy: Poisson arrivals, exponential service and patience, FCFS."""
    rng = random.Random(seed)
    env = simpy.Environment()
    agents_pool = simpy.Resource(env, capacity=agents)
    tally = {"waited": 0, "abandoned": 0, "in_time": 0, "answered": 0, "wait": 0.0}
    warmup = calls // 10

    def caller(index: int) -> Generator[simpy.Event, Any, None]:
        arrived = env.now
        counted = index >= warmup
        if counted and agents_pool.count >= agents:
            tally["waited"] += 1
        request = agents_pool.request()
        outcome = yield request | env.timeout(rng.expovariate(1 / patience))
        if request not in outcome:
            request.cancel()
            if counted:
                tally["abandoned"] += 1
            return
        wait = env.now - arrived
        if counted:
            tally["answered"] += 1
            tally["wait"] += wait
            tally["in_time"] += wait <= answer_within
        yield env.timeout(rng.expovariate(1 / aht))
        agents_pool.release(request)

    def source() -> Generator[simpy.Event, Any, None]:
        for index in range(calls):
            yield env.timeout(rng.expovariate(arrival_rate))
            env.process(caller(index))

    env.process(source())
    env.run()
    counted = calls - warmup
    return {
        "probability_wait": tally["waited"] / counted,
        "abandon_rate": tally["abandoned"] / counted,
        "service_level": tally["in_time"] / counted,
        "asa": tally["wait"] / tally["answered"],
    }


@pytest.mark.parametrize(
    ("agents", "load", "patience"),
    [(8, 8.0, 120.0), (12, 10.0, 60.0), (10, 15.0, 60.0)],  # at, below and above the load
)
def test_erlang_a_matches_a_simulation(agents: int, load: float, patience: float) -> None:
    aht, within = 180.0, 20.0
    simulated = simulate_erlang_a(
        agents=agents, arrival_rate=load / aht, aht=aht, patience=patience,
        answer_within=within, calls=40_000, seed=7,
    )  # fmt: skip
    formula = erlang.erlang_a_figures(agents, load, aht, within, patience)
    assert formula.probability_wait == pytest.approx(simulated["probability_wait"], abs=0.02)
    assert formula.abandon_rate == pytest.approx(simulated["abandon_rate"], abs=0.01)
    assert formula.service_level == pytest.approx(simulated["service_level"], abs=0.02)
    assert formula.asa == pytest.approx(simulated["asa"], rel=0.1)
