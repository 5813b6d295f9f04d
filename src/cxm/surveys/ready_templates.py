"""Ready-made surveys: relationship NPS, touchpoint CSAT, CES after support, and a deeper
problem follow-up, worded in Persian, Arabic, Hungarian and English.

Each template is plain data; `cxm.surveys.services.survey_create_from_template` turns one
into a survey. Persian uses the zero-width non-joiner (\u200c) and Persian ی/ک.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _

ZWNJ = "\u200c"
DETRACTOR_SCORES = list(range(0, 7))

_COMMENT = {
    "fa": f"اگر نکته{ZWNJ}ای دارید، برای ما بنویسید.",
    "ar": "إن كانت لديك أي ملاحظة، فاكتبها لنا.",
    "hu": "Ha van megjegyzése, kérjük, írja meg nekünk.",
    "en": "Anything else you would like to tell us?",
}


def _options(*rows: tuple[str, str, str, str, str]) -> list[dict[str, Any]]:
    return [
        {"code": code, "labels": {"fa": fa, "ar": ar, "hu": hu, "en": en}}
        for code, fa, ar, hu, en in rows
    ]


TEMPLATES: dict[str, dict[str, Any]] = {
    "relationship_nps": {
        "label": _("Relationship NPS"),
        "kind": "relationship",
        "questions": [
            {
                "key": "nps",
                "type": "nps",
                "page": 1,
                "required": True,
                "texts": {
                    "fa": "چقدر احتمال دارد ما را به دوستان یا همکاران خود توصیه کنید؟",
                    "ar": "ما مدى احتمال أن توصي بنا لصديق أو زميل؟",
                    "hu": (
                        "Mennyire valószínű, hogy ajánlana minket egy barátjának vagy kollégájának?"
                    ),
                    "en": "How likely are you to recommend us to a friend or colleague?",
                },
            },
            {
                "key": "reason",
                "type": "text",
                "page": 2,
                "texts": {
                    "fa": "مهم\u200cترین دلیل امتیاز شما چیست؟",
                    "ar": "ما السبب الرئيسي لتقييمك؟",
                    "hu": "Mi a legfőbb oka az értékelésének?",
                    "en": "What is the main reason for your score?",
                },
                "variants": {
                    "promoter": {
                        "fa": "چه چیزی را بیش از همه در ما دوست دارید؟",
                        "ar": "ما أكثر ما يعجبك فينا؟",
                        "hu": "Mit szeret bennünk a legjobban?",
                        "en": "What do you like most about us?",
                    },
                    "passive": {
                        "fa": f"چه کاری از ما باعث می{ZWNJ}شد امتیاز بالاتری بدهید؟",
                        "ar": "ما الذي كان سيجعلك تمنحنا تقييمًا أعلى؟",
                        "hu": "Mi kellene ahhoz, hogy magasabb pontszámot adjon?",
                        "en": "What would make you give us a higher score?",
                    },
                    "detractor": {
                        "fa": (
                            "متأسفیم. چه چیزی شما را ناراضی کرد و چطور "
                            f"می{ZWNJ}توانیم آن را جبران کنیم؟"
                        ),
                        "ar": "نأسف لذلك. ما الذي لم يرضِك، وكيف يمكننا إصلاحه؟",
                        "hu": "Sajnáljuk. Mi okozott csalódást, és hogyan hozhatnánk helyre?",
                        "en": "We are sorry. What disappointed you, and how can we put it right?",
                    },
                },
                "logic": {"variant_by": "nps"},
            },
        ],
    },
    "touchpoint_csat": {
        "label": _("Touchpoint CSAT"),
        "kind": "touchpoint",
        "questions": [
            {
                "key": "csat",
                "type": "csat",
                "page": 1,
                "required": True,
                "scale_max": 5,
                "texts": {
                    "fa": "از خدماتی که این بار دریافت کردید چقدر راضی هستید؟",
                    "ar": "ما مدى رضاك عن الخدمة التي تلقيتها هذه المرة؟",
                    "hu": "Mennyire elégedett a most kapott szolgáltatással?",
                    "en": "How satisfied are you with the service you received this time?",
                },
            },
            {"key": "comment", "type": "text", "page": 1, "texts": _COMMENT},
            {"key": "order_id", "type": "hidden", "page": 1},
            {"key": "agent", "type": "hidden", "page": 1},
            {"key": "touchpoint", "type": "hidden", "page": 1},
        ],
    },
    "ces_support": {
        "label": _("CES after a support contact"),
        "kind": "touchpoint",
        "questions": [
            {
                "key": "ces",
                "type": "ces",
                "page": 1,
                "required": True,
                "scale_max": 7,
                "texts": {
                    "fa": "شرکت رسیدگی به مشکلم را برایم آسان کرد.",
                    "ar": "سهّلت الشركة عليّ معالجة مشكلتي.",
                    "hu": "A vállalat megkönnyítette számomra, hogy elintézzem az ügyemet.",
                    "en": "The company made it easy for me to handle my issue.",
                },
            },
            {
                "key": "comment",
                "type": "text",
                "page": 1,
                "texts": {
                    "fa": f"چه چیزی می{ZWNJ}توانست کار را برایتان آسان{ZWNJ}تر کند؟",
                    "ar": "ما الذي كان يمكن أن يجعل الأمر أسهل عليك؟",
                    "hu": "Mi tehette volna könnyebbé a dolgát?",
                    "en": "What could have made it easier for you?",
                },
            },
        ],
    },
    "problem_followup": {
        "label": _("Problem follow-up"),
        "kind": "follow_up",
        "questions": [
            {
                "key": "problem",
                "type": "single",
                "page": 1,
                "required": True,
                "texts": {
                    "fa": "مشکل اصلی چه بود؟",
                    "ar": "ما المشكلة الرئيسية؟",
                    "hu": "Mi volt a fő probléma?",
                    "en": "What was the main problem?",
                },
                "options": _options(
                    (
                        "late",
                        "دیر رسیدن سفارش",
                        "تأخّر الطلب",
                        "Késve érkezett a rendelés",
                        "The order arrived late",
                    ),
                    (
                        "wrong_item",
                        "اقلام اشتباه یا ناقص",
                        "منتجات خاطئة أو ناقصة",
                        "Hibás vagy hiányzó termék",
                        "Wrong or missing items",
                    ),
                    (
                        "quality",
                        "کیفیت پایین محصول",
                        "جودة المنتج متدنية",
                        "Gyenge termékminőség",
                        "Poor product quality",
                    ),
                    (
                        "staff",
                        "برخورد نامناسب کارکنان",
                        "تعامل غير لائق من الموظفين",
                        "A munkatárs udvariatlan vagy nem segítőkész volt",
                        "Unhelpful or rude staff",
                    ),
                    (
                        "payment",
                        "مشکل در پرداخت یا بازگشت وجه",
                        "مشكلة في الدفع أو استرداد المبلغ",
                        "Fizetési vagy visszatérítési probléma",
                        "Payment or refund problem",
                    ),
                    ("other", "سایر موارد", "أمر آخر", "Egyéb", "Something else"),
                ),
            },
            {
                "key": "solved",
                "type": "single",
                "page": 1,
                "required": True,
                "texts": {
                    "fa": "آیا مشکل شما حل شد؟",
                    "ar": "هل حُلّت مشكلتك؟",
                    "hu": "Megoldódott a problémája?",
                    "en": "Was your problem solved?",
                },
                "options": _options(
                    ("yes", "بله، کاملاً", "نعم، بالكامل", "Igen, teljesen", "Yes, completely"),
                    ("partly", "تا حدودی", "جزئيًا", "Részben", "Partly"),
                    ("no", "خیر", "لا", "Nem", "No"),
                ),
            },
            {
                "key": "comment",
                "type": "text",
                "page": 2,
                "texts": {
                    "fa": "لطفاً بنویسید چه اتفاقی افتاد.",
                    "ar": "يُرجى أن تخبرنا بما حدث.",
                    "hu": "Kérjük, írja le, mi történt.",
                    "en": "Please tell us what happened.",
                },
            },
        ],
    },
}


def template_choices() -> list[tuple[str, Any]]:
    return [(code, spec["label"]) for code, spec in TEMPLATES.items()]
