"""CLI start-up benchmark (`python -m bench.cli_startup`).

A `mainthing` command is a whole process, so what a person waits for is mostly start-up. Each
daily command (`start`, `stop`, `status`, `log`, `today`, `report`) runs --runs times (default
10) as its own process against a small demo account, beside references measured in the same
run: `python -c pass`, a bare Django `django.setup()` with no apps (`settings.configure()`)
and `django.setup()` with Mainthing's settings. The table gives the median and the fastest run
of each, and the median's ratio to the bare set-up; the goal (issue 8) is a ratio of 1.25 or
less for every daily command, and 1.5 for the weekly review, `report --week --json` (issue 12),
which reads two weeks and the week ahead. Results go to cli-startup-results.json under
MAINTHING_DATA_DIR (default var/bench).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench import common

GOAL = 1.25  # a daily command's median over the bare django.setup() median
GOALS = {"report --week --json": 1.5}  # commands with a goal of their own
BARE_SETUP = "import django; from django.conf import settings; settings.configure(); django.setup()"
# The installed script, as a person runs it (`python -m mainthing.cli` would add runpy's work).
# For reference: Django set up with Mainthing's settings and every app, as the web app has it.
MAINTHING_SETUP = (
    "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'mainthing.settings'; django.setup()"
)
MAINTHING = [str(Path(sys.executable).parent / "mainthing")]
_MONDAY = date.today() - timedelta(days=date.today().weekday())
DAILY = {
    "start": ["start", "Prospect call", "--yes"],
    "stop": ["stop"],
    "status": ["status"],
    "log": ["log", "Forum posts", "5m", "--allow-overlap"],
    "today": ["today"],
    # The tier report of this week (Monday to Sunday), as `report --week` printed it before it
    # became the weekly review.
    "report": ["report", "--from", str(_MONDAY), "--to", str(_MONDAY + timedelta(days=6))],
    "report --week --json": ["report", "--week", "--json"],
}


def _time_ms(argv: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        sys.exit(f"bench: {' '.join(argv)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed


def _demo_env(directory: Path) -> dict:
    """A data directory with a migrated SQLite database and one demo account of a week."""
    env = {**os.environ, "MAINTHING_DATA_DIR": str(directory), "MAINTHING_RATE_LIMITS": "off"}
    # An installed Mainthing has its .pyc files; without them every run compiles the sources.
    for name in ("MAINTHING_DATABASE_URL", "MAINTHING_REDIS_URL", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    subprocess.run([*MAINTHING, "manage", "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([*MAINTHING, "demo", "--days", "7"], env=env, check=True, capture_output=True)
    return env


def measure(runs: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory(dir=common.data_dir()) as directory:
        env = _demo_env(Path(directory))
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "bare django.setup()": [sys.executable, "-c", BARE_SETUP],
            "mainthing's setup()": [sys.executable, "-c", MAINTHING_SETUP],
            **{f"mainthing {name}": [*MAINTHING, *argv] for name, argv in DAILY.items()},
        }
        for argv in commands.values():  # warm the file cache and the .pyc files
            _time_ms(argv, env)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        # Round-robin, so a slow spell on a shared machine hits every command alike.
        for _ in range(runs):
            for name, argv in commands.items():
                samples[name].append(_time_ms(argv, env))
    return samples


def report(samples: dict[str, list[float]]) -> tuple[str, bool]:
    bare = statistics.median(samples["bare django.setup()"])
    lines = [f"{'command':<32}{'median':>9}{'fastest':>9}{'ratio':>8}{'goal':>6}", "-" * 70]
    ok = True
    for name, values in samples.items():
        median = statistics.median(values)
        ratio = median / bare
        mark = ""
        if name.startswith("mainthing "):
            goal = GOALS.get(name.removeprefix("mainthing "), GOAL)
            mark = f"{goal:>6.2f}  {'PASS' if ratio <= goal else 'OVER'}"
            ok = ok and ratio <= goal
        lines.append(f"{name:<32}{median:>7.0f}ms{min(values):>7.0f}ms{ratio:>8.2f}{mark}")
    lines.append(
        f"goal: every daily command within {GOAL} times the bare django.setup() median "
        "(or its own goal)"
    )
    return "\n".join(lines), ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command (default 10)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a command is OVER")
    args = parser.parse_args()
    samples = measure(args.runs)
    text, ok = report(samples)
    print(f"CLI start-up, {args.runs} runs each (whole processes, SQLite demo account)\n{text}")
    out = common.data_dir() / "cli-startup-results.json"
    out.write_text(json.dumps({name: sorted(v) for name, v in samples.items()}, indent=2))
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
