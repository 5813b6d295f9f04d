"""`python -m bench [NAME ...]`: run the speed figures; see bench/__init__.py."""

import datetime as dt
import importlib
import json
import os
import pkgutil
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bench import checks_of

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
BENCH_DATABASE = "cxm_bench"


def prepare_environment() -> str:
    """Settings and database for the benches; returns where the database came from."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxm.config.settings.local")
    os.environ["DEBUG"] = "0"  # DEBUG on keeps every query in memory and slows templates
    os.environ.setdefault("CXM_HOME", str(ROOT))
    hosts = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost")
    if "testserver" not in hosts.split(","):
        os.environ["ALLOWED_HOSTS"] = hosts + ",testserver"  # django.test.Client
    if os.environ.get("DATABASE_URL"):
        return "DATABASE_URL"
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg_local.sh"), BENCH_DATABASE],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit("bench: could not start the local PostgreSQL (scripts/pg_local.sh)")
    os.environ["DATABASE_URL"] = done.stdout.strip().splitlines()[-1]
    return f"scripts/pg_local.sh ({BENCH_DATABASE})"


def discover(wanted: list[str]) -> list[Any]:
    modules = []
    for info in sorted(pkgutil.iter_modules([str(BENCH_DIR)]), key=lambda m: m.name):
        if not info.name.startswith("bench_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        name = getattr(module, "NAME", info.name.removeprefix("bench_"))
        if not wanted or name in wanted or info.name in wanted:
            modules.append(module)
    return modules


def environment() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 1")
        db_version = str(cursor.fetchone()[0])
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "database": connection.vendor,
        "database_version": db_version,
        "git_commit": commit,
    }


def fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        value = f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
    elif isinstance(value, int):
        value = f"{value:,}"
    return f"{value} {unit}".strip()


def print_table(rows: list[list[str]]) -> None:
    header = ["bench", "metric", "value", "target", "result", "x reference"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*header))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))


def main(argv: list[str]) -> int:
    source = prepare_environment()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(f"bench: database {connection.settings_dict['NAME']} via {source}", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    modules = discover(argv)
    if not modules:
        print(f"bench: no bench matches {argv}", file=sys.stderr)
        return 1
    RESULTS.mkdir(exist_ok=True)
    env = environment()
    rows: list[list[str]] = []
    ok = True
    for module in modules:
        name = module.NAME
        print(f"bench: {name} …", flush=True)
        started = time.perf_counter()
        record: dict[str, Any] = {
            "name": name,
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "environment": env,
        }
        try:
            result = module.run()
        except Exception:  # a failing bench is reported, the others still run
            ok = False
            record.update(error=traceback.format_exc(), duration_s=0.0)
            traceback.print_exc()
            rows.append([name, "(error)", "-", "-", "ERROR", "-"])
            result = None
        if result is not None:
            checks = checks_of(result)
            record.update(result=result, checks=checks)
            for check in checks:
                unit = check.get("unit", "")
                passed = bool(check.get("passed"))
                ok = ok and passed
                rows.append(
                    [
                        name,
                        str(check.get("metric", "")),
                        fmt(check.get("value"), unit),
                        ("< " if check.get("better", "lower") == "lower" else ">= ")
                        + fmt(check.get("target"), unit),
                        "pass" if passed else "FAIL",
                        fmt(check.get("ratio")),
                    ]
                )
            if not checks:
                rows.append([name, "(no checks)", "-", "-", "-", "-"])
        record["duration_s"] = round(time.perf_counter() - started, 1)
        path = RESULTS / f"{name}.json"
        path.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
        print(
            f"bench: {name} took {record['duration_s']} s -> {path.relative_to(ROOT)}", flush=True
        )
    print()
    print_table(rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
