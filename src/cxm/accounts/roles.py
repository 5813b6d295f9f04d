"""Roles and what each may change. Reading the dashboard and comments is open to everybody.

Capabilities are plain strings `<area>.<action>`; a role has a fixed set. The matrix is the
single source for pages, API endpoints and tests.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    CX_MANAGER = "cx_manager", _("CX manager")
    ANALYST = "analyst", _("Analyst")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")
    QA_REVIEWER = "qa_reviewer", _("QA reviewer")
    VIEWER = "viewer", _("Viewer")


class Capability:
    PEOPLE_MANAGE = "people.manage"  # units, teams, positions, users
    CUSTOMERS_VIEW_CONTACTS = "customers.view_contacts"  # phone, e-mail, Telegram
    CUSTOMERS_CHANGE = "customers.change"
    CUSTOMERS_IMPORT = "customers.import"
    CUSTOMERS_DELETE = "customers.delete"
    CHANNELS_CHANGE = "channels.change"
    JOURNEYS_CHANGE = "journeys.change"
    SURVEYS_CHANGE = "surveys.change"
    RESPONSES_IMPORT = "responses.import"
    AUDIT_VIEW = "audit.view"
    GOALS_CHANGE = "goals.change"  # KPI goals of the dashboard
    REPORTS_SCHEDULE = "reports.schedule"  # scheduled PDF reports and their recipients
    CASES_WORK = "cases.work"  # open, reply to, assign, resolve cases
    CASES_MANAGE = "cases.manage"  # case types, statuses, routing, feedback rules, canned replies
    SLA_CHANGE = "sla.change"  # working calendars and SLA policies
    CAPA_CHANGE = "capa.change"  # root causes, corrective and preventive actions
    TEXT_CHANGE = "text.change"  # topic taxonomy, relabelling, training, social imports
    PII_VIEW = "pii.view"  # comments unredacted (phones, e-mails, card and id numbers)


_ALL = {value for name, value in vars(Capability).items() if not name.startswith("_")}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(_ALL),
    Role.CX_MANAGER: frozenset(
        {
            Capability.CUSTOMERS_VIEW_CONTACTS,
            Capability.CUSTOMERS_CHANGE,
            Capability.CUSTOMERS_IMPORT,
            Capability.CUSTOMERS_DELETE,
            Capability.CHANNELS_CHANGE,
            Capability.JOURNEYS_CHANGE,
            Capability.SURVEYS_CHANGE,
            Capability.RESPONSES_IMPORT,
            Capability.AUDIT_VIEW,
            Capability.GOALS_CHANGE,
            Capability.REPORTS_SCHEDULE,
            Capability.CASES_WORK,
            Capability.CASES_MANAGE,
            Capability.SLA_CHANGE,
            Capability.CAPA_CHANGE,
            Capability.TEXT_CHANGE,
            Capability.PII_VIEW,
        }
    ),
    Role.ANALYST: frozenset(
        {
            Capability.CUSTOMERS_VIEW_CONTACTS,
            Capability.JOURNEYS_CHANGE,
            Capability.SURVEYS_CHANGE,
            Capability.RESPONSES_IMPORT,
            Capability.REPORTS_SCHEDULE,
            Capability.CAPA_CHANGE,
            Capability.TEXT_CHANGE,
            Capability.PII_VIEW,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Capability.CUSTOMERS_VIEW_CONTACTS,
            Capability.CUSTOMERS_CHANGE,
            Capability.CASES_WORK,
            Capability.CASES_MANAGE,
            Capability.CAPA_CHANGE,
        }
    ),
    Role.AGENT: frozenset(
        {Capability.CUSTOMERS_VIEW_CONTACTS, Capability.CUSTOMERS_CHANGE, Capability.CASES_WORK}
    ),
    Role.QA_REVIEWER: frozenset({Capability.CUSTOMERS_VIEW_CONTACTS}),
    Role.VIEWER: frozenset(),
}


def role_can(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())


def all_capabilities() -> frozenset[str]:
    return frozenset(_ALL)
