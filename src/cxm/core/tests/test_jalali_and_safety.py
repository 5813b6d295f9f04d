import datetime as dt
import subprocess
import sys

import pytest

from cxm.core.jalali import format_jalali, parse_date
from cxm.core.spreadsheet_safety import neutralize_cell


def test_known_jalali_dates():
    # Nowruz 1403 fell on 20 March 2024 (Iran Calendar Center); 1 Farvardin 1400 = 21 March 2021.
    assert format_jalali(dt.date(2024, 3, 20)) == "1403/01/01"
    assert parse_date("1400/01/01", prefer_jalali=True) == dt.date(2021, 3, 21)


def test_parse_accepts_persian_digits_and_gregorian():
    assert parse_date("۱۴۰۳/۰۱/۰۱", prefer_jalali=True) == dt.date(2024, 3, 20)
    assert parse_date("2024-03-20", prefer_jalali=True) == dt.date(2024, 3, 20)
    with pytest.raises(ValueError):
        parse_date("1403/13/01", prefer_jalali=True)
    with pytest.raises(ValueError):
        parse_date("yesterday", prefer_jalali=False)


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x","y")', "+cmd", "@SUM(A1)", "-2+3", "\t=1"])
def test_formulas_are_neutralised(cell):
    assert neutralize_cell(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["plain", "-5", "+98912", 12, None, ""])
def test_plain_values_untouched(cell):
    assert neutralize_cell(cell) == cell


def test_core_imports_no_django():
    code = (
        "import importlib, pkgutil, sys, cxm.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'cxm.core.'):\n"
        "    '.tests' in m.name or importlib.import_module(m.name)\n"
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
