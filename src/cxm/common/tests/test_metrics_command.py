"""`cxm metrics`: CSV (UTF-8 with BOM, Windows-1256) and XLSX input, rejected rows, errors,
and one JSON object on stdout, through call_command and through the real console script.
No test here is allowed the database: the command must not need one.
"""

import codecs
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook


def run(*args: str) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("metrics", *args, stdout=out, stderr=err)
    text = out.getvalue()
    assert text.endswith("\n") and text.count("\n") == 1, "one JSON object on one line"
    return json.loads(text), err.getvalue()


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_nps_from_a_utf8_bom_csv_with_bad_rows(tmp_path):
    rows = ["9"] * 15 + ["8"] * 13 + ["3"] * 8 + ["11", "-1", "great", "", "9.5", "۱۰"]
    body = "id;NPS score\n" + "".join(f"{i};{v}\n" for i, v in enumerate(rows, start=1))
    path = write_csv(tmp_path / "nps.csv", body, "utf-8")
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())

    data, err = run("--metric", "nps", "--input", str(path), "--column", "NPS score", "--json")

    # 15 promoters + "۱۰", 13 passives, 8 detractors; adjusted-Wald as in core's tests.
    assert data["metric"] == "nps"
    assert data["n"] == 37
    assert data["counts"] == {"promoters": 16, "passives": 13, "detractors": 8}
    assert data["value"] == round(100 * 8 / 37, 1)
    assert data["ci_low"] < data["value"] < data["ci_high"]
    assert data["confidence"] == 0.95
    assert data["rejected"] == 5
    assert data["rejected_reasons"] == {
        "empty": 1,
        "not_a_number": 1,
        "not_integer": 1,
        "out_of_range": 2,
    }
    # The header is row 1; the first bad value ("11") is on row 38.
    assert "5 row(s) rejected" in err and "rows 38, 39, 40, 41, 42" in err
    assert "out of range" in err and "not a number" in err


def test_values_are_rounded_to_one_decimal(tmp_path):
    path = write_csv(tmp_path / "s.csv", "s\n" + "10\n" * 15 + "8\n" * 13 + "3\n" * 8)
    data, _ = run("--metric", "nps", "--input", str(path), "--column", "s", "--json")
    # Sauro & Lewis adjusted-Wald, hand computation in core/tests/test_metrics.py.
    assert (data["value"], data["ci_low"], data["ci_high"]) == (19.4, -6.3, 42.2)
    assert data["low_n"] is False and data["warning"] is None


def test_cp1256_csv_with_a_persian_header(tmp_path):
    # Excel on Persian Windows writes Arabic yeh (ي) for Persian yeh (ی); the analyst types
    # the header with Persian letters and without its zero-width non-joiner: it still matches.
    header = "شناسه,نمره\u200cی رضایت"
    body = header + "\n" + "".join(f"{i},{v}\n" for i, v in enumerate([5, 4, 4, 2, 1, 7], 1))
    path = write_csv(tmp_path / "csat.csv", body.replace("ی", "ي"), "cp1256")

    data, err = run("--metric", "csat", "--input", str(path), "--column", "نمرهی رضایت", "--json")

    assert data["metric"] == "csat" and data["scale_max"] == 5
    assert data["column"] == "نمره\u200cي رضايت"
    assert data["n"] == 5 and data["counts"] == {"satisfied": 3, "total": 5}
    assert data["value"] == 60.0
    assert data["rejected"] == 1 and "rows 7" in err
    assert data["low_n"] is True and "below the minimum" in err


def test_xlsx_ces(tmp_path):
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Order", "CES"])
    for i, value in enumerate([7, 6.0, "5", 5, None, 4, 3, 2, 1, "hard", 8, 5], 1):
        sheet.append([f"O{i}", value])
    path = tmp_path / "ces.xlsx"
    book.save(path)

    data, err = run("--metric", "ces", "--input", str(path), "--column", "ces", "--json")

    assert data["metric"] == "ces" and data["scale_max"] == 7
    assert data["n"] == 9
    assert data["value"] == round((7 + 6 + 5 + 5 + 4 + 3 + 2 + 1 + 5) / 9, 1)
    assert data["share_agree"] == round(100 * 5 / 9, 1)
    assert data["counts"] == {"1": 1, "2": 1, "3": 1, "4": 1, "5": 3, "6": 1, "7": 1}
    assert data["rejected"] == 3
    assert data["rejected_reasons"] == {"empty": 1, "not_a_number": 1, "out_of_range": 1}
    assert "rows 6, 11, 12" in err


def test_blank_lines_between_answers_are_empty_answers(tmp_path):
    path = write_csv(tmp_path / "one.csv", "score\n9\n\n10\n\n\n")
    data, err = run("--metric", "nps", "--input", str(path), "--column", "score", "--json")
    assert data["n"] == 2 and data["rejected"] == 1  # trailing blank lines are not answers
    assert "rows 3" in err


def test_csat_scale_of_three_counts_the_top_box_only(tmp_path):
    path = write_csv(tmp_path / "c.csv", "c\n3\n2\n1\n3\n")
    data, _ = run(
        "--metric", "csat", "--input", str(path), "--column", "c", "--scale-max", "3", "--json"
    )
    assert data["value"] == 50.0 and data["top_boxes"] == [3]


def test_no_valid_rows_gives_nulls_and_exit_0(tmp_path):
    path = write_csv(tmp_path / "bad.csv", "score\n11\nx\n")
    data, err = run("--metric", "nps", "--input", str(path), "--column", "score", "--json")
    assert data["n"] == 0
    assert data["value"] is None and data["ci_low"] is None and data["ci_high"] is None
    assert data["rejected"] == 2
    assert "no valid answers" in err


def test_confidence_option(tmp_path):
    path = write_csv(tmp_path / "s.csv", "s\n" + "10\n" * 40 + "5\n" * 30)
    wide, _ = run("--metric", "nps", "--input", str(path), "--column", "s", "--json")
    narrow, _ = run(
        "--metric", "nps", "--input", str(path), "--column", "s", "--confidence", "0.8", "--json"
    )
    assert narrow["confidence"] == 0.8
    assert wide["ci_low"] < narrow["ci_low"] < narrow["ci_high"] < wide["ci_high"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--column", "nope"], "the columns are: 'id', 'NPS score'"),
        (["--column", "score", "--confidence", "1.5"], "confidence"),
        (["--column", "score", "--confidence", "0"], "confidence"),
        (["--column", "score", "--scale-max", "5"], "0–10"),
    ],
)
def test_usage_errors_exit_2(tmp_path, extra, message):
    path = write_csv(tmp_path / "s.csv", "id,NPS score\n1,9\n")
    with pytest.raises(CommandError, match=message) as info:
        call_command("metrics", "--metric", "nps", "--input", str(path), *extra, "--json")
    assert info.value.returncode == 2


@pytest.mark.parametrize("scale_max", ["1", "0", "101"])
def test_csat_scale_max_out_of_bounds_exits_2(tmp_path, scale_max):
    path = write_csv(tmp_path / "s.csv", "s\n1\n")
    with pytest.raises(CommandError, match="between 2 and 100") as info:
        run("--metric", "csat", "--input", str(path), "--column", "s", "--scale-max", scale_max)
    assert info.value.returncode == 2


def test_file_errors_exit_2(tmp_path):
    with pytest.raises(CommandError, match="no such file") as info:
        run("--metric", "nps", "--input", str(tmp_path / "missing.csv"), "--column", "s")
    assert info.value.returncode == 2
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="empty") as info:
        run("--metric", "nps", "--input", str(empty), "--column", "s")
    assert info.value.returncode == 2
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(CommandError, match="XLSX") as info:
        run("--metric", "nps", "--input", str(fake), "--column", "s")
    assert info.value.returncode == 2


def test_without_json_prints_a_summary(tmp_path):
    path = write_csv(tmp_path / "s.csv", "s\n9\n10\n3\n")
    out = io.StringIO()
    call_command(
        "metrics",
        "--metric",
        "nps",
        "--input",
        str(path),
        "--column",
        "s",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().startswith("NPS 33.3 (95% CI")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("cxm")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "django"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cxm.config.settings.test"}
    return subprocess.run(
        [*command, "metrics", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_console_script_prints_exactly_one_json_object(tmp_path):
    path = write_csv(tmp_path / "s.csv", "NPS\n9\n10\n11\n\n3\n")
    done = _cli("--metric", "nps", "--input", str(path), "--column", "nps", "--json")
    assert done.returncode == 0, done.stderr
    data, end = json.JSONDecoder().raw_decode(done.stdout)
    assert done.stdout[end:] == "\n"
    assert data["n"] == 3 and data["rejected"] == 2
    assert "2 row(s) rejected" in done.stderr

    missing = _cli("--metric", "nps", "--input", str(path), "--column", "score", "--json")
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert "'NPS'" in missing.stderr
