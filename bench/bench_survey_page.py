"""The public survey page: server time and weight of a complete Persian NPS survey.

Figure (issue 4): survey page server response p95 < 50 ms; a complete Persian NPS survey
page < 100 KB.

How it is measured:
- The survey of bench_response_import ("Bench NPS", relationship NPS in four languages);
  200 personal invitations `bench-page` are made once and reused.
- Django's WSGI application behind a real HTTP server on 127.0.0.1 (the LiveServer of
  bench_customer_list); http.client, a fresh connection per request; 5 warm-up requests,
  then 100 timed GETs of personal links (each a different invitation, in Persian) and 100
  of the anonymous link.
- Weight: the HTML of the first page plus every stylesheet, script and font it loads
  (linked, or named by its inline style), in bytes.
- The reference, in the same run: a GET of /healthz (the smallest page through the same
  stack), so the figure can be read as a ratio on a noisy machine.
"""

import re
from typing import Any

from bench.bench_customer_list import LiveServer, percentiles
from bench.bench_response_import import _survey

NAME = "survey_page"
WARMUP = 5
REQUESTS = 100
INVITATIONS = 200
TARGET_MS = 50.0
TARGET_KB = 100.0


def _invitation_paths(survey: Any) -> list[str]:
    from django.urls import reverse

    from cxm.surveys import services
    from cxm.surveys.models import Invitation

    existing = list(
        Invitation.objects.filter(survey=survey, event="bench-page").values_list("token", flat=True)
    )
    while len(existing) < INVITATIONS:
        invitation = services.invitation_create(survey=survey, language="fa")
        Invitation.objects.filter(pk=invitation.pk).update(event="bench-page")
        existing.append(invitation.token)
    return [reverse("survey_public:invitation", args=[token]) for token in existing]


def _timed(server: LiveServer, paths: list[str]) -> list[float]:
    samples = []
    for i in range(WARMUP + REQUESTS):
        status, body, ms = server.get(paths[i % len(paths)], {})
        if status != 200:
            raise RuntimeError(f"GET {paths[i % len(paths)]}: {status} {body[:300]!r}")
        if i >= WARMUP:
            samples.append(ms)
    return samples


def run() -> dict[str, Any]:
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("this bench needs PostgreSQL (set DATABASE_URL or let it start one)")
    survey = _survey()
    personal = _invitation_paths(survey)
    anonymous = [f"/s/p/{survey.public_slug}/?lang=fa"]
    with LiveServer() as server:
        reference = percentiles(_timed(server, ["/healthz"]))
        personal_ms = percentiles(_timed(server, personal))
        anonymous_ms = percentiles(_timed(server, anonymous))
        _status, html, _ms = server.get(personal[0], {})
        weight = len(html)
        # Linked files and files the inline style loads (the Persian font).
        assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
        assets += re.findall(rb'url\(["\']?(/static/[^"\')]+)', html)
        for asset in assets:
            _status, body, _ = server.get(asset.decode(), {})
            weight += len(body)
            if asset.endswith(b".css"):
                for font in re.findall(rb"url\(['\"]?([^'\")]+\.woff2)", body):
                    url = font.decode()
                    if not url.startswith("/"):
                        url = asset.decode().rsplit("/", 1)[0] + "/" + url
                    _s, font_body, _ = server.get(url, {})
                    weight += len(font_body)
    kilobytes = round(weight / 1024, 1)
    return {
        "name": NAME,
        "personal_link": personal_ms,
        "anonymous_link": anonymous_ms,
        "healthz_reference": reference,
        "page_kb": kilobytes,
        "assets": [a.decode() for a in assets],
        "checks": [
            {
                "metric": "personal link p95",
                "value": personal_ms["p95_ms"],
                "target": TARGET_MS,
                "better": "lower",
                "unit": "ms",
                "reference": reference["p95_ms"],
            },
            {
                "metric": "anonymous link p95",
                "value": anonymous_ms["p95_ms"],
                "target": TARGET_MS,
                "better": "lower",
                "unit": "ms",
                "reference": reference["p95_ms"],
            },
            {
                "metric": "Persian NPS page weight",
                "value": kilobytes,
                "target": TARGET_KB,
                "better": "lower",
                "unit": "KB",
            },
        ],
    }
