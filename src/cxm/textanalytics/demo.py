"""Demo taxonomy: the topics a food-delivery and telecom organisation listens for, with
keywords in Persian, Arabic, Hungarian and English, owned by the first CX manager. The demo's
survey comments are analysed by the task worker that `make run` starts."""

from cxm.accounts.models import User
from cxm.accounts.roles import Role
from cxm.textanalytics.models import Topic
from cxm.textanalytics.services import topic_save

TOPICS = [
    (
        "delivery",
        {"fa": "ارسال و تحویل", "ar": "التوصيل", "hu": "Szállítás", "en": "Delivery"},
        {
            "fa": ["ارسال", "تحویل", "پیک", "دیر رسید", "تاخیر"],
            "ar": ["التوصيل", "المندوب", "تأخير", "وصل متأخر"],
            "hu": ["szállítás", "futár", "késés", "késett"],
            "en": ["delivery", "courier", "late", "delayed"],
        },
    ),
    (
        "price",
        {"fa": "قیمت", "ar": "السعر", "hu": "Ár", "en": "Price"},
        {
            "fa": ["قیمت", "گران", "هزینه"],
            "ar": ["السعر", "غالي", "التكلفة"],
            "hu": ["ár", "drága", "költség"],
            "en": ["price", "expensive", "cost"],
        },
    ),
    (
        "quality",
        {"fa": "کیفیت", "ar": "الجودة", "hu": "Minőség", "en": "Quality"},
        {
            "fa": ["کیفیت", "سرد", "مانده", "خراب"],
            "ar": ["الجودة", "بارد", "سيء"],
            "hu": ["minőség", "hideg", "rossz"],
            "en": ["quality", "cold", "stale", "broken"],
        },
    ),
    (
        "staff",
        {"fa": "رفتار کارکنان", "ar": "الموظفون", "hu": "Ügyintézés", "en": "Staff"},
        {
            "fa": ["کارشناس", "پشتیبانی", "برخورد", "اپراتور"],
            "ar": ["الموظف", "خدمة العملاء", "التعامل"],
            "hu": ["ügyintéző", "ügyfélszolgálat", "udvarias"],
            "en": ["staff", "agent", "support", "rude", "polite"],
        },
    ),
    (
        "app",
        {"fa": "اپلیکیشن", "ar": "التطبيق", "hu": "Alkalmazás", "en": "App"},
        {
            "fa": ["اپلیکیشن", "برنامه", "اپ"],
            "ar": ["التطبيق", "البرنامج"],
            "hu": ["alkalmazás", "app"],
            "en": ["app", "application", "website"],
        },
    ),
]


def load_demo_topics() -> int:
    """Create the demo topics that are missing; returns how many were created."""
    owner = User.objects.filter(role=Role.CX_MANAGER).order_by("id").first()
    created = 0
    for code, names, keywords in TOPICS:
        if Topic.objects.filter(code=code).exists():
            continue
        topic_save(code=code, names=names, keywords=keywords, owner=owner)
        created += 1
    return created
