"""Forms of the working-calendar pages. They validate input; saving goes through services."""

import datetime as dt
import zoneinfo
from typing import Any

import jdatetime
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cxm.common.forms import CxmForm, LocalizedDateField
from cxm.common.i18n import uses_jalali
from cxm.core.business_time import WEEKDAYS, CalendarError, check_day, parse_day_text
from cxm.core.text import to_latin_digits
from cxm.sla.services import official_countries

WEEKDAY_LABELS = {
    "sat": gettext_lazy("Saturday"),
    "sun": gettext_lazy("Sunday"),
    "mon": gettext_lazy("Monday"),
    "tue": gettext_lazy("Tuesday"),
    "wed": gettext_lazy("Wednesday"),
    "thu": gettext_lazy("Thursday"),
    "fri": gettext_lazy("Friday"),
}


def day_text(intervals: list[list[str]]) -> str:
    """`[["08:00","12:00"],["13:00","16:00"]]` → `08:00-12:00, 13:00-16:00`."""
    return ", ".join(f"{a}-{b}" for a, b in intervals)


def _time_zones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class CalendarForm(CxmForm):
    """Name, time zone and, per weekday, intervals typed as `08:00-12:00, 13:00-16:00`."""

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    timezone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=_time_zones)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for day in WEEKDAYS:
            self.fields[day] = forms.CharField(
                label=WEEKDAY_LABELS[day],
                required=False,
                help_text=_("e.g. 08:00-12:00, 13:00-16:00; empty: day off"),
                widget=forms.TextInput(
                    attrs={"dir": "ltr", "class": "input", "placeholder": "08:00-16:00"}
                ),
            )

    @classmethod
    def initial_for(cls, calendar: Any) -> dict[str, Any]:
        initial = {"name": calendar.name, "timezone": calendar.timezone}
        initial["is_active"] = calendar.is_active
        for day in WEEKDAYS:
            initial[day] = day_text(calendar.week.get(day, []))
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        week: dict[str, list[list[str]]] = {}
        for day in WEEKDAYS:
            text = to_latin_digits(data.get(day) or "")
            try:
                intervals = parse_day_text(text, day=day)
                check_day(day, intervals)
            except CalendarError as exc:
                self.add_error(day, str(exc))
                continue
            week[day] = intervals
        if not self.errors and not any(week.values()):
            raise forms.ValidationError(_("Enter working hours for at least one day."))
        data["week"] = week
        return data


class HolidayForm(CxmForm):
    date = LocalizedDateField(label=gettext_lazy("Date"))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255, required=False)


class LoadHolidaysForm(CxmForm):
    """A country and a year: Jalali (e.g. 1405) below 1700, Gregorian (e.g. 2026) above."""

    country = forms.ChoiceField(label=gettext_lazy("Country"), choices=())
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        help_text=gettext_lazy("A Jalali year (1405) or a Gregorian one (2026)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["country"]
        field.choices = list(official_countries().items())
        if not self.is_bound:
            today = jdatetime.date.today() if uses_jalali() else dt.date.today()
            self.initial.setdefault("year", today.year)

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if not (1300 <= year <= 1500 or 1950 <= year <= 2100):
            raise forms.ValidationError(_("Enter a Jalali year (1300–1500) or a Gregorian one."))
        return year

    def span(self) -> tuple[list[int], tuple[dt.date, dt.date] | None]:
        """Gregorian years to ask the library for, and the dates of a Jalali year."""
        year: int = self.cleaned_data["year"]
        if year > 1500:
            return [year], None
        first = jdatetime.date(year, 1, 1).togregorian()
        last = jdatetime.date(year + 1, 1, 1).togregorian() - dt.timedelta(days=1)
        return [first.year, last.year], (first, last)


class UploadForm(CxmForm):
    file = forms.FileField(label=gettext_lazy("File"))


class CalendarImportForm(UploadForm):
    name = forms.CharField(label=gettext_lazy("Name of the new calendar"), max_length=200)
