# ruff: noqa: E501  (demo texts in four languages)
"""Demo data for cases: topics, root causes, routing to the demo teams, the Tehran working
calendar on the SLA policies, canned replies in four languages and a few hundred cases in
every state (opened over the last weeks, some answered, waiting, resolved, breached)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from cxm.accounts.models import Team, User
from cxm.accounts.roles import Role
from cxm.cases import services
from cxm.cases.models import (
    CannedReply,
    Capa,
    Case,
    CaseStatus,
    CaseTopic,
    CaseType,
    RootCause,
    RoutingRule,
    SlaPolicy,
    StatusCategory,
)
from cxm.cases.sweep import sla_evaluate
from cxm.channels.models import Channel
from cxm.customers.models import Customer

TOPICS = {
    "delivery": {
        "fa": "ارسال و تحویل",
        "ar": "الشحن والتسليم",
        "hu": "Szállítás",
        "en": "Delivery",
    },
    "billing": {
        "fa": "صورتحساب و پرداخت",
        "ar": "الفواتير والدفع",
        "hu": "Számlázás",
        "en": "Billing",
    },
    "internet": {"fa": "اینترنت همراه", "ar": "الإنترنت", "hu": "Mobilinternet", "en": "Internet"},
    "app": {"fa": "اپلیکیشن", "ar": "التطبيق", "hu": "Alkalmazás", "en": "App"},
    "staff": {"fa": "رفتار کارکنان", "ar": "سلوك الموظفين", "hu": "Ügyintézés", "en": "Staff"},
}
ROOT_CAUSES = {
    "courier-delay": {
        "fa": "تأخیر پیک",
        "ar": "تأخر المندوب",
        "hu": "Futárkésés",
        "en": "Courier delay",
    },
    "wrong-charge": {
        "fa": "کسر اشتباه",
        "ar": "خصم خاطئ",
        "hu": "Hibás terhelés",
        "en": "Wrong charge",
    },
    "network-outage": {
        "fa": "قطعی شبکه",
        "ar": "انقطاع الشبكة",
        "hu": "Hálózati kiesés",
        "en": "Network outage",
    },
    "training-gap": {
        "fa": "ضعف آموزش",
        "ar": "نقص التدريب",
        "hu": "Képzési hiány",
        "en": "Training gap",
    },
}
# (case type, team index in the demo's TEAMS order)
ROUTES = [("order_problem", 0), ("return", 1), ("inquiry", 2), ("complaint", 3)]
SUBJECTS = {
    "fa": [
        ("delivery", "سفارشم هنوز نرسیده است"),
        ("billing", "مبلغ دو بار از حسابم کسر شد"),
        ("internet", "اینترنت همراهم از دیروز قطع است"),
        ("app", "اپلیکیشن هنگام پرداخت بسته می‌شود"),
        ("staff", "برخورد نامناسب کارشناس تماس"),
    ],
    "ar": [
        ("delivery", "لم يصل طلبي حتى الآن"),
        ("billing", "تم خصم المبلغ مرتين"),
        ("internet", "الإنترنت لا يعمل منذ أمس"),
    ],
    "hu": [
        ("delivery", "Még nem érkezett meg a rendelésem"),
        ("billing", "Kétszer vonták le az összeget"),
    ],
    "en": [
        ("app", "The app crashes at checkout"),
        ("delivery", "Parcel marked delivered but missing"),
    ],
}
CANNED = [
    (
        "Apology and follow-up",
        {
            "fa": "{customer_name} گرامی، از بابت مشکل پیش‌آمده پوزش می‌خواهیم. درخواست شما با شمارهٔ {case_number} در حال پیگیری است. {agent_name}",
            "ar": "عزيزي {customer_name}، نعتذر عن المشكلة. طلبك رقم {case_number} قيد المتابعة. {agent_name}",
            "hu": "Kedves {customer_name}! Elnézést kérünk a kellemetlenségért. A(z) {case_number} számú ügyét intézzük. {agent_name}",
            "en": "Dear {customer_name}, we are sorry for the trouble. Your case {case_number} is being handled. {agent_name}",
        },
    ),
    (
        "Resolved, please confirm",
        {
            "fa": "{customer_name} گرامی، مشکل درخواست {case_number} برطرف شد. لطفاً نتیجه را به ما اطلاع دهید.",
            "ar": "عزيزي {customer_name}، تم حل طلبك {case_number}. يرجى إعلامنا بالنتيجة.",
            "hu": "Kedves {customer_name}! A(z) {case_number} számú ügyét megoldottuk. Kérjük, jelezze vissza.",
            "en": "Dear {customer_name}, case {case_number} is resolved. Please let us know it works for you.",
        },
    ),
]


def _catalogues() -> None:
    for code, names in TOPICS.items():
        CaseTopic.objects.get_or_create(code=code, defaults={"names": names})
    for code, names in ROOT_CAUSES.items():
        RootCause.objects.get_or_create(code=code, defaults={"names": names})
    for title, texts in CANNED:
        CannedReply.objects.get_or_create(title=title, defaults={"texts": texts})


def _routing() -> None:
    from cxm.demo.organisation import TEAMS

    teams = {t.name: t for t in Team.objects.all()}
    for position, (type_code, index) in enumerate(ROUTES):
        team = teams.get(TEAMS[index][0])
        case_type = CaseType.objects.filter(code=type_code).first()
        if team is None or case_type is None:
            continue
        rule, created = RoutingRule.objects.get_or_create(
            name=f"{case_type.code} → {team.name}", defaults={"team": team, "position": position}
        )
        if created:
            rule.case_types.add(case_type)
        if case_type.default_team_id is None:
            case_type.default_team = team
            case_type.save(update_fields=["default_team"])


def _calendar_on_policies() -> None:
    from cxm.sla.models import WorkingCalendar

    tehran = WorkingCalendar.objects.filter(name="Tehran office").first()
    if tehran is not None:
        SlaPolicy.objects.filter(calendar__isnull=True).update(calendar=tehran)


@transaction.atomic
def load_demo_cases(*, count: int = 240, seed: int = 20261123) -> int:
    """Create the demo's cases (once: nothing happens when cases exist)."""
    _catalogues()
    _routing()
    _calendar_on_policies()
    if Case.objects.exists():
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    customers = list(Customer.objects.order_by("id")[:400])
    channels = {c.code: c for c in Channel.objects.all()}
    types = {t.code: t for t in CaseType.objects.all()}
    topics = {t.code: t for t in CaseTopic.objects.all()}
    statuses = {s.category: s for s in CaseStatus.objects.filter(is_default=True)}
    agents = list(User.objects.filter(role=Role.AGENT).order_by("id"))
    if not customers or not agents:
        return 0
    created = 0
    for n in range(count):
        customer = customers[n % len(customers)]
        language = customer.preferred_language or "fa"
        topic_code, subject = rng.choice(SUBJECTS.get(language) or SUBJECTS["fa"])
        type_code = rng.choice(["complaint", "complaint", "order_problem", "return", "inquiry"])
        opened = now - dt.timedelta(hours=rng.uniform(1, 24 * 30))
        channel = channels.get(rng.choice(["email", "telegram", "phone", "web", "sms"]))
        case = services.case_create(
            subject=subject,
            case_type=types[type_code],
            customer=customer,
            channel=channel,
            topic=topics.get(topic_code),
            language=language,
            source="email" if channel and channel.code == "email" else "manual",
            message=subject,
            now=opened,
        )
        created += 1
        stage = rng.random()
        author = case.assignee or rng.choice(agents)
        if stage < 0.2:
            continue  # still waiting for a first answer
        answered = opened + dt.timedelta(minutes=rng.uniform(10, 60 * 30))
        if answered >= now:
            continue
        services.case_reply(case=case, author=author, body=_reply_text(language), now=answered)
        if stage < 0.45:
            continue
        if stage < 0.55:
            services.case_set_status(
                case=case, status=statuses[StatusCategory.WAITING_CUSTOMER], now=answered
            )
            continue
        done = answered + dt.timedelta(hours=rng.uniform(1, 72))
        if done < now:
            services.case_set_status(case=case, status=statuses[StatusCategory.RESOLVED], now=done)
    sla_evaluate(now=now)
    _capa()
    return created


def _reply_text(language: str) -> str:
    return {
        "fa": "سلام، درخواست شما بررسی شد و در حال پیگیری است.",
        "ar": "مرحباً، تمت مراجعة طلبك وهو قيد المتابعة.",
        "hu": "Jó napot! Megvizsgáltuk a kérését, intézzük.",
    }.get(language, "Hello, we looked into your request and are on it.")


def _capa() -> None:
    if Capa.objects.exists():
        return
    topic = CaseTopic.objects.filter(code="delivery").first()
    capa = Capa.objects.create(
        title="تأخیر پیک در ساعات اوج",
        problem_statement="شکایت‌های تأخیر تحویل در ساعات ۱۸ تا ۲۱ دو برابر شده است.",
        topic=topic,
        root_cause=RootCause.objects.filter(code="courier-delay").first(),
        analysis="۵ چرا: کمبود پیک ← برنامه‌ریزی شیفت ثابت ← پیش‌بینی نکردن اوج تقاضا",
        corrective_action="افزودن پیک‌های پاره‌وقت در ساعات اوج",
        preventive_action="برنامه‌ریزی شیفت پیک‌ها بر اساس پیش‌بینی سفارش",
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    Case.objects.filter(topic=topic, type__code="complaint").update(capa=capa)
