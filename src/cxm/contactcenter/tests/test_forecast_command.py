"""`cxm forecast` end to end: CSV and XLSX in, timestamp,forecast,lower,upper out, the chosen
model on stdout, one-line errors with exit status 2 and nothing written. No database."""

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

START = dt.datetime(2024, 1, 6)  # a Saturday


def history(weeks: int = 4, step_minutes: int = 60, seed: int = 3) -> list[tuple[str, int]]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(weeks * 7 * 1440 // step_minutes):
        moment = START + dt.timedelta(minutes=step_minutes * i)
        daily = 1 + np.sin(np.pi * (moment.hour + moment.minute / 60) / 24) * 3
        weekly = 0.3 if moment.weekday() == 4 else 1.0
        rows.append((moment.isoformat(sep=" "), int(rng.poisson(10 * daily * weekly))))
    return rows


def write_csv(path: Path, rows: Sequence[tuple[str, object]], header=("time", "calls")) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("forecast", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def args(source: Path, target: Path, days: int = 2) -> list[str]:
    return [
        "--input", str(source), "--timestamp-column", "time", "--count-column", "calls",
        "--horizon-days", str(days), "--output", str(target),
    ]  # fmt: skip


def test_csv_end_to_end(tmp_path):
    rows = history()
    source, target = write_csv(tmp_path / "in.csv", rows), tmp_path / "out.csv"
    out, _ = run(*args(source, target))
    assert "model:" in out and "seasonal_naive=" in out and "weekly_ets=" in out
    with target.open(encoding="utf-8", newline="") as produced:
        written = list(csv.reader(produced))
    assert written[0] == ["timestamp", "forecast", "lower", "upper"]
    assert len(written) == 1 + 48
    first = dt.datetime.fromisoformat(written[1][0])
    assert first == dt.datetime.fromisoformat(rows[-1][0]) + dt.timedelta(hours=1)
    assert dt.datetime.fromisoformat(written[2][0]) - first == dt.timedelta(hours=1)
    for _, point, low, high in written[1:]:
        assert 0 <= float(low) <= float(point) <= float(high)


def test_xlsx_with_gaps_and_a_holidays_file(tmp_path):
    book = Workbook()
    sheet: Any = book.active
    sheet.append(["Time", "Calls"])
    for i, (moment, count) in enumerate(history(weeks=3)):
        if 100 <= i < 110:
            continue  # a gap
        sheet.append([dt.datetime.fromisoformat(moment), count])
    source = tmp_path / "in.xlsx"
    book.save(source)
    holidays = write_csv(tmp_path / "h.csv", [("2024-01-29", "Day off"), ("1402/11/22", "x")],
                         header=("date", "name"))  # fmt: skip
    target = tmp_path / "out.csv"
    run(*args(source, target, days=1), "--holidays", str(holidays))
    assert len(target.read_text(encoding="utf-8").splitlines()) == 25


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda rows: rows[:24 * 10], "at least 14"),
        (lambda rows: [*rows[:5], ("yesterday", 3), *rows[5:]], "1 unparsable timestamp"),
        (lambda rows: [*rows[:5], (rows[5][0], "many"), *rows[6:]], "1 unparsable or negative"),
        (lambda rows: [*rows[:5], (rows[5][0], -2), *rows[6:]], "negative"),
        (lambda rows: [(r[0][:14] + "07", r[1]) if i % 2 else r for i, r in enumerate(rows)],
         "irregular"),
    ],
)  # fmt: skip
def test_bad_series_fail_with_one_line_and_write_nothing(tmp_path, change, message):
    source = write_csv(tmp_path / "in.csv", change(history(weeks=3)))
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError, match=message) as info:
        run(*args(source, target))
    assert info.value.returncode == 2
    assert "\n" not in str(info.value)
    assert not target.exists()


def test_missing_column_zero_horizon_and_missing_file(tmp_path):
    source, target = write_csv(tmp_path / "in.csv", history(weeks=3)), tmp_path / "out.csv"
    bad = args(source, target)
    bad[bad.index("calls")] = "volume"
    with pytest.raises(CommandError, match="no column 'volume'"):
        run(*bad)
    with pytest.raises(CommandError, match="horizon"):
        run(*args(source, target, days=0))
    with pytest.raises(CommandError, match="no such file"):
        run(*args(tmp_path / "nope.csv", target))
    assert not target.exists()
