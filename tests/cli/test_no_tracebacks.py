"""A user's mistake gets one line, never a traceback: every command on a data directory nobody
set up, a bad MAINTHING_* value, a file that can't be written. Real processes, as a new user
would meet them."""

import argparse
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import MAINTHING, every_command, run

# What to type for each positional argument, by its name; a file argument gets a real file.
VALUES = {
    "email": "ann@example.com",
    "category": "Forum posts",
    "duration": "30m",
    "prospect": "Ann",
    "when": "2026-12-01 19:00",
    "name": "Ann Lee",
    "id": "1",
    "campaign": "Signature",
    "amount": "150",
    "tier": "income",
    "spec": "Mon-Fri 19:00-21:00",
    "kind": "leads",
    "rest": "showmigrations",
    "outcome": "no-answer",
}
# Long-running commands, asked to stop once their work is done (serve has its own test:
# it sets the data directory up, test_serve.py).
EXTRA = {("worker",): ["--batch"], ("createuser",): ["--password-stdin"]}
# Commands that work on an empty database: Django's own, and a backup of what there is.
WORK_ANYWAY = {("manage",), ("backup",)}


def _argv(words: tuple[str, ...], parser: argparse.ArgumentParser, folder: Path) -> list[str]:
    argv = list(words)
    for action in parser._actions:
        if action.option_strings or action.dest == "help":
            continue
        if action.dest in {"file", "dir"}:
            argv.append(str(folder / action.dest))
        else:
            argv.append(VALUES[action.dest])
    return [*argv, *EXTRA.get(words, [])]


COMMANDS = sorted((words, sub) for words, sub in every_command() if words != ("serve",))


@pytest.mark.parametrize(("words", "sub"), COMMANDS, ids=[" ".join(w) for w, _ in COMMANDS])
def test_a_command_on_a_data_dir_never_set_up_says_what_to_run(words, sub, tmp_path):
    data = tmp_path / "data"
    (tmp_path / "file").write_text("name,email\nAnn,ann@example.com\n")
    env = {**os.environ, "MAINTHING_DATA_DIR": str(data)}
    for name in ("MAINTHING_DATABASE_URL", "MAINTHING_REDIS_URL"):
        env.pop(name, None)

    done = subprocess.run(
        [*MAINTHING, *_argv(words, sub, tmp_path)],
        env=env,
        input="a-long-enough-password\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert "Traceback" not in done.stderr
    if words in WORK_ANYWAY:
        assert done.returncode == 0
    else:
        assert (done.returncode, done.stderr) == (
            1,
            f"mainthing: The data directory {data} is not set up: run `mainthing manage "
            "migrate` (`mainthing serve` does it too).\n",
        )


def test_createuser_without_a_terminal_asks_for_password_stdin(tmp_path):
    env = {**os.environ, "MAINTHING_DATA_DIR": str(tmp_path)}
    env.pop("MAINTHING_DATABASE_URL", None)

    done = subprocess.run(
        [*MAINTHING, "createuser", "ann@example.com"],
        env=env,
        input="a-long-enough-password\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert (done.returncode, done.stderr) == (
        2,
        "mainthing: There is no terminal to ask for the password: give it on stdin with "
        "--password-stdin.\n",
    )


def test_a_bad_setting_is_one_line(tmp_path):
    env = {**os.environ, "MAINTHING_DATA_DIR": str(tmp_path), "MAINTHING_PORT": "eighty"}

    done = subprocess.run(
        [*MAINTHING, "status"], env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert (done.returncode, done.stderr.count("\n"), "Traceback" in done.stderr) == (2, 1, False)
    assert done.stderr.startswith("mainthing: MAINTHING_PORT")


def test_a_file_that_cant_be_written_is_one_line(owner, capsys, tmp_path):
    code, _, err = run(capsys, "export", str(tmp_path / "missing" / "ann.json"))

    assert (code, err) == (1, f"mainthing: There is no folder {tmp_path / 'missing'}.\n")


def test_a_file_that_cant_be_read_is_one_line(owner, capsys, tmp_path):
    code, _, err = run(capsys, "restore", str(tmp_path / "missing.json"))

    assert (code, err.count("\n"), "Traceback" in err) == (1, 1, False)


def test_a_database_that_cant_be_opened_is_one_line(tmp_path):
    env = {
        **os.environ,
        "MAINTHING_DATA_DIR": str(tmp_path),
        "MAINTHING_DATABASE_URL": f"sqlite:///{tmp_path}/no/such/folder/db.sqlite3",
    }

    done = subprocess.run(
        [*MAINTHING, "today"], env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert (done.returncode, done.stderr) == (
        1,
        "mainthing: Can't open the database: unable to open database file\n",
    )
