"""The cases' part of the customer-360 timeline: "Case #12 opened: late delivery"."""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cxm.cases.models import Case
from cxm.common.timeline import TimelineEvent, timeline_provider


@timeline_provider("cases")
def case_events(customer: Any, *, limit: int) -> Iterable[TimelineEvent]:
    """The customer's cases (opened, and resolved when they were). One query."""
    cases = (
        Case.objects.filter(customer=customer)
        .select_related("type", "status")
        .order_by("-id")[:limit]
    )
    for case in cases:
        url = reverse("cases:detail", args=[case.pk])
        yield TimelineEvent(
            at=case.created_at,
            kind="case_opened",
            title=_("Case %(ref)s opened: %(subject)s")
            % {"ref": case.reference, "subject": case.subject},
            body=f"{case.type.name} · {case.status.name}",
            url=url,
            source="cases",
        )
        if case.resolved_at is not None:
            yield TimelineEvent(
                at=case.resolved_at,
                kind="case_resolved",
                title=_("Case %(ref)s resolved") % {"ref": case.reference},
                url=url,
                source="cases",
            )
