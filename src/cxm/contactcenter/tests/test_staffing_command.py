"""`cxm staffing`: the exact JSON interface, Erlang C and A, bad input; through call_command
and end to end through the console script. No database is allowed: the command needs none."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

KEYS = [
    "model",
    "agents",
    "scheduled_agents",
    "service_level",
    "asa",
    "occupancy",
    "probability_wait",
    "abandon_rate",
]
EXAMPLE = [  # Call Centre Helper's worked example: 100 calls / 30 min, AHT 180 s, 80/20
    "--calls", "100", "--interval-minutes", "30", "--aht", "180",
    "--service-level", "0.8", "--answer-within", "20",
]  # fmt: skip


def run(*args: str) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("staffing", *args, "--json", stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_erlang_c_with_shrinkage_and_max_occupancy() -> None:
    output, err = run(*EXAMPLE, "--shrinkage", "0.3", "--max-occupancy", "0.85")
    assert list(output) == KEYS and err == ""
    assert output["model"] == "erlang_c"
    assert output["agents"] == 14 and output["scheduled_agents"] == 20
    assert output["service_level"] == pytest.approx(0.8884, abs=1e-4)
    assert output["probability_wait"] == pytest.approx(0.1741, abs=1e-4)
    assert output["asa"] == pytest.approx(7.84, abs=0.01)
    assert output["occupancy"] == pytest.approx(10 / 14, abs=1e-6)
    assert output["abandon_rate"] is None


def test_erlang_a_with_patience() -> None:
    output, _ = run(*EXAMPLE, "--patience", "120")
    assert list(output) == KEYS and output["model"] == "erlang_a"
    assert output["scheduled_agents"] == output["agents"]  # no shrinkage given
    assert output["service_level"] >= 0.8
    assert 0 < output["abandon_rate"] < 0.2
    plain, _ = run(*EXAMPLE)
    assert output["agents"] <= plain["agents"]  # callers who hang up lighten the queue


def test_zero_calls_need_zero_agents() -> None:
    output, _ = run(*[("0" if a == "100" else a) for a in EXAMPLE], "--shrinkage", "0.3")
    assert output == {
        "model": "erlang_c", "agents": 0, "scheduled_agents": 0, "service_level": 1.0,
        "asa": 0.0, "occupancy": 0.0, "probability_wait": 0.0, "abandon_rate": None,
    }  # fmt: skip


def test_persian_digits_are_read() -> None:
    output, _ = run("--calls", "۱۰۰", *EXAMPLE[2:])
    assert output["agents"] == 14


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--aht", "0", "--aht"),
        ("--aht", "-10", "--aht"),
        ("--calls", "-1", "--calls"),
        ("--calls", "many", "not a number"),
        ("--service-level", "1", "--service-level"),
        ("--service-level", "0", "--service-level"),
        ("--service-level", "80", "--service-level"),
        ("--answer-within", "-1", "--answer-within"),
        ("--interval-minutes", "0", "--interval-minutes"),
        ("--shrinkage", "1", "--shrinkage"),
        ("--max-occupancy", "1.5", "--max-occupancy"),
        ("--patience", "0", "--patience"),
        ("--aht", "nan", "finite"),
        ("--calls", "1e12", "more than"),  # far beyond any search: refused, not looped
    ],
)
def test_bad_input(option: str, value: str, message: str) -> None:
    args = list(EXAMPLE)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]
    with pytest.raises(CommandError, match=message) as caught:
        run(*args)
    assert caught.value.returncode == 2


def cxm(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("cxm")
    env = {**os.environ, "DATABASE_URL": "sqlite:////nonexistent/dir/db.sqlite3"}
    return subprocess.run([str(script), *args], capture_output=True, text=True, env=env, timeout=60)


def test_the_console_script_end_to_end() -> None:
    done = cxm("staffing", *EXAMPLE, "--shrinkage", "0.3", "--json")
    assert done.returncode == 0 and done.stderr == ""
    output = json.loads(done.stdout)
    assert list(output) == KEYS
    assert (output["agents"], output["scheduled_agents"]) == (14, 20)

    done = cxm("staffing", *[("0" if a == "180" else a) for a in EXAMPLE], "--json")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "--aht" in done.stderr
