"""The app from the keyboard alone: signing up (through the mailed link), setting up the
routine, booking a call in the app, a lead through the call queue, and a visitor booking
through the public page. Only `page.keyboard` moves: Tab, Shift+Tab, Enter, Space, the arrows
and typing. Every element that takes the focus shows it (an outline or a box shadow), and the
first Tab on each page lands on the skip link, which jumps over the navigation into the page's
main part."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import BROWSER_MARKS, CHROMIUM, PASSWORD, flash

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

from tests.browser.test_booking_page import expect_mail

pytestmark = BROWSER_MARKS

# What the focused element looks like: its name, and whether a ring or shadow marks it.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const name = el.getAttribute("aria-label") || el.labels?.[0]?.textContent || el.textContent || "";
  return {
    element: [el.tagName.toLowerCase(), el.id, name.trim().replace(/\\s+/g, " ").slice(0, 50)],
    visible: outline || style.boxShadow !== "none",
    inMain: !!el.closest("main"),
  };
}"""


class Keyboard:
    """Moves through a page with keys only and records every element the focus visits."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.unmarked: list[list[str]] = []

    def press(self, key: str) -> dict | None:
        self.page.keyboard.press(key)
        focused = self.page.evaluate(FOCUSED)
        if focused and not focused["visible"]:
            self.unmarked.append(focused["element"])
        return focused

    def tab_to(self, target, *, back: bool = False, limit: int = 120) -> None:
        """Tab (Shift+Tab with `back`) until `target` has the focus."""
        expect(target).to_be_attached()
        if target.evaluate("el => el === document.activeElement"):
            return  # there already (a field with autofocus)
        for _ in range(limit):
            self.press("Shift+Tab" if back else "Tab")
            if target.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"{limit} Tabs never reached {target}")

    def skip_to_main(self) -> None:
        """The page's first Tab is the skip link, shown; Enter, then Tab, is inside main."""
        focused = self.press("Tab")
        assert focused["element"][2] == "Skip to main content"
        expect(self.page.locator(".skip-link")).to_be_in_viewport()
        self.page.keyboard.press("Enter")
        assert self.press("Tab")["inMain"] is True

    def type_into(self, target, text: str) -> None:
        self.tab_to(target)
        self.page.keyboard.type(text)


@pytest.fixture
def sam(transactional_db):
    """Sam, who has an account, prospecting time every day and a booking page at /book/sam/;
    an account already exists, so a new sign-up goes through the mailed link."""
    from mainthing import onboarding
    from mainthing.bookings import public
    from tests.factories import block

    user = onboarding.create_account(
        email="sam@example.com", password=PASSWORD, time_zone="Europe/London", name="Sam Rivera"
    )
    block(user, "10:00", "16:00", days="daily")
    page = public.page_for(user)
    page.slug, page.notice_minutes = "sam", 0
    page.save()
    return user


def test_sign_up_set_up_the_routine_book_and_work_the_call_queue_with_the_keyboard_only(
    sam, smtp, page: Page, problems
):
    keys = Keyboard(page)

    # Sign up: the form, then the link in the mail, then a password.
    page.goto("/accounts/signup/")
    keys.skip_to_main()
    keys.type_into(page.get_by_label("Email"), "pat@example.com")
    keys.type_into(page.get_by_label("Your name"), "Pat")
    keys.tab_to(page.get_by_role("button", name="Create account"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Check your email"))
    mail = expect_mail(smtp, "pat@example.com", "Finish creating your Mainthing account")
    text = mail.get_body(preferencelist=("plain",)).get_content()
    page.goto(re.search(r"https?://[^/\s]+(/accounts/signup/finish/\S+)", text).group(1))
    keys.type_into(page.get_by_label("Password"), PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))

    # The routine: through the navigation (before main, so Shift+Tab back from the page).
    keys.tab_to(page.get_by_role("link", name="Routine", exact=True))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/routine/$"))
    keys.skip_to_main()
    keys.tab_to(page.get_by_role("button", name="Use the starter routine"))
    page.keyboard.press("Space")
    expect(flash(page)).to_have_text(re.compile("starter routine", re.I))

    # A call, booked from the calendar: a new prospect in the first free time's neighbour.
    page.goto("/calendar/")
    keys.skip_to_main()
    keys.tab_to(page.get_by_role("link", name="Book a call"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a call")
    keys.type_into(page.get_by_label("Prospect"), "Ann Lee")
    slots = page.locator("input[name=slot]")
    keys.tab_to(slots.first)
    # The arrows move through the free times and pick one.
    page.keyboard.press("ArrowRight")
    expect(slots.nth(1)).to_be_checked()
    picked = slots.nth(1).locator("xpath=..").inner_text().strip()
    keys.tab_to(page.get_by_role("button", name="Book", exact=True))
    page.keyboard.press("Enter")
    expect(flash(page)).to_have_text(re.compile(rf"^Booked Ann Lee on .* at {picked}\.$"))

    # Back to Today by Shift+Tab through the navigation.
    keys.tab_to(page.get_by_role("link", name="Today", exact=True), back=True)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Ann Lee").first).to_be_visible()

    # The call queue: a new lead added from the keyboard, then dialled and told "No answer".
    page.goto("/prospects/add/")
    keys.skip_to_main()
    keys.type_into(page.get_by_label("Name"), "Bo Chan")
    keys.type_into(page.get_by_label("Phone"), "+44 7700 900123")
    keys.tab_to(page.get_by_role("button", name="Add", exact=True))
    page.keyboard.press("Enter")
    # (A redirect keeps the skip link's #main: browsers carry the fragment over.)
    expect(page).to_have_url(re.compile(r"/prospects/\d+/(#main)?$"))
    keys.tab_to(page.locator("nav.nav").get_by_role("link", name="Call", exact=True), back=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/call/$"))
    card = page.locator(".call-card")
    expect(card.get_by_role("heading", level=2)).to_have_text("Bo Chan")
    keys.skip_to_main()
    keys.tab_to(card.get_by_role("button", name="No answer"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Nobody to call right now")).to_be_visible()

    assert keys.unmarked == []
    problems.assert_none()


def test_a_visitor_books_a_call_on_the_public_page_with_the_keyboard_only(
    sam, page: Page, problems
):
    keys = Keyboard(page)
    page.goto("/book/sam/")
    keys.skip_to_main()
    # Days are links: the second day with free times, then its first time.
    day = page.locator("a.chip.day").nth(1)
    keys.tab_to(day)
    page.keyboard.press("Enter")
    expect(page.locator("a.chip.day").nth(1)).to_have_attribute("aria-current", "date")
    time_link = page.locator("a.time").first
    chosen = time_link.inner_text().strip()
    keys.tab_to(time_link)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(chosen)

    keys.type_into(page.get_by_label("Your name"), "Priya Shah")
    keys.type_into(page.get_by_label("Email"), "priya@example.in")
    # The form refuses posts faster than a person types (abuse.MIN_FILL_SECONDS).
    page.wait_for_timeout(3200)
    keys.tab_to(page.get_by_role("button", name="Book the call"))
    page.keyboard.press("Enter")

    expect(flash(page)).to_contain_text("You're booked")
    assert keys.unmarked == []
    problems.assert_none()


def test_an_element_without_a_focus_style_is_reported(sam, page: Page):
    """The check itself: a link whose ring is taken away is caught."""
    keys = Keyboard(page)
    page.goto("/accounts/signup/")
    page.evaluate(
        """() => {
          const link = document.querySelector(".skip-link");
          link.style.setProperty("outline", "none", "important");
        }"""
    )
    keys.press("Tab")
    assert keys.unmarked == [["a", "", "Skip to main content"]]
