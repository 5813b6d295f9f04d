"""The KPI rollups behind the dashboard, saved dashboard views and KPI goals.

Grain of `DailyKpi` (one row per combination that has answers):
day (local date of `Response.submitted_at`) × survey × question × metric × scale_max ×
channel × touchpoint × stage × team × language, with the answers counted per score
(`c0` … `c10`, enough for NPS 0–10, CSAT 1–3/5/7, CES 1–7 and ratings up to 10) and `n`.
Every dashboard filter and breakdown except segments is a column, so every figure is a
SUM over rollup rows followed by `cxm.core.metrics` on the summed counts.

Responses carry no weights, so Σw = Σw² = count per score; the counts are all the metrics
need (see `ScoreSample`). Two pseudo-metrics share the table, with `question` NULL:
- `responses`: `n` = responses, `invited` = those that came through a personal invitation
  (the numerator of the response rate);
- `page`: `scale_max` = page number, `n` = responses with an answer on that page (drop-off).

Segments are a many-to-many of customers, so a segment column would multiply every row;
`DailySegmentKpi` holds the same grain plus `segment` only for responses of customers in a
segment (each such response counted once per segment), and serves the segment filter and
the segment breakdown. Segment membership is read when a day is rolled up: a later change
of a customer's segments shows after `cxm kpi_rollup --since …`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxm.common.models import BaseModel

SCORE_COLUMNS = tuple(f"c{i}" for i in range(11))


class RollupMetric(models.TextChoices):
    NPS = "nps", "NPS"
    CSAT = "csat", "CSAT"
    CES = "ces", "CES"
    RATING = "rating", _("Rating")
    RESPONSES = "responses", _("Responses")
    PAGE = "page", _("Page")


class _RollupBase(models.Model):
    day = models.DateField()
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(
        "surveys.Question", null=True, on_delete=models.CASCADE, related_name="+"
    )
    metric = models.CharField(max_length=10, choices=RollupMetric.choices)
    scale_max = models.PositiveSmallIntegerField(null=True)
    channel = models.ForeignKey(
        "cxm_channels.Channel", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    stage = models.ForeignKey(
        "journeys.Stage", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=8, blank=True, default="")
    n = models.PositiveIntegerField(db_default=0)
    invited = models.PositiveIntegerField(db_default=0)
    c0 = models.PositiveIntegerField(db_default=0)
    c1 = models.PositiveIntegerField(db_default=0)
    c2 = models.PositiveIntegerField(db_default=0)
    c3 = models.PositiveIntegerField(db_default=0)
    c4 = models.PositiveIntegerField(db_default=0)
    c5 = models.PositiveIntegerField(db_default=0)
    c6 = models.PositiveIntegerField(db_default=0)
    c7 = models.PositiveIntegerField(db_default=0)
    c8 = models.PositiveIntegerField(db_default=0)
    c9 = models.PositiveIntegerField(db_default=0)
    c10 = models.PositiveIntegerField(db_default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.metric} n={self.n}"


class DailyKpi(_RollupBase):
    """Answers per score and day at the dashboard's grain (see the module doc)."""

    class Meta:
        indexes = [
            models.Index(fields=["day", "metric"], name="dailykpi_day"),
            models.Index(fields=["survey", "day"], name="dailykpi_survey_day"),
            models.Index(fields=["touchpoint", "day"], name="dailykpi_touchpoint_day"),
            models.Index(fields=["team", "day"], name="dailykpi_team_day"),
        ]


class DailySegmentKpi(_RollupBase):
    """`DailyKpi` for responses of customers in `segment` (one row set per segment)."""

    segment = models.ForeignKey("customers.Segment", on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [
            models.Index(fields=["day", "metric"], name="dailysegkpi_day"),
            models.Index(fields=["segment", "day"], name="dailysegkpi_segment_day"),
            models.Index(fields=["survey", "day"], name="dailysegkpi_survey_day"),
        ]


class SavedView(BaseModel):
    """A named set of dashboard filters (the query string), private or shared."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_views",
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    shared = models.BooleanField(_("shared with everybody"), default=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name


class GoalKpi(models.TextChoices):
    NPS = "nps", "NPS"
    CSAT = "csat", _("CSAT (%)")
    CES = "ces", _("CES (mean)")
    RESPONSE_RATE = "response_rate", _("Response rate (%)")


class KpiGoal(BaseModel):
    """A target for one KPI, optionally for a unit, a team or a survey, with a deadline."""

    kpi = models.CharField(_("KPI"), max_length=20, choices=GoalKpi.choices)
    target = models.DecimalField(_("target"), max_digits=7, decimal_places=2)
    unit = models.ForeignKey(
        "accounts.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="kpi_goals",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="kpi_goals",
    )
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="kpi_goals",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="kpi_goals",
    )
    deadline = models.DateField(_("deadline"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("KPI goal")
        verbose_name_plural = _("KPI goals")

    def __str__(self) -> str:
        return f"{self.get_kpi_display()} ≥ {self.target}"
