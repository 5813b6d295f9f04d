"""Survey response import of a 100,000-row CSV: dry run + commit, rows per second, memory.

Figure (issue 4): bulk ingestion >= 5,000 responses/s through the CSV import, on PostgreSQL;
memory stays flat (the file is streamed).

How it is measured (mirrors bench_customer_import):
- A demo-like relationship NPS survey ("Bench NPS", template relationship_nps in four
  languages) is created in the bench database if missing, with a follow-up rule NPS <= 6 →
  a problem follow-up survey, so the follow-up pass runs as it would in production.
  2,000 customers `RBC-…` exist (created once); a third of the rows name one of them.
- A deterministic CSV (seeded random): response id, customer, Jalali or ISO date, channel
  code, language, the NPS question headed by its Persian text, and a reason in
  fa/ar/hu/en. UTF-8 with BOM, as Excel writes it.
- The application path, through the service functions (no HTTP, no task queue):
  `import_job_create` (options {"survey": id}), `import_job_set_mapping`, dry run, commit
  (all-or-nothing, one transaction, batches of 2,000 through `responses_upsert`). The
  checked figure, `rows_per_second`, is the commit; the dry run is reported beside it.
  Responses of an earlier run (external ids `RI-…`) are deleted first, so every row is new.
- Memory: resident set size sampled every 20 ms during the import; the peak minus the start.
- The reference, in the same run: `csv.reader` over the same file and `bulk_create` of
  Response + Answer rows (batches of 2,000, no validation), external ids `RR-…`.
"""

import csv
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_customer_import import import_figures, run_import

NAME = "response_import"
ROWS = 100_000
PREFIX = "RI-"
REFERENCE_PREFIX = "RR-"
CUSTOMER_PREFIX = "RBC-"
CUSTOMERS = 2_000
SURVEY_NAME = "Bench NPS"
REASONS = [
    "ارسال سریع بود",
    "پشتیبانی پاسخ نداد",
    "الخدمة ممتازة",
    "Gyors és pontos",
    "Too expensive",
    "",
    "",
]
LANGUAGES = ["fa", "fa", "ar", "hu", "en"]
CHANNELS = ["sms", "email", "web", ""]


def _survey() -> Any:
    from cxm.channels.models import Channel
    from cxm.customers.models import Customer
    from cxm.surveys import services
    from cxm.surveys.followups import followup_rule_create
    from cxm.surveys.models import Survey, SurveyStatus

    for code, kind in (("sms", "sms"), ("email", "email"), ("web", "web")):
        Channel.objects.get_or_create(code=code, defaults={"kind": kind})
    survey = Survey.objects.filter(name=SURVEY_NAME).first()
    if survey is None:
        languages = ["fa", "ar", "hu", "en"]
        survey = services.survey_create_from_template(
            template="relationship_nps", name=SURVEY_NAME, languages=languages
        )
        survey = services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)
        followup = services.survey_create_from_template(
            template="problem_followup", name=f"{SURVEY_NAME} follow-up", languages=languages
        )
        followup = services.survey_set_status(survey=followup, status=SurveyStatus.ACTIVE)
        followup_rule_create(
            survey=survey, question_key="nps", condition={"lte": 6}, followup_survey=followup
        )
    if not Customer.objects.filter(external_id__startswith=CUSTOMER_PREFIX).exists():
        Customer.objects.bulk_create(
            [
                Customer(external_id=f"{CUSTOMER_PREFIX}{i:05d}", name=f"Bench {i}")
                for i in range(CUSTOMERS)
            ]
        )
    return survey


def write_csv(path: Path, rows: int, nps_header: str, seed: int = 20260401) -> int:
    """The benchmark file (UTF-8 with BOM); returns its size."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["شناسه", "customer_external_id", "تاریخ", "channel", "language", nps_header, "reason"]
        )
        for i in range(rows):
            day = rng.randrange(1, 29)
            if i % 2:
                hour, minute = rng.randrange(24), rng.randrange(60)
                moment = f"1403/{rng.randrange(1, 13):02d}/{day:02d} {hour:02d}:{minute:02d}"
            else:
                moment = (
                    f"2025-{rng.randrange(1, 13):02d}-{day:02d}T{rng.randrange(24):02d}:15:00+03:30"
                )
            customer = f"{CUSTOMER_PREFIX}{rng.randrange(CUSTOMERS):05d}" if i % 3 == 0 else ""
            writer.writerow(
                [
                    f"{PREFIX}{i:06d}",
                    customer,
                    moment,
                    rng.choice(CHANNELS),
                    rng.choice(LANGUAGES),
                    rng.choice(range(11)),
                    rng.choice(REASONS),
                ]
            )
    return path.stat().st_size


def _delete(prefix: str) -> None:
    from django.db import connection

    from cxm.surveys.models import Answer, Invitation, Response

    ids = Response.objects.filter(external_id__startswith=prefix).values("pk")
    Invitation.objects.filter(source_response__in=ids).delete()
    Answer.objects.filter(response__in=ids).delete()
    Response.objects.filter(external_id__startswith=prefix).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE surveys_response; ANALYZE surveys_answer")


def _application(path: Path, survey: Any) -> dict[str, Any]:
    """The shared import run, plus the follow-up invitations the rule created."""
    from cxm.surveys.models import Invitation

    invitations_before = Invitation.objects.count()
    ours = run_import(path, kind="responses", options={"survey": survey.pk})
    ours["followup_invitations"] = Invitation.objects.count() - invitations_before
    return ours


def _reference(path: Path, survey: Any) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from cxm.surveys.models import Answer, Response

    questions = dict(survey.questions.values_list("key", "pk"))
    started = time.perf_counter()
    now = timezone.now()
    rows = 0
    with path.open(encoding="utf-8-sig", newline="") as handle, transaction.atomic():
        reader = csv.reader(handle)
        next(reader)
        batch: list[tuple[Response, list[str]]] = []

        def flush() -> None:
            created = Response.objects.bulk_create([r for r, _cells in batch])
            answers = []
            for response, (_r, cells) in zip(created, batch, strict=True):
                answers.append(
                    Answer(
                        response=response,
                        question_id=questions["nps"],
                        number_value=int(cells[5]),
                        scale_max=10,
                    )
                )
                if cells[6]:
                    answers.append(
                        Answer(
                            response=response, question_id=questions["reason"], text_value=cells[6]
                        )
                    )
            Answer.objects.bulk_create(answers)
            batch.clear()

        for cells in reader:
            response = Response(
                survey_id=survey.pk,
                external_id=REFERENCE_PREFIX + cells[0],
                language=cells[4],
                submitted_at=now,
                source="import",
                created_at=now,
                updated_at=now,
            )
            batch.append((response, cells))
            rows += 1
            if len(batch) >= 2000:
                flush()
        if batch:
            flush()
    seconds = time.perf_counter() - started
    return {
        "what": "csv.reader + Response/Answer bulk_create, batches of 2,000, no validation",
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds, 1),
    }


def run() -> dict[str, Any]:
    survey = _survey()
    nps_header = survey.questions.get(key="nps").texts["fa"]
    _delete(PREFIX)
    _delete(REFERENCE_PREFIX)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "responses-100k.csv"
        size = write_csv(path, ROWS, nps_header)
        ours = _application(path, survey)
        reference = _reference(path, survey)
    _delete(REFERENCE_PREFIX)
    return import_figures(name=NAME, rows=ROWS, file_bytes=size, ours=ours, reference=reference)
