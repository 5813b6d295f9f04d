"""What the exact-interface commands share (`cxm metrics`, `sla-deadline`, `analyze`,
`staffing` …): a usage error is one line on stderr, nothing on stdout, exit status 2 (as
argparse's own usage errors)."""

from django.core.management.base import CommandError

EXIT_USAGE = 2


def usage_error(message: str) -> CommandError:
    """The error to raise for bad input or options (exit status 2)."""
    return CommandError(message, returncode=EXIT_USAGE)
