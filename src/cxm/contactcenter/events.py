"""The contact center's part of the customer-360 timeline:
"Call in queue Sales: answered after 12 s, talked 3 min"."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from cxm.common.i18n import format_number
from cxm.common.timeline import TimelineEvent, timeline_provider
from cxm.contactcenter.models import Interaction, InteractionOutcome
from cxm.contactcenter.selectors import customer_interactions


def duration_text(seconds: int | None) -> str:
    """ "12 s", "3 min", "1 h 5 min" in the user's digits."""
    if seconds is None:
        return ""
    if seconds < 60:
        return _("%(n)s s") % {"n": format_number(seconds)}
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(n)s min") % {"n": format_number(minutes)}
    return _("%(h)s h %(m)s min") % {
        "h": format_number(minutes // 60),
        "m": format_number(minutes % 60),
    }


def interaction_summary(interaction: Interaction) -> str:
    """ "answered after 12 s, talked 3 min", "abandoned after 40 s" …"""
    wait = duration_text(interaction.wait_seconds)
    outcome = interaction.outcome
    if outcome in (InteractionOutcome.ANSWERED, InteractionOutcome.TRANSFERRED):
        text = (
            _("answered after %(wait)s") % {"wait": wait}
            if outcome == InteractionOutcome.ANSWERED
            else _("transferred after %(wait)s") % {"wait": wait}
        )
        if interaction.talk_seconds is not None:
            text += ", " + _("talked %(talk)s") % {"talk": duration_text(interaction.talk_seconds)}
        return text
    if outcome == InteractionOutcome.ABANDONED:
        return _("abandoned after %(wait)s") % {"wait": wait}
    if outcome == InteractionOutcome.TIMEOUT:
        return _("timed out after %(wait)s") % {"wait": wait}
    return _("left the queue after %(wait)s") % {"wait": wait}


@timeline_provider("contactcenter")
def interaction_events(customer: Any, *, limit: int) -> Iterable[TimelineEvent]:
    """The customer's calls, chats and messages. One query."""
    for row in customer_interactions(customer, limit=limit):
        title = _("%(kind)s in queue %(queue)s: %(summary)s") % {
            "kind": row.get_kind_display(),
            "queue": row.queue.name,
            "summary": interaction_summary(row),
        }
        body = [row.agent_name, row.disposition]
        yield TimelineEvent(
            at=row.arrived_at,
            kind=f"contactcenter.{row.kind}",
            title=title,
            body=" · ".join(p for p in body if p),
            url=row.recording_url,
            data={"outcome": row.outcome, "interaction": row.pk},
        )
