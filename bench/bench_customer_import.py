"""Customer import of a 100,000-row CSV: dry run + commit, rows per second and memory.

Figure (issue 3): >= 5,000 rows/s for a 100,000-row CSV on PostgreSQL; memory stays flat
(the file is streamed, never loaded whole).

How it is measured:
- A deterministic CSV (seeded random; Persian, Arabic, Hungarian and English names,
  Iranian and Hungarian phones in national and international forms, e-mails, language,
  lifecycle stage, club tier, segments, an SMS consent column) is written to a temp dir.
- The application path, through the service functions (no HTTP, no task queue):
  `import_job_create` (stores the file, detects encoding and delimiter, suggests the
  mapping), `import_job_set_mapping`, the dry run and the commit (all-or-nothing, one
  transaction, batches of 2,000 through `customers_upsert`). The checked figure,
  `rows_per_second`, is the import itself: the commit, which reads, validates and writes
  every row. The optional dry run before it is reported as `dry_run_rows_per_second`, and
  both together as `with_dry_run_rows_per_second` (`seconds` covers all of it).
  Customers from an earlier run (external ids `BI-…`) are deleted first, so every row is
  created, as on a first import.
- Memory: the resident set size is sampled every 20 ms by a thread during the import;
  `peak_rss_mb_delta` is the peak minus the size just before.
- The reference, in the same run: a plain `csv.reader` over the same file and
  `Customer.objects.bulk_create` (batches of 2,000, no validation, no events) of the same
  rows under external ids `BR-…`. `ratio_to_reference` = our rows/s / reference rows/s.
"""

import csv
import random
import resource
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

NAME = "customer_import"
ROWS = 100_000
TARGET_ROWS_PER_SECOND = 5_000.0
TARGET_RSS_MB = 150.0
PREFIX = "BI-"
REFERENCE_PREFIX = "BR-"


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "محمد علی حسین رضا مهدی زهرا فاطمه مریم نگار سارا کوروش پریسا نیلوفر آرش "
    "أحمد خالد يوسف عمر ليلى نور سلمى هدى "
    "Bence Zsófia Máté Réka László Katalin Őrs Ünige "
    "James Emily Oliver Sophia Daniel Grace"
)
LAST = _words(
    "یزدانی کرمانی محمدی حسینی رضایی کریمی موسوی جعفری صادقی اکبری‌پور "
    "العلي الحسن الخطيب المصري الشامي الكعبي "
    "Nagy Kovács Tóth Szabó Horváth Varga Kőműves "
    "Smith Jones Taylor Brown Wilson Evans"
)
STAGES = ["new", "active", "active", "at_risk", "churned", "won_back", ""]
TIERS = ["", "", "", "bronze", "silver", "gold"]
LANGUAGES = ["fa", "fa", "ar", "hu", "en", ""]
SEGMENTS = ["VIP", "Food delivery", "Telecom", "Tehran", "Budapest", ""]
HEADER = [
    "شناسه",
    "نام",
    "موبایل",
    "ایمیل",
    "language",
    "lifecycle_stage",
    "club_tier",
    "segments",
    "consent_sms",
]


def write_csv(path: Path, rows: int, seed: int = 20260101) -> int:
    """The benchmark file (UTF-8 with BOM, as Excel writes it); returns its size."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if i % 5 == 4:
                phone = f"+36 30 {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
            elif i % 2:
                phone = f"0912{rng.randrange(1_000_000, 9_999_999)}"
            else:
                phone = f"+98 935 {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
            writer.writerow(
                [
                    f"{PREFIX}{i:06d}",
                    f"{first} {last}",
                    phone,
                    f"user{i}@example.com" if i % 3 else "",
                    rng.choice(LANGUAGES),
                    rng.choice(STAGES),
                    rng.choice(TIERS),
                    rng.choice(SEGMENTS),
                    rng.choice(["yes", "no", "", "بله"]),
                ]
            )
    return path.stat().st_size


def _rss_mb() -> float:
    """The current resident set size (Linux /proc), else the peak from getrusage."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * resource.getpagesize() / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _RssSampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.baseline = _rss_mb()
        self.peak = self.baseline
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        self.peak = max(self.peak, _rss_mb())
        return round(self.peak - self.baseline, 1)


def _delete(prefix: str) -> None:
    """Remove an earlier run's customers (not audited: this is the bench's own clean-up)."""
    from auditlog.context import disable_auditlog

    from cxm.customers.models import Customer

    ids = list(Customer.objects.filter(external_id__startswith=prefix).values_list("pk", flat=True))
    with disable_auditlog():
        for start in range(0, len(ids), 10_000):
            Customer.objects.filter(pk__in=ids[start : start + 10_000]).delete()


def run_import(path: Path, *, kind: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create → mapping (as suggested) → dry run → commit (all-or-nothing) through the import
    services, timing each phase and sampling memory. Shared by the import benches."""
    from django.core.files import File

    from cxm.imports import services
    from cxm.imports.models import ImportJob, ImportMode, ImportStatus

    sampler = _RssSampler()
    sampler.start()
    started = time.perf_counter()
    with path.open("rb") as handle:
        job = services.import_job_create(
            kind=kind, upload=File(handle, name=path.name), created_by=None, options=options
        )
    job = services.import_job_set_mapping(
        job=job, mapping=job.mapping, mode=ImportMode.ALL_OR_NOTHING
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.VALIDATING)
    dry_started = time.perf_counter()
    job = services.import_job_run_dry_run(job_id=job.pk)
    dry_seconds = time.perf_counter() - dry_started
    assert job.status == ImportStatus.VALIDATED, job.message
    assert job.invalid_rows == 0, job.invalid_rows
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.IMPORTING)
    commit_started = time.perf_counter()
    job = services.import_job_run_commit(job_id=job.pk)
    commit_seconds = time.perf_counter() - commit_started
    seconds = time.perf_counter() - started
    rss_delta = sampler.stop()
    assert job.status == ImportStatus.DONE, job.message
    job.file.delete(save=False)
    return {
        "seconds": round(seconds, 2),
        "dry_run_seconds": round(dry_seconds, 2),
        "commit_seconds": round(commit_seconds, 2),
        "peak_rss_mb_delta": rss_delta,
        "mapping": job.mapping,
        "encoding": job.encoding,
        "counts": {
            "total": job.total_rows,
            "valid": job.valid_rows,
            "invalid": job.invalid_rows,
            "created": job.created_count,
            "updated": job.updated_count,
            "unchanged": job.unchanged_count,
        },
    }


def import_figures(
    *, name: str, rows: int, file_bytes: int, ours: dict[str, Any], reference: dict[str, Any]
) -> dict[str, Any]:
    """The result of an import bench and its checks (rate of the import, flat memory).

    The import itself is the commit: it reads, validates and writes every row. The dry run
    is an optional preview before it; the end-to-end figure counts both.
    """
    from django.db import connection

    rows_per_second = round(rows / ours["commit_seconds"], 1)
    return {
        "name": name,
        "database": connection.vendor,
        "rows": rows,
        "file_bytes": file_bytes,
        "seconds": ours["seconds"],
        "rows_per_second": rows_per_second,
        "dry_run_rows_per_second": round(rows / ours["dry_run_seconds"], 1),
        "with_dry_run_rows_per_second": round(rows / ours["seconds"], 1),
        "peak_rss_mb_delta": ours["peak_rss_mb_delta"],
        "details": ours,
        "reference": reference,
        "ratio_to_reference": round(rows_per_second / reference["rows_per_second"], 3),
        "checks": [
            {
                "metric": "import_rows_per_second",
                "value": rows_per_second,
                "target": TARGET_ROWS_PER_SECOND,
                "better": "higher",
                "unit": "rows/s",
                "reference": reference["rows_per_second"],
            },
            {
                "metric": "peak_rss_mb_delta",
                "value": ours["peak_rss_mb_delta"],
                "target": TARGET_RSS_MB,
                "better": "lower",
                "unit": "MB",
            },
        ],
    }


def _reference(path: Path) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from cxm.customers.models import Customer

    started = time.perf_counter()
    now = timezone.now()
    rows = 0
    with path.open(encoding="utf-8-sig", newline="") as handle, transaction.atomic():
        reader = csv.reader(handle)
        next(reader)
        batch: list[Customer] = []
        for cells in reader:
            batch.append(
                Customer(
                    external_id=REFERENCE_PREFIX + cells[0],
                    name=cells[1],
                    phone=cells[2][:20],
                    email=cells[3],
                    created_at=now,
                    updated_at=now,
                )
            )
            rows += 1
            if len(batch) >= 2000:
                Customer.objects.bulk_create(batch)
                batch.clear()
        if batch:
            Customer.objects.bulk_create(batch)
    seconds = time.perf_counter() - started
    return {
        "what": "csv.reader + Customer.objects.bulk_create, batches of 2,000, no validation",
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds, 1),
    }


def run() -> dict[str, Any]:
    _delete(PREFIX)
    _delete(REFERENCE_PREFIX)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "customers-100k.csv"
        size = write_csv(path, ROWS)
        ours = run_import(path, kind="customers")
        reference = _reference(path)
    _delete(REFERENCE_PREFIX)
    return import_figures(name=NAME, rows=ROWS, file_bytes=size, ours=ours, reference=reference)
