"""Prospects in a real browser: add a prospect, book, complete, record "declined → affiliate
offered", see it on the card and on Today; and catch a duplicate typed in another format.

Times follow the live clock. A prospecting block runs every day from an hour ago to two hours
from now, so there is always a free slot ahead to book and prospecting time today for
follow-ups. The call is booked in the first free slot and completed as held a few minutes ago,
the way someone logs a call that started early; it then counts as today's conversation.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

from tests.browser.conftest import BROWSER_MARKS, CHROMIUM, flash, go_to, local_now, sign_up

if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (`make browser` installs it)",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect

from mainthing.core import timekit

pytestmark = BROWSER_MARKS

# Europe/London signs up with the phone region GB: numbers show in the UK's national format.
DANA = "Dana Whitfield"
DANA_PHONE = "07400 123456"
DANA_PHONE_ABROAD = "+44 7400 123456"
ELI = "Eli Moss"
ELI_PHONE = "020 7946 0018"
SOURCE = "Forum posts / Signature link"
BOOKING_NOTE = "Saw the signature, wants the numbers"
OUTCOME_NOTE = "Not for her as a business, but she loves the product."
AFFILIATE_LABEL = "They said no to the opportunity, and I offered the affiliate/product path"


def day_label(day: date) -> str:
    """A day as the outcome form and the flash messages name it ("Sat 12 Jul")."""
    return f"{day:%a} {day.day} {day:%b}"


def at(moment: datetime) -> str:
    """The value a datetime-local field holds."""
    return f"{moment:%Y-%m-%dT%H:%M}"


def add_prospecting_block_around_now(page: Page) -> None:
    """An income block from an hour ago to two hours from now, every day of the week (near
    midnight it runs across it, an end before the start)."""
    now = local_now()
    page.goto("/routine/")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Add block"))
    form.get_by_label("Tier").select_option("income")
    for day in form.locator("input[name=weekdays]").all():
        day.check()
    form.get_by_label("Start", exact=True).fill(f"{now - timedelta(hours=1):%H:%M}")
    form.get_by_label("End", exact=True).fill(f"{now + timedelta(hours=2):%H:%M}")
    form.get_by_role("button", name="Add block").click()
    expect(flash(page)).to_have_text("Block added.")


def add_source(page: Page) -> None:
    page.goto("/prospects/sources/")
    page.get_by_label("Lead-gen category").select_option(label="Forum posts")
    page.get_by_label("Campaign").fill("Signature link")
    page.get_by_role("button", name="Add source").click()
    expect(flash(page)).to_have_text(f"Added {SOURCE}: its link key is signature-link.")


def first_free_slot(page: Page) -> datetime:
    """The earliest dashed free slot of the calendar, this week or (late on a Sunday) next."""
    page.goto("/calendar/")
    for _ in range(2):
        hrefs = page.locator("a.free-slot").evaluate_all(
            "links => links.map((a) => a.getAttribute('href'))"
        )
        if hrefs:
            return min(datetime.fromisoformat(h.split("start=", 1)[1]) for h in hrefs)
        page.get_by_role("link", name="Next →").click()
    raise AssertionError("No free slot in the prospecting block around now.")


def open_add_prospect(page: Page) -> None:
    go_to(page, "Prospects")
    # The list's own button (an empty list repeats it in its empty state).
    page.get_by_role("link", name="Add a prospect").first.click()
    expect(page.get_by_role("heading", name="Add a prospect")).to_be_visible()


def fill_prospect(page: Page, *, name: str, phone: str, email: str = "") -> None:
    page.get_by_label("Name").fill(name)
    page.get_by_label("Phone").fill(phone)
    if email:
        page.get_by_label("Email").fill(email)


def card_heading(page: Page):
    return page.get_by_role("heading", level=1)


def contacts(page: Page):
    return page.locator("ul.contacts li")


def timeline_lines(page: Page):
    """What each history line says (the title and its detail), newest first."""
    return page.locator("ol.timeline li .what")


def test_prospect_booked_completed_and_declined_shows_on_card_and_today(page: Page, problems):
    sign_up(page)
    add_prospecting_block_around_now(page)
    add_source(page)
    today = local_now().date()
    slot = first_free_slot(page)
    # Someone who is due a call back today, for the follow-ups on Today.
    open_add_prospect(page)
    fill_prospect(page, name=ELI, phone=ELI_PHONE)
    page.get_by_label("Follow up on").fill(f"{today:%Y-%m-%d}")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(flash(page)).to_have_text(f"Added {ELI}.")

    # Add: the phone is typed in the national format and shown back in it.
    open_add_prospect(page)
    fill_prospect(page, name=DANA, phone=DANA_PHONE, email="dana@example.com")
    page.get_by_label("Lead source").select_option(label=SOURCE)
    page.get_by_role("button", name="Add", exact=True).click()

    expect(page).to_have_url(re.compile(r"/prospects/\d+/$"))
    card_url = page.url
    expect(flash(page)).to_have_text(f"Added {DANA}.")
    expect(card_heading(page)).to_have_text(f"{DANA} New")
    expect(contacts(page).nth(0)).to_have_text(f"Phone {DANA_PHONE}")
    expect(contacts(page).nth(0).get_by_role("link")).to_have_attribute("href", "tel:+447400123456")
    expect(contacts(page).nth(2)).to_have_text(f"Source {SOURCE}")

    # Book: from the card, in the first free slot of the prospecting block.
    page.get_by_role("link", name="Book a call").click()
    expect(page.get_by_role("heading", name="Book a call")).to_be_visible()
    expect(page.locator("p.lead")).to_have_text(f"Call with {DANA} · card")
    page.get_by_label("When").fill(at(slot))
    page.get_by_label("Note").fill(BOOKING_NOTE)
    page.get_by_role("button", name="Book", exact=True).click()
    expect(flash(page)).to_have_text(f"Booked {DANA} on {slot:%a %d %b} at {slot:%H:%M}.")

    # Complete: back on the card the call heads the history; its page has "After the call",
    # given the real start of a call held just now.
    page.goto(card_url)
    page.locator("ol.timeline").get_by_role("link", name="Call · Scheduled").click()
    expect(page.locator(".eyebrow")).to_have_text("Scheduled")
    expect(card_heading(page)).to_have_text(DANA)
    now = local_now().replace(second=0, microsecond=0)
    began = max(now - timedelta(minutes=10), now.replace(hour=0, minute=0))
    minutes = max(1, int((now - began).total_seconds()) // 60)
    page.get_by_label("It really started").fill(at(began))
    page.get_by_label("and lasted (minutes)").fill(str(minutes))
    # The category starts on "---------", which the form refuses: a user has to pick one.
    page.get_by_label("Category").select_option(label="Prospect call")
    page.get_by_role("button", name="Completed").click()

    expect(page).to_have_url(re.compile(r"/calendar/outcome/\d+/\?appointment=\d+$"))
    expect(flash(page)).to_have_text(f"Call with {DANA} recorded: {minutes} min.")
    # A completed call is at the time it really took, no longer its booked slot.
    expect(page.locator(".eyebrow")).to_have_text(
        f"After the call · {began:%a} {began.day} {began:%b, %H:%M}"
    )
    expect(card_heading(page)).to_have_text(DANA)
    expect(page.get_by_role("link", name=DANA_PHONE)).to_have_attribute("href", "tel:+447400123456")

    # The outcome: the affiliate offer appears once "Declined" is picked.
    affiliate = page.get_by_label(AFFILIATE_LABEL)
    expect(page.get_by_role("radio", name="Booked")).to_be_checked()
    expect(affiliate).to_be_hidden()
    page.get_by_role("radio", name="Declined").check()
    expect(affiliate).to_be_visible()
    affiliate.check()
    page.get_by_label("Note").fill(OUTCOME_NOTE)
    follow_up = today + timedelta(days=2)
    page.get_by_role("radio", name=f"In 2 days ({day_label(follow_up)})").check()
    page.get_by_role("button", name="Save").click()

    # The card: the new stage, the follow-up and the whole story, newest first.
    expect(page).to_have_url(card_url)
    expect(flash(page)).to_have_text(
        f"{DANA}: Affiliate offered, follow up {day_label(follow_up)}."
    )
    expect(card_heading(page)).to_have_text(f"{DANA} Affiliate offered")
    follow_up_card = page.locator("section.card").filter(
        has=page.get_by_role("heading", name="Follow-up")
    )
    expect(follow_up_card.locator("strong")).to_have_text(
        f"{follow_up:%A} {follow_up.day} {follow_up:%B %Y}"
    )
    end = began + timedelta(minutes=minutes)
    expect(timeline_lines(page)).to_have_text(
        # The call sits at its real start, which this test puts before Dana was added.
        [
            "Stage: Declined → Affiliate offered",
            f"Note {OUTCOME_NOTE}",
            "Stage: Booked → Declined",
            "Stage: New → Booked",
            "Added as New",
            f"Call · Completed {began:%H:%M}\u2013{end:%H:%M} {BOOKING_NOTE}",
            f"Prospect call · {timekit.format_minutes(minutes * 60)} {BOOKING_NOTE}",
        ],
        use_inner_text=True,
    )
    expect(page.locator("ol.timeline li.tl-appointment a")).to_have_attribute(
        "href", re.compile(r"^/calendar/appointments/\d+/$")
    )

    # Today: the call counts as a conversation booked ahead; Eli is due, one tap clears him.
    go_to(page, "Today")
    expect(page.locator(".goals .facts li")).to_have_text(
        [
            "Conversations today: 1 of 4",
            "Booked ahead: 1 of 1 (100%)",
            re.compile(r"^This week: .+ income-generating$"),
        ]
    )
    follow_ups = page.locator("#follow-ups")
    rows = follow_ups.locator(".follow-up-list li")
    expect(rows).to_have_count(1)
    expect(rows.locator(".who")).to_have_text(f"{ELI} New {ELI_PHONE}")
    expect(rows.get_by_role("link", name=ELI_PHONE)).to_have_attribute("href", "tel:+442079460018")
    expect(rows.get_by_role("button")).to_have_text(["Done", "Snooze"])

    rows.get_by_role("button", name="Done").click()

    expect(rows).to_have_count(0)
    expect(follow_ups.locator("p")).to_have_text(["No follow-ups due today."])
    page.reload()
    expect(page.locator("#follow-ups .follow-up-list li")).to_have_count(0)
    expect(page.locator("#follow-ups p")).to_have_text(["No follow-ups due today."])
    problems.assert_none()


def test_prospect_with_a_known_phone_in_another_format_merges_into_the_match(page: Page, problems):
    sign_up(page)
    open_add_prospect(page)
    fill_prospect(page, name=DANA, phone=DANA_PHONE)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(flash(page)).to_have_text(f"Added {DANA}.")
    card_url = page.url
    added_on = local_now().date()

    open_add_prospect(page)
    fill_prospect(page, name="Dana W.", phone=DANA_PHONE_ABROAD, email="dana@example.com")
    page.get_by_role("button", name="Add", exact=True).click()

    question = page.get_by_role("alertdialog")
    expect(question.locator("#dup-title")).to_have_text(
        "You already have a prospect with this email or phone."
    )
    matches = question.locator("ul.matches li")
    expect(matches).to_have_count(1)
    expect(matches.locator(".muted")).to_have_text(
        f"{DANA_PHONE} · New · Unknown · added {added_on.day} {added_on:%b %Y}"
    )
    expect(matches.get_by_role("link", name=DANA)).to_have_attribute(
        "href", re.sub(r"^https?://[^/]+", "", card_url)
    )
    expect(page.get_by_label("Phone", exact=True)).to_have_value(DANA_PHONE_ABROAD)

    matches.get_by_role("button", name=f"Merge into {DANA}").click()

    expect(page).to_have_url(card_url)
    expect(flash(page)).to_have_text(f"Merged the new details into {DANA}.")
    expect(card_heading(page)).to_have_text(f"{DANA} New")
    expect(page.locator("ul.contacts li").nth(0)).to_have_text(f"Phone {DANA_PHONE}")
    expect(page.locator("ul.contacts li").nth(1)).to_have_text("Email dana@example.com")
    expect(timeline_lines(page)).to_have_text(
        [
            "Merged Merged with Dana W., dana@example.com, +447400123456, New (source: Unknown)",
            "Added as New",
            "Added as New",
        ],
        use_inner_text=True,
    )
    go_to(page, "Prospects")
    expect(page.locator("table.prospects tbody tr td:first-child")).to_have_text([DANA])
    problems.assert_none()
