"""The daily commands start Django with only the apps that hold models (cli/common.py); run as
real processes, so that mode is what is tested, not the full set the test run has."""

import json
import os
import subprocess
import sys

import pytest

from tests.cli.test_cli import _database_url_for_subprocess


def _mainthing(*argv: str) -> tuple[int, str, str]:
    env = {**os.environ, "MAINTHING_DATABASE_URL": _database_url_for_subprocess()}
    done = subprocess.run(
        [sys.executable, "-m", "mainthing.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.django_db(transaction=True)
def test_the_daily_commands_run_with_only_the_model_apps(owner):
    started = _mainthing("start", "Prospect call", "--yes", "--json")
    status = _mainthing("status", "--json")
    stopped = _mainthing("stop")
    logged = _mainthing("log", "Forum posts", "30m", "--at", "2026-06-10 09:00")
    today = _mainthing("today")
    report = _mainthing("report", "--from", "2026-06-10", "--to", "2026-06-10", "--json")

    assert [r[0] for r in (started, status, stopped, logged, today, report)] == [0] * 6, [
        r[2] for r in (started, status, stopped, logged, today, report)
    ]
    assert json.loads(started[1])["category"] == "Prospect call"
    assert json.loads(status[1])["running"]["category"] == "Prospect call"
    assert stopped[1].startswith("Stopped Prospect call: ")
    assert logged[1] == "Logged 30m of Forum posts from 2026-06-10 09:00.\n"
    assert today[1].splitlines()[1].startswith("IGA ")
    assert json.loads(report[1])["categories"] == [
        {"tier": "leadgen", "category": "Forum posts", "seconds": 1800, "entries": 1}
    ]
