"""What the CLI tests share: a clock to freeze and a way to run a command."""

from datetime import UTC, datetime

import pytest
import time_machine

from mainthing.cli import main

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)  # 16:00 in London


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def run(capsys, *argv) -> tuple[int, str, str]:
    """`mainthing ARGV...` in-process: its exit status, stdout and stderr (argparse's usage
    errors included: they exit with 2)."""
    try:
        code = main(list(argv))
    except SystemExit as stopped:
        code = stopped.code
    out, err = capsys.readouterr()
    return code, out, err
