"""`cxm analyze`: language, sentiment, intent and topics for each row of a CSV or XLSX file.

    cxm analyze --input FILE.csv --text-column text --output OUT.csv
                [--model MODEL_DIR] [--language auto|fa|ar|hu|en]

Writes every input row (blank ones included, nothing dropped) plus the columns `language`,
`sentiment`, `sentiment_score`, `intent` and `topics` (codes joined by ";") to a UTF-8 CSV.
Streams: rows are read, analysed and written in batches, so a file of any size runs in
constant memory; the output appears under its name only when complete. Topics come from the
database's active taxonomy when there is one (optional: without a database, or with no
topics, the column stays empty). A text that is not valid UTF-8 in an otherwise UTF-8 file
gets U+FFFD for its bad bytes instead of failing the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandParser

from cxm.common.commands import find_column, unreadable_file
from cxm.common.commands import usage_error as _fail
from cxm.core.nlp.base import LANGUAGES, Analysis, SentimentModel, TopicRule
from cxm.core.spreadsheets import SpreadsheetError, TableReader, cell_text, inspect_table

OUTPUT_COLUMNS = ("language", "sentiment", "sentiment_score", "intent", "topics")
BATCH = 1000
_CHUNK = 1 << 20
# A file is read as UTF-8 with replacement when its valid multi-byte sequences outnumber the
# bad bytes this many times (a few corrupt cells); otherwise it is in another encoding.
_UTF8_MAJORITY = 3


class Command(BaseCommand):
    help = (
        "Analyse the text column of a CSV or XLSX file (first sheet): write the input rows "
        "plus language, sentiment, sentiment_score, intent and topics to a CSV. The default "
        "model needs no downloads; --model loads one saved by `cxm train-sentiment`. "
        "Usage errors (missing file or column, bad model) exit with 2 before writing."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, metavar="FILE", help="a CSV or XLSX file")
        parser.add_argument("--text-column", required=True, metavar="NAME")
        parser.add_argument("--output", required=True, metavar="OUT.csv")
        parser.add_argument("--model", metavar="MODEL_DIR", default=None)
        parser.add_argument(
            "--language", choices=["auto", *LANGUAGES], default="auto", help="default: auto"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from cxm.core.nlp.pipeline import analyze
        from cxm.core.nlp.topics import TopicMatcher

        path = Path(options["input"])
        output = Path(options["output"])
        if not path.is_file():
            raise _fail(f"no such file: {path}" if not path.exists() else f"not a file: {path}")
        if not output.parent.is_dir():
            raise _fail(f"the folder of the output does not exist: {output.parent}")
        model = _load_model(options["model"]) if options["model"] else None
        matcher = TopicMatcher.build(_database_topics())
        language: str = options["language"]
        partial = output.with_name(f".{output.name}.part")
        try:
            with path.open("rb") as raw:
                stream = _readable(raw)
                info = inspect_table(stream, path.name)
                index = find_column(info.headers, options["text_column"])
                width = len(info.headers)
                size = path.stat().st_size
                written = 0
                with (
                    TableReader(stream, info, size=size) as reader,
                    partial.open("w", encoding="utf-8", newline="") as out,
                ):
                    writer = csv.writer(out)
                    writer.writerow([*info.headers, *OUTPUT_COLUMNS])
                    progress = _Progress(self.stderr) if _is_terminal(self.stderr) else None
                    for batch in _batches(reader.rows(), width):
                        texts = [cells[index] for cells in batch]
                        results = analyze(texts, model=model, topics=matcher, language=language)
                        for cells, result in zip(batch, results, strict=True):
                            writer.writerow([*cells, *_columns(result)])
                        written += len(batch)
                        if progress:
                            progress.show(written, reader.fraction_done())
                    if progress:
                        progress.done(written)
            os.replace(partial, output)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise _fail(f"cannot read {path} or write {output}: {exc.strerror or exc}") from None
        except SpreadsheetError as exc:
            partial.unlink(missing_ok=True)
            raise unreadable_file(path, exc) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.stderr.write(f"{written} row(s) analysed -> {output}")


def _columns(result: Analysis) -> list[str]:
    score = round(result.sentiment.score, 4) + 0.0  # no "-0.0"
    return [
        result.language,
        result.sentiment.label,
        format(score, "g"),
        result.intent,
        ";".join(result.topics),
    ]


def _batches(rows: Iterator[tuple[int, list[Any]]], width: int) -> Iterator[list[list[str]]]:
    """Rows as text cells padded to the header's width, blank rows in between kept."""
    batch: list[list[str]] = []
    previous = 1  # the header row
    for number, cells in rows:
        for _blank in range(previous + 1, number):
            batch.append([""] * width)
        previous = number
        texts = [cell_text(cell) for cell in cells[:width]]
        batch.append(texts + [""] * (width - len(texts)))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _load_model(directory: str) -> SentimentModel:
    path = Path(directory)
    if not path.is_dir():
        raise _fail(f"--model: no such model folder: {path}")
    try:
        from cxm.core.nlp.trained import load_model  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise _fail("--model: trained models are not available in this version") from None
    try:
        model: SentimentModel = load_model(str(path))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise _fail(f"--model: cannot load the model in {path}: {exc}") from None
    return model


def _database_topics() -> list[TopicRule]:
    """The active taxonomy when a database with topics is reachable; else no topics."""
    try:
        from cxm.textanalytics.engine import active_topic_rules

        return list(active_topic_rules())
    except Exception:  # no database, no table yet, another engineer's module missing: optional
        return []


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class _Progress:
    """A one-line progress bar on a terminal's stderr."""

    def __init__(self, stderr: Any):
        self.stderr = stderr

    def show(self, rows: int, fraction: float | None) -> None:
        if fraction is None:
            self.stderr.write(f"\ranalyze: {rows:,} rows", ending="")
        else:
            filled = int(fraction * 30)
            bar = "#" * filled + "-" * (30 - filled)
            self.stderr.write(f"\ranalyze: [{bar}] {fraction:4.0%} {rows:,} rows", ending="")
        self.stderr.flush()

    def done(self, rows: int) -> None:
        self.stderr.write(f"\ranalyze: {rows:,} rows done" + " " * 30)


# ----------------------------------------------------------------------- malformed UTF-8


def _readable(raw: IO[bytes]) -> IO[bytes]:
    """`raw`, or a UTF-8-repairing view of it when the file is UTF-8 with a few bad bytes."""
    head = raw.read(4)
    raw.seek(0)
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"PK\x03\x04")):
        return raw  # BOM-marked text decodes strictly; XLSX is a ZIP
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    bad = multibyte = 0
    while chunk := raw.read(_CHUNK):
        text = decoder.decode(chunk)
        bad += text.count("\ufffd")
        multibyte += sum(1 for ch in text if ch > "\x7f" and ch != "\ufffd")
    bad += decoder.decode(b"", final=True).count("\ufffd")
    raw.seek(0)
    if bad and multibyte >= _UTF8_MAJORITY * bad:
        return io.BufferedReader(_Utf8Repaired(raw), buffer_size=_CHUNK)
    return raw


class _Utf8Repaired(io.RawIOBase):
    """Reads `raw` as UTF-8, bad bytes replaced by U+FFFD, and re-encodes it: valid UTF-8."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self._reset()

    def _reset(self) -> None:
        self.raw.seek(0)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = b""
        self._eof = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if offset != 0 or whence != io.SEEK_SET:
            raise io.UnsupportedOperation("only seek(0) is supported")
        self._reset()
        return 0

    def tell(self) -> int:
        return self.raw.tell()  # input position: good enough for progress

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._eof:
            chunk = self.raw.read(_CHUNK)
            if not chunk:
                self._eof = True
                self._pending = self._decoder.decode(b"", final=True).encode("utf-8")
            else:
                self._pending = self._decoder.decode(chunk).encode("utf-8")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size
