"""`cxm staffing`: agents needed for one interval of a voice queue (Erlang C or Erlang A).

A thin wrapper over `cxm.core.erlang`; no database is touched.
"""

import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cxm.common.commands import usage_error as _fail
from cxm.core import erlang
from cxm.core.text import to_latin_digits


def _number(options: dict[str, Any], name: str) -> float | None:
    """The option as a finite number (Persian/Arabic digits accepted), None when absent."""
    text = options[name.replace("-", "_")]
    if text is None:
        return None
    try:
        value = float(to_latin_digits(str(text).strip()).replace("٫", "."))
    except ValueError:
        raise _fail(f"--{name} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise _fail(f"--{name} must be a finite number, not {text!r}")
    return value


def _round(value: float, digits: int = 6) -> float:
    return round(value, digits) + 0.0  # no "-0.0"


class Command(BaseCommand):
    help = (
        "Print the agents needed for one interval of a voice queue: the fewest agents whose "
        "service level (share of calls answered within --answer-within seconds) reaches "
        "--service-level and, when given, whose occupancy stays at or below --max-occupancy. "
        "Erlang C, or Erlang A (callers abandon after --patience seconds on average) when "
        "--patience is given. scheduled_agents adds --shrinkage: ceil(agents / (1 - "
        "shrinkage)). Zero calls need 0 agents. Errors: one line on stderr, exit status 2."
    )
    requires_system_checks: list[str] = []  # no database, no apps needed: start fast

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--calls", required=True, metavar="N", help="calls offered")
        parser.add_argument("--interval-minutes", required=True, metavar="M")
        parser.add_argument("--aht", required=True, metavar="SECONDS", help="average handle time")
        parser.add_argument(
            "--service-level", required=True, metavar="SHARE", help="target, e.g. 0.8"
        )
        parser.add_argument("--answer-within", required=True, metavar="SECONDS")
        parser.add_argument("--shrinkage", default=None, metavar="SHARE", help="e.g. 0.3")
        parser.add_argument("--max-occupancy", default=None, metavar="SHARE", help="e.g. 0.85")
        parser.add_argument(
            "--patience", default=None, metavar="SECONDS", help="mean patience: Erlang A"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        calls = _number(options, "calls")
        minutes = _number(options, "interval-minutes")
        aht = _number(options, "aht")
        target = _number(options, "service-level")
        within = _number(options, "answer-within")
        shrinkage = _number(options, "shrinkage")
        max_occupancy = _number(options, "max-occupancy")
        patience = _number(options, "patience")
        assert calls is not None and minutes is not None and aht is not None
        assert target is not None and within is not None
        if calls < 0:
            raise _fail(f"--calls must be 0 or more, not {calls:g}")
        if minutes <= 0:
            raise _fail(f"--interval-minutes must be more than 0, not {minutes:g}")
        if aht <= 0:
            raise _fail(f"--aht must be more than 0 seconds, not {aht:g}")
        if not 0 < target < 1:
            raise _fail(f"--service-level must be between 0 and 1 (exclusive), not {target:g}")
        if within < 0:
            raise _fail(f"--answer-within must be 0 or more seconds, not {within:g}")
        if shrinkage is not None and not 0 <= shrinkage < 1:
            raise _fail(f"--shrinkage must be at least 0 and below 1, not {shrinkage:g}")
        if max_occupancy is not None and not 0 < max_occupancy <= 1:
            raise _fail(f"--max-occupancy must be above 0 and at most 1, not {max_occupancy:g}")
        if patience is not None and patience <= 0:
            raise _fail(f"--patience must be more than 0 seconds, not {patience:g}")
        try:
            load = erlang.offered_load(calls, minutes * 60, aht)
            staffing = erlang.required_agents(
                load=load,
                aht=aht,
                service_level=target,
                answer_within=within,
                max_occupancy=max_occupancy,
                patience=patience,
                shrinkage=shrinkage or 0.0,
            )
        except erlang.StaffingError as exc:
            raise _fail(str(exc)) from None
        output = as_output(staffing)
        if options["json"]:
            self.stdout.write(json.dumps(output))
        else:
            self.stdout.write(_summary(output, load))


def as_output(staffing: erlang.Staffing) -> dict[str, Any]:
    """The JSON object of the command (the exact keys of the interface)."""
    figures = staffing.figures
    return {
        "model": figures.model,
        "agents": figures.agents,
        "scheduled_agents": staffing.scheduled_agents,
        "service_level": _round(figures.service_level),
        "asa": _round(figures.asa, 3),
        "occupancy": _round(figures.occupancy),
        "probability_wait": _round(figures.probability_wait),
        "abandon_rate": None if figures.abandon_rate is None else _round(figures.abandon_rate),
    }


def _summary(output: dict[str, Any], load: float) -> str:
    model = "Erlang A" if output["model"] == "erlang_a" else "Erlang C"
    lines = [
        f"{model}: {output['agents']} agents on {load:.2f} Erlangs, "
        f"{output['scheduled_agents']} scheduled with shrinkage",
        f"service level {output['service_level']:.1%}, ASA {output['asa']:.1f} s, "
        f"occupancy {output['occupancy']:.1%}, P(wait) {output['probability_wait']:.1%}",
    ]
    if output["abandon_rate"] is not None:
        lines.append(f"abandoned {output['abandon_rate']:.1%}")
    if output["agents"] == 0:
        lines.append("no calls: no agents needed")
    return "\n".join(lines)
