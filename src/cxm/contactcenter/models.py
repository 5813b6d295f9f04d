"""Contact-center records: queues, the interactions handled in them, and agent aliases."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxm.common.models import BaseModel


class Queue(BaseModel):
    """A queue of the telephony system (Asterisk's queue name) or of another channel."""

    name = models.CharField(_("name"), max_length=128, unique=True)
    channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queues",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self) -> str:
        return self.name


class AgentAlias(BaseModel):
    """How a telephony system names a user: an agent name or extension ("SIP/1001", "1001").

    Imports match an interaction's agent through these, then by username."""

    alias = models.CharField(_("agent name or extension"), max_length=128, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="agent_aliases",
    )

    class Meta:
        ordering = ["alias"]
        verbose_name = _("agent alias")
        verbose_name_plural = _("agent aliases")

    def __str__(self) -> str:
        return self.alias


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    CHAT = "chat", _("Chat")
    MESSAGE = "message", _("Message")


class InteractionSource(models.TextChoices):
    QUEUE_LOG = "queue_log", _("Asterisk queue_log")
    CDR = "cdr", _("Call detail records")
    API = "api", _("API")


class InteractionOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    ABANDONED = "abandoned", _("Abandoned")
    TIMEOUT = "timeout", _("Timed out")
    EXITED = "exited", _("Left the queue")
    TRANSFERRED = "transferred", _("Transferred")


class Interaction(BaseModel):
    """One contact handled (or not) in a queue. `external_id` identifies it in its source:
    for queue_log imports the Asterisk call id and the queue, "<callid>@<queue>" (a call
    moved between queues is one interaction per queue)."""

    kind = models.CharField(
        _("kind"), max_length=10, choices=InteractionKind.choices, default=InteractionKind.CALL
    )
    source = models.CharField(_("source"), max_length=16, choices=InteractionSource.choices)
    external_id = models.CharField(_("external id"), max_length=200)
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), on_delete=models.PROTECT, related_name="interactions"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    agent_name = models.CharField(_("agent name"), max_length=128, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    arrived_at = models.DateTimeField(_("arrived at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(_("wait (s)"), null=True, blank=True)
    talk_seconds = models.PositiveIntegerField(_("talk (s)"), null=True, blank=True)
    wrap_seconds = models.PositiveIntegerField(_("wrap-up (s)"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=InteractionOutcome.choices, db_index=True
    )
    caller_id = models.CharField(_("caller id"), max_length=64, blank=True)
    disposition = models.CharField(_("disposition"), max_length=200, blank=True)
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    transcript = models.TextField(_("transcript"), blank=True)

    class Meta:
        ordering = ["-arrived_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="interaction_unique_source_external_id"
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True)
                | models.Q(answered_at__gte=models.F("arrived_at")),
                name="interaction_answered_after_arrival",
            ),
        ]
        indexes = [
            models.Index(fields=["queue", "arrived_at"], name="interaction_queue_arrived"),
            models.Index(fields=["customer", "arrived_at"], name="interaction_customer"),
        ]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.external_id}"
