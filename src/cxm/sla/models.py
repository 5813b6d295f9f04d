"""Working calendars: the business hours and holidays that service-level clocks count in.

The week is stored in the product's JSON format (`cxm.core.business_time`), always
normalised: all seven weekday keys, intervals sorted. Holidays are rows, so each can carry
a name and its source and be edited on its own. Every change to a calendar or its holidays
moves `updated_at`, which the case SLA clock uses as the version of its compiled calendar.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxm.common.models import BaseModel
from cxm.core.business_time import Calendar, CalendarError

DEFAULT_TIMEZONE = "Asia/Tehran"


class WorkingCalendar(BaseModel):
    """Business hours in one time zone, e.g. "Tehran office" or "Budapest office"."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TIMEZONE)
    week = models.JSONField(
        _("working week"),
        default=dict,
        help_text=_('Per weekday a list of local intervals, e.g. {"sat": [["08:00", "16:00"]]}.'),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Validate time zone and week with the core; store the week normalised."""
        try:
            core = Calendar.from_dict({"timezone": self.timezone, "week": self.week})
        except CalendarError as exc:
            raise ValidationError({"week": str(exc)}) from None
        self.week = core.to_dict()["week"]

    def to_core(self) -> Calendar:
        """The core calendar with its holidays (one query for the holiday dates)."""
        core = Calendar.from_dict({"timezone": self.timezone, "week": self.week})
        dates = frozenset(self.holidays.values_list("date", flat=True))
        return Calendar(timezone=core.timezone, week=core.week, holidays=dates)

    def export_dict(self) -> dict[str, Any]:
        """The calendar in the product's JSON format (what `cxm sla-deadline` reads)."""
        return self.to_core().to_dict()


class HolidaySource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    LIBRARY = "library", _("Official holidays")
    ICS = "ics", _("iCalendar import")


class Holiday(BaseModel):
    """A local date with no working time in one calendar."""

    calendar = models.ForeignKey(
        WorkingCalendar,
        verbose_name=_("calendar"),
        on_delete=models.CASCADE,
        related_name="holidays",
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=255, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=HolidaySource.choices, default=HolidaySource.MANUAL
    )

    class Meta:
        ordering = ["calendar_id", "date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="holiday_calendar_date")
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}".strip()
