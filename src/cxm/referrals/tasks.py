"""Background tasks of referrals (django-tasks): invite the promoters of a batch of
responses, and send due invitations (quiet hours, retries). Ids only; idempotent."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from cxm.referrals import services


@task()
def invite_promoters(response_ids: list[int]) -> dict[str, int]:
    """Queue the promoters of these responses and send their invitations now."""
    counts: dict[str, int] = {}
    ids = list(response_ids)
    for start in range(0, len(ids), services.BATCH):
        queued = services.promoter_invites_queue(response_ids=ids[start : start + services.BATCH])
        if queued:
            sent = services.referral_invites_send_due(now=timezone.now(), ids=queued)
            for status, n in sent.items():
                counts[status] = counts.get(status, 0) + n
    return counts


@task()
def send_due_invites() -> dict[str, int]:
    """Send invitations that waited (quiet hours, a provider asking to retry later)."""
    return services.referral_invites_send_due(now=timezone.now())
