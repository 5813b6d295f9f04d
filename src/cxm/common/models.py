"""Base model shared by the domain apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Creation and modification times on every domain row (UTC, aware)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ScheduledRun(models.Model):
    """One slot of a periodic job that a scheduler claimed and enqueued (cxm.common.scheduler).

    The unique (job, slot_start) pair is the lock: the scheduler that inserts the row is the
    one that enqueues the task, so a slot runs once however many schedulers tick.
    """

    job = models.CharField(_("job"), max_length=100)
    slot_start = models.DateTimeField(_("slot start"))
    enqueued_at = models.DateTimeField(_("enqueued at"))
    task_result_id = models.CharField(_("task result"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "slot_start"], name="scheduledrun_job_slot")
        ]
        indexes = [models.Index(fields=["slot_start"], name="scheduledrun_slot")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot_start.isoformat()}"
