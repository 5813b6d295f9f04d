"""The default catalogue every installation starts with (editable afterwards): case types,
statuses in each fixed category, and a default SLA policy (first response within 24 hours,
the brief; tighter for phone and Telegram). Loaded by a data migration and by the demo."""

from typing import Any

CASE_TYPES: list[dict[str, Any]] = [
    {
        "code": "complaint",
        "default_priority": "high",
        "names": {"en": "Complaint", "fa": "شکایت", "ar": "شكوى", "hu": "Panasz"},
    },
    {
        "code": "return",
        "default_priority": "normal",
        "names": {
            "en": "Return / refund",
            "fa": "مرجوعی / بازپرداخت",
            "ar": "إرجاع / استرداد",
            "hu": "Visszaküldés / visszatérítés",
        },
    },
    {
        "code": "inquiry",
        "default_priority": "normal",
        "names": {"en": "Inquiry", "fa": "استعلام", "ar": "استفسار", "hu": "Érdeklődés"},
    },
    {
        "code": "order_problem",
        "default_priority": "high",
        "names": {
            "en": "Order problem",
            "fa": "مشکل سفارش",
            "ar": "مشكلة في الطلب",
            "hu": "Rendelési probléma",
        },
    },
    {
        "code": "detractor_followup",
        "default_priority": "high",
        "names": {
            "en": "Detractor follow-up",
            "fa": "پیگیری مشتری ناراضی",
            "ar": "متابعة عميل غير راضٍ",
            "hu": "Elégedetlen ügyfél utánkövetése",
        },
    },
    {
        "code": "suggestion",
        "default_priority": "low",
        "names": {"en": "Suggestion", "fa": "پیشنهاد", "ar": "اقتراح", "hu": "Javaslat"},
    },
]

STATUSES: list[dict[str, Any]] = [
    {
        "code": "new",
        "category": "open",
        "is_default": True,
        "names": {"en": "New", "fa": "جدید", "ar": "جديد", "hu": "Új"},
    },
    {
        "code": "in_progress",
        "category": "open",
        "is_default": False,
        "names": {
            "en": "In progress",
            "fa": "در حال رسیدگی",
            "ar": "قيد المعالجة",
            "hu": "Folyamatban",
        },
    },
    {
        "code": "waiting_customer",
        "category": "waiting_customer",
        "is_default": True,
        "pauses_sla": True,
        "names": {
            "en": "Waiting on customer",
            "fa": "در انتظار مشتری",
            "ar": "بانتظار العميل",
            "hu": "Ügyfélre vár",
        },
    },
    {
        "code": "waiting_third_party",
        "category": "waiting_third_party",
        "is_default": True,
        "pauses_sla": False,
        "names": {
            "en": "Waiting on third party",
            "fa": "در انتظار طرف سوم",
            "ar": "بانتظار طرف ثالث",
            "hu": "Harmadik félre vár",
        },
    },
    {
        "code": "resolved",
        "category": "resolved",
        "is_default": True,
        "names": {"en": "Resolved", "fa": "حل‌شده", "ar": "تم الحل", "hu": "Megoldva"},
    },
    {
        "code": "closed",
        "category": "closed",
        "is_default": True,
        "names": {"en": "Closed", "fa": "بسته", "ar": "مغلق", "hu": "Lezárva"},
    },
]

DAY = 24 * 60
DEFAULT_TARGETS = {
    "urgent": {"first_response": 60, "resolution": DAY},
    "high": {"first_response": 4 * 60, "resolution": 2 * DAY},
    "normal": {"first_response": DAY, "resolution": 3 * DAY},
    "low": {"first_response": DAY, "resolution": 5 * DAY},
}
FAST_CHANNEL_TARGETS = {
    "urgent": {"first_response": 15, "resolution": DAY},
    "high": {"first_response": 60, "resolution": 2 * DAY},
    "normal": {"first_response": 2 * 60, "resolution": 3 * DAY},
    "low": {"first_response": 4 * 60, "resolution": 5 * DAY},
}


FAST_POLICY = "Phone and Telegram"
DEFAULT_POLICY = "Default (first response within 24 hours)"


def load_defaults(apps: Any = None) -> None:
    """Create the default types, statuses and policies that are missing (idempotent).
    `apps` is the migration state registry, or None for the live models."""
    if apps is None:
        from django.apps import apps as live

        apps = live
    case_type = apps.get_model("cases", "CaseType")
    status = apps.get_model("cases", "CaseStatus")
    policy = apps.get_model("cases", "SlaPolicy")
    channel = apps.get_model("cxm_channels", "Channel")
    for position, item in enumerate(CASE_TYPES):
        case_type.objects.get_or_create(
            code=item["code"],
            defaults={
                "names": item["names"],
                "default_priority": item["default_priority"],
                "position": position,
            },
        )
    for position, item in enumerate(STATUSES):
        status.objects.get_or_create(
            code=item["code"],
            defaults={
                "names": item["names"],
                "category": item["category"],
                "is_default": item["is_default"]
                and not status.objects.filter(category=item["category"], is_default=True).exists(),
                "pauses_sla": item.get("pauses_sla", False),
                "position": position,
            },
        )
    fast_channels = list(channel.objects.filter(kind__in=["phone", "telegram"]))
    if fast_channels and not policy.objects.filter(name=FAST_POLICY).exists():
        fast = policy.objects.create(name=FAST_POLICY, position=0, targets=FAST_CHANNEL_TARGETS)
        fast.channels.set(fast_channels)
    policy.objects.get_or_create(
        name=DEFAULT_POLICY, defaults={"position": 1, "targets": DEFAULT_TARGETS}
    )


FEEDBACK_RULES: list[dict[str, Any]] = [
    {
        "name": "NPS detractors (0–6) → detractor follow-up",
        "metric": "nps",
        "comparison": "lte",
        "threshold": 6,
        "case_type": "detractor_followup",
        "priority": "high",
    },
    {
        "name": "Low CSAT (1–2) → complaint",
        "metric": "csat",
        "comparison": "lte",
        "threshold": 2,
        "case_type": "complaint",
        "priority": "normal",
    },
]


def load_feedback_rule_defaults(apps: Any = None) -> int:
    """Create the default feedback rules that are missing (by name; idempotent): NPS ≤ 6 opens
    a high-priority detractor follow-up, CSAT ≤ 2 a complaint. A rule whose case type is gone
    is skipped. Returns how many rules were created."""
    if apps is None:
        from django.apps import apps as live

        apps = live
    case_type = apps.get_model("cases", "CaseType")
    rule = apps.get_model("cases", "FeedbackRule")
    created = 0
    for position, item in enumerate(FEEDBACK_RULES):
        kind = case_type.objects.filter(code=item["case_type"]).first()
        if kind is None or rule.objects.filter(name=item["name"]).exists():
            continue
        rule.objects.create(
            name=item["name"],
            metric=item["metric"],
            comparison=item["comparison"],
            threshold=item["threshold"],
            case_type=kind,
            priority=item["priority"],
            position=position,
        )
        created += 1
    return created
