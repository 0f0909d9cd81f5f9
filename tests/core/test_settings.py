import os
import stat
import subprocess
import sys

import pytest


def load_settings(tmp_path, **env) -> subprocess.CompletedProcess:
    """Imports the settings in a fresh interpreter with only the given MAINTHING_* variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MAINTHING_")}
    clean.update({"MAINTHING_DATA_DIR": str(tmp_path / "data"), **env})
    code = (
        "import mainthing.settings as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG, s.PORT)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("MAINTHING_DEBUG", "maybe", "MAINTHING_DEBUG must be on/off"),
        ("MAINTHING_PORT", "eighty", "MAINTHING_PORT must be a whole number"),
        ("MAINTHING_PORT", "70000", "MAINTHING_PORT must be between 1 and 65535"),
        ("MAINTHING_RATE_LIMITS", "sometimes", "MAINTHING_RATE_LIMITS must be on/off"),
        (
            "MAINTHING_DATABASE_URL",
            "mysql://x/y",
            "MAINTHING_DATABASE_URL must be a URL starting with",
        ),
        ("MAINTHING_EMAIL_URL", "pigeon://coop", "MAINTHING_EMAIL_URL must be a URL starting with"),
        ("MAINTHING_REDIS_URL", "http://x", "MAINTHING_REDIS_URL must be a URL starting with"),
        ("MAINTHING_BASE_URL", "example.com", "MAINTHING_BASE_URL must be a URL starting with"),
        ("MAINTHING_SECRET_KEY", "short", "MAINTHING_SECRET_KEY must be at least 32 characters"),
    ],
)
def test_bad_environment_value_stops_start_up_naming_the_variable(
    tmp_path, variable, value, message
):
    result = load_settings(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_defaults_are_sqlite_production_mode_and_port_8000(tmp_path):
    result = load_settings(tmp_path)
    assert result.stdout.split() == ["django.db.backends.sqlite3", "False", "8000"]


def test_secret_key_is_generated_once_owner_only(tmp_path):
    load_settings(tmp_path)
    key_file = tmp_path / "data" / "secret_key"
    first = key_file.read_text()
    load_settings(tmp_path)
    assert key_file.read_text() == first
    assert len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_sqlite_runs_in_wal_with_immediate_transactions(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        timeout = cursor.fetchone()[0]
    assert (mode, timeout) == ("wal", 20000)
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_healthz_reports_database_ok(client, db):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get("/accounts/login/", follow=True)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()


def test_deploy_check_is_clean_in_production_settings(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MAINTHING_")}
    clean.update(
        MAINTHING_DATA_DIR=str(tmp_path),
        MAINTHING_BASE_URL="https://mainthing.example.com",
        MAINTHING_SECRET_KEY="x" * 20 + "y" * 20 + "z" * 20 + "0123456789abcdefghij",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mainthing.cli",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
