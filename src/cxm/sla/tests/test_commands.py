"""`cxm sla-deadline` and `cxm sla-elapsed`: output format, input forms and errors, through
call_command and once through the real console script. No test here is allowed the
database: the commands must not need one.
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

TEHRAN = {
    "timezone": "Asia/Tehran",
    "week": {
        "sat": [["08:00", "16:00"]],
        "sun": [["08:00", "16:00"]],
        "mon": [["08:00", "16:00"]],
        "tue": [["08:00", "16:00"]],
        "wed": [["08:00", "16:00"]],
        "thu": [["08:00", "13:00"]],
        "fri": [],
    },
    "holidays": ["2026-03-20", "2026-03-21", "2026-03-22", "2026-03-23", "2026-03-24"],
}


@pytest.fixture
def calendar(tmp_path: Path) -> Path:
    path = tmp_path / "tehran.json"
    path.write_text(json.dumps(TEHRAN), encoding="utf-8")
    return path


def run(name: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        ("2026-03-20T09:00", "150", "2026-03-25T10:30:00+03:30"),  # Friday, then Nowruz
        ("2026-03-20T05:30:00Z", "150", "2026-03-25T10:30:00+03:30"),
        ("2026-03-25T08:00:00+03:30", "480", "2026-03-25T16:00:00+03:30"),  # interval end
        ("2026-03-25T08:00:00+03:30", "481", "2026-03-26T08:01:00+03:30"),
        ("2026-03-21", "60", "2026-03-25T09:00:00+03:30"),  # a date is local midnight
        ("2026-03-25T09:00", "0.5", "2026-03-25T09:00:30+03:30"),
        ("2026-03-27T22:00", "0", "2026-03-27T22:00:00+03:30"),
        ("۲۰۲۶-۰۳-۲۵T09:00", "۶۰", "2026-03-25T10:00:00+03:30"),  # Persian digits
    ],
)
def test_deadline(calendar, start, minutes, expected):
    out, err = run(
        "sla-deadline", "--start", start, "--minutes", minutes, "--calendar", str(calendar)
    )
    assert out == expected + "\n"
    assert err == ""


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-03-25T08:00", "2026-03-25T16:00", "480"),
        ("2026-03-18T12:00", "2026-03-28T12:00", "1560"),
        ("2026-03-25T04:30:00Z", "2026-03-25T05:00:30Z", "30.5"),
        ("2026-03-25T08:00", "2026-03-25T08:00:20", "0.333333"),
        ("2026-03-25", "2026-03-25", "0"),
        ("2026-03-20", "2026-03-25", "0"),
    ],
)
def test_elapsed(calendar, start, end, expected):
    out, err = run("sla-elapsed", "--start", start, "--end", end, "--calendar", str(calendar))
    assert out == expected + "\n"
    assert err == ""


def test_a_utf8_bom_calendar_file_is_read(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(TEHRAN).encode())
    out, _ = run("sla-elapsed", "--start", "2026-03-25T08:00", "--end", "2026-03-26T08:00",
                 "--calendar", str(path))  # fmt: skip
    assert out == "480\n"


def bad_calendar(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "yesterday", "--minutes", "10"], "not an ISO 8601"),
        (["--start", "2026-13-01T08:00", "--minutes", "10"], "not an ISO 8601"),
        (["--start", "2026-03-25T08:00", "--minutes", "-5"], "at least 0"),
        (["--start", "2026-03-25T08:00", "--minutes", "ten"], "not a number"),
        (["--start", "2026-03-25T08:00", "--minutes", "nan"], "at least 0"),
        (["--start", "2026-03-25T08:00", "--minutes", "inf"], "at least 0"),
    ],
)
def test_deadline_errors(calendar, args, message):
    with pytest.raises(CommandError, match=message) as raised:
        run("sla-deadline", *args, "--calendar", str(calendar))
    assert raised.value.returncode != 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "JSON object"),
        (json.dumps({**TEHRAN, "timezone": "Asia/Teheran"}), "unknown time zone"),
        (json.dumps({**TEHRAN, "week": {"sat": [["16:00", "08:00"]]}}), "overnight"),
        (json.dumps({**TEHRAN, "holidays": ["2026-02-30"]}), "2026-02-30"),
    ],
)
def test_calendar_file_errors(tmp_path, text, message):
    path = bad_calendar(tmp_path, text)
    with pytest.raises(CommandError, match=message):
        run("sla-deadline", "--start", "2026-03-25", "--minutes", "1", "--calendar", path)
    with pytest.raises(CommandError, match=message):
        run("sla-elapsed", "--start", "2026-03-25", "--end", "2026-03-26", "--calendar", path)


def test_missing_calendar_file(tmp_path):
    with pytest.raises(CommandError, match="no such calendar file"):
        run("sla-elapsed", "--start", "2026-03-25", "--end", "2026-03-26",
            "--calendar", str(tmp_path / "none.json"))  # fmt: skip


def test_end_before_start(calendar):
    with pytest.raises(CommandError, match="before --start"):
        run("sla-elapsed", "--start", "2026-03-26", "--end", "2026-03-25",
            "--calendar", str(calendar))  # fmt: skip


def cxm(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("cxm")
    env = {**os.environ, "DATABASE_URL": "sqlite:////nonexistent/dir/db.sqlite3"}
    return subprocess.run([str(script), *args], capture_output=True, text=True, env=env, timeout=60)


def test_the_console_scripts_without_a_database(calendar):
    done = cxm("sla-deadline", "--start", "2026-03-20T09:00", "--minutes", "150",
               "--calendar", str(calendar))  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "2026-03-25T10:30:00+03:30\n", "")

    done = cxm("sla-elapsed", "--start", "2026-03-25T08:00:00+03:30",
               "--end", "2026-03-26T04:30:00Z", "--calendar", str(calendar))  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "480\n", "")

    done = cxm("sla-elapsed", "--start", "2026-03-26", "--end", "2026-03-25",
               "--calendar", str(calendar))  # fmt: skip
    assert done.returncode != 0 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "before --start" in done.stderr
