import pytest

from cxm.core.phones import InvalidPhoneNumber, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "09121234567",
        "+989121234567",
        "00989121234567",
        "0912 123 4567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "(+98) 912-123-4567",
    ],
)
def test_iranian_forms_are_one_number(raw):
    assert normalize_phone(raw) == "+989121234567"


def test_foreign_numbers_keep_their_country():
    assert normalize_phone("+36 30 123 4567") == "+36301234567"
    assert normalize_phone("+971 50 123 4567") == "+971501234567"


@pytest.mark.parametrize("raw", ["123", "abc", "0912", "+98 000"])
def test_invalid_numbers_raise(raw):
    with pytest.raises(InvalidPhoneNumber):
        normalize_phone(raw)


def test_empty_is_empty():
    assert normalize_phone("") == ""
    assert normalize_phone(None) == ""
