"""Timeline events of the customer record, and the provider that shows them on the 360 page."""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cxm.common.timeline import TimelineEvent, timeline_provider
from cxm.customers.models import ConsentStatus, Customer, CustomerEvent, CustomerEventKind


def customer_event(
    *, customer: Customer, kind: str, actor: Any = None, data: dict[str, Any] | None = None
) -> CustomerEvent:
    """An unsaved event row (callers save it, or bulk-create many)."""
    return CustomerEvent(
        customer=customer,
        kind=kind,
        at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        data=data or {},
    )


def _title(event: CustomerEvent) -> str:
    data = event.data
    if event.kind == CustomerEventKind.CONSENT:
        return _("Consent on %(channel)s: %(status)s") % {
            "channel": data.get("channel", ""),
            "status": data.get("status_label", ""),
        }
    if event.kind == CustomerEventKind.LIFECYCLE:
        return _("Lifecycle stage: %(stage)s") % {"stage": data.get("stage_label", "")}
    return str(CustomerEventKind(event.kind).label)


def _body(event: CustomerEvent) -> str:
    parts = []
    if event.data.get("source"):
        parts.append(_("Source: %(source)s") % {"source": event.data["source"]})
    if consents := event.data.get("consents"):
        statuses = ", ".join(
            f"{code}: {ConsentStatus(status).label}" for code, status in sorted(consents.items())
        )
        parts.append(_("Consent: %(list)s") % {"list": statuses})
    if event.data.get("fields"):
        parts.append(_("Changed: %(fields)s") % {"fields": ", ".join(event.data["fields"])})
    if event.actor_id and event.actor is not None:
        parts.append(_("By %(user)s") % {"user": event.actor.display_name})
    return " · ".join(parts)


@timeline_provider("customer")
def customer_record_events(customer: Customer, *, limit: int) -> Iterable[TimelineEvent]:
    """Changes of the customer record itself. One query."""
    rows = CustomerEvent.objects.filter(customer=customer).select_related("actor")[:limit]
    url = reverse("customers:detail", args=[customer.pk])
    for row in rows:
        yield TimelineEvent(
            at=row.at,
            kind=f"customer.{row.kind}",
            title=_title(row),
            body=_body(row),
            url=url,
        )
