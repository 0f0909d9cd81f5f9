"""The phone tab bar's More page: every page the four tabs don't name, for a signed-in user."""

import re

from django.urls import reverse


def test_more_page_requires_login(anon_client, db):
    response = anon_client.get(reverse("more"))
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/more/")


def test_more_page_lists_the_pages_the_tabs_leave_out(owner_client):
    page = owner_client.get(reverse("more")).content.decode()
    rows = re.findall(r'<li><a href="([^"]+)"><span class="more-name">([^<]+)</span>', page)
    assert rows == [
        ("/insights/", "Insights"),
        ("/insights/review/", "Weekly review"),
        ("/income/", "Income"),
        ("/prospects/sources/", "Lead sources"),
        ("/routine/", "Routine"),
        ("/activity/", "Log"),
        ("/activity/categories/", "Categories"),
        ("/activity/import/", "Import"),
        ("/book/settings/", "Booking page"),
        ("/accounts/profile/", "Profile"),
    ]
    assert '<form method="post" action="/accounts/logout/">' in page
    assert '<span class="more-name">Sign out</span>' in page


def test_tab_bar_marks_the_tab_of_the_page(owner_client):
    """Lead sources live under More, the prospect list under Prospects, the calendar's pages
    under Calendar."""

    def current(path: str) -> list[str]:
        page = owner_client.get(path).content.decode()
        bar = page.split('<nav class="tabbar"', 1)[1].split("</nav>", 1)[0]
        return re.findall(r'aria-current="page"[^>]*>(?:<svg.*?</svg>)?<span>(\w+)</span>', bar)

    assert {
        path: current(path)
        for path in ("/", "/calendar/", "/prospects/", "/prospects/sources/", "/income/", "/more/")
    } == {
        "/": ["Today"],
        "/calendar/": ["Calendar"],
        "/prospects/": ["Prospects"],
        "/prospects/sources/": ["More"],
        "/income/": ["More"],
        "/more/": ["More"],
    }
