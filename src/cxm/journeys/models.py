"""Customer journey maps: a journey has ordered stages, stages have ordered touchpoints,
touchpoints carry pain points found there.

Positions are dense (0, 1, 2 …) within their parent; only the services in
`cxm.journeys.services` change them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxm.common.models import BaseModel


class Journey(BaseModel):
    """One customer journey, e.g. "ordering food" or "activating a SIM card"."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("owner unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="journeys",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")

    def __str__(self) -> str:
        return self.name


class Stage(BaseModel):
    """A step of the journey, from first contact to the end of the relationship."""

    journey = models.ForeignKey(
        Journey, verbose_name=_("journey"), on_delete=models.CASCADE, related_name="stages"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["journey_id", "position", "id"]
        indexes = [models.Index(fields=["journey", "position"], name="stage_journey_position")]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return self.name


class Touchpoint(BaseModel):
    """Where the customer meets the organisation during a stage, on one channel."""

    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.CASCADE, related_name="touchpoints"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=200)
    channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("channel"),
        on_delete=models.PROTECT,
        related_name="touchpoints",
    )
    owner_unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("owning unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="touchpoints",
    )
    customer_expectation = models.TextField(
        _("customer expectation"),
        blank=True,
        help_text=_("What the customer expects at this touchpoint, in their words."),
    )
    service_level = models.CharField(
        _("target service level"),
        max_length=200,
        blank=True,
        # xgettext:no-python-format
        help_text=_("For example: 80% of calls answered within 20 seconds."),
    )
    target_response_minutes = models.PositiveIntegerField(
        _("target response time (minutes)"), null=True, blank=True
    )

    class Meta:
        ordering = ["stage_id", "position", "id"]
        indexes = [models.Index(fields=["stage", "position"], name="touchpoint_stage_position")]
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")

    def __str__(self) -> str:
        return self.name


class Severity(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


class PainPoint(BaseModel):
    """A problem customers meet at a touchpoint, with how bad it is and the evidence."""

    touchpoint = models.ForeignKey(
        Touchpoint,
        verbose_name=_("touchpoint"),
        on_delete=models.CASCADE,
        related_name="pain_points",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MEDIUM
    )
    evidence = models.TextField(
        _("evidence"),
        blank=True,
        help_text=_("The data behind it: complaint counts, survey comments, call statistics."),
    )
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    is_resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        ordering = ["is_resolved", "-severity", "id"]
        verbose_name = _("pain point")
        verbose_name_plural = _("pain points")

    def __str__(self) -> str:
        return self.title
