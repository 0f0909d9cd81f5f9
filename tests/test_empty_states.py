"""Every list page of a fresh account says what to do next, with the button for it."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from mainthing import onboarding
from tests.factories import block

NOW = datetime(2026, 6, 10, 14, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def fresh_client(db):
    user = onboarding.create_account(
        email="new@example.com", password="a long pass phrase 42", time_zone="Europe/London"
    )
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def buttons(html: str) -> list[tuple[str, str]]:
    """(href, label) of every link styled as a button."""
    return [
        (href, text(label))
        for href, label in re.findall(
            r'<a class="button[^"]*" href="([^"]+)"[^>]*>(.*?)</a>', html, re.S
        )
    ]


@pytest.mark.parametrize(
    ("url", "sentence", "button"),
    [
        (
            "/prospects/",
            "No prospects yet: start with the people you already know",
            ("/prospects/add/", "Add a prospect"),
        ),
        (
            "/income/",
            "No income in 2026 yet: when an enrollment, a product sale or a commission comes in",
            ("#id_amount", "Add income"),
        ),
        (
            "/activity/",
            "No entries in this week: start a timer on Today when you begin work",
            ("/activity/new/", "Add an entry"),
        ),
        (
            "/",
            "Nothing planned today: set your prospecting times",
            ("/routine/", "Set prospecting times"),
        ),
        (
            "/calendar/",
            "No prospecting times in the next 3 days: first set the hours you keep",
            ("/routine/", "Set prospecting times"),
        ),
        (
            "/book/settings/",
            "Your page has no free times yet: prospects can book only inside your prospecting",
            ("/routine/", "Set prospecting times"),
        ),
    ],
)
def test_empty_page_says_what_to_do_next_with_its_button(fresh_client, url, sentence, button):
    html = fresh_client.get(url).content.decode()

    assert (sentence in text(html), button in buttons(html)) == (True, True)


def test_lead_sources_page_points_each_empty_category_to_the_add_form(fresh_client):
    html = fresh_client.get(reverse("prospects:sources")).content.decode()

    assert "No Forum posts campaigns yet: add the first one ." in text(html)
    assert '<a href="#id_campaign">add the first one</a>' in html
    assert 'id="id_campaign"' in html


def test_narrowed_prospect_list_offers_to_show_all_not_to_add(fresh_client):
    html = fresh_client.get(reverse("prospects:list") + "?q=nobody").content.decode()

    assert ("No prospect matches. Show all" in text(html), "empty-state" in html) == (True, False)


def test_today_agenda_with_blocks_on_other_days_names_the_next_block(fresh_client):
    block(fresh_client.user, "19:00", "21:00", days="Fri")

    html = fresh_client.get(reverse("today")).content.decode()

    assert "Nothing planned today. Your next block: Friday 19:00." in text(html)
    assert ("/calendar/book/", "Book a call") in buttons(html)
