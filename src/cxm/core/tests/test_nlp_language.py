import pytest

from cxm.core.nlp.language import detect_language, detect_languages, is_finglish


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("سفارشم خیلی دیر رسید و غذا سرد بود", "fa"),
        ("الطلب وصل متأخر والأكل بارد جدا", "ar"),
        ("A rendelés késett, az étel hideg volt.", "hu"),
        ("The order was late and the food was cold.", "en"),
        ("sooooo good", "en"),
        # Finglish: Persian in Latin letters
        ("kheili bad bood", "fa"),
        ("mersi", "fa"),
        ("ghaza sard bood vali peyk khoob bood", "fa"),
        # Mixed scripts: a Persian comment with an English brand name is Persian
        ("گوشی Samsung Galaxy خیلی خوبه", "fa"),
        # Other languages and no letters
        ("Le service était très mauvais et la livraison en retard", "other"),
        ("Das Essen war kalt und die Lieferung kam zu spät", "other"),
        ("Доставка опоздала", "other"),
        ("😀😀👍", "other"),
        ("12345 !!!", "other"),
        ("", "other"),
        (None, "other"),
    ],
)
def test_detect_language(text, expected):
    assert detect_language(text) == expected


def test_persian_and_arabic_told_apart_by_letters_when_short():
    # Short texts the statistical model is unsure about: گ/ک/ی are Persian, ة/ي are Arabic.
    assert detect_language("گرونه") == "fa"
    assert detect_language("خدمة سيئة") == "ar"


def test_finglish_needs_marker_words():
    assert is_finglish("kheili khoob bood mamnoon")
    assert not is_finglish("the hotel was fine")
    assert not is_finglish("")


def test_detect_languages_keeps_order():
    assert detect_languages(["good morning to you all", "", "صبح بخیر دوستان"]) == [
        "en",
        "other",
        "fa",
    ]
