"""`cxm train-sentiment`: train a sentiment model on labelled comments and save it.

    cxm train-sentiment --input FILE.csv --text-column text --label-column label
                        --output MODEL_DIR [--language-column NAME] [--seed N]

Reads a CSV or XLSX file (first sheet) with `cxm.core.spreadsheets`; labels are negative,
neutral or positive (any case). Languages come from `--language-column` or, without it, from
the pipeline's language identification. A stratified 20 % is held out: the model trained on
the other 80 % is evaluated on it (accuracy and macro-F1 per language, printed), then the
model is refitted on all rows and written with those held-out figures in its manifest.
Bad input (missing file or column, unknown labels, empty texts, one class, fewer than 20
rows of a class) exits with 2 and writes nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cxm.common.commands import find_column, unreadable_file
from cxm.common.commands import usage_error as _fail
from cxm.core.nlp.base import LANGUAGES, OTHER_LANGUAGE, SENTIMENTS
from cxm.core.nlp.language import detect_language
from cxm.core.nlp.normalize import has_letters
from cxm.core.nlp.trained import (
    MIN_PER_CLASS,
    TrainingError,
    check_trainable,
    evaluate,
    save_model,
    stratified_split,
    train_sentiment,
)
from cxm.core.spreadsheets import SpreadsheetError, TableReader, cell_text, inspect_table

HELD_OUT = 0.2


def _rows_listed(rows: list[int]) -> str:
    return ", ".join(str(r) for r in rows[:20]) + (", …" if len(rows) > 20 else "")


def _cell(cells: list[Any], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cell_text(cells[index])


class Command(BaseCommand):
    help = (
        "Train a sentiment model from a CSV or XLSX file of texts labelled negative, neutral "
        "or positive; hold out a stratified 20 % to report accuracy and macro-F1 per "
        "language, then save the model (trained on all rows) to MODEL_DIR for "
        "`cxm analyze --model`. Bad input exits with 2 and writes nothing."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, metavar="FILE", help="a CSV or XLSX file")
        parser.add_argument("--text-column", required=True, metavar="NAME")
        parser.add_argument("--label-column", required=True, metavar="NAME")
        parser.add_argument("--output", required=True, metavar="MODEL_DIR")
        parser.add_argument(
            "--language-column",
            metavar="NAME",
            default=None,
            help=f"languages ({', '.join(LANGUAGES)}); default: detected from the text",
        )
        parser.add_argument("--seed", type=int, default=0, help="split and training seed")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        occupied = output.exists() and (not output.is_dir() or any(output.iterdir()))
        if occupied and not (output / "manifest.json").is_file():
            raise _fail(f"--output {output} exists and is not a model directory")
        numbers, texts, raw_labels, raw_languages = self._read(
            Path(options["input"]),
            options["text_column"],
            options["label_column"],
            options["language_column"],
        )
        labels = [label.strip().lower() for label in raw_labels]
        unknown = [numbers[i] for i, label in enumerate(labels) if label not in SENTIMENTS]
        if unknown:
            raise _fail(
                f"{len(unknown)} unknown label(s) in column {options['label_column']!r} "
                f"(expected negative, neutral or positive): rows {_rows_listed(unknown)}"
            )
        empty = [numbers[i] for i, text in enumerate(texts) if not has_letters(text)]
        if empty:
            listed = _rows_listed(empty)
            raise _fail(f"{len(empty)} row(s) with no text to learn from: rows {listed}")
        languages = [
            (lang.strip().lower() if lang and lang.strip() else detect_language(text))
            for text, lang in zip(texts, raw_languages, strict=True)
        ]
        try:
            check_trainable(labels, MIN_PER_CLASS)
        except TrainingError as exc:
            raise _fail(str(exc)) from None
        seed: int = options["seed"]
        train, test = stratified_split(labels, languages, test_size=HELD_OUT, seed=seed)

        def pick(values: list[str], rows: list[int]) -> list[str]:
            return [values[i] for i in rows]

        held_model = train_sentiment(
            pick(texts, train), pick(labels, train), pick(languages, train), seed=seed
        )
        held_out = evaluate(
            held_model, pick(texts, test), pick(labels, test), pick(languages, test)
        )
        self._report(held_out, len(train), len(test))
        model = train_sentiment(texts, labels, languages, seed=seed)
        model.metrics = {"held_out": held_out, "rows": len(texts), "held_out_share": HELD_OUT}
        self._write(model, output)
        self.stdout.write(f"model {model.version} written to {output}")

    def _read(
        self, path: Path, text_column: str, label_column: str, language_column: str | None
    ) -> tuple[list[int], list[str], list[str], list[str]]:
        """Row numbers (as a spreadsheet shows them), texts, labels and languages."""
        if not path.exists():
            raise _fail(f"no such file: {path}")
        if not path.is_file():
            raise _fail(f"not a file: {path}")
        numbers: list[int] = []
        texts: list[str] = []
        labels: list[str] = []
        languages: list[str] = []
        try:
            with path.open("rb") as stream:
                info = inspect_table(stream, path.name)
                text_index = find_column(info.headers, text_column)
                label_index = find_column(info.headers, label_column)
                language_index = (
                    find_column(info.headers, language_column) if language_column else None
                )
                with TableReader(stream, info, size=path.stat().st_size) as reader:
                    for number, cells in reader.rows():
                        numbers.append(number)
                        texts.append(_cell(cells, text_index))
                        labels.append(_cell(cells, label_index))
                        languages.append(_cell(cells, language_index))
        except OSError as exc:
            raise _fail(f"cannot read {path}: {exc.strerror or exc}") from None
        except SpreadsheetError as exc:
            raise unreadable_file(path, exc) from None
        if not texts:
            raise _fail(f"{path} has no data rows")
        known = {*LANGUAGES, OTHER_LANGUAGE, ""}
        unknown = [i for i, lang in enumerate(languages) if lang.strip().lower() not in known]
        if unknown:
            codes = ", ".join(sorted({repr(languages[i]) for i in unknown})[:5])
            raise _fail(
                f"unknown language code(s) {codes} in column {language_column!r} at rows "
                f"{_rows_listed([numbers[i] for i in unknown])}; "
                f"use {', '.join(LANGUAGES)} or {OTHER_LANGUAGE}"
            )
        return numbers, texts, labels, languages

    def _report(self, held_out: dict[str, dict[str, float]], n_train: int, n_test: int) -> None:
        self.stdout.write(f"trained on {n_train} rows, evaluated on {n_test} held-out rows")
        self.stdout.write(f"{'language':<10}{'n':>6}{'accuracy':>10}{'macro-F1':>10}")
        for language, figures in held_out.items():
            self.stdout.write(
                f"{language:<10}{figures['n']:>6}{figures['accuracy']:>10.3f}"
                f"{figures['macro_f1']:>10.3f}"
            )

    def _write(self, model: Any, output: Path) -> None:
        """Write into a fresh sibling directory, then swap it in: never a half-written model."""
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".train-", dir=output.parent))
        try:
            save_model(model, staging)
            if output.exists():
                shutil.rmtree(output)
            staging.rename(output)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
