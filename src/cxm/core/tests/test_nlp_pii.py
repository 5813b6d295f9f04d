import pytest

from cxm.core.nlp.pii import (
    hungarian_personal_id_valid,
    hungarian_taj_valid,
    hungarian_tax_id_valid,
    iranian_national_id_valid,
    luhn_valid,
    redact,
)


def test_luhn_on_published_test_cards():
    # Test card numbers published by Visa and Mastercard for payment integration.
    assert luhn_valid("4111111111111111")
    assert luhn_valid("5555555555554444")
    assert not luhn_valid("4111111111111112")


def test_iranian_national_id_checksum_worked_by_hand():
    # 0,0,1,2,3,4,5,6,7 × weights 10…2 = 112; 112 mod 11 = 2 ≥ 2, so the check digit is 9.
    assert iranian_national_id_valid("0012345679")
    assert not iranian_national_id_valid("0012345678")
    assert not iranian_national_id_valid("1111111111")


def test_hungarian_ids_checksums_worked_by_hand():
    # tax id: 8·1+1·2+2·3+3·4+4·5+5·6+6·7+7·8+8·9 = 248; 248 mod 11 = 6
    assert hungarian_tax_id_valid("8123456786")
    assert not hungarian_tax_id_valid("8123456785")
    # TAJ: 1·3+2·7+3·3+4·7+5·3+6·7+7·3+8·7 = 188; 188 mod 10 = 8
    assert hungarian_taj_valid("123456788")
    assert not hungarian_taj_valid("123456789")
    # personal id 1 850101 123 + check: weights 1…10 give 1+16+15+0+5+0+7+8+18+30 = 100,
    # 100 mod 11 = 1
    assert hungarian_personal_id_valid("18501011231")
    assert not hungarian_personal_id_valid("18501011233")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail me: sara.k+cx@example.co.uk please", "mail me: [email] please"),
        ("شماره من ۰۹۱۲ ۳۴۵ ۶۷۸۹ است", "شماره من [phone] است"),
        ("call +36 30 123 4567 today", "call [phone] today"),
        ("call 0036 1 234 5678", "call [phone]"),
        ("رقمي 00971501234567", "رقمي [phone]"),
        ("card 4111 1111 1111 1111 thanks", "card [card] thanks"),
        ("کارت ۴۱۱۱-۱۱۱۱-۱۱۱۱-۱۱۱۱", "کارت [card]"),
        ("کد ملی 0012345679", "کد ملی [id]"),
        ("adóazonosító 8123456786", "adóazonosító [id]"),
        ("TAJ 123 456 788", "TAJ [id]"),
        # Not PII: order numbers failing every checksum, short numbers, years
        ("order 1234567890123456", "order 1234567890123456"),
        ("سفارش ۱۲۳۴۵ در سال ۱۴۰۳", "سفارش ۱۲۳۴۵ در سال ۱۴۰۳"),
        ("", ""),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected
