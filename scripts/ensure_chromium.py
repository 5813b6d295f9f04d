"""Make sure Debian's Chromium is at /usr/bin/chromium for the real-browser tests.

Called by `make test` before pytest. When Chromium is missing and this runs as root on a
machine with apt-get, it installs the `chromium` package. When it cannot, it prints a
warning and exits 0: the browser tests then skip, naming the reason.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


def warn(message: str) -> None:
    print(f"ensure_chromium: WARNING: {message}; the browser tests will be skipped.", flush=True)


def main() -> int:
    if CHROMIUM.exists():
        return 0
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        warn(f"{CHROMIUM} is missing and apt-get is not available")
        return 0
    if os.geteuid() != 0:
        warn(f"{CHROMIUM} is missing; install it with `sudo apt-get install chromium`")
        return 0
    print("ensure_chromium: installing Debian's chromium through apt-get …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    steps = [
        [apt_get, "-q", "update"],
        [apt_get, "-q", "install", "-y", "--no-install-recommends", "chromium"],
    ]
    for step in steps:
        done = subprocess.run(step, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            warn(f"`{' '.join(step[1:])}` failed ({done.returncode}): " + " | ".join(tail))
            return 0
    if not CHROMIUM.exists():
        warn(f"the chromium package was installed but {CHROMIUM} does not exist")
        return 0
    print(f"ensure_chromium: {CHROMIUM} installed.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
