"""`cxm train-sentiment`: CSV and XLSX end to end, per-language report, and bad input
(exit status 2, a clear message, nothing written). Synthetic fixtures; no database."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from cxm.core.nlp.trained import load_model

POSITIVE = {
    "en": ["great", "lovely", "fast", "friendly", "perfect", "tasty"],
    "hu": ["remek", "kedves", "gyors", "finom", "kiváló", "szuper"],
}
NEGATIVE = {
    "en": ["awful", "cold", "late", "rude", "broken", "bland"],
    "hu": ["rossz", "hideg", "késett", "goromba", "törött", "sótlan"],
}


def rows(n_per_class: int = 25, seed: int = 3) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    out = []
    for language, glue in (("en", "and"), ("hu", "és")):
        for label, words in (("Positive", POSITIVE), ("NEGATIVE", NEGATIVE)):
            for i in range(n_per_class):
                a, b = rng.sample(words[language], 2)
                out.append((f"{i} {a} {glue} {b}", label, language))
    rng.shuffle(out)
    return out


def write_csv(
    path: Path, data: Sequence[tuple[str, ...]], header=("text", "label", "lang")
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(data)
    return path


def train(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("train-sentiment", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_csv_end_to_end_with_detected_languages(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "labels.csv", rows())
    output = tmp_path / "model"
    text = train(
        "--input",
        str(source),
        "--text-column",
        "text",
        "--label-column",
        "label",
        "--output",
        str(output),
    )
    assert "evaluated on 20 held-out rows" in text
    lines = {
        line.split()[0]: line.split()
        for line in text.splitlines()
        if line[:3] in ("all", "en ", "hu ")
    }
    assert set(lines) == {"all", "en", "hu"}
    assert float(lines["all"][3]) >= 0.9  # macro-F1 on held-out synthetic rows
    manifest = json.loads((output / "manifest.json").read_text())
    assert manifest["languages"] == ["en", "hu"]
    assert manifest["metrics"]["held_out"]["all"]["n"] == 20
    model = load_model(output)
    result = model.predict(["kiváló és finom", "rude and broken"], ["hu", "en"])
    assert [r.label for r in result] == ["positive", "negative"]


def test_xlsx_with_a_language_column(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.create_sheet("labels", 0)
    sheet.append(["Comment", "Sentiment", "Language"])
    for row in rows():
        sheet.append(list(row))
    source = tmp_path / "labels.xlsx"
    book.save(source)
    text = train(
        "--input",
        str(source),
        "--text-column",
        "comment",
        "--label-column",
        "sentiment",
        "--language-column",
        "language",
        "--output",
        str(tmp_path / "m"),
    )
    assert "written to" in text
    assert load_model(tmp_path / "m").languages == ("en", "hu")


def expect_error(tmp_path: Path, source: Path, message: str, *extra: str) -> None:
    output = tmp_path / "out"
    with pytest.raises(CommandError, match=message) as caught:
        train(
            "--input",
            str(source),
            "--text-column",
            "text",
            "--label-column",
            "label",
            "--output",
            str(output),
            *extra,
        )
    assert caught.value.returncode == 2
    assert not output.exists()


def test_unknown_labels_name_the_rows(tmp_path: Path) -> None:
    data = rows()
    data[0] = (data[0][0], "great", "en")
    data[6] = (data[6][0], "", "en")
    expect_error(tmp_path, write_csv(tmp_path / "f.csv", data), r"2 unknown label.*rows 2, 8")


def test_single_class_and_too_few_rows(tmp_path: Path) -> None:
    only_positive = [r for r in rows() if r[1] == "Positive"]
    expect_error(tmp_path, write_csv(tmp_path / "a.csv", only_positive), "only one class")
    few = [r for r in rows() if r[1] == "Positive"] + [("awful and cold", "negative", "en")] * 5
    expect_error(
        tmp_path, write_csv(tmp_path / "b.csv", few), "too few rows per class.*negative: 5"
    )


def test_missing_file_column_and_empty_text(tmp_path: Path) -> None:
    expect_error(tmp_path, tmp_path / "nope.csv", "no such file")
    bad_header = write_csv(tmp_path / "c.csv", rows(), header=("body", "label", "lang"))
    expect_error(tmp_path, bad_header, "no column 'text'")
    data = rows()
    data[2] = ("🙂 10/10", data[2][1], "en")
    expect_error(tmp_path, write_csv(tmp_path / "d.csv", data), "no text to learn from: rows 4")
    data = rows()
    data[9] = (data[9][0], data[9][1], "xx")
    expect_error(
        tmp_path,
        write_csv(tmp_path / "e.csv", data),
        "unknown language code.*'xx'.*rows 11",
        "--language-column",
        "lang",
    )


def test_does_not_overwrite_a_directory_that_is_not_a_model(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError, match="not a model directory"):
        train(
            "--input",
            str(write_csv(tmp_path / "f.csv", rows())),
            "--text-column",
            "text",
            "--label-column",
            "label",
            "--output",
            str(target),
        )
    assert (target / "notes.txt").read_text() == "keep me"
