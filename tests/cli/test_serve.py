"""`mainthing serve` as a real process on a data directory nobody set up: it migrates and
collects the static files before serving, and its access log carries no secret."""

import os
import signal
import subprocess
import urllib.error
import urllib.request

import pytest

from tests.cli.conftest import MAINTHING
from tests.cli.test_supervision import _free_port, _healthy, _wait_for

FEED_TOKEN = "feedSecret0123456789abcdefXYZ"
RESET_TOKEN = "cz9k1a-resetSecret0123456789abcdef"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`mainthing serve` on a fresh, empty data directory: its port and its output's file."""
    data = tmp_path_factory.mktemp("data")
    env = {**os.environ, "MAINTHING_DATA_DIR": str(data)}
    for name in ("MAINTHING_DATABASE_URL", "MAINTHING_REDIS_URL"):
        env.pop(name, None)
    port = _free_port()
    log_path = data.parent / f"{data.name}-serve.log"
    with log_path.open("w") as log:
        serve = subprocess.Popen(
            [*MAINTHING, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for("the web app", lambda: _healthy(port), timeout=180)
        yield port, log_path
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()


def _get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_serve_sets_up_a_fresh_data_dir_before_serving_pages(served):
    port, log_path = served

    status, page = _get(port, "/accounts/login/")

    assert (status, "/static/mainthing/app." in page) == (200, True)
    log = log_path.read_text()
    assert "Setting up the database (migrate)..." in log
    assert "Collecting the static files (collectstatic)..." in log


def test_access_log_masks_the_feed_token_and_the_reset_token(served):
    port, log_path = served

    _get(port, f"/feeds/{FEED_TOKEN}.ics")
    _get(port, f"/accounts/password/reset/MQ/{RESET_TOKEN}/")
    _get(port, "/healthz?done")
    # gunicorn writes a request's line after answering it, from the worker's threads, so lines
    # may land out of order: wait for all three.
    _wait_for(
        "the access log",
        lambda: all(
            part in log_path.read_text()
            for part in ("/healthz?done", "GET /feeds/", "GET /accounts/password/reset/")
        ),
    )

    log = log_path.read_text()
    assert (FEED_TOKEN in log, RESET_TOKEN in log) == (False, False)
    assert '"GET /feeds/[token].ics HTTP/1.1" 404' in log
    assert '"GET /accounts/password/reset/MQ/[token]/ HTTP/1.1"' in log
