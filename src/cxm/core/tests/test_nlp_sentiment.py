import pytest

from cxm.core.nlp.base import NEUTRAL_UNKNOWN, SentimentModel
from cxm.core.nlp.default_model import DefaultSentimentModel

MODEL = DefaultSentimentModel()


def label(text: str, language: str) -> str:
    return MODEL.predict([text], [language])[0].label


def test_implements_the_protocol_with_a_version():
    assert isinstance(MODEL, SentimentModel)
    assert MODEL.version.startswith("default-")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("غذا خیلی خوشمزه بود، ممنون", "fa", "positive"),
        ("پیک دیر رسید و غذا سرد بود", "fa", "negative"),
        ("اصلا خوب نبود", "fa", "negative"),  # negation after the adjective
        ("بد نبود", "fa", "positive"),
        ("نپسندیدم", "fa", "negative"),  # negative verb prefix
        ("غذا خوب بود ولی پیک افتضاح بود", "fa", "negative"),  # "but" clause weighs more
        ("kheili khoob bood mersi", "fa", "positive"),
        ("المنتج ممتاز وأنصح به", "ar", "positive"),
        ("الخدمة سيئة جدا", "ar", "negative"),
        ("ما عجبني", "ar", "negative"),
        ("ليس جيدا", "ar", "negative"),
        ("Nagyon jó volt, köszönöm!", "hu", "positive"),
        ("Borzalmasan unalmas film.", "hu", "negative"),
        ("Nem volt jó.", "hu", "negative"),
        ("Egyáltalán nem rossz", "hu", "positive"),
        ("Great service, thank you!", "en", "positive"),
        ("The food was cold and the driver was rude.", "en", "negative"),
        ("It was not good at all", "en", "negative"),
        ("not bad", "en", "positive"),
        ("The pizza was great but the delivery was terrible", "en", "negative"),
        ("arrived today 😡", "en", "negative"),
        ("The package arrived on Tuesday", "en", "neutral"),
    ],
)
def test_labels(text, language, expected):
    assert label(text, language) == expected


def test_intensifier_strengthens_the_score():
    plain, strong = MODEL.predict(["good", "very good"], ["en", "en"])
    assert strong.score > plain.score > 0


def test_scores_and_confidence_are_bounded():
    for sentiment in MODEL.predict(["!!!! terrible awful worst 😡😡😡 " * 20], ["en"]):
        assert -1 <= sentiment.score <= 1 and 0 <= sentiment.confidence <= 1
        assert sentiment.label == "negative"


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "12345", "!!!"])
def test_no_letters_is_neutral_with_zero_confidence(text):
    assert MODEL.predict([text], ["other"]) == [NEUTRAL_UNKNOWN]


def test_length_mismatch_is_an_error():
    with pytest.raises(ValueError):
        MODEL.predict(["a"], [])
