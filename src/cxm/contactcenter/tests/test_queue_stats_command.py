"""`cxm queue-stats`: end to end on the hand-written queue_log of core's tests, through
call_command and the real console script; errors as one line with exit status 2. No test
here is allowed the database: the command must not need one.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cxm.core.tests.test_queue_log import HAND_LOG

FIGURES = {
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "timeouts",
    "service_level",
    "asa",
    "aht",
    "longest_wait",
}


def run(*args: str) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("queue-stats", *args, stdout=out, stderr=err)
    text = out.getvalue()
    assert text.endswith("\n") and text.count("\n") == 1, "one JSON object on one line"
    return json.loads(text), err.getvalue()


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "queue_log"
    path.write_bytes(HAND_LOG)
    return path


def test_json_keys_and_figures(log_file):
    data, err = run("--queue-log", str(log_file), "--json")

    assert set(data) == {"queues", "unreadable_lines", "unknown_events"}
    assert data["unreadable_lines"] == 6
    assert data["unknown_events"] == {"CALLBACKREQUEST": 1}
    for queue in data["queues"].values():
        assert set(queue) == {"total", "intervals"}
        assert set(queue["total"]) == FIGURES
        for item in queue["intervals"]:
            assert set(item) == FIGURES | {"start"}
    sales = data["queues"]["sales"]
    assert sales["total"]["service_level"] == 0.5
    assert [i["start"] for i in sales["intervals"]] == [
        "2024-01-01T00:00:00+00:00",
        "2024-01-01T00:30:00+00:00",
    ]
    assert "6 of 31 line(s) unreadable" in err and "lines 19, 25, 26, 27, 28, 31" in err
    assert "CALLBACKREQUEST (1)" in err


def test_options(log_file):
    data, _ = run(
        "--queue-log", str(log_file), "--interval-minutes", "60", "--answer-within", "10", "--json"
    )
    assert len(data["queues"]["sales"]["intervals"]) == 1
    assert data["queues"]["sales"]["total"]["service_level"] == 0.3333


def test_console_script(log_file):
    cxm = Path(sys.executable).with_name("cxm")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cxm.config.settings.test"}
    done = subprocess.run(
        [str(cxm), "queue-stats", "--queue-log", str(log_file), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["queues"]["sales"]["total"]["offered"] == 7

    missing = subprocess.run(
        [str(cxm), "queue-stats", "--queue-log", str(log_file.with_name("nope")), "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert "no such file" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--queue-log", "/nonexistent/queue_log"], "no such file: /nonexistent/queue_log"),
        (["--queue-log", "."], "not a file"),
        (["--interval-minutes", "0"], "--interval-minutes must be between 1 and 10080"),
        (["--interval-minutes", "half"], "--interval-minutes must be a whole number"),
        (["--answer-within", "-1"], "--answer-within must be 0 seconds or more"),
        (["--answer-within", "soon"], "--answer-within must be a number of seconds"),
    ],
)
def test_errors(log_file, args, message):
    if "--queue-log" not in args:
        args = ["--queue-log", str(log_file), *args]
    with pytest.raises(CommandError, match=message) as caught:
        call_command("queue-stats", *args, "--json", stdout=io.StringIO())
    assert caught.value.returncode == 2


def test_an_empty_file_gives_empty_figures(tmp_path):
    path = tmp_path / "queue_log"
    path.write_bytes(b"")
    data, err = run("--queue-log", str(path), "--json")
    assert data == {"queues": {}, "unreadable_lines": 0, "unknown_events": {}}
    assert "no call events" in err


def test_a_damaged_gzip_is_a_clear_error(tmp_path):
    path = tmp_path / "queue_log.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00broken")
    with pytest.raises(CommandError, match="cannot read") as caught:
        call_command("queue-stats", "--queue-log", str(path), "--json", stdout=io.StringIO())
    assert caught.value.returncode == 2


def test_text_summary(log_file):
    out = io.StringIO()
    call_command("queue-stats", "--queue-log", str(log_file), stdout=out, stderr=io.StringIO())
    assert "sales" in out.getvalue() and "50.0%" in out.getvalue()
