import datetime as dt
from collections.abc import Collection
from typing import Any

from django.apps import AppConfig
from django.db import transaction
from django.utils.translation import gettext_lazy as _


def _on_responses_saved(sender: Any, response_ids: Collection[int], **kwargs: Any) -> None:
    """Cheap: only enqueue the invitation task after the responses' transaction commits."""
    if not response_ids:
        return
    from cxm.referrals.models import ReferralInviteRule

    ids = list(response_ids)

    def enqueue() -> None:
        # One indexed query, after commit: skip the task when no rule is active.
        if ReferralInviteRule.objects.filter(is_active=True).exists():
            from cxm.referrals import tasks

            tasks.invite_promoters.enqueue(ids)

    transaction.on_commit(enqueue)


class ReferralsConfig(AppConfig):
    name = "cxm.referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from cxm.common.scheduler import register_periodic
        from cxm.referrals import models, tasks
        from cxm.surveys.signals import responses_saved

        responses_saved.connect(_on_responses_saved, dispatch_uid="referrals.responses_saved")
        auditlog.register(models.ReferralInviteRule)
        register_periodic(
            "referrals.send_due_invites", dt.timedelta(minutes=15), tasks.send_due_invites
        )
