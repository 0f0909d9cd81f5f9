"""Everything Mainthing writes is its owner's alone (files 0600, folders 0700), whatever the
umask: real `mainthing` processes started with the usual umask 022 on a fresh data directory."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.activity.test_import_cli import SAMPLES

LEADS = "name,email,phone\nAnn Lee,ann@example.com,+14155550100\nBob Ray,bob@example.com,\n"

# A web upload as the lead and time import pages store it (core/importing.py).
UPLOAD = """
from django.core.files.uploadedfile import SimpleUploadedFile
from mainthing.accounts.models import User
from mainthing.core.importing import store_upload
store_upload(User.objects.get(), SimpleUploadedFile("leads.csv", b"name\\nAnn\\n"), kind="leads")
"""

# The write-ahead log and its index exist only while a connection is open (the last one to
# close deletes them), so their modes are read from inside a process that holds one.
OPEN_FILES = """
import os, stat
from django.db import connection
from mainthing.accounts.models import User
User.objects.filter(email="nobody@example.com").update(name="x")
for suffix in ("-wal", "-shm"):
    mode = stat.S_IMODE(os.stat(connection.settings_dict["NAME"] + suffix).st_mode)
    print(suffix, oct(mode))
"""

RESET = """
from mainthing.accounts.services import request_password_reset
request_password_reset("ann@example.com")
"""


def mainthing_with_umask_022(data_dir: Path, *args: str, stdin: str = "") -> str:
    env = {k: v for k, v in os.environ.items() if k != "MAINTHING_DATABASE_URL"}
    env.pop("MAINTHING_SECRET_KEY", None)
    env["MAINTHING_DATA_DIR"] = str(data_dir)
    done = subprocess.run(
        [sys.executable, "-m", "mainthing.cli", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert (done.returncode, "Traceback" in done.stderr) == (0, False), (args, done.stderr)
    return done.stdout


def modes_open_to_others(top: Path) -> list[str]:
    """Every path under TOP (and TOP) whose mode is not 0600 for a file or 0700 for a folder."""
    wrong = []
    for folder, dirs, names in os.walk(top):
        for name in [".", *dirs, *names]:
            path = Path(folder, name)
            mode = stat.S_IMODE(path.lstat().st_mode)
            want = 0o700 if path.is_dir() else 0o600
            if mode != want:
                wrong.append(f"{path.relative_to(top.parent)} {mode:o}")
    return sorted(set(wrong))


def test_everything_written_under_the_data_dir_and_elsewhere_is_owner_only(tmp_path):
    data, elsewhere = tmp_path / "data", tmp_path / "elsewhere"
    # A data directory and database made by an earlier version, open to everyone.
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    (data / "mainthing.sqlite3").touch(mode=0o644)
    os.chmod(data / "mainthing.sqlite3", 0o644)
    elsewhere.mkdir()
    leads = tmp_path / "leads.csv"
    leads.write_text(LEADS)

    run = lambda *args, **kw: mainthing_with_umask_022(data, *args, **kw)  # noqa: E731
    run("manage", "migrate", "--verbosity", "0")
    modes = run("manage", "shell", "--no-imports", "-c", OPEN_FILES).split()
    assert modes == ["-wal", "0o600", "-shm", "0o600"]
    run("manage", "collectstatic", "--noinput", "--verbosity", "0")
    run("createuser", "ann@example.com", "--password-stdin", stdin="x" * 12)
    run("import", "leads", str(leads))
    run("import", "activities", str(SAMPLES / "mainthing.csv"))
    run("manage", "shell", "-c", UPLOAD)
    run("manage", "sendtestemail", "ann@example.com")
    run("manage", "shell", "-c", RESET)
    run("worker", "--batch")  # sends the reset mail, with its working link, into DATA_DIR/mail
    run("export", str(data / "ann.json"))
    run("export", str(elsewhere / "ann.json"))
    run("backup", str(data / "backups"))
    run("backup", str(elsewhere / "backups"))

    written = {p.relative_to(data).parts[0] for p in data.rglob("*")}
    assert {"mail", "uploads", "static", "ann.json", "backups", "secret_key"} <= written
    assert len(list((data / "mail").iterdir())) == 2  # the test mail and the reset mail
    assert modes_open_to_others(data) == []
    assert modes_open_to_others(elsewhere / "backups") == []
    assert stat.S_IMODE((elsewhere / "ann.json").stat().st_mode) == 0o600
