"""Playwright fixtures: Debian's Chromium against pytest-django's live server.

The browser is started per test on purpose. Playwright's sync API keeps an asyncio loop
running on the main thread while it is alive, and Django refuses ORM calls there; stopping it
before the transactional database is flushed keeps DJANGO_ALLOW_ASYNC_UNSAFE out of the suite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIME_ZONE = "Europe/London"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Reports CSP violations to Python: an exposed binding outlives navigations, window state does not.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__reportCspViolation({
    page: location.pathname,
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
  });
});
"""


@dataclass
class PageProblems:
    """What went wrong in the page while a test drove it."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[dict] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def on_console(self, url: str, message) -> None:
        # Chromium logs a failed load without its URL; `failed_requests` names it instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(f"{url}: {message.text}")

    def on_response(self, response) -> None:
        if response.status >= 400:
            self.failed_requests.append(f"{response.status} {response.url}")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic`; the live server serves /static/ from the
    # finders, so plain URLs are what the pages should name in tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def viewport():
    """The window size of `page`; a test overrides it with @pytest.mark.parametrize."""
    return DESKTOP


@pytest.fixture
def problems():
    return PageProblems()


@pytest.fixture
def page(browser, live_server, viewport, problems):
    context = browser.new_context(
        base_url=live_server.url,
        timezone_id=TIME_ZONE,
        locale="en-GB",
        viewport=viewport,
    )
    context.set_default_timeout(10_000)
    context.expose_binding(
        "__reportCspViolation", lambda source, report: problems.csp_violations.append(report)
    )
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on("console", lambda message: problems.on_console(page.url, message))
    page.on("response", problems.on_response)
    page.on("pageerror", lambda error: problems.page_errors.append(f"{page.url}: {error}"))
    yield page
    context.close()
