"""`cxm analyze` end to end: CSV and XLSX in, CSV out, every row kept, clear errors."""

import csv
import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from cxm.textanalytics.models import Topic

COLUMNS = ["language", "sentiment", "sentiment_score", "intent", "topics"]


def run(source: Path, output: Path, *extra: str, column: str = "text") -> str:
    err = io.StringIO()
    call_command(
        "analyze", "--input", str(source), "--text-column", column, "--output", str(output),
        *extra, stderr=err,
    )  # fmt: skip
    return err.getvalue()


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def test_csv_rows_kept_with_analysis_columns(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "id,text,channel\n"
        '1,"غذا خیلی سرد بود و پیک دیر رسید",app\n'
        "2,,web\n"
        "\n"
        "3,I want a refund please,email\n"
        '4,"😀😀",sms\n',
        encoding="utf-8",
    )
    output = tmp_path / "out.csv"
    message = run(source, output)
    rows = read(output)
    assert list(rows[0]) == ["id", "text", "channel", *COLUMNS]
    assert [r["id"] for r in rows] == ["1", "2", "", "3", "4"]  # blank line kept as a row
    assert (rows[0]["language"], rows[0]["sentiment"], rows[0]["intent"]) == (
        "fa",
        "negative",
        "complaint",
    )
    assert float(rows[0]["sentiment_score"]) < 0
    assert rows[0]["channel"] == "app"
    empty = {k: rows[1][k] for k in COLUMNS}
    assert empty == {"language": "other", "sentiment": "neutral", "sentiment_score": "0",
                     "intent": "other", "topics": ""}  # fmt: skip
    assert rows[3]["intent"] == "return_refund"
    assert rows[4]["language"] == "other" and rows[4]["sentiment"] == "neutral"
    assert "5 row(s)" in message
    assert "\r" not in message  # no progress bar when stderr is not a terminal


def test_xlsx_input_and_forced_language(tmp_path):
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Comment", "score"])
    sheet.append(["Nagyon jó volt, köszönöm!", 10])
    sheet.append([None, 3])
    sheet.append(["rossz", 2])
    source = tmp_path / "in.xlsx"
    book.save(source)
    output = tmp_path / "out.csv"
    run(source, output, "--language", "hu", column="comment")  # header matched without case
    rows = read(output)
    assert [(r["score"], r["language"], r["sentiment"]) for r in rows] == [
        ("10", "hu", "positive"),
        ("3", "other", "neutral"),
        ("2", "hu", "negative"),
    ]


def test_missing_column_fails_before_writing(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,comment\n1,good\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    with pytest.raises(CommandError, match="no column 'text'") as caught:
        run(source, output)
    assert caught.value.returncode == 2
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [source]  # no partial file either


def test_missing_input_and_model_errors(tmp_path):
    output = tmp_path / "out.csv"
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "nope.csv", output)
    source = tmp_path / "in.csv"
    source.write_text("text\ngood\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--model"):
        run(source, output, "--model", str(tmp_path / "no-model"))
    assert not output.exists()


def test_malformed_utf8_bytes_are_replaced_not_fatal(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(
        "id,text\n1,غذا خیلی خوشمزه بود ممنون\n".encode()
        + b"2,broken \xff\xfe bytes\n"
        + "3,پیک دیر رسید\n".encode()
    )
    output = tmp_path / "out.csv"
    run(source, output)
    rows = read(output)
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert "\ufffd" in rows[1]["text"] and rows[0]["text"] == "غذا خیلی خوشمزه بود ممنون"
    assert rows[0]["sentiment"] == "positive" and rows[2]["sentiment"] == "negative"


def test_windows_1256_file_still_decoded(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes("text\nالطعام لذيذ جدا وشكرا على الخدمة\n".encode("cp1256"))
    output = tmp_path / "out.csv"
    run(source, output)
    row = read(output)[0]
    assert row["text"] == "الطعام لذيذ جدا وشكرا على الخدمة"
    assert (row["language"], row["sentiment"]) == ("ar", "positive")


@pytest.mark.django_db
def test_topics_from_the_database_taxonomy(tmp_path):
    Topic.objects.create(code="delivery", keywords={"fa": ["پیک"], "en": ["delivery"]})
    Topic.objects.create(code="price", keywords={"en": ["price"]}, is_active=False)
    source = tmp_path / "in.csv"
    source.write_text("text\nپیکتون دیر رسید\nslow delivery and high price\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    run(source, output)
    assert [r["topics"] for r in read(output)] == ["delivery", "delivery"]


def test_progress_bar_only_on_a_terminal(tmp_path, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    source = tmp_path / "in.csv"
    source.write_text("text\ngood\nbad\n", encoding="utf-8")
    err = Terminal()
    call_command("analyze", input=str(source), text_column="text",
                 output=str(tmp_path / "o.csv"), stderr=err)  # fmt: skip
    assert "\ranalyze:" in err.getvalue()
    assert sys.stderr is not err
