"""`cxm fetch_mail`: unseen e-mails of the IMAP mailbox (CXM_IMAP_*) → cases."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cxm.integrations.email import imap


class Command(BaseCommand):
    help = (
        "Fetch the unseen e-mails of the IMAP mailbox set by CXM_IMAP_HOST/PORT/USER/"
        "PASSWORD/FOLDER/SSL, record each on its case (or a new one) and mark it seen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=imap.DEFAULT_LIMIT, help="Messages per run at most."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CXM_IMAP_HOST:
            raise CommandError("CXM_IMAP_HOST is not set.")
        try:
            report = imap.fetch_mail(limit=options["limit"])
        except (imap.ImapError, OSError) as exc:
            raise CommandError(f"IMAP: {exc}") from exc
        counts = report.as_dict()
        self.stdout.write(
            "unseen {unseen}, recorded {recorded}, delivered before {duplicates}, "
            "failed {failed}".format(**counts)
        )
