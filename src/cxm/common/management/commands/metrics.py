"""`cxm metrics`: NPS, CSAT or CES with its interval from one column of a CSV or XLSX file.

A thin wrapper: reading is `cxm.core.spreadsheets`, the maths is `cxm.core.metrics`. No
database is touched.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cxm.common.commands import find_column, unreadable_file
from cxm.common.commands import usage_error as _fail
from cxm.core import metrics
from cxm.core.spreadsheets import (
    SpreadsheetError,
    TableReader,
    inspect_table,
)

_REASONS = {
    metrics.Rejection.EMPTY.value: "empty",
    metrics.Rejection.NOT_A_NUMBER.value: "not a number",
    metrics.Rejection.NOT_INTEGER.value: "not a whole number",
    metrics.Rejection.OUT_OF_RANGE.value: "out of range",
}


def _one_decimal(value: float | None) -> float | None:
    if value is None:
        return None
    rounded = round(value, 1)
    return rounded + 0.0  # no "-0.0"


class Command(BaseCommand):
    help = (
        "Compute NPS, CSAT or CES with its confidence interval from one column of a CSV or "
        "XLSX file (the first sheet) and print one JSON object on stdout. NPS is in points "
        "(-100..100, adjusted-Wald interval), CSAT in percent of the top two boxes (top box on "
        "a scale of 3 or fewer; Wilson interval), CES as the mean on its scale (t interval) "
        "with share_agree in percent. Empty, non-numeric, fractional and out-of-range cells "
        "are rejected, counted in 'rejected' and reported on stderr. With no valid rows the "
        "JSON has n = 0 and null values, and the exit status is 0 (with a warning on stderr). "
        "Usage errors (missing or unreadable file, unknown column, bad option) exit with 2."
    )
    requires_system_checks: list[str] = []  # no database, no apps needed: start fast

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--metric", required=True, choices=["nps", "csat", "ces"])
        parser.add_argument("--input", required=True, metavar="FILE", help="a CSV or XLSX file")
        parser.add_argument("--column", required=True, metavar="NAME", help="the score column")
        parser.add_argument(
            "--scale-max",
            type=int,
            default=None,
            metavar="K",
            help="top of the 1..K scale: CSAT (default 5) and CES (default 7); NPS is 0..10",
        )
        parser.add_argument(
            "--confidence",
            type=float,
            default=metrics.DEFAULT_CONFIDENCE,
            help="confidence level, strictly between 0 and 1 (default 0.95)",
        )
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object (else a short summary)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        metric: str = options["metric"]
        scale_max: int | None = options["scale_max"]
        if metric != "nps" and scale_max is not None and not 2 <= scale_max <= 100:
            raise _fail(f"--scale-max must be between 2 and 100 for {metric.upper()}")
        try:
            confidence = metrics.check_confidence(options["confidence"])
            scale = metrics.scale_for(metric, scale_max)
        except ValueError as exc:
            raise _fail(str(exc)) from None
        path = Path(options["input"])
        sample, column = self._read(path, options["column"], scale)
        result = metrics.summarise(metric, sample, scale_max=scale.high, confidence=confidence)
        self._report_to_stderr(result, sample, column)
        output = _as_output(result, column)
        if options["json"]:
            self.stdout.write(json.dumps(output, ensure_ascii=False))
        else:
            self.stdout.write(_summary(output))

    def _read(
        self, path: Path, column_name: str, scale: metrics.Scale
    ) -> tuple[metrics.ScoreSample, str]:
        if not path.exists():
            raise _fail(f"no such file: {path}")
        if not path.is_file():
            raise _fail(f"not a file: {path}")
        collector = metrics.ScoreCollector(scale)
        try:
            with path.open("rb") as stream:
                info = inspect_table(stream, path.name)
                index = find_column(info.headers, column_name)
                previous = 1  # the header row
                with TableReader(stream, info, size=path.stat().st_size) as reader:
                    for number, cells in reader.rows():
                        # Blank rows between answers are empty answers (in a one-column
                        # file an empty cell is a blank line); blank rows at the end are not.
                        for blank in range(previous + 1, number):
                            collector.reject(metrics.Rejection.EMPTY, row=blank)
                        previous = number
                        collector.add(cells[index] if index < len(cells) else None, row=number)
        except OSError as exc:
            raise _fail(f"cannot read {path}: {exc.strerror or exc}") from None
        except SpreadsheetError as exc:
            raise unreadable_file(path, exc) from None
        return collector.sample(), info.headers[index]

    def _report_to_stderr(
        self, result: metrics.MetricResult, sample: metrics.ScoreSample, column: str
    ) -> None:
        if sample.rejected:
            reasons = ", ".join(
                f"{count} {_REASONS.get(reason, reason)}"
                for reason, count in sorted(sample.rejected_by_reason.items())
            )
            rows = ", ".join(str(r) for r in sample.rejected_rows)
            more = ", …" if sample.rejected > len(sample.rejected_rows) else ""
            scale = f"{sample.scale.low}–{sample.scale.high}"
            self.stderr.write(
                f"{sample.rejected} row(s) rejected in column {column!r} "
                f"(valid: whole numbers {scale}): {reasons}; rows {rows}{more}"
            )
        if result.n == 0:
            self.stderr.write(
                f"warning: no valid answers in column {column!r}; value and interval are null"
            )
        elif result.warning:
            self.stderr.write(f"warning: {result.warning}")


def _as_output(result: metrics.MetricResult, column: str) -> dict[str, Any]:
    """The JSON object: values rounded to one decimal."""
    output: dict[str, Any] = {
        "metric": result.metric,
        "column": column,
        "n": result.n,
        "value": _one_decimal(result.value),
        "ci_low": _one_decimal(result.ci_low),
        "ci_high": _one_decimal(result.ci_high),
        "confidence": result.confidence,
    }
    distribution = {str(score): count for score, count in result.distribution.items()}
    if isinstance(result, metrics.NpsResult):
        output["scale_max"] = metrics.NPS_SCALE.high
        output["counts"] = {
            "promoters": result.promoters,
            "passives": result.passives,
            "detractors": result.detractors,
        }
    elif isinstance(result, metrics.CsatResult):
        output["scale_max"] = result.scale_max
        output["top_boxes"] = list(result.top_boxes)
        output["counts"] = {"satisfied": result.satisfied, "total": result.total}
    elif isinstance(result, metrics.CesResult):
        output["scale_max"] = result.scale_max
        output["share_agree"] = _one_decimal(result.share_agree)
        output["share_agree_ci_low"] = _one_decimal(result.share_agree_ci_low)
        output["share_agree_ci_high"] = _one_decimal(result.share_agree_ci_high)
        output["agree_from"] = result.agree_from
        output["counts"] = distribution
    output["distribution"] = distribution
    output["rejected"] = result.rejected
    output["rejected_reasons"] = dict(sorted(result.rejected_by_reason.items()))
    output["low_n"] = result.low_n
    output["min_n"] = metrics.MIN_N
    output["warning"] = result.warning
    return output


def _summary(output: dict[str, Any]) -> str:
    name = output["metric"].upper()
    level = f"{output['confidence']:.0%}".replace("%", "% CI")
    if output["value"] is None:
        line = f"{name}: no valid answers (n = 0)"
    elif output["ci_low"] is None:
        line = f"{name} {output['value']} (interval undefined), n = {output['n']}"
    else:
        line = (
            f"{name} {output['value']} ({level} {output['ci_low']} to {output['ci_high']}), "
            f"n = {output['n']}"
        )
    if output.get("share_agree") is not None:
        line += f", agree {output['share_agree']}%"
    lines = [line, f"counts: {json.dumps(output['counts'], ensure_ascii=False)}"]
    lines.append(f"rejected: {output['rejected']}")
    if output["low_n"] and output["n"]:
        lines.append(f"below the minimum n of {output['min_n']}: read the interval")
    return "\n".join(lines)
