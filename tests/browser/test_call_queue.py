"""The call queue in a real browser: ten prospects worked through on a 360 px phone with the
big buttons (no page reload, the tally counting), and the keyboard shortcuts on a desktop;
axe-core clean, nothing scrolling sideways, every control at least 44 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.browser.conftest import (
    BROWSER_MARKS,
    CHROMIUM,
    TIME_ZONE,
    axe_violations,
    horizontal_overflow,
)

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

pytestmark = BROWSER_MARKS

PHONE_360 = {"width": 360, "height": 740}
EMAIL = "caller@example.com"
NAMES = [
    "Ann Able", "Ben Baker", "Cleo Carter", "Dev Dutta", "Ema Evans",
    "Finn Ford", "Gia Gomez", "Hugo Hart", "Ines Ito", "Jack Jones",
]  # fmt: skip


@pytest.fixture
def ten_leads(transactional_db):
    """A user in London with prospecting time round the clock and ten new leads, the
    oldest first in the queue."""
    from tests.factories import (
        LeadSourceFactory,
        ProspectFactory,
        UserFactory,
        category,
        round_the_clock,
    )

    user = UserFactory(email=EMAIL, name="Dana", time_zone=TIME_ZONE, phone_region="GB")
    round_the_clock(user)
    source = LeadSourceFactory(
        user=user, category=category(user, "PPC campaigns"), campaign="ad set 3"
    )
    now = datetime.now(UTC)
    for n, name in enumerate(NAMES):
        ProspectFactory(
            user=user,
            name=name,
            phone=f"+4477009001{n:02d}",
            email=f"{name.split()[0].lower()}@example.com",
            time_zone="Europe/Berlin",
            source=source,
            created_at=now - timedelta(days=20 - n),
        )
    return user


def sign_in(page: Page) -> None:
    from tests.factories import PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def heading(page: Page):
    return page.locator("#card-heading")


def tally(page: Page) -> dict[str, str]:
    return {
        key: page.locator(f'[data-tally="{key}"]').inner_text()
        for key in ("dials", "conversations", "bookings")
    }


def small_targets(page: Page) -> list[str]:
    """Buttons, links styled as buttons, selects and summaries in the call area under 44 px."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
              '#call-area button, #call-area .bigbutton, #call-area select, #call-area summary')]
            .filter((el) => el.offsetParent !== null)
            .filter((el) => { const r = el.getBoundingClientRect();
                              return r.height < 44 || r.width < 44; })
            .map((el) => el.textContent.trim().slice(0, 30))"""
    )


# What each card gets, in order, and how the tally reads after it (dials, conversations,
# bookings).
PLAN = [
    ("No answer", (1, 0, 0)),
    ("Left a message", (2, 0, 0)),
    ("Talked", (3, 1, 0)),
    ("Booked", (4, 2, 1)),
    ("Not interested", (5, 3, 1)),
    ("No answer", (6, 3, 1)),
    ("Talked", (7, 4, 1)),
    ("Left a message", (8, 4, 1)),
    ("No answer", (9, 4, 1)),
    ("Not interested", (10, 5, 1)),
]


@pytest.mark.parametrize("viewport", [PHONE_360], ids=["phone-360"])
def test_ten_prospects_on_a_phone_with_the_buttons_and_no_reload(
    ten_leads, page: Page, problems, viewport
):
    sign_in(page)
    page.get_by_role("button", name="Start calling").click()
    expect(page).to_have_url(re.compile(r"/call/$"))
    expect(heading(page)).to_have_text("Ann Able")
    expect(page.locator("[data-reason]")).to_contain_text("new lead from PPC campaigns / ad set 3")
    card = page.locator(".call-card")
    expect(card.get_by_role("link", name="Call", exact=True)).to_have_attribute(
        "href", "tel:+447700900100"
    )
    expect(card.get_by_role("link", name="WhatsApp")).to_have_attribute(
        "href", "https://wa.me/447700900100"
    )
    assert axe_violations(page) == []
    assert horizontal_overflow(page)["scroll"] <= PHONE_360["width"]
    assert small_targets(page) == []
    # A mark on the window: a reload would lose it.
    page.evaluate("window.__sameDocument = true")

    for n, (button, (dials, talks, booked)) in enumerate(PLAN):
        expect(heading(page)).to_have_text(NAMES[n])
        page.get_by_role("button", name="Start the call timer").click()
        expect(page.locator(".on-call")).to_contain_text("On the call")
        page.get_by_role("button", name=button, exact=True).click()
        if button == "Talked":
            expect(page.get_by_text("Where do they stand now?")).to_be_visible()
            if n == 2:
                assert axe_violations(page) == []
                assert horizontal_overflow(page)["scroll"] <= PHONE_360["width"]
            page.get_by_label("Note").fill(f"Spoke with {NAMES[n]}")
            page.get_by_role("button", name="Save and next").click()
        elif button == "Booked":
            expect(page.get_by_text("Free time in your prospecting blocks")).to_be_visible()
            assert axe_violations(page) == []
            assert small_targets(page) == []
            page.locator(".slot-list label").first.click()
            page.get_by_role("button", name="Book and next").click()
        elif button == "Not interested":
            page.get_by_role("button", name="I offered the product / affiliate path").click()
        expect(page.locator(".said")).to_contain_text(NAMES[n])
        expect(page.locator("[data-card-heading]")).to_be_focused()
        assert tally(page) == {
            "dials": str(dials), "conversations": str(talks), "bookings": str(booked),
        }  # fmt: skip
        if n == 3:  # the booking screen and the card after it, on a phone
            assert horizontal_overflow(page)["scroll"] <= PHONE_360["width"]

    expect(page.get_by_role("heading", name="Nobody to call right now")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    assert page.url.endswith("/call/")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Finish the session").click()
    expect(page.locator(".said")).to_contain_text(
        "Session done: 10 dials, 5 conversations, 1 booked"
    )
    page.get_by_role("link", name="Scripts", exact=True).click()
    expect(page.get_by_role("heading", name="Call scripts")).to_be_visible()
    assert horizontal_overflow(page)["scroll"] <= PHONE_360["width"]
    assert axe_violations(page) == []
    problems.assert_none()


def test_keyboard_shortcuts_on_a_desktop_and_none_while_typing(ten_leads, page: Page, problems):
    sign_in(page)
    page.goto("/call/")
    expect(page.locator(".shortcuts")).to_contain_text("n no answer")
    expect(heading(page)).to_have_text("Ann Able")
    page.keyboard.press("n")
    expect(heading(page)).to_have_text("Ben Baker")
    expect(heading(page)).to_be_focused()
    expect(page.locator('[data-tally="dials"]')).to_have_text("1")
    page.keyboard.press("s")
    expect(heading(page)).to_have_text("Cleo Carter")
    expect(heading(page)).to_be_focused()
    page.keyboard.press("t")
    expect(page.get_by_text("Where do they stand now?")).to_be_visible()
    note = page.get_by_label("Note")
    note.fill("")
    note.press_sequentially("nstbd")  # letters typed are text, not shortcuts
    expect(note).to_have_value("nstbd")
    expect(page.get_by_text("Where do they stand now?")).to_be_visible()
    page.get_by_role("button", name="Save and next").click()
    expect(heading(page)).to_have_text("Dev Dutta")
    # The new card takes the focus once it has settled: the keys carry on from there.
    expect(heading(page)).to_be_focused()
    page.keyboard.press("l")
    expect(heading(page)).to_have_text("Ema Evans")
    expect(page.locator(".said")).to_contain_text("Dev Dutta comes back at")
    expect(heading(page)).to_be_focused()
    # "c" is the Call button: it dials (tel:) and starts the call timer on Ema.
    page.keyboard.press("c")
    expect(page.locator(".on-call")).to_contain_text("On the call")
    expect(page.locator(".said")).to_contain_text("Calling Ema Evans: the timer runs.")
    assert axe_violations(page) == []
    problems.assert_none()


def test_scripts_page_saves_a_script_that_the_card_then_shows(ten_leads, page: Page, problems):
    sign_in(page)
    page.goto("/call/")
    expect(page.locator(".script")).to_contain_text("Hi Ann, it's Dana.")
    page.get_by_role("link", name="Scripts", exact=True).click()
    page.get_by_label("New", exact=True).fill("Hello {first_name}, thanks for your interest!")
    page.get_by_role("button", name="Save scripts").click()
    expect(page.locator(".messages")).to_contain_text("Scripts saved.")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back to the queue").click()
    expect(page.locator(".script")).to_contain_text("Hello Ann, thanks for your interest!")
    problems.assert_none()
