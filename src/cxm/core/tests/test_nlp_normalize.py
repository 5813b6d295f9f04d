from cxm.core.nlp.normalize import (
    MAX_CHARS,
    normalize,
    strip_html,
    tokenize,
    truncate,
    variants,
)


def test_arabic_and_persian_letters_fold_to_one_form():
    assert normalize("كيفيت علي") == normalize("کیفیت علی")
    assert normalize("خدمة") == "خدمه"
    assert normalize("أحمد إبراهيم آمد") == "احمد ابراهیم امد"


def test_zwnj_diacritics_and_tatweel_removed():
    assert normalize("می\u200cخواهم") == "میخواهم"
    assert normalize("مُمْتَاز") == "ممتاز"
    assert normalize("عـــالی") == "عالی"


def test_digits_to_ascii():
    assert normalize("۱۲۳ و ٤٥٦") == "123 و 456"


def test_elongations_collapse_by_script():
    assert normalize("خیلیییی خوب") == "خیلی خوب"
    assert normalize("sooooo good") == "soo good"
    # Hungarian double letters stay
    assert normalize("Hosszú ott") == "hosszú ott"


def test_hungarian_accents_preserved_and_case_folded():
    assert normalize("KIVÁLÓ ŐSZINTE ÜGYES") == "kiváló őszinte ügyes"


def test_html_is_stripped_with_scripts_and_entities():
    assert (
        strip_html("<p>Great<br>service &amp; food</p><script>x()</script>")
        == " Great service & food "
    )
    assert normalize("<b>Bad</b> &lt;3") == "bad <3"
    assert strip_html("a < b") == "a < b"


def test_emoji_are_tokens_and_skin_tones_fold():
    assert tokenize(normalize("عالی بود😍👍🏽!!")) == ["عالی", "بود", "😍", "👍", "!"]
    assert tokenize(normalize("ok :) bad :(")) == ["ok", ":)", "bad", ":("]
    assert tokenize(normalize("don't")) == ["don't"]


def test_long_text_is_truncated_at_a_space():
    text = "word " * 30_000  # 150 KB
    cut = truncate(text)
    assert len(cut) <= MAX_CHARS and cut.endswith("word")
    assert len(normalize(text)) <= MAX_CHARS


def test_replacement_characters_do_not_break_normalisation():
    assert tokenize(normalize("bad \ufffd\ufffd byte")) == ["bad", "byte"]


def test_variants_strip_common_affixes():
    assert "کیفیت" in variants("کیفیتش", "fa")
    assert "خدمه" in variants("والخدمه", "ar")
    assert "szállítás" in variants("szállításnál", "hu")
    assert "delivery" in variants("deliveries", "en")
    assert "بد" not in variants("بدید", "fa")  # "give", not "bad": stems keep 3 letters
