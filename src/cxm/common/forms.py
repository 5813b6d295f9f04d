"""Form building blocks: digits in any script, Jalali dates for Persian users."""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cxm.common.i18n import format_date, uses_jalali
from cxm.core.jalali import parse_date
from cxm.core.text import to_latin_digits

_NUMERIC_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)


class LocalizedDateInput(forms.TextInput):
    """A text input that shows the date in the user's calendar (Jalali for `fa`)."""

    input_type = "text"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return format_date(value)
        return super().format_value(value)


class LocalizedDateField(forms.DateField):
    """Accepts `1403/05/12` (Jalali) or `2024-08-02` (Gregorian), in any digits."""

    widget = LocalizedDateInput

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("help_text", _("YYYY/MM/DD"))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "YYYY/MM/DD")
        self.widget.attrs.setdefault("dir", "ltr")
        self.widget.attrs.setdefault("inputmode", "numeric")

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value), prefer_jalali=uses_jalali())
        except ValueError:
            raise ValidationError(_("Enter a valid date as YYYY/MM/DD."), code="invalid") from None


class CxmFormMixin:
    """Every numeric input accepts Persian and Arabic-Indic digits and separators.

    The raw values of numeric fields are converted to ASCII before Django cleans them; text
    fields are left as the user typed them.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        form: Any = self
        if not form.is_bound:
            return
        data = form.data.copy()
        for name, field in form.fields.items():
            if isinstance(field, _NUMERIC_FIELDS):
                key = form.add_prefix(name)
                if key in data and isinstance(data[key], str):
                    data[key] = to_latin_digits(data[key]).replace(",", "")
        form.data = data
        for field in form.fields.values():
            if isinstance(field.widget, forms.TextInput | forms.NumberInput | forms.EmailInput):
                field.widget.attrs.setdefault("class", "input")


class CxmForm(CxmFormMixin, forms.Form):
    pass


class CxmModelForm(CxmFormMixin, forms.ModelForm):
    """A ModelForm whose DateFields become LocalizedDateFields."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, field in list(self.fields.items()):
            if type(field) is forms.DateField:
                replacement = LocalizedDateField(
                    required=field.required, label=field.label, help_text=field.help_text
                )
                replacement.initial = field.initial
                self.fields[name] = replacement
