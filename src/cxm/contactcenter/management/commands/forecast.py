"""`cxm forecast`: forecast contact volume per interval from a CSV or XLSX history.

A thin wrapper: reading is `cxm.core.spreadsheets`, the maths is `cxm.core.forecasting`. No
database is touched. Writes `timestamp,forecast,lower,upper` and prints the chosen model
with the backtest WAPE of every model.
"""

import csv
import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cxm.common.commands import find_column, unreadable_file
from cxm.common.commands import usage_error as _fail
from cxm.core import forecasting
from cxm.core.spreadsheets import SpreadsheetError, TableReader, cell_text, inspect_table
from cxm.core.text import to_latin_digits

_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_SHOWN_ROWS = 5


def parse_timestamp(value: Any) -> dt.datetime | None:
    """ISO 8601 (with a space or T, optional offset or Z), also with slashes; XLSX dates."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0))
    text = to_latin_digits(cell_text(value)).strip()
    if not text:
        return None
    text = re.sub(r"^(\d{4})/(\d{1,2})/(\d{1,2})", _dashed, text)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def _dashed(match: re.Match[str]) -> str:
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def parse_count(value: Any) -> float | None:
    """A non-negative finite number; None when it is not one. Empty cells are handled apart."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = to_latin_digits(cell_text(value)).strip().replace("\u066c", ",")
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            number = float(text.replace("\u066b", "."))
        except ValueError:
            return None
    if not math.isfinite(number) or number < 0:
        return None
    return number


class Command(BaseCommand):
    help = (
        "Forecast a regular count series (5-minute to daily intervals) for the N days after "
        "its last timestamp. Models: seasonal naive (same interval last week), weekly "
        "exponential smoothing and a regression with calendar effects (day of week, trend, "
        "holidays, Ramadan), chosen by rolling-origin backtesting over the last weeks (WAPE). "
        "Writes timestamp,forecast,lower,upper (90% prediction interval from backtest "
        "residuals). Holidays: the file given with --holidays (a date column, optional name), "
        "else Iran's public holidays. Gaps are missing values, not zeros. Bad input exits 2 "
        "with a one-line message and writes nothing."
    )
    requires_system_checks: list[str] = []  # no database, no apps needed: start fast

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, metavar="FILE", help="a CSV or XLSX file")
        parser.add_argument("--timestamp-column", required=True, metavar="C")
        parser.add_argument("--count-column", required=True, metavar="C")
        parser.add_argument("--horizon-days", required=True, type=int, metavar="N")
        parser.add_argument("--output", required=True, metavar="OUT.csv")
        parser.add_argument(
            "--holidays",
            metavar="FILE.csv",
            help="holidays: a date column (ISO or Jalali like 1403/01/01), optional name",
        )
        parser.add_argument(
            "--gaps",
            choices=["missing", "zero"],
            default="missing",
            help="missing intervals are unknown (default) or zero contacts",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        horizon: int = options["horizon_days"]
        if horizon <= 0:
            raise _fail("--horizon-days must be a positive number of days")
        path = Path(options["input"])
        timestamps, counts = self._read_series(
            path, options["timestamp_column"], options["count_column"]
        )
        try:
            series = forecasting.build_series(
                timestamps, counts, gaps_as_zero=options["gaps"] == "zero"
            )
            calendar = None
            if options["holidays"]:
                calendar = forecasting.calendar_from_dates(read_holidays(Path(options["holidays"])))
            result = forecasting.forecast(series, horizon, calendar=calendar)
        except forecasting.ForecastError as exc:
            raise _fail(str(exc)) from None
        self._write(Path(options["output"]), result)
        wape = " ".join(f"{name}={_percent(value)}" for name, value in result.wape.items())
        self.stdout.write(
            f"model: {result.model}\n"
            f"backtest WAPE: {_percent(result.model_wape)} "
            f"({result.backtest_folds} weekly fold(s))\n"
            f"backtest WAPE by model: {wape}\n"
            f"interval: {_describe_step(series.step)}, {len(result.forecast)} rows written to "
            f"{options['output']}"
        )

    def _read_series(
        self, path: Path, timestamp_column: str, count_column: str
    ) -> tuple[list[dt.datetime], list[float]]:
        rows = _read_table(path, [timestamp_column, count_column])
        timestamps: list[dt.datetime] = []
        counts: list[float] = []
        bad_time: list[int] = []
        bad_count: list[int] = []
        empty = 0
        for number, (raw_time, raw_count) in rows:
            moment = parse_timestamp(raw_time)
            if moment is None:
                bad_time.append(number)
                continue
            if raw_count is None or (isinstance(raw_count, str) and not raw_count.strip()):
                empty += 1  # an empty count is a missing interval, like a gap
                timestamps.append(moment)
                counts.append(math.nan)
                continue
            count = parse_count(raw_count)
            if count is None:
                bad_count.append(number)
                continue
            timestamps.append(moment)
            counts.append(count)
        problems = []
        if bad_time:
            problems.append(f"{len(bad_time)} unparsable timestamp(s) (rows {_rows(bad_time)})")
        if bad_count:
            problems.append(
                f"{len(bad_count)} unparsable or negative count(s) (rows {_rows(bad_count)})"
            )
        if problems:
            raise _fail(f"cannot read {path}: " + "; ".join(problems))
        if empty:
            self.stderr.write(f"{empty} row(s) with an empty count are treated as missing")
        if len(timestamps) < 2:
            raise _fail(f"{path} has fewer than two rows of data")
        return timestamps, counts

    def _write(self, path: Path, result: forecasting.Forecast) -> None:
        temporary = path.with_name(path.name + ".part")
        try:
            with temporary.open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(["timestamp", "forecast", "lower", "upper"])
                for moment, point, low, high in zip(
                    result.timestamps, result.forecast, result.lower, result.upper, strict=True
                ):
                    writer.writerow([moment.isoformat(), _round(point), _round(low), _round(high)])
            temporary.replace(path)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise _fail(f"cannot write {path}: {exc.strerror or exc}") from None


def _read_table(path: Path, columns: list[str]) -> list[tuple[int, list[Any]]]:
    if not path.exists():
        raise _fail(f"no such file: {path}")
    if not path.is_file():
        raise _fail(f"not a file: {path}")
    rows: list[tuple[int, list[Any]]] = []
    try:
        with path.open("rb") as stream:
            info = inspect_table(stream, path.name)
            indexes = [find_column(info.headers, name) for name in columns]
            with TableReader(stream, info, size=path.stat().st_size) as reader:
                for number, cells in reader.rows():
                    rows.append((number, [cells[i] if i < len(cells) else None for i in indexes]))
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}") from None
    except SpreadsheetError as exc:
        raise unreadable_file(path, exc) from None
    return rows


def read_holidays(path: Path) -> dict[dt.date, str]:
    """Dates (ISO or Jalali) from the first column named like "date" (else the first column),
    names from a "name" column if there is one."""
    if not path.is_file():
        raise _fail(f"no such file: {path}")
    from cxm.core.jalali import parse_date

    try:
        with path.open("rb") as stream:
            info = inspect_table(stream, path.name)
    except (OSError, SpreadsheetError):
        raise _fail(f"cannot read the holidays file {path}") from None
    lowered = [h.strip().lower() for h in info.headers]
    date_name = next((h for h, low in zip(info.headers, lowered, strict=True) if "date" in low),
                     info.headers[0])  # fmt: skip
    name_col = next((h for h, low in zip(info.headers, lowered, strict=True) if low == "name"), "")
    wanted = [date_name] + ([name_col] if name_col else [])
    holidays: dict[dt.date, str] = {}
    bad: list[int] = []
    for number, cells in _read_table(path, wanted):
        raw = cells[0]
        if isinstance(raw, dt.datetime):
            day: dt.date | None = raw.date()
        elif isinstance(raw, dt.date):
            day = raw
        else:
            text = to_latin_digits(cell_text(raw)).strip()[:10]
            try:
                day = parse_date(text, prefer_jalali=text[:2] in ("13", "14"))
            except (ValueError, TypeError):
                day = None
        if day is None:
            bad.append(number)
            continue
        holidays[day] = cell_text(cells[1]) if len(cells) > 1 and cells[1] else "holiday"
    if bad:
        raise _fail(f"cannot read {path}: {len(bad)} unparsable date(s) (rows {_rows(bad)})")
    return holidays


def _rows(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_SHOWN_ROWS])
    return shown + (", …" if len(numbers) > _SHOWN_ROWS else "")


def _round(value: float) -> float:
    return round(float(value), 2) + 0.0


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _describe_step(step: dt.timedelta) -> str:
    return f"{step.total_seconds() / 60:g} minutes"
