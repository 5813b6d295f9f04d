"""Intent of a comment by multilingual keyword rules: complaint, inquiry, return_refund,
order, praise, suggestion or other, with a confidence.

Each intent has cue words and phrases per language (matched on normalised tokens, with the
same affix tolerance as the lexicons). The strongest cue wins; the specific, actionable
intents (return/refund, order, suggestion, inquiry) outrank complaint and praise when both
are present, because a routing rule needs "I want my money back" more than "this is bad".
Without any cue, clear negative sentiment reads as a complaint and clear positive as praise.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from cxm.core.nlp.base import Sentiment
from cxm.core.nlp.normalize import normalize, tokenize, variants

# Priority when several intents have cues: first wins on a tie of strength.
_PRIORITY = ("return_refund", "order", "suggestion", "inquiry", "complaint", "praise")
_CUES: dict[str, dict[str, str]] = {
    "return_refund": {
        "fa": "مرجوع مرجوعی برگشت_پول بازگشت_وجه استرداد عودت پس_بدم پس_دادم پس_بگیرم "
        "پولمو پولم_را برگردونید برگردانید تعویض عوض_کنم لغو_سفارش کنسل کنسلی بازپرداخت",
        "ar": "استرجاع استرداد ارجاع إرجاع ارجع ارجاع_المبلغ استبدال تبديل فلوسي اموالي "
        "أموالي رد_المبلغ استرجاع_المبلغ الغاء_الطلب إلغاء_الطلب الغاء",
        "hu": "visszatérítés visszatérít visszaküld visszakül visszaad pénzem_vissza "
        "pénzemet csere kicserél elállás elállok lemondom lemond visszavásárl",
        "en": "refund refunded refunds money_back return_it returned returning exchange "
        "replacement reimburse reimbursement chargeback cancel_my_order cancellation",
    },
    "order": {
        "fa": "میخوام_بخرم میخواهم_بخرم خرید_کنم ثبت_سفارش سفارش_بدم سفارش_بدهم بخرم "
        "پیش_خرید رزرو موجود_میشه موجودی",
        "ar": "اريد_شراء أريد_شراء ابغى_اشتري ابي_اشتري اطلب أطلب طلبية شراء اشتري حجز "
        "احجز متوفر توفر",
        "hu": "rendelni megrendel szeretnék_venni vásárolni megvenném megveszem foglal "
        "lefoglal elérhető készleten",
        "en": "buy purchase order_online place_an_order want_to_order would_like_to_order "
        "in_stock pre_order preorder book_a reserve subscribe",
    },
    "suggestion": {
        "fa": "پیشنهاد پیشنهادم بهتره بهتر_است کاش ایکاش لطفا_اضافه اضافه_کنید اضافه_کنین "
        "بهتر_بود_اگر انتقاد_سازنده",
        "ar": "اقتراح اقترح أقترح ياريت يا_ليت ليت يفضل الافضل_لو يا_ريت اتمنى أتمنى "
        "نتمنى ارجو_اضافة",
        "hu": "javaslat javasol javasolnám jó_lenne kellene érdemes_lenne bárcsak "
        "szeretném_ha hasznos_lenne ötlet",
        "en": "suggest suggestion should would_be_nice would_be_great could_you_add please_add "
        "wish recommend_adding improvement it_would_be_better feature_request idea",
    },
    "inquiry": {
        "fa": "آیا چطور چگونه کی کجا چرا چند چقدر چطوری چجوری کدوم کدام میشه_بگید "
        "سوال سوال_داشتم راهنمایی اطلاع",
        "ar": "هل كيف متى اين أين كم ماذا ليش لماذا وين شلون ايش سؤال استفسار ممكن_اعرف",
        "hu": "hogyan mikor hol mennyi miért mennyibe melyik kérdés kérdésem érdeklődni "
        "érdeklődöm lehet_e tudnák",
        "en": "how when where what why which who question wondering inquire inquiry "
        "is_there can_i could_you do_you does_it",
    },
    "complaint": {
        "fa": "شکایت اعتراض ناراضی افتضاح خراب دیر تاخیر نرسید مشکل پیگیری کلاهبرداری "
        "بدترین سرد اشتباه",
        "ar": "شكوى اشتكي أشتكي سيء سيئ مشكلة تأخير تاخير لم_يصل ما_وصل خراب مكسور زفت اسوأ غلط",
        "hu": "panasz panaszt reklamáció reklamál probléma hiba késik késett nem_érkezett "
        "rossz borzalmas elfogadhatatlan",
        "en": "complaint complain terrible awful worst broken late never_arrived problem "
        "issue unacceptable damaged missing wrong disappointed",
    },
    "praise": {
        "fa": "عالی ممنون مرسی متشکرم تشکر سپاس دستتون_درد_نکنه خوشمزه بهترین محشر راضی دمتون_گرم",
        "ar": "شكرا ممتاز رائع مشكور يعطيكم_العافية احسنتم أحسنتم جميل افضل روعة",
        "hu": "köszönöm köszönjük kiváló remek szuper nagyszerű gratulálok elégedett tökéletes",
        "en": "thanks thank great excellent amazing awesome love perfect wonderful kudos "
        "appreciate",
    },
}
_QUESTION_MARKS = frozenset("?؟")


@cache
def _compiled(language: str) -> dict[str, tuple[frozenset[str], tuple[tuple[str, ...], ...]]]:
    table = {}
    for intent, per_language in _CUES.items():
        words: set[str] = set()
        phrases: list[tuple[str, ...]] = []
        for entry in per_language.get(language, "").split():
            tokens = tuple(tokenize(normalize(entry.replace("_", " "))))
            if len(tokens) == 1:
                words.add(tokens[0])
            elif tokens:
                phrases.append(tokens)
        table[intent] = (frozenset(words), tuple(phrases))
    return table


def _strength(
    tokens: Sequence[str],
    language: str,
    words: frozenset[str],
    phrases: tuple[tuple[str, ...], ...],
) -> float:
    found = 0.0
    for phrase in phrases:
        size = len(phrase)
        if any(tuple(tokens[i : i + size]) == phrase for i in range(len(tokens) - size + 1)):
            found += 1.5
    for token in tokens:
        if any(v in words for v in variants(token, language)):
            found += 1.0
    return found


def classify_intent(
    tokens: Sequence[str], language: str, sentiment: Sentiment | None = None
) -> tuple[str, float]:
    """(intent, confidence) for normalised `tokens` in `language`."""
    if not tokens:
        return "other", 0.0
    cues = _compiled(language) if language in ("fa", "ar", "hu", "en") else {}
    strengths = {
        intent: _strength(tokens, language, words, phrases)
        for intent, (words, phrases) in cues.items()
    }
    if any(t in _QUESTION_MARKS for t in tokens):
        strengths["inquiry"] = strengths.get("inquiry", 0.0) + 1.0
    if sentiment is not None and sentiment.label != "neutral":
        mood = "complaint" if sentiment.label == "negative" else "praise"
        strengths[mood] = strengths.get(mood, 0.0) + abs(sentiment.score)
    best = max(strengths.values(), default=0.0)
    if best < 0.5:
        return "other", round(0.5 - best, 2) if best else 0.3
    # Actionable intents first: take the first in priority order with a real cue.
    for intent in _PRIORITY:
        value = strengths.get(intent, 0.0)
        if value >= 1.0 or (value == best and value > 0):
            total = sum(strengths.values())
            return intent, round(min(0.95, 0.4 + 0.5 * value / total), 2)
    return "other", 0.3
