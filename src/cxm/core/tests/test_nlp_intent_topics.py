import pytest

from cxm.core.nlp.base import INTENTS, TopicRule
from cxm.core.nlp.intent import classify_intent
from cxm.core.nlp.normalize import normalize, tokenize
from cxm.core.nlp.topics import TopicMatcher, match_topics


def intent(text: str, language: str) -> str:
    found, confidence = classify_intent(tokenize(normalize(text)), language)
    assert found in INTENTS and 0 <= confidence <= 1
    return found


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("لطفا پولمو برگردونید، می\u200cخوام مرجوع کنم", "fa", "return_refund"),
        ("آیا ارسال به شیراز دارید؟", "fa", "inquiry"),
        ("پیشنهاد می\u200cکنم منوی گیاهی اضافه کنید", "fa", "suggestion"),
        ("میخوام دو تا پیتزا سفارش بدم", "fa", "order"),
        ("از پیک شکایت دارم", "fa", "complaint"),
        ("أريد استرجاع المبلغ", "ar", "return_refund"),
        ("هل يوجد توصيل مجاني؟", "ar", "inquiry"),
        ("Szeretném visszakapni a pénzem, kérem a visszatérítést", "hu", "return_refund"),
        ("Mikor érkezik a csomag?", "hu", "inquiry"),
        ("Panaszt szeretnék tenni a futár miatt", "hu", "complaint"),
        ("I want a refund for this broken kettle", "en", "return_refund"),
        ("It would be nice if you could add dark mode", "en", "suggestion"),
        ("I'd like to buy two more of these", "en", "order"),
        ("Thank you, excellent service", "en", "praise"),
        ("The package arrived on Tuesday", "en", "other"),
    ],
)
def test_intents(text, language, expected):
    assert intent(text, language) == expected


def test_sentiment_decides_without_cues():
    from cxm.core.nlp.base import Sentiment

    tokens = tokenize(normalize("it arrived yesterday"))
    assert classify_intent(tokens, "en", Sentiment("negative", -0.8, 0.9))[0] == "complaint"
    assert classify_intent(tokens, "en", Sentiment("positive", 0.8, 0.9))[0] == "praise"
    assert classify_intent([], "en") == ("other", 0.0)


RULES = [
    TopicRule("delivery", {"fa": ("ارسال", "پیک"), "ar": ("توصيل",), "hu": ("szállítás",),
                           "en": ("delivery", "courier")}),
    TopicRule("quality", {"fa": ("کیفیت",), "ar": ("جودة",), "hu": ("minőség",),
                          "en": ("quality",)}),
    TopicRule("price", {"fa": ("قیمت",), "ar": ("سعر",), "hu": ("ár",), "en": ("price",)}),
    TopicRule("customer_service", {"en": ("customer service",), "fa": ("پشتیبانی",)}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("کیفیتش عالی بود ولی پیکتون دیر اومد", "fa", ("delivery", "quality")),
        ("قیمت\u200cها بالاست", "fa", ("price",)),
        ("جودة المنتج ممتازة والتوصيل سريع", "ar", ("delivery", "quality")),
        ("بالسعر المناسب", "ar", ("price",)),
        (
            "A szállításnál gond volt, de a minőséggel elégedett vagyok",
            "hu",
            ("delivery", "quality"),
        ),
        ("Deliveries are slow and the couriers rude", "en", ("delivery",)),
        ("Customer service was helpful", "en", ("customer_service",)),
        ("The service was helpful", "en", ()),  # a two-word keyword needs both words
        ("the priceless moment", "en", ()),  # word boundaries: no match inside another word
    ],
)
def test_topics_with_suffix_tolerance(text, language, expected):
    assert match_topics(text, language, RULES) == expected


def test_other_language_uses_every_language_keywords():
    matcher = TopicMatcher.build(RULES)
    assert matcher.match(tokenize(normalize("delivery")), "other") == ("delivery",)
    assert TopicMatcher.build([]).match(["delivery"], "en") == ()
