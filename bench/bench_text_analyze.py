"""Text pipeline throughput on one core, and the default model's accuracy on the dev files.

Figure (issue 6): `cxm analyze` with the default model does >= 2,000 comments/s on one core.

How it is measured:
- 20,000 synthetic comments (a fixed-seed mix of Persian, Arabic, Hungarian, English and
  Finglish sentences built here from short phrase lists, with emoji, digits, HTML, elongation
  and empty rows; no dev data) are written to a CSV; the process is pinned to one CPU.
- `pipeline_comments_per_s`: `cxm.core.nlp.pipeline.analyze` over the texts in batches of
  1,000 with a five-topic taxonomy (language id, normalisation, sentiment, intent, topics).
- `command_comments_per_s` (the checked figure): the whole `cxm analyze` command on the CSV
  (reading, analysis, writing the output CSV).
- Reference, same run: normalisation + tokenisation alone over the same texts.
- Accuracy: when ../shared/data/sentiment/{fa,ar,hu,en}.dev.csv exist (read at run time,
  never copied), the default model's accuracy and macro-F1 per language, a neutral
  prediction counted as an error (the dev sets are binary). Reported, no target.
"""

from __future__ import annotations

import csv
import os
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

NAME = "text_analyze"
TARGET_PER_S = 2000.0
COMMENTS = 20_000
BATCH = 1000
DEV_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sentiment"

_PHRASES = {
    "fa": (
        ["غذا", "پیک", "سفارش", "پیتزا", "برنج", "کیفیت", "بسته\u200cبندی", "قیمت", "پشتیبانی"],
        ["خیلی", "واقعا", "اصلا", "کمی", ""],
        ["خوب بود", "عالی بود", "سرد بود", "دیر رسید", "خوشمزه نبود", "بد نبود", "افتضاح بود"],
        [
            "ممنون",
            "ولی گرون بود",
            "لطفا پیگیری کنید",
            "پولمو پس بدید",
            "آیا ارسال رایگان دارید؟",
            "",
        ],
    ),
    "ar": (
        ["الطعام", "التوصيل", "الطلب", "المنتج", "الخدمة", "السعر", "الجودة", "الموظف"],
        ["جدا", "كثير", "مره", ""],
        ["ممتاز", "سيء", "بارد", "متأخر", "رائع", "ما عجبني", "لذيذ"],
        ["شكرا", "لكن السعر غالي", "أريد استرجاع المبلغ", "هل يوجد توصيل مجاني؟", ""],
    ),
    "hu": (
        ["az étel", "a futár", "a rendelés", "a termék", "az ügyfélszolgálat", "az ár", "a film"],
        ["nagyon", "kicsit", "igazán", ""],
        ["jó volt", "rossz volt", "hideg volt", "késett", "nem volt jó", "kiváló", "unalmas"],
        ["köszönöm", "de drága", "szeretném visszakapni a pénzem", "mikor érkezik?", ""],
    ),
    "en": (
        ["the food", "the delivery", "my order", "the product", "support", "the price", "the app"],
        ["very", "really", "not", "so", ""],
        ["good", "great", "cold", "late", "terrible", "amazing", "broken"],
        ["thanks", "but too expensive", "I want a refund", "when will it arrive?", ""],
    ),
    "finglish": (
        ["ghaza", "peyk", "sefaresh"],
        ["kheili", "vaghean", ""],
        ["khoob bood", "sard bood", "dir resid", "bad bood"],
        ["mersi", "vali geroon bood", ""],
    ),
}
_DECORATIONS = ["", "", "", " 😍", " 😡", " 👍", "!!!", " <b>!</b>", " 09121234567", " sooooo"]
_TOPICS: Any = None


def _topics() -> Any:
    from cxm.core.nlp.base import TopicRule

    return [
        TopicRule("food", {"fa": ("غذا", "پیتزا", "برنج"), "ar": ("طعام",), "hu": ("étel",),
                           "en": ("food",)}),
        TopicRule("delivery", {"fa": ("پیک", "ارسال"), "ar": ("توصيل",), "hu": ("futár",),
                               "en": ("delivery",)}),
        TopicRule("price", {"fa": ("قیمت", "گرون"), "ar": ("سعر", "غالي"), "hu": ("ár", "drága"),
                            "en": ("price", "expensive")}),
        TopicRule("quality", {"fa": ("کیفیت",), "ar": ("جودة",), "hu": ("minőség",),
                              "en": ("quality",)}),
        TopicRule("support", {"fa": ("پشتیبانی",), "ar": ("خدمة", "موظف"),
                              "hu": ("ügyfélszolgálat",), "en": ("support",)}),
    ]  # fmt: skip


def synthetic_comments(count: int = COMMENTS, seed: int = 6) -> list[str]:
    """A fixed mix: 40 % fa, 20 % ar, 15 % hu, 20 % en, 4 % Finglish, 1 % empty."""
    rng = random.Random(seed)
    weights = {"fa": 40, "ar": 20, "hu": 15, "en": 20, "finglish": 4}
    languages = rng.choices(list(weights), weights=list(weights.values()), k=count)
    texts = []
    for language in languages:
        if rng.random() < 0.01:
            texts.append("")
            continue
        subjects, intensifiers, predicates, tails = _PHRASES[language]
        parts = [rng.choice(subjects), rng.choice(intensifiers), rng.choice(predicates)]
        if rng.random() < 0.5:
            parts.append(rng.choice(tails))
        if rng.random() < 0.3:  # a second clause makes lengths vary
            parts += [rng.choice(subjects), rng.choice(predicates)]
        texts.append(" ".join(p for p in parts if p) + rng.choice(_DECORATIONS))
    return texts


@contextmanager
def one_core() -> Iterator[None]:
    """Pin the process to one CPU while measuring (Linux); a no-op elsewhere."""
    if not hasattr(os, "sched_getaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(before)})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def measure_throughput(texts: list[str]) -> dict[str, Any]:
    from django.core.management import call_command

    from cxm.core.nlp.normalize import normalize, tokenize
    from cxm.core.nlp.pipeline import analyze
    from cxm.core.nlp.topics import TopicMatcher

    matcher = TopicMatcher.build(_topics())
    analyze(texts[:200], topics=matcher)  # warm: model load, caches
    with one_core():
        started = time.perf_counter()
        for text in texts:
            tokenize(normalize(text))
        reference_s = time.perf_counter() - started
        started = time.perf_counter()
        for start in range(0, len(texts), BATCH):
            analyze(texts[start : start + BATCH], topics=matcher)
        pipeline_s = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as folder:
            source, target = Path(folder) / "comments.csv", Path(folder) / "out.csv"
            with source.open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(["id", "text"])
                writer.writerows((i, t) for i, t in enumerate(texts, 1))
            started = time.perf_counter()
            call_command(
                "analyze", input=str(source), text_column="text", output=str(target),
                stderr=open(os.devnull, "w"),  # noqa: SIM115
            )  # fmt: skip
            command_s = time.perf_counter() - started
            with target.open(encoding="utf-8") as produced:
                rows_out = sum(1 for _ in produced) - 1
    return {
        "comments": len(texts),
        "rows_written": rows_out,
        "normalise_per_s": _rate(len(texts), reference_s),
        "pipeline_per_s": _rate(len(texts), pipeline_s),
        "command_per_s": _rate(len(texts), command_s),
    }


def dev_accuracy() -> dict[str, Any]:
    """Accuracy and macro-F1 of the default model per language on the dev files (binary)."""
    from cxm.core.nlp.default_model import DefaultSentimentModel

    if not DEV_DATA.is_dir():
        return {"skipped": f"no development data at {DEV_DATA}"}
    model = DefaultSentimentModel()
    figures: dict[str, Any] = {}
    for language in ("fa", "ar", "hu", "en"):
        path = DEV_DATA / f"{language}.dev.csv"
        if not path.is_file():
            figures[language] = {"skipped": f"no {path.name}"}
            continue
        with path.open(encoding="utf-8", newline="") as source:
            rows = [(r["text"], r["label"]) for r in csv.DictReader(source)]
        predicted = [s.label for s in model.predict([t for t, _ in rows], [language] * len(rows))]
        gold = [label for _, label in rows]
        f1s = []
        for label in ("negative", "positive"):
            tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == label)
            fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p == label != g)
            fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label != p)
            f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        figures[language] = {
            "n": len(rows),
            "accuracy": round(
                sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(rows), 3
            ),
            "macro_f1": round(sum(f1s) / 2, 3),
            "neutral_share": round(predicted.count("neutral") / len(rows), 3),
        }
    return figures


def run() -> dict[str, Any]:
    texts = synthetic_comments()
    speed = measure_throughput(texts)
    accuracy = dev_accuracy()
    return {
        **speed,
        "default_model_dev_accuracy": accuracy,
        "checks": [
            {
                "metric": "analyze_command_comments_per_s",
                "value": speed["command_per_s"],
                "target": TARGET_PER_S,
                "better": "higher",
                "unit": "/s",
                "reference": speed["normalise_per_s"],
            },
            {
                "metric": "pipeline_comments_per_s",
                "value": speed["pipeline_per_s"],
                "target": TARGET_PER_S,
                "better": "higher",
                "unit": "/s",
                "reference": speed["normalise_per_s"],
            },
            {
                "metric": "rows_kept",
                "value": speed["rows_written"],
                "target": speed["comments"],
                "better": "higher",
            },
        ],
    }
