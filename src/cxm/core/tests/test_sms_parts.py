"""SMS part counts against 3GPP TS 23.038/23.040: GSM-7 160/153 septets, UCS-2 70/67 units."""

import pytest

from cxm.core.sms_parts import SmsParts, count_sms_parts, sms_encoding


@pytest.mark.parametrize(
    ("length", "parts"),
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_gsm7_limits(length: int, parts: int) -> None:
    assert count_sms_parts("a" * length) == SmsParts("GSM-7", length, parts)


@pytest.mark.parametrize(
    ("length", "parts"),
    [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)],
)
def test_persian_text_is_ucs2(length: int, parts: int) -> None:
    assert count_sms_parts("س" * length) == SmsParts("UCS-2", length, parts)


def test_a_persian_survey_invitation() -> None:
    text = "مشتری گرامی، لطفاً با پاسخ به نظرسنجی ما را یاری کنید: https://cxm.example/s/ab12"
    result = count_sms_parts(text)
    assert result.encoding == "UCS-2"
    assert result.units == len(text)
    assert result.parts == 2  # 84 characters: more than 70, at most 134


def test_one_non_gsm_character_switches_the_whole_text_to_ucs2() -> None:
    # Hungarian ő and ű are not in the GSM alphabet (ö and ü are).
    assert sms_encoding("Köszönjük a válaszát") == "UCS-2"  # á is not GSM either
    assert sms_encoding("Tschüs, Ärger, ñ") == "GSM-7"
    assert sms_encoding("Kérjük, értékelje: " + "ő") == "UCS-2"
    assert sms_encoding("۱۲۳") == "UCS-2"  # Persian digits


def test_extension_characters_cost_two_septets() -> None:
    assert count_sms_parts("€" * 80) == SmsParts("GSM-7", 160, 1)
    assert count_sms_parts("€" * 81) == SmsParts("GSM-7", 162, 2)
    assert count_sms_parts("{}[]") == SmsParts("GSM-7", 8, 1)


def test_an_escape_pair_is_not_split_between_parts() -> None:
    assert count_sms_parts("a" * 152 + "€" + "a").parts == 1  # 155 septets fit one SMS
    # 306 septets would fit 2 parts of 153 if the pair could be split; it cannot, so 3 parts.
    assert count_sms_parts("a" * 152 + "€" + "a" * 152).parts == 3


def test_emoji_count_as_surrogate_pairs() -> None:
    assert count_sms_parts("🙂" * 35) == SmsParts("UCS-2", 70, 1)
    assert count_sms_parts("🙂" * 36) == SmsParts("UCS-2", 72, 2)


def test_empty_text() -> None:
    assert count_sms_parts("") == SmsParts("GSM-7", 0, 0)
