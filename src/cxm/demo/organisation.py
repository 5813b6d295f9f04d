"""The demo organisation: a Persian food-delivery and telecom style company.

Deterministic (a fixed random seed), loaded once: `load_demo()` returns False when the demo
is already there.
"""

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from cxm.accounts.models import Position, Team, Unit, User
from cxm.accounts.roles import Role
from cxm.core.phones import InvalidPhoneNumber, normalize_phone
from cxm.customers.models import ClubTier, LifecycleStage
from cxm.customers.services import customers_upsert
from cxm.customers.validation import clean_customer_input
from cxm.demo import names

SEED = 20261123
ADMIN_USERNAME = "admin"
DEMO_PASSWORD = "opencxm-demo"
MARKER_UNIT = "cx"

UNITS = [
    ("cx", "مدیریت تجربه مشتری", None),
    ("contact-center", "مرکز تماس", None),
    ("qa", "تضمین و کنترل کیفیت", "contact-center"),
    ("sales", "فروش و وفاداری", None),
    ("logistics", "ارسال و تحویل", None),
    ("it", "فناوری اطلاعات", None),
]
POSITIONS = [
    ("cx-manager", "مدیر تجربه مشتری", "cx", Role.CX_MANAGER),
    ("cx-analyst", "تحلیلگر تجربه مشتری", "cx", Role.ANALYST),
    ("supervisor", "سرپرست مرکز تماس", "contact-center", Role.SUPERVISOR),
    ("agent-line-1", "کارشناس خط یک", "contact-center", Role.AGENT),
    ("agent-line-2", "کارشناس خط دو", "contact-center", Role.AGENT),
    ("qa-reviewer", "کارشناس QA", "qa", Role.QA_REVIEWER),
    ("staff", "کارمند", None, Role.VIEWER),
]
TEAMS = [
    ("تیم سفارش و پرداخت", "contact-center"),
    ("تیم ارسال و مرجوعی", "contact-center"),
    ("تیم اینترنت و سیم‌کارت", "contact-center"),
    ("تیم شکایات", "contact-center"),
    ("تیم کیفیت", "qa"),
    ("تیم تحلیل", "cx"),
]
# (username prefix, count, position code, unit code, team index or None)
STAFF = [
    ("cxmanager", 2, "cx-manager", "cx", 5),
    ("analyst", 3, "cx-analyst", "cx", 5),
    ("supervisor", 4, "supervisor", "contact-center", None),
    ("agent", 30, "agent-line-1", "contact-center", None),
    ("qa", 4, "qa-reviewer", "qa", 4),
    ("viewer", 6, "staff", "sales", None),
]
SEGMENTS_FA = [
    "مشتریان وفادار",
    "سفارش‌های شرکتی",
    "کاربران اپلیکیشن",
    "حساس به قیمت",
    "اینترنت همراه",
]


@dataclass
class DemoSummary:
    users: int
    customers: int


def demo_loaded() -> bool:
    return Unit.objects.filter(code=MARKER_UNIT).exists()


@transaction.atomic
def load_demo(*, customers: int = 5000, admin_password: str = DEMO_PASSWORD) -> DemoSummary | None:
    """Create the demo organisation; None when it is already loaded (nothing changes)."""
    if demo_loaded():
        return None
    rng = random.Random(SEED)
    units = _units()
    positions = _positions(units)
    teams = _teams(units)
    users = _users(rng, units, positions, teams, admin_password)
    count = _customers(rng, customers)
    from cxm.journeys.demo import load_demo_journeys

    load_demo_journeys(units=units)
    from cxm.surveys.demo import load_demo_surveys

    load_demo_surveys()
    from cxm.sla.demo import load_demo_calendars

    load_demo_calendars()
    from cxm.textanalytics.demo import load_demo_topics

    load_demo_topics()
    from cxm.cases.defaults import load_feedback_rule_defaults

    load_feedback_rule_defaults()
    from cxm.cases.demo import load_demo_cases

    load_demo_cases()
    return DemoSummary(users=users, customers=count)


def _units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, name, parent in UNITS:
        units[code] = Unit.objects.create(code=code, name=name, parent=units.get(parent or ""))
    return units


def _positions(units: dict[str, Unit]) -> dict[str, Position]:
    return {
        code: Position.objects.create(
            code=code, name=name, unit=units.get(unit or ""), default_role=role
        )
        for code, name, unit, role in POSITIONS
    }


def _teams(units: dict[str, Unit]) -> list[Team]:
    return [Team.objects.create(name=name, unit=units[unit]) for name, unit in TEAMS]


def _users(
    rng: random.Random,
    units: dict[str, Unit],
    positions: dict[str, Position],
    teams: list[Team],
    admin_password: str,
) -> int:
    User.objects.create_superuser(
        username=ADMIN_USERNAME,
        password=admin_password,
        email="admin@example.com",
        first_name="مدیر",
        last_name="سامانه",
        role=Role.ADMINISTRATOR,
        language="fa",
        unit=units["it"],
    )
    password = make_password(DEMO_PASSWORD)  # hashed once: 50 hashes would take seconds
    agent_teams = teams[:4]
    created = 1
    for prefix, count, position_code, unit_code, team_index in STAFF:
        position = positions[position_code]
        for i in range(1, count + 1):
            first = rng.choice(names.PERSIAN_FIRST)
            last = rng.choice(names.PERSIAN_LAST)
            if team_index is not None:
                team = teams[team_index]
            elif prefix in {"agent", "supervisor"}:
                team = agent_teams[(i - 1) % len(agent_teams)]
            else:
                team = None
            user = User.objects.create(
                username=f"{prefix}{i:02d}",
                password=password,
                first_name=first,
                last_name=last,
                email=f"{prefix}{i:02d}@example.com",
                role=position.default_role,
                unit=units[unit_code],
                team=team,
                position=position,
                language="fa",
                digits="persian" if i % 3 else "",
                is_staff=False,
            )
            if prefix == "supervisor" and team is not None and team.lead_id is None:
                team.lead = user
                team.save(update_fields=["lead"])
            created += 1
    return created


def _phone(rng: random.Random, language: str) -> str:
    templates = {
        "fa": "+98 9{a}{b} {c:03d} {d:04d}",
        "ar": "+971 5{a} {c:03d} {d:04d}",
        "hu": "+36 {hu} {c:03d} {d:04d}",
        "en": "+44 7{a}{b}{a} {c:03d}{b}{b}{a}",
    }
    text = templates[language].format(
        a=rng.choice("0123"),
        b=rng.randint(0, 9),
        c=rng.randint(100, 999),
        d=rng.randint(0, 9999),
        hu=rng.choice(["20", "30", "70"]),
    )
    try:
        return normalize_phone(text)
    except InvalidPhoneNumber:
        return ""


def _customer_row(rng: random.Random, n: int) -> dict[str, Any]:
    roll = rng.random()
    language = "fa" if roll < 0.7 else "ar" if roll < 0.82 else "hu" if roll < 0.92 else "en"
    first, last, cities = {
        "fa": (names.PERSIAN_FIRST, names.PERSIAN_LAST, names.CITIES_FA),
        "ar": (names.ARABIC_FIRST, names.ARABIC_LAST, names.CITIES_AR),
        "hu": (names.HUNGARIAN_FIRST, names.HUNGARIAN_LAST, names.CITIES_HU),
        "en": (names.ENGLISH_FIRST, names.ENGLISH_LAST, names.CITIES_EN),
    }[language]
    given, family = rng.choice(first), rng.choice(last)
    name = f"{family} {given}" if language == "hu" else f"{given} {family}"
    stage = rng.choices([s.value for s in LifecycleStage], weights=[5, 15, 55, 12, 8, 5])[0]
    tier = rng.choices([t.value for t in ClubTier], weights=[60, 18, 12, 7, 3])[0]
    joined = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 1400)) if tier else None
    row: dict[str, Any] = {
        "external_id": f"CUST-{n:06d}",
        "name": name,
        "phone": _phone(rng, language),
        "email": f"customer{n:06d}@example.com" if rng.random() < 0.6 else "",
        "telegram": f"user{n:06d}" if language == "fa" and rng.random() < 0.4 else "",
        "preferred_language": language,
        "preferred_channel": rng.choice(["sms", "app", "telegram", "email", "phone"]),
        "lifecycle_stage": stage,
        "club_tier": tier,
        "club_joined_on": joined,
        "segments": rng.sample(SEGMENTS_FA, k=rng.choice([0, 0, 1, 1, 2])),
        "attributes": {"city": rng.choice(cities), "orders": rng.randint(0, 120)},
        "consents": {
            "sms": "opt_in" if rng.random() < 0.8 else "opt_out",
            "email": "opt_in" if rng.random() < 0.6 else "opt_out",
        },
    }
    return row


def _customers(rng: random.Random, count: int) -> int:
    channel_codes = {
        "web",
        "app",
        "email",
        "sms",
        "telegram",
        "phone",
        "fax",
        "social",
        "branch",
        "other",
    }
    items = [
        clean_customer_input(_customer_row(rng, n), channel_codes=channel_codes)
        for n in range(1, count + 1)
    ]
    customers_upsert(items=items, source="demo")
    return len(items)
