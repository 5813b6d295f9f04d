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

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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


class ReportLanguage(models.TextChoices):
    FA = "fa", _("Persian")
    AR = "ar", _("Arabic")
    HU = "hu", _("Hungarian")
    EN = "en", _("English")


class Weekday(models.IntegerChoices):
    """Python's numbering (date.weekday())."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def _default_time_zone() -> str:
    return str(settings.TIME_ZONE)


class ReportSchedule(BaseModel):
    """A weekly PDF report of the last full week, e-mailed to `recipients` once a week on
    `weekday` from `hour` (local to `time_zone`). Filters narrow it like the dashboard's.

    `last_sent_period` is the first day of the last week reported by the schedule; the
    sending claims the week with a conditional update, so a week is never sent twice.
    """

    name = models.CharField(_("name"), max_length=100)
    recipients = models.TextField(
        _("recipients"), help_text=_("E-mail addresses, separated by commas or new lines.")
    )
    language = models.CharField(
        _("language"), max_length=2, choices=ReportLanguage.choices, default=ReportLanguage.FA
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, default=Weekday.SATURDAY
    )
    hour = models.PositiveSmallIntegerField(_("hour"), default=8)
    time_zone = models.CharField(_("time zone"), max_length=64, default=_default_time_zone)
    saved_view = models.ForeignKey(
        SavedView,
        verbose_name=_("saved view"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("survey"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.ForeignKey(
        "cxm_channels.Channel",
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    last_sent_period = models.DateField(_("last week sent"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("scheduled report")
        verbose_name_plural = _("scheduled reports")
        constraints = [
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="reportschedule_hour"),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="reportschedule_weekday"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def recipient_list(self) -> list[str]:
        """The addresses, one each, in the order given."""
        return parse_recipients(self.recipients)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError
        from django.core.validators import validate_email

        errors: dict[str, object] = {}
        addresses = self.recipient_list()
        bad = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            errors["recipients"] = _("Not an e-mail address: %(addresses)s") % {
                "addresses": ", ".join(bad)
            }
        elif not addresses:
            errors["recipients"] = _("Give at least one e-mail address.")
        else:
            self.recipients = "\n".join(addresses)
        if self.hour is not None and not 0 <= self.hour <= 23:
            errors["hour"] = _("The hour is a whole number from 0 to 23.")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = _("Unknown time zone “%(zone)s” (e.g. Asia/Tehran).") % {
                "zone": self.time_zone
            }
        if errors:
            raise ValidationError(errors)


def parse_recipients(text: str) -> list[str]:
    """Addresses separated by commas, semicolons or white space, without duplicates."""
    seen: dict[str, None] = {}
    for part in re.split(r"[,;\s]+", text or ""):
        if part.strip():
            seen.setdefault(part.strip(), None)
    return list(seen)
