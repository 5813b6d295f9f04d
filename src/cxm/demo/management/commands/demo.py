"""`cxm demo`: load the demo organisation once (deterministic); `--print-login` shows the login."""

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cxm.demo.organisation import ADMIN_USERNAME, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the multilingual demo organisation (skipped when it is already loaded)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=5000, help="How many customers.")
        parser.add_argument("--print-login", action="store_true", help="Only print the demo login.")
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="Address to print.")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("CXM_ADMIN_PASSWORD", DEMO_PASSWORD)
        if options["print_login"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"\n  OpenCXM: {options['url']}\n"
                    f"  Sign in as {ADMIN_USERNAME} / {password}\n"
                    "  (other demo users: cxmanager01, analyst01, supervisor01, agent01, qa01,"
                    f" viewer01; password {DEMO_PASSWORD})\n"
                )
            )
            return
        summary = load_demo(customers=options["customers"], admin_password=password)
        if summary is None:
            self.stdout.write("Demo data is already loaded; nothing changed.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo loaded: {summary.users} users, {summary.customers} customers."
                )
            )
