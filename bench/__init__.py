"""Speed figures of OpenCXM (`make bench`, i.e. `python -m bench [NAME ...]`).

The harness (bench/__main__.py) prepares Django (settings `cxm.config.settings.local` with
DEBUG off) on PostgreSQL: `DATABASE_URL` when set, else the local cluster of
scripts/pg_local.sh with a dedicated database `cxm_bench`, migrated. It then runs every
module `bench/bench_*.py` (or those named on the command line) and writes
bench/results/<NAME>.json (git-ignored) and a table.

A bench module exposes:

    NAME: str                  # e.g. "customer_list"; also the results file name
    def run() -> dict: ...     # JSON-able; runs with Django set up

`run()` returns whatever details it likes, plus the figures it is judged by, either as a
list under "checks" or as one check at the top level. A check is a dict with:

    "metric":    "list_page_p95_ms"     the name shown in the table
    "value":     41.7                   the measured figure
    "target":    150                    the figure it must reach
    "better":    "lower" | "higher"     lower: value < target passes; higher: value >= target
    "unit":      "ms"                   (optional) shown next to the numbers
    "reference": 0.9                    (optional) the same kind of figure for a reference
                                        measured in the same run (e.g. a bare SQL round
                                        trip); the table shows value / reference
    "passed":    true                   (optional) computed from the above when missing

`python -m bench` exits 1 when a check fails or a bench raises.
"""

from typing import Any

Check = dict[str, Any]


def checks_of(result: dict[str, Any]) -> list[Check]:
    """The checks of a bench result, with "passed" and "ratio" filled in."""
    raw = result.get("checks")
    if raw is None:
        raw = [result] if "metric" in result and "value" in result else []
    checks: list[Check] = []
    for check in raw:
        check = dict(check)
        value, target = check.get("value"), check.get("target")
        lower = check.get("better", "lower") == "lower"
        if "passed" not in check and value is not None and target is not None:
            check["passed"] = value < target if lower else value >= target
        reference = check.get("reference")
        if value is not None and reference:
            check["ratio"] = round(value / reference, 2)
        checks.append(check)
    return checks
