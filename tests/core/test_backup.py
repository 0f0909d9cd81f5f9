import sqlite3
import subprocess

import pytest
from django.db import connection

from mainthing.backup import backup_database
from mainthing.cli import main
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_backup_copies_the_live_database_consistently(tmp_path, capsys):
    UserFactory(email="kept@example.com")
    assert main(["backup", str(tmp_path)]) == 0
    written = sorted(tmp_path.iterdir())
    assert len(written) == 1
    assert f"Backed up the database to {written[0]}." in capsys.readouterr().out
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(written[0])
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT email FROM accounts_user").fetchall() == [("kept@example.com",)]
    else:
        listing = subprocess.run(
            ["pg_restore", "--list", str(written[0])], capture_output=True, text=True
        )
        assert "accounts_user" in listing.stdout
    assert oct(written[0].stat().st_mode & 0o777) == "0o600"


@pytest.mark.django_db
def test_backup_names_files_by_time(tmp_path):
    from datetime import UTC, datetime

    path = backup_database(tmp_path, now=datetime(2026, 11, 27, 9, 30, tzinfo=UTC))
    assert path.name.startswith("mainthing-20261127-093000.")
