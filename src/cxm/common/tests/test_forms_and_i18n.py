import datetime as dt

import pytest
from django import forms
from django.utils import translation

from cxm.common.forms import CxmForm, LocalizedDateField
from cxm.common.i18n import activate_digits, format_date, format_number


class SampleForm(CxmForm):
    count = forms.IntegerField()
    amount = forms.DecimalField(decimal_places=2)
    day = LocalizedDateField()
    note = forms.CharField(required=False)


@pytest.mark.parametrize(
    ("count", "amount"), [("۱۲", "۳٫۵"), ("١٢", "٣٫٥"), ("12", "3.5"), ("۱,۲", "3.50")]
)
def test_numeric_inputs_accept_persian_and_arabic_digits(count, amount):
    with translation.override("en"):
        form = SampleForm({"count": count, "amount": amount, "day": "2024-03-20", "note": "۱۲"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["count"] == 12
    assert str(form.cleaned_data["amount"]) in {"3.5", "3.50"}
    assert form.cleaned_data["note"] == "۱۲"  # text stays as typed


def test_jalali_input_for_persian_users():
    with translation.override("fa"):
        form = SampleForm({"count": "1", "amount": "1", "day": "۱۴۰۳/۰۱/۰۱"})
        assert form.is_valid(), form.errors
    # 1 Farvardin 1403 = 20 March 2024 (Iran Calendar Center).
    assert form.cleaned_data["day"] == dt.date(2024, 3, 20)


def test_invalid_date_message():
    with translation.override("en"):
        form = SampleForm({"count": "1", "amount": "1", "day": "1403/14/40"})
        assert not form.is_valid()
        assert "Enter a valid date as YYYY/MM/DD." in form.errors["day"]


def test_format_date_per_language_and_digits():
    day = dt.date(2024, 3, 20)
    with translation.override("fa"):
        activate_digits("")
        assert format_date(day) == "۱۴۰۳/۰۱/۰۱"
        activate_digits("latin")
        assert format_date(day) == "1403/01/01"
    with translation.override("ar"):
        activate_digits("arabic")
        assert format_date(day).replace("\u200f", "") == "٢٠/٠٣/٢٠٢٤"  # Django adds RLM marks
    with translation.override("en"):
        activate_digits("")
        assert "2024" in format_date(day)
        assert format_number(1234567) == "1,234,567"
    activate_digits("")


def test_jalali_widget_shows_jalali_value():
    with translation.override("fa"):
        activate_digits("")
        form = SampleForm(initial={"day": dt.date(2024, 3, 20)})
        assert "۱۴۰۳/۰۱/۰۱" in str(form["day"])
