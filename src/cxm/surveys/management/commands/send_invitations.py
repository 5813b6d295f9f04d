"""`cxm send_invitations`: queue the due invitations and reminders (run it from cron)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cxm.surveys.tasks import send_due_invitations, send_reminders


class Command(BaseCommand):
    help = "Queue the sending of due survey invitations and reminders (for cron, e.g. every 5 min)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500, help="Invitations per batch.")
        parser.add_argument("--no-reminders", action="store_true", help="Queue invitations only.")

    def handle(self, *args: Any, limit: int, no_reminders: bool, **options: Any) -> None:
        batch = send_due_invitations.enqueue(limit)
        self.stdout.write(f"send_due_invitations: {batch.id}")
        if not no_reminders:
            reminders = send_reminders.enqueue(limit)
            self.stdout.write(f"send_reminders: {reminders.id}")
