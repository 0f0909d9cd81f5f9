"""Playwright fixtures: Debian's Chromium against pytest-django's live server.

The browser is started per test on purpose. Playwright's sync API keeps an asyncio loop
running on the main thread while it is alive, and Django refuses ORM calls there; stopping it
before the transactional database is flushed keeps DJANGO_ALLOW_ASYNC_UNSAFE out of the suite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from mainthing.core import timekit

CHROMIUM = Path("/usr/bin/chromium")
# axe-core from npm (package.json's devDependencies): the accessibility rules a page must pass.
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIME_ZONE = "Europe/London"
TZ = timekit.zone(TIME_ZONE)
PASSWORD = "a long browser password 7"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Every browser test module's `pytestmark`.
BROWSER_MARKS = [
    pytest.mark.browser,
    # Whitenoise looks for collected files the live server never needs.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

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

    def assert_none(self, *, failed_requests: list[str] = ()) -> None:
        """Nothing went wrong but the `failed_requests` a test expects."""
        assert self.csp_violations == []
        assert self.console_errors == []
        assert self.page_errors == []
        # Chromium asks for /favicon.ico by itself; the missing icon is cosmetic, not a policy
        # issue.
        failed = [r for r in self.failed_requests if not r.endswith("/favicon.ico")]
        assert failed == list(failed_requests)


def local_now() -> datetime:
    return datetime.now(TZ)


def flash(page):
    """The one-off message ("Block added."), not other live regions like the fill signal."""
    return page.locator(".messages .message")


def horizontal_overflow(page) -> dict:
    """The page's scroll and client widths, and the first elements that stick out."""
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          const wide = [...document.querySelectorAll("body *:not(svg *)")]
            .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 0.5)
            .map((el) => [el.tagName.toLowerCase(), ...el.classList].join("."));
          return {scroll: root.scrollWidth, client: root.clientWidth, wide: wide.slice(0, 5)};
        }"""
    )


# The widest screen that gets the phone layout (app.css, "Phone layout": 45rem).
PHONE_LAYOUT_MAX_WIDTH = 720


def go_to(page, name: str) -> None:
    """Opens a main page the way its user would: from the top navigation on a desktop; on a
    phone from the tab bar, or from its More page for the pages the tabs leave out."""
    # By the viewport, not by what shows: before the stylesheet has loaded, a phone's page
    # still shows the top navigation that the phone layout hides a moment later.
    if page.viewport_size["width"] > PHONE_LAYOUT_MAX_WIDTH:
        page.locator("nav.nav").get_by_role("link", name=name, exact=True).click()
        return
    tabs = page.get_by_role("navigation", name="Tabs")
    if tabs.get_by_role("link", name=name, exact=True).count():
        tabs.get_by_role("link", name=name, exact=True).click()
        return
    tabs.get_by_role("link", name="More", exact=True).click()
    page.locator(".more-list a").filter(
        has=page.locator(".more-name").get_by_text(name, exact=True)
    ).click()


def keep_screenshot(page, path, *, full_page: bool = True) -> None:
    """Save a picture of the page for people to look at (it asserts nothing). Chromium waits
    for fonts before it draws one, and on CI's two busy cores that wait has passed the usual
    10 s, so a screenshot gets longer than an action."""
    page.screenshot(path=str(path), full_page=full_page, timeout=60_000)


def axe_violations(page, selector: str = "body") -> list[dict]:
    """axe-core's WCAG 2 A/AA violations inside `selector`, as {"id", "impact", "nodes"}. The
    engine is evaluated through the DevTools protocol, which the page's CSP doesn't govern, so no
    script tag is added to the page."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci` (make install-dev does).")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (selector) => {
          const results = await axe.run(document.querySelector(selector), {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
          });
          return results.violations.map((v) => ({
            id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")),
          }));
        }""",
        selector,
    )


def sign_up(page, email: str = "marketer@example.com") -> None:
    """Signs up through the form, in the browser's time zone, and lands on Today."""
    from playwright.sync_api import expect

    page.goto("/accounts/signup/")
    # app.js guessed it from the browser; nobody touched the select.
    expect(page.get_by_label("Time zone")).to_have_value(TIME_ZONE)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Your name").fill("Pat")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/$"))


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
def context_options():
    """More of the browser context's options (`has_touch` for a phone); a test overrides it."""
    return {}


@pytest.fixture
def problems():
    return PageProblems()


@pytest.fixture
def page(browser, live_server, viewport, context_options, problems):
    context = browser.new_context(
        base_url=live_server.url,
        timezone_id=TIME_ZONE,
        locale="en-GB",
        viewport=viewport,
        **context_options,
    )
    context.set_default_timeout(10_000)
    # As long for assertions as for actions: CI's two cores run two browsers and servers.
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
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


# axe's rule sets: WCAG 2.0/2.1 A and AA, and its best practices (one h1, landmarks).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Best practices of "moderate" impact that every page meets all the same: a page's outline.
AXE_STRUCTURE = ["page-has-heading-one", "heading-order", "landmark-unique", "landmark-one-main"]


def axe_serious(page, selector: str = "html") -> list[dict]:
    """axe-core's critical and serious violations in `selector` (WCAG 2.1 A/AA and best
    practices), and the page-outline rules of AXE_STRUCTURE, as {"id", "impact", "nodes"}: the
    level every page must reach."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci` (make install-dev does).")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async ([selector, tags, structure]) => {
          const results = await axe.run(document.querySelector(selector), {
            runOnly: {type: "tag", values: tags},
          });
          return results.violations
            .filter((v) => ["critical", "serious"].includes(v.impact) || structure.includes(v.id))
            .map((v) => ({
              id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")),
            }));
        }""",
        [selector, AXE_TAGS, AXE_STRUCTURE],
    )
