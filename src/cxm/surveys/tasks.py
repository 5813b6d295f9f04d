"""Background tasks of survey distribution (django-tasks): sending invitations, the due
batch, the one reminder, and the Telegram thank-you after a one-tap NPS answer.

They take ids only; `cxm send_invitations` (cron) enqueues the batch tasks, a `db_worker`
runs them, tests run them inline (ImmediateBackend).
"""

from django.utils import timezone
from django_tasks import task

from cxm.surveys import distribution
from cxm.surveys.models import Invitation


@task()
def send_invitation(invitation_id: int) -> str:
    """Send one invitation now (or record why not); returns its delivery status."""
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None:
        return "missing"
    return str(distribution.invitation_send(invitation=invitation).status)


@task()
def send_due_invitations(limit: int = 500) -> dict[str, int]:
    """Send a batch of due invitations; queues the next batch when more are due."""
    counts = distribution.invitations_send_due(now=timezone.now(), limit=limit)
    if counts.get("remaining"):
        send_due_invitations.enqueue(limit)
    return counts


@task()
def send_reminders(limit: int = 500) -> int:
    """Send the one reminder of unanswered invitations that are due one."""
    return distribution.reminders_send(now=timezone.now(), limit=limit)


@task()
def send_nps_thanks(invitation_id: int, chat_id: int, language: str) -> str:
    """After a one-tap NPS answer in Telegram: thank and link to the rest of the survey."""
    from cxm.surveys.telegram_handlers import send_thanks

    return send_thanks(invitation_id=invitation_id, chat_id=chat_id, language=language)


@task()
def send_waves() -> int:
    """Relationship surveys' periodic waves that are due (periodic)."""
    return distribution.waves_send_due(now=timezone.now())


@task()
def send_due() -> dict[str, int]:
    """The due invitations and reminders (periodic; `cxm send_invitations` does the same
    from cron)."""
    counts = distribution.invitations_send_due(now=timezone.now(), limit=500)
    if counts.get("remaining"):
        send_due_invitations.enqueue(500)
    counts["reminders"] = distribution.reminders_send(now=timezone.now(), limit=500)
    return counts
