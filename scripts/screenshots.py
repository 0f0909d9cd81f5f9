"""Screenshots of the main pages for the docs, taken from a throwaway demo install.

Run: .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--at ISO] [--full-page]

It migrates a temporary data directory, creates the demo account, serves the app with gunicorn
on a free loopback port, signs in with Debian's Chromium and saves today.png (follow-ups
included), today-phone.png, calendar-day-phone.png (the calendar's day list),
call-queue-phone.png, insights-phone.png, insights.png, weekly-review.png, log.png,
calendar.png, routine.png, prospects.png, prospect-card.png,
outcome.png, iga-question.png, calendar-feed.png, booking-settings.png,
booking-page-phone.png and booking-form-phone.png (the public booking page as a prospect in
London sees it). The card and the
outcome form are shot whole: their point (the history, the slots to book) lies below the fold.
Nothing outside the temporary directory and --out is touched.

The demo and the server run on a clock set to --at (time-machine, ticking from there), and so
does the browser: the pictures are the same whoever takes them, and the default instant is a
Thursday evening inside the demo's prospecting block, where the day is full, a call was just
completed and starting busy work asks the IGA question.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

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
# 20:10 in the demo's zone (America/Chicago), in its 19:00-21:00 prospecting block.
DEFAULT_AT = "2026-11-19T20:10:00-06:00"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
RUN_AT = "--run-at"  # internal: run a command in this process on a travelled clock


def run_at(instant: str, command: list[str]) -> int:
    """Runs `mainthing …` or `gunicorn …` in this process with the clock moved to `instant`."""
    import time_machine

    with time_machine.travel(datetime.fromisoformat(instant), tick=True):
        if command[0] == "gunicorn":
            from gunicorn.app.wsgiapp import run

            sys.argv = command
            run()  # exits through SystemExit when the server stops
        from mainthing.cli import main

        return main(command[1:])


def at_clock(instant: str, *command: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), RUN_AT, instant, *command]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def new_context(browser, instant: datetime, errors: list[str], **options):
    """A browser context on the server's clock that notes every page load that failed."""
    context = browser.new_context(**options)
    context.clock.install(time=instant)

    def check(response) -> None:
        if response.request.is_navigation_request() and response.status >= 400:
            errors.append(f"{response.status} {response.request.method} {response.url}")

    context.on("response", check)
    return context


def open_rich_card(page, url: str) -> None:
    """The card of a prospect who said no, took the affiliate offer and joined it: the issue's
    story, with stage changes, calls, linked time and income in its history."""
    page.goto(f"{url}/prospects/?stage=affiliate_joined&sort=contacted")
    first = page.locator("table.prospects tbody tr td:first-child a").first
    if not first.count():
        raise SystemExit("No joined prospect in the demo to show a card of.")
    first.click()
    page.wait_for_url(re.compile(r".*/prospects/\d+/$"))


def open_outcome(page, url: str) -> None:
    """The form after today's completed call, with "Declined" picked so the affiliate offer
    shows, as it does while someone fills it in (nothing is saved)."""
    page.goto(f"{url}/")
    completed = page.locator(".agenda-item").filter(
        has=page.locator(".badge", has_text="completed")
    )
    if not completed.count():
        raise SystemExit("No completed call today: pick an --at after one of the demo's calls.")
    completed.last.get_by_role("link", name=re.compile(r"^Call with ")).click()
    page.get_by_role("link", name="Record what came of it").click()
    page.wait_for_url(re.compile(r".*/calendar/outcome/\d+/\?appointment=\d+$"))
    page.get_by_role("radio", name="Declined").check()
    page.get_by_label("Note").fill("Not the business for her now; likes the product.")


def take(browser, url: str, out: Path, *, instant: datetime, full_page: bool) -> list[Path]:
    saved = []
    errors: list[str] = []

    def shot(page, name: str, *, full_page: bool = full_page) -> None:
        page.wait_for_load_state("load")
        if errors:
            raise SystemExit("The app answered with an error:\n  " + "\n  ".join(errors))
        path = out / name
        page.screenshot(path=str(path), full_page=full_page)
        saved.append(path)

    desktop = new_context(browser, instant, errors, viewport=DESKTOP)
    page = desktop.new_page()
    sign_in(page, url)
    shot(page, "today.png")
    page.goto(f"{url}/activity/")
    shot(page, "log.png")
    page.goto(f"{url}/calendar/")
    shot(page, "calendar.png")
    page.goto(f"{url}/routine/")
    shot(page, "routine.png")
    page.goto(f"{url}/prospects/")
    shot(page, "prospects.png")
    open_rich_card(page, url)
    shot(page, "prospect-card.png", full_page=True)
    open_outcome(page, url)
    shot(page, "outcome.png", full_page=True)

    phone = new_context(browser, instant, errors, viewport=PHONE, is_mobile=True, has_touch=True)
    phone.add_cookies(desktop.cookies())
    phone_page = phone.new_page()
    phone_page.goto(f"{url}/")
    shot(phone_page, "today-phone.png")
    # The calendar's day list of the next day, where the demo's evening has free times.
    phone_page.goto(f"{url}/calendar/")
    phone_page.locator(".day-pager a[rel=next]").click()
    shot(phone_page, "calendar-day-phone.png")
    # The call queue: the next person to call, their card and the outcome buttons.
    phone_page.goto(f"{url}/call/")
    shot(phone_page, "call-queue-phone.png")
    # Insights on a phone: the key figures and the first charts.
    phone_page.goto(f"{url}/insights/")
    shot(phone_page, "insights-phone.png")
    phone.close()

    # The scorecard for the quarter (the demo's history), then the weekly review.
    page.goto(f"{url}/insights/?range=quarter")
    shot(page, "insights.png")
    page.goto(f"{url}/insights/review/")
    shot(page, "weekly-review.png")
    page.goto(f"{url}/")
    page.get_by_role("button", name="Organizing", exact=True).click()
    page.wait_for_load_state("load")
    if not page.get_by_role("alertdialog").count():
        raise SystemExit("No IGA question: pick an --at inside the demo's prospecting block.")
    shot(page, "iga-question.png")
    # The calendar feed's one-time page: its address, the Copy button and the subscribe links.
    page.goto(f"{url}/accounts/profile/")
    page.get_by_role("button", name="Create a feed address").click()
    shot(page, "calendar-feed.png")
    # The booking page: its settings, then the page as a prospect in London sees it on a phone.
    page.goto(f"{url}/book/settings/")
    shot(page, "booking-settings.png")
    public_url = page.locator("#page-url").input_value()
    desktop.close()
    visitor = new_context(
        browser, instant, errors, viewport=PHONE, is_mobile=True, has_touch=True,
        timezone_id="Europe/London", locale="en-GB",
    )  # fmt: skip
    visitor_page = visitor.new_page()
    visitor_page.goto(public_url)
    visitor_page.wait_for_url(re.compile(r".*tz=Europe.*"))
    shot(visitor_page, "booking-page-phone.png", full_page=True)
    visitor_page.locator("a.button.time").first.click()
    visitor_page.get_by_label("Your name").wait_for()
    shot(visitor_page, "booking-form-phone.png")
    visitor.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == [RUN_AT]:
        return run_at(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--at", default=DEFAULT_AT, help=f"the app's clock, ISO with offset (default {DEFAULT_AT})"
    )
    parser.add_argument(
        "--full-page", action="store_true", help="whole pages instead of one window"
    )
    args = parser.parse_args(argv)
    instant = datetime.fromisoformat(args.at)
    if instant.tzinfo is None:
        parser.error("--at needs an offset, like 2026-11-19T20:10:00-06:00")
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

        def mainthing(*command: str) -> None:
            subprocess.run(command, env=env, cwd=ROOT, check=True)

        mainthing(str(BIN / "mainthing"), "manage", "migrate", "--no-input", "-v", "0")
        mainthing(str(BIN / "mainthing"), "manage", "collectstatic", "--no-input", "-v", "0")
        mainthing(*at_clock(args.at, "mainthing", "demo", "--email", EMAIL, "--password", PASSWORD))
        server = subprocess.Popen(
            at_clock(
                args.at, "gunicorn", "mainthing.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
                "--log-level", "warning",
            ),
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
                    saved = take(browser, url, args.out, instant=instant, full_page=args.full_page)
                finally:
                    browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    for path in saved:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
