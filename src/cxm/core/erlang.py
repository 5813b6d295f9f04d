"""Staffing maths for a voice queue: Erlang C (M/M/n) and Erlang A (M/M/n+M).

Pure Python (numpy/scipy for Erlang A only); no Django.

Units: times in seconds, `load` in Erlangs (calls per second × AHT in seconds).

Erlang C (Erlang 1917; Koole, *Call Center Optimization*, 2013, ch. 5; Gans, Koole &
Mandelbaum 2003, "Telephone call centers: tutorial, review and research prospects")
-----------------------------------------------------------------------------------------
- Erlang B by its recursion B(0) = 1, B(n) = a·B(n−1) / (n + a·B(n−1)): every step is a
  contraction, so it is stable for thousands of agents (no factorial, no a^n).
- Probability of waiting C(n, a) = n·B / (n − a·(1 − B)), defined for n > a only: with
  a ≥ n the queue grows without bound (`UnstableQueueError`).
- Service level P(W ≤ t) = 1 − C·exp(−(n − a)·t / AHT); ASA = C·AHT / (n − a) (the mean
  wait over all calls, those answered at once included); occupancy a / n.

Erlang A (Palm 1943; Mandelbaum & Zeltyn 2007, "Service engineering in action: the
Palm/Erlang-A queue, with applications to call centers")
-----------------------------------------------------------------------------------------
Exponential patience with mean `patience` (θ = 1/patience). The birth–death chain is solved
exactly, in log space, and truncated where the queue-length probabilities vanish (below
1e−18 of their sum): π_k ∝ a^k/k! for k ≤ n (through Erlang B), and beyond n
π_{n+m} = π_n · Π_{i=1..m} λ / (nμ + iθ).
A call that finds m callers queued ahead of it advances stage by stage at rates nμ + iθ
(i = m+1 … 1; a service or an abandonment ahead) while it abandons itself at rate θ: it is
answered with probability nμ / (nμ + (m+1)θ), and given that, its wait is a sum of
exponentials with rates nμ + iθ + θ, whose e^{−θW} follows Beta(nμ/θ + 1, m + 1) (the
Laplace transform is the Beta moment), so P(W ≤ t) is a regularised incomplete beta.
- `probability_wait`: P(all agents busy on arrival) (PASTA).
- `abandon_rate`: share of offered calls that abandon = θ·E[queue] / λ.
- `service_level`: share of *offered* calls answered within t (an abandoned call fails,
  whenever it hangs up) — what a queue_log measures; as θ → 0 it is the Erlang C figure.
- `asa`: mean wait of the answered calls; `occupancy`: answered load / n.

Staffing: the fewest agents whose service level reaches the target and, when given, whose
occupancy does not exceed the maximum; scheduled agents add shrinkage,
ceil(agents / (1 − shrinkage)).
"""

import math
from dataclasses import dataclass

MAX_AGENTS = 200_000  # a hard cap on the search: far beyond any real queue
_MAX_QUEUE_TERMS = 20_000_000  # Erlang A truncation cap (a huge patience on an overload)
_CHUNK = 4096
_NEGLIGIBLE = 1e-18


class StaffingError(ValueError):
    """Inputs that have no staffing answer (a bad value, or beyond the search cap)."""


class UnstableQueueError(StaffingError):
    """Offered load ≥ agents in Erlang C: the queue grows without bound."""


@dataclass(frozen=True)
class QueueFigures:
    """The figures of one queue with a given number of agents."""

    model: str  # "erlang_c" | "erlang_a"
    agents: int
    load: float
    probability_wait: float
    service_level: float
    asa: float  # seconds
    occupancy: float
    abandon_rate: float | None  # None for Erlang C


@dataclass(frozen=True)
class Staffing:
    """The answer of `required_agents`: the figures at the chosen number, and with shrinkage."""

    figures: QueueFigures
    scheduled_agents: int

    @property
    def agents(self) -> int:
        return self.figures.agents


# ---------------------------------------------------------------------------- inputs


def offered_load(calls: float, interval_seconds: float, aht: float) -> float:
    """Erlangs offered by `calls` arrivals in an interval, each holding `aht` seconds."""
    _check_finite(calls=calls, interval_seconds=interval_seconds, aht=aht)
    if calls < 0:
        raise StaffingError(f"calls must be 0 or more, not {calls:g}")
    if interval_seconds <= 0:
        raise StaffingError(f"the interval must be longer than 0, not {interval_seconds:g}")
    if aht <= 0:
        raise StaffingError(f"the AHT must be more than 0 seconds, not {aht:g}")
    return calls * aht / interval_seconds


def scheduled_agents(agents: int, shrinkage: float) -> int:
    """Agents to schedule so that `agents` are on the phones: ceil(agents / (1 − shrinkage))."""
    _check_finite(shrinkage=shrinkage)
    if not 0 <= shrinkage < 1:
        raise StaffingError(f"shrinkage must be at least 0 and below 1, not {shrinkage:g}")
    # Rounded first: 7 / (1 − 0.3) is 10.000000000000002 in floating point, not 11 agents.
    return math.ceil(round(agents / (1 - shrinkage), 9))


def _check_finite(**values: float) -> None:
    for name, value in values.items():
        if not math.isfinite(value):
            raise StaffingError(f"{name.replace('_', ' ')} must be a finite number")


def _check_queue(agents: int, load: float, aht: float, answer_within: float) -> None:
    _check_finite(load=load, aht=aht, answer_within=answer_within)
    if agents < 1:
        raise StaffingError(f"agents must be 1 or more, not {agents}")
    if load < 0:
        raise StaffingError(f"the load must be 0 or more Erlangs, not {load:g}")
    if aht <= 0:
        raise StaffingError(f"the AHT must be more than 0 seconds, not {aht:g}")
    if answer_within < 0:
        raise StaffingError(f"the answer time must be 0 or more seconds, not {answer_within:g}")


# ---------------------------------------------------------------------------- Erlang B/C


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability of the loss system M/M/n/n (Erlang B), by the stable recursion."""
    if agents < 0 or load < 0:
        raise StaffingError("agents and load must be 0 or more")
    b = 1.0
    for n in range(1, agents + 1):
        b = load * b / (n + load * b)
    return b


def _erlang_c_from_b(agents: int, load: float, b: float) -> float:
    return agents * b / (agents - load * (1 - b))


def erlang_c(agents: int, load: float) -> float:
    """Probability that a call waits, P(W > 0), in M/M/n; needs agents > load."""
    if agents <= load:
        raise UnstableQueueError(
            f"{load:g} Erlangs on {agents} agents is unstable: the queue grows without bound "
            "(agents must exceed the load)"
        )
    return _erlang_c_from_b(agents, load, erlang_b(agents, load))


def _c_figures(
    agents: int, load: float, aht: float, answer_within: float, b: float
) -> QueueFigures:
    c = _erlang_c_from_b(agents, load, b) if load > 0 else 0.0
    spare = agents - load
    return QueueFigures(
        model="erlang_c",
        agents=agents,
        load=load,
        probability_wait=c,
        service_level=1.0 - c * math.exp(-spare * answer_within / aht),
        asa=c * aht / spare,
        occupancy=load / agents,
        abandon_rate=None,
    )


def erlang_c_figures(agents: int, load: float, aht: float, answer_within: float) -> QueueFigures:
    """Erlang C figures of `agents` agents on `load` Erlangs; unstable when load ≥ agents."""
    _check_queue(agents, load, aht, answer_within)
    if agents <= load:
        erlang_c(agents, load)  # raises with the message
    return _c_figures(agents, load, aht, answer_within, erlang_b(agents, load))


# ---------------------------------------------------------------------------- Erlang A


def _log_inverse_erlang_b(agents: int, load: float) -> float:
    """log(1/B(n, a)) by 1/B(n) = 1 + (n/a)·1/B(n−1), in log space (no underflow)."""
    log_r = 0.0
    log_a = math.log(load)
    for n in range(1, agents + 1):
        x = math.log(n) - log_a + log_r
        log_r = x + math.log1p(math.exp(-x)) if x > 0 else math.log1p(math.exp(x))
    return log_r


def erlang_a_figures(
    agents: int, load: float, aht: float, answer_within: float, patience: float
) -> QueueFigures:
    """Erlang A (M/M/n+M) figures; `patience` is the mean time a caller waits before hanging
    up (seconds). Always stable: callers abandon."""
    import numpy as np
    from scipy.special import betaincc, logsumexp

    _check_queue(agents, load, aht, answer_within)
    _check_finite(patience=patience)
    if patience <= 0:
        raise StaffingError(f"patience must be more than 0 seconds, not {patience:g}")
    if load == 0:
        return QueueFigures("erlang_a", agents, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    mu = 1.0 / aht
    theta = 1.0 / patience
    lam = load * mu
    n_mu = agents * mu
    # log q_m = log(π_{n+m} / π_n) for m = 0, 1, …, in chunks until the tail vanishes.
    log_lam = math.log(lam)
    mode = max(0.0, (lam - n_mu) / theta)
    pieces: list[np.ndarray] = []
    start, last, peak = 0, 0.0, 0.0
    while True:
        i = np.arange(start, start + _CHUNK, dtype=float)
        step = log_lam - np.log(n_mu + i * theta)
        if start == 0:
            step[0] = 0.0  # q_0 = 1
        log_q = last + np.cumsum(step)
        pieces.append(log_q)
        last = float(log_q[-1])
        peak = max(peak, float(log_q.max()))
        start += _CHUNK
        if start > mode and last < peak + math.log(_NEGLIGIBLE):
            break
        if start >= _MAX_QUEUE_TERMS:
            raise StaffingError(
                "the patience is too long for this overload to compute Erlang A; "
                "use Erlang C (no --patience)"
            )
    log_q = np.concatenate(pieces)
    mm = np.arange(log_q.size, dtype=float)
    kept = np.flatnonzero(log_q > peak + math.log(_NEGLIGIBLE))  # contiguous around the mode
    log_q, mm = log_q[kept[0] : kept[-1] + 1], mm[kept[0] : kept[-1] + 1]
    log_sum_q = float(logsumexp(log_q))
    log_below = _log_inverse_erlang_b(agents, load)  # log Σ_{k≤n} π_k / π_n
    # Σ_{k<n} π_k / π_n = 1/B − 1
    log_before = log_below + math.log1p(-math.exp(-log_below)) if log_below > 0 else -math.inf
    log_total = float(np.logaddexp(log_before, log_sum_q))
    weights = np.exp(log_q - log_total)  # π_{n+m}
    p_wait = float(weights.sum())
    mean_queue = float((mm * weights).sum())
    abandon = theta * mean_queue / lam
    answered_if_queued = n_mu / (n_mu + (mm + 1) * theta)
    # Given it is answered, the wait of a call with m ahead is Σ_{i=1..m+1} Exp(nμ + iθ).
    stage_means = np.cumsum(1.0 / (n_mu + np.arange(1, mm[-1] + 2) * theta))[mm.astype(int)]
    answered_wait = float((weights * answered_if_queued * stage_means).sum())
    if answer_within > 0:
        u = math.exp(-theta * answer_within)
        within = betaincc(n_mu / theta + 1, mm + 1, u)
    else:
        within = np.zeros_like(mm)
    answered_in_time = float((weights * answered_if_queued * within).sum())
    answered = 1.0 - abandon
    return QueueFigures(
        model="erlang_a",
        agents=agents,
        load=load,
        probability_wait=min(1.0, p_wait),
        service_level=min(1.0, max(0.0, (1.0 - p_wait) + answered_in_time)),
        asa=answered_wait / answered if answered > 0 else math.inf,
        occupancy=min(1.0, load * answered / agents),
        abandon_rate=min(1.0, max(0.0, abandon)),
    )


# ---------------------------------------------------------------------------- staffing


def required_agents(
    *,
    load: float,
    aht: float,
    service_level: float,
    answer_within: float,
    max_occupancy: float | None = None,
    patience: float | None = None,
    shrinkage: float = 0.0,
    max_agents: int = MAX_AGENTS,
) -> Staffing:
    """The fewest agents meeting `service_level` (share answered within `answer_within`
    seconds) and, when given, `max_occupancy`; Erlang A when `patience` is given, else
    Erlang C. No load needs no agents (0, with a service level of 1)."""
    _check_finite(service_level=service_level)
    if not 0 < service_level < 1:
        raise StaffingError(
            f"the service level target must be between 0 and 1 (exclusive), not {service_level:g}"
        )
    if max_occupancy is not None:
        _check_finite(max_occupancy=max_occupancy)
        if not 0 < max_occupancy <= 1:
            raise StaffingError(
                f"the maximum occupancy must be above 0 and at most 1, not {max_occupancy:g}"
            )
    scheduled_agents(0, shrinkage)  # validates shrinkage
    if patience is not None:
        _check_finite(patience=patience)
        if patience <= 0:
            raise StaffingError(f"patience must be more than 0 seconds, not {patience:g}")
    _check_queue(1, load, aht, answer_within)
    model = "erlang_c" if patience is None else "erlang_a"
    if load == 0:
        idle = QueueFigures(model, 0, 0.0, 0.0, 1.0, 0.0, 0.0, None if patience is None else 0.0)
        return Staffing(idle, 0)
    if patience is None:
        figures = _search_erlang_c(
            load, aht, service_level, answer_within, max_occupancy, max_agents
        )
    else:
        figures = _search_erlang_a(
            load, aht, service_level, answer_within, max_occupancy, patience, max_agents
        )
    return Staffing(figures, scheduled_agents(figures.agents, shrinkage))


def _too_many(max_agents: int, load: float) -> StaffingError:
    return StaffingError(
        f"more than {max_agents:,} agents would be needed for {load:,.1f} Erlangs; "
        "check the calls, interval and AHT"
    )


def _search_erlang_c(
    load: float,
    aht: float,
    target: float,
    answer_within: float,
    max_occupancy: float | None,
    max_agents: int,
) -> QueueFigures:
    # Upward from the first stable count, carrying Erlang B along: O(answer) steps in all.
    first = math.floor(load) + 1
    if first > max_agents:
        raise _too_many(max_agents, load)
    b = erlang_b(first - 1, load)
    for agents in range(first, max_agents + 1):
        b = load * b / (agents + load * b)
        if max_occupancy is not None and load / agents > max_occupancy:
            continue
        figures = _c_figures(agents, load, aht, answer_within, b)
        if figures.service_level >= target:
            return figures
    raise _too_many(max_agents, load)


def _search_erlang_a(
    load: float,
    aht: float,
    target: float,
    answer_within: float,
    max_occupancy: float | None,
    patience: float,
    max_agents: int,
) -> QueueFigures:
    def figures_of(agents: int) -> QueueFigures:
        return erlang_a_figures(agents, load, aht, answer_within, patience)

    def meets(figures: QueueFigures) -> bool:
        if max_occupancy is not None and figures.occupancy > max_occupancy:
            return False
        return figures.service_level >= target

    # The answered load is below n, so the service level is below n / load: start there,
    # double until the targets are met, then bisect (both figures are monotone in n).
    low = max(1, math.floor(target * load))
    found: QueueFigures | None = None
    high = low
    while True:
        if high > max_agents:
            raise _too_many(max_agents, load)
        candidate = figures_of(high)
        if meets(candidate):
            found = candidate
            break
        low = high + 1
        high = max(high + 1, high * 2)
    while low < high:
        middle = (low + high) // 2
        candidate = figures_of(middle)
        if meets(candidate):
            high, found = middle, candidate
        else:
            low = middle + 1
    return found
