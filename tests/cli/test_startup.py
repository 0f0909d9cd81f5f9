"""The daily commands start Django with only the apps that hold models (cli/common.py); run as
real processes, so that mode is what is tested, not the full set the test run has."""

import json

import pytest

from tests.cli.conftest import run_process


@pytest.mark.django_db(transaction=True)
def test_the_daily_commands_run_with_only_the_model_apps(owner):
    started = run_process("start", "Prospect call", "--yes", "--json")
    status = run_process("status", "--json")
    stopped = run_process("stop")
    logged = run_process("log", "Forum posts", "30m", "--at", "2026-06-10 09:00")
    today = run_process("today")
    report = run_process("report", "--from", "2026-06-10", "--to", "2026-06-10", "--json")

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
