from cxm.core.text import clean_text, localize_digits, normalize_search, to_latin_digits


def test_arabic_and_persian_letter_forms_search_equal():
    # ي (U+064A) / ی (U+06CC) and ك (U+0643) / ک (U+06A9) are typed by different keyboards.
    assert normalize_search("علي كريمي") == normalize_search("علی کریمی")


def test_zwnj_tatweel_and_diacritics_are_ignored():
    assert normalize_search("می\u200cخواهم") == normalize_search("میخواهم")
    assert normalize_search("مُحَمَّد") == normalize_search("محمد")
    assert normalize_search("كتـــاب") == normalize_search("کتاب")


def test_hungarian_accents_and_case_fold():
    assert normalize_search("Szőke Ágnes") == normalize_search("szoke agnes")


def test_digit_scripts():
    assert to_latin_digits("۰۹۱۲-٣٤٥") == "0912-345"
    assert localize_digits("1403/05/12", "persian") == "۱۴۰۳/۰۵/۱۲"
    assert localize_digits("12", "arabic") == "١٢"
    assert localize_digits("12", "latin") == "12"
    assert normalize_search("۱۲۳") == "123"


def test_clean_text_collapses_space():
    assert clean_text("  a \n b  ") == "a b"
    assert clean_text(None) == ""
