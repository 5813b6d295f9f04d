import datetime as dt

import pytest

from cxm.accounts.models import Team, Unit
from cxm.accounts.roles import Role
from cxm.cases.models import CaseStatus, CaseType, SlaPolicy, StatusCategory
from cxm.channels.models import Channel
from cxm.customers.models import Customer
from cxm.sla.models import WorkingCalendar

UTC = dt.UTC


@pytest.fixture
def team(db, make_user):
    lead = make_user(Role.SUPERVISOR, username="lead", email="lead@example.com")
    unit = Unit.objects.create(name="Customer care", code="care")
    team = Team.objects.create(name="Complaints", unit=unit, lead=lead)
    lead.team = team
    lead.save()
    return team


@pytest.fixture
def agents(team, make_user):
    return [
        make_user(Role.AGENT, username=f"agent{i}", team=team, email=f"agent{i}@example.com")
        for i in range(1, 4)
    ]


@pytest.fixture
def complaint(db) -> CaseType:
    return CaseType.objects.get(code="complaint")


@pytest.fixture
def status_of(db):
    def get(category: str) -> CaseStatus:
        return CaseStatus.objects.get(category=category, is_default=True)

    return get


@pytest.fixture
def open_status(status_of):
    return status_of(StatusCategory.OPEN)


@pytest.fixture
def email_channel(db) -> Channel:
    return Channel.objects.get(code="email")


@pytest.fixture
def customer(db) -> Customer:
    return Customer.objects.create(
        name="Sara Ahmadi", email="sara@example.com", phone="+989121234567", preferred_language="fa"
    )


@pytest.fixture
def office_calendar(db) -> WorkingCalendar:
    """Mon–Fri 09:00–17:00 in UTC (8 business hours a day), no holidays."""
    week = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    return WorkingCalendar.objects.create(name="Office", timezone="UTC", week=week)


@pytest.fixture
def office_policy(db, office_calendar) -> SlaPolicy:
    """The only active policy: 1 business hour to respond, 8 (one day) to resolve."""
    SlaPolicy.objects.update(is_active=False)
    return SlaPolicy.objects.create(
        name="Office",
        calendar=office_calendar,
        targets={
            p: {"first_response": 60, "resolution": 480}
            for p in ("low", "normal", "high", "urgent")
        },
    )
