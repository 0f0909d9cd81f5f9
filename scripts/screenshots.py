"""Screenshots of the main pages for the docs, taken from a throwaway demo install.

Run: .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--full-page]

It migrates a temporary data directory, creates the demo account, serves the app with gunicorn
on a free loopback port, signs in with Debian's Chromium and saves today.png, today-phone.png,
log.png and iga-question.png. Nothing outside the temporary directory and --out is touched.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EMAIL = "demo@mainthing.local"
PASSWORD = "demo-password-1"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mainthing(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "mainthing"), *args], env=env, cwd=ROOT, check=True)


def wait_until_up(url: str, server: subprocess.Popen, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode} before serving.")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer /healthz within {seconds:.0f} s.")


def sign_in(page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")


def prospecting_hours_around_now(page, url: str) -> None:
    """An hour either side of now in the user's zone, so the IGA question shows at any hour."""
    page.goto(f"{url}/accounts/profile/")
    zone = page.locator("select[name=time_zone]").input_value()
    now = datetime.now(ZoneInfo(zone))
    page.get_by_label("My prospecting hours start").fill(f"{now - timedelta(hours=1):%H:%M}")
    page.get_by_label("and end").fill(f"{now + timedelta(hours=1):%H:%M}")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"{url}/accounts/profile/")


def take(browser, url: str, out: Path, *, full_page: bool) -> list[Path]:
    saved = []

    def shot(page, name: str) -> None:
        path = out / name
        page.screenshot(path=str(path), full_page=full_page)
        saved.append(path)

    desktop = browser.new_context(viewport=DESKTOP)
    page = desktop.new_page()
    sign_in(page, url)
    shot(page, "today.png")
    page.goto(f"{url}/activity/")
    shot(page, "log.png")

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.add_cookies(desktop.cookies())
    phone_page = phone.new_page()
    phone_page.goto(f"{url}/")
    shot(phone_page, "today-phone.png")
    phone.close()

    # Last, because it changes the demo profile (harmless: the data directory is thrown away).
    prospecting_hours_around_now(page, url)
    page.goto(f"{url}/")
    page.get_by_role("button", name="Organizing", exact=True).click()
    page.get_by_role("alertdialog").wait_for()
    shot(page, "iga-question.png")
    desktop.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--full-page", action="store_true", help="whole pages instead of one window"
    )
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Screenshots need Debian's Chromium at {CHROMIUM}: run `make browser`.")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mainthing-shots-") as data_dir:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "MAINTHING_DATA_DIR": data_dir,
            "MAINTHING_PORT": str(port),
            "MAINTHING_DATABASE_URL": "",
            "MAINTHING_DEBUG": "off",
            "MAINTHING_EMAIL_URL": "",
            "MAINTHING_REDIS_URL": "",
        }
        mainthing(env, "manage", "migrate", "--no-input", "-v", "0")
        mainthing(env, "manage", "collectstatic", "--no-input", "-v", "0")
        mainthing(env, "demo", "--email", EMAIL, "--password", PASSWORD)
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "mainthing.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
                "--log-level", "warning",
            ],
            env=env,
            cwd=ROOT,
        )  # fmt: skip
        try:
            wait_until_up(url, server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                try:
                    saved = take(browser, url, args.out, full_page=args.full_page)
                finally:
                    browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    for path in saved:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
