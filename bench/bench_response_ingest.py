"""Bulk ingestion of survey responses through the REST API: responses per second.

Figure (issue 4): bulk ingestion >= 5,000 responses/s through the API, on PostgreSQL.

How it is measured:
- The survey of bench_response_import ("Bench NPS", relationship NPS with a follow-up rule
  NPS <= 6, in four languages) and its 2,000 bench customers; responses of an earlier run
  (external ids `RA-…`) are deleted first, so every item is new.
- Ten POST requests of 10,000 items each to /api/v1/responses/bulk/ (token auth), through
  Django's WSGI application behind a real HTTP server on 127.0.0.1 (the LiveServer of
  bench_customer_list), with http.client. Items carry an NPS score, a reason in fa/ar/hu/en,
  a channel code, a language and, for a third, a customer external id. The clock covers the
  whole requests, JSON encoding of the body included.
- The reference, in the same run: a plain `bulk_create` of the same Response and Answer rows
  (no validation, no HTTP, no follow-ups or rollups), external ids `RB-…`.
"""

import datetime as dt
import http.client
import json
import random
import time
from typing import Any

from bench.bench_customer_list import LiveServer
from bench.bench_response_import import CUSTOMER_PREFIX, CUSTOMERS, REASONS, _delete, _survey

NAME = "response_ingest"
REQUESTS = 10
PER_REQUEST = 10_000
TARGET = 5_000.0
PREFIX = "RA-"
REFERENCE_PREFIX = "RB-"


def _items(survey_id: int, request: int, rng: random.Random) -> list[dict[str, Any]]:
    now = dt.datetime.now(dt.UTC)
    items = []
    for i in range(PER_REQUEST):
        n = request * PER_REQUEST + i
        language = rng.choice(["fa", "fa", "ar", "hu", "en"])
        item: dict[str, Any] = {
            "survey": survey_id,
            "external_id": f"{PREFIX}{n:07d}",
            "submitted_at": (now - dt.timedelta(minutes=n % 500_000)).isoformat(),
            "channel": rng.choice(["sms", "email", "web"]),
            "language": language,
            "answers": {
                "nps": rng.choices(range(11), weights=[2, 1, 1, 2, 2, 4, 6, 10, 14, 16, 14])[0],
                "reason": rng.choice(REASONS),
            },
        }
        if n % 3 == 0:
            item["customer_external_id"] = f"{CUSTOMER_PREFIX}{n % CUSTOMERS:05d}"
        items.append(item)
    return items


def _post(port: int, token: str, body: bytes) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request(
            "POST",
            "/api/v1/responses/bulk/",
            body=body,
            headers={
                "Host": "127.0.0.1",
                "Content-Type": "application/json",
                "Authorization": f"Token {token}",
            },
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _reference(survey: Any, batches: list[list[dict[str, Any]]]) -> float:
    """Seconds for a plain bulk_create of the same responses and answers."""
    from django.db import transaction
    from django.utils.dateparse import parse_datetime

    from cxm.surveys.models import Answer, Response

    questions = {q.key: q for q in survey.questions.all()}
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with transaction.atomic():
        for batch in batches:
            responses = Response.objects.bulk_create(
                [
                    Response(
                        survey=survey,
                        external_id=REFERENCE_PREFIX + item["external_id"][3:],
                        submitted_at=parse_datetime(item["submitted_at"]) or now,
                        language=item["language"],
                    )
                    for item in batch
                ],
                batch_size=2000,
            )
            Answer.objects.bulk_create(
                [
                    Answer(
                        response=r,
                        question=questions["nps"],
                        number_value=item["answers"]["nps"],
                        scale_max=10,
                    )
                    for r, item in zip(responses, batch, strict=True)
                ],
                batch_size=2000,
            )
    return time.perf_counter() - started


def run() -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from cxm.accounts.models import User
    from cxm.accounts.roles import Role

    if connection.vendor != "postgresql":
        raise RuntimeError("this bench needs PostgreSQL (set DATABASE_URL or let it start one)")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100 * 1024 * 1024  # 10,000 items per request
    survey = _survey()
    _delete(PREFIX)
    _delete(REFERENCE_PREFIX)
    user, _ = User.objects.get_or_create(
        username="bench-ingest", defaults={"role": Role.ADMINISTRATOR}
    )
    token, _ = Token.objects.get_or_create(user=user)
    rng = random.Random(20261123)
    batches = [_items(survey.pk, r, rng) for r in range(REQUESTS)]
    created = 0
    with LiveServer() as server:
        started = time.perf_counter()
        for batch in batches:
            status, body = _post(server.port, token.key, json.dumps({"items": batch}).encode())
            if status != 200:
                raise RuntimeError(f"bulk ingest: {status} {body[:500]!r}")
            created += json.loads(body)["created"]
        seconds = time.perf_counter() - started
    total = REQUESTS * PER_REQUEST
    reference_seconds = _reference(survey, batches)
    _delete(REFERENCE_PREFIX)
    rate = round(total / seconds, 1)
    reference_rate = round(total / reference_seconds, 1)
    return {
        "name": NAME,
        "responses": total,
        "created": created,
        "requests": REQUESTS,
        "seconds": round(seconds, 2),
        "rows_per_second": rate,
        "reference": {
            "what": "Response + Answer bulk_create of the same rows, no HTTP or validation",
            "seconds": round(reference_seconds, 2),
            "rows_per_second": reference_rate,
        },
        "ratio_to_reference": round(rate / reference_rate, 3),
        "checks": [
            {
                "metric": "api_responses_per_second",
                "value": rate,
                "target": TARGET,
                "better": "higher",
                "unit": "responses/s",
                "reference": reference_rate,
            }
        ],
    }
