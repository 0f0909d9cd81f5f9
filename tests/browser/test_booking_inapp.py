"""Booking from the calendar lands on the prospect you already have: the tried-as-a-new-user
bug (add Maria Lopez, click a free slot, type "Maria Lopez", Book → two Maria Lopez) is gone,
on a desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    BROWSER_MARKS,
    axe_violations,
    flash,
    horizontal_overflow,
    sign_up,
)
from tests.browser.test_calendar_flow import use_starter_routine
from tests.browser.test_prospect_flow import fill_prospect, open_add_prospect

pytestmark = BROWSER_MARKS


def add_maria(page: Page) -> None:
    open_add_prospect(page)
    fill_prospect(page, name="Maria Lopez", phone="07700 900123", email="maria@example.com")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maria Lopez")


def prospect_rows(page: Page):
    page.goto("/prospects/?q=Maria")
    return page.locator("table tbody tr")


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 360, "height": 740}], ids=str
)
def test_typing_a_prospects_name_suggests_them_and_books_them(page: Page, problems):
    sign_up(page)
    use_starter_routine(page)
    add_maria(page)
    page.goto("/calendar/")
    page.get_by_role("link", name="Book a call").click()

    field = page.get_by_role("combobox", name="Prospect")
    field.fill("Mar")
    suggestion = page.get_by_role("option", name="Maria Lopez")
    expect(suggestion).to_be_visible()
    expect(page.get_by_role("option", name="New prospect: “Mar”")).to_be_visible()
    expect(page.locator("#prospect-count")).to_have_text(
        "1 prospect matches, or add “Mar” as a new one."
    )
    assert axe_violations(page) == []  # with the list open
    # The keyboard moves through the suggestions while the focus stays in the field.
    field.press("ArrowDown")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-activedescendant", suggestion.get_attribute("id"))
    expect(suggestion).to_have_attribute("aria-selected", "true")
    field.press("Enter")
    expect(field).to_have_value("Maria Lopez")
    expect(field).to_have_attribute("aria-expanded", "false")
    page.locator(".slot-list input[type=radio]").first.check()
    assert axe_violations(page) == []
    assert horizontal_overflow(page)["scroll"] <= page.viewport_size["width"]
    page.get_by_role("button", name="Book", exact=True).click()

    expect(flash(page)).to_contain_text("Booked Maria Lopez")
    expect(prospect_rows(page)).to_have_count(1)
    problems.assert_none()


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 360, "height": 740}], ids=str
)
def test_typing_the_name_without_picking_asks_which_maria(page: Page, problems):
    sign_up(page)
    use_starter_routine(page)
    add_maria(page)
    page.goto("/calendar/book/")
    page.get_by_role("combobox", name="Prospect").fill("Maria Lopez")
    page.keyboard.press("Escape")
    page.locator(".slot-list input[type=radio]").first.check()
    page.get_by_role("button", name="Book", exact=True).click()

    question = page.get_by_role("group", name="You already have Maria Lopez (maria@example.com")
    expect(question).to_be_visible()
    expect(question).to_be_focused()
    assert axe_violations(page) == []
    assert horizontal_overflow(page)["scroll"] <= page.viewport_size["width"]
    question.get_by_label("Book with Maria Lopez (maria@example.com, New)").check()
    page.get_by_role("button", name="Book", exact=True).click()

    expect(flash(page)).to_contain_text("Booked Maria Lopez")
    expect(prospect_rows(page)).to_have_count(1)
    problems.assert_none()


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}], ids=str)
def test_a_new_prospect_is_a_click_on_new_prospect_and_one_on_a_free_time(page: Page, problems):
    sign_up(page)
    use_starter_routine(page)
    add_maria(page)
    page.goto("/")
    # The calendar card's link is there every day; on a day without blocks (a Sunday of the
    # starter routine) the empty agenda offers a second "Book a call" of its own.
    page.locator(".link-line").get_by_role("link", name="Book a call").click()

    page.get_by_role("combobox", name="Prospect").fill("Maria Lo")
    expect(page.get_by_role("option", name="Maria Lopez")).to_be_visible()
    page.get_by_role("option", name="New prospect: “Maria Lo”").click()
    expect(page.get_by_role("combobox", name="Prospect")).to_have_value("Maria Lo")
    expect(page.get_by_role("listbox")).to_have_count(0)
    free = page.locator(".slot-list label").first
    free.click()
    assert free.bounding_box()["height"] >= 44
    assert horizontal_overflow(page)["scroll"] <= 360
    page.get_by_role("button", name="Book", exact=True).click()

    expect(flash(page)).to_contain_text("Booked Maria Lo ")
    expect(prospect_rows(page)).to_have_count(2)
    problems.assert_none()
