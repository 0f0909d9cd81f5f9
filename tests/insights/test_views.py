"""The insights pages: who may see them, the same numbers on the page and in every CSV, and
ranges a user can mistype."""

import csv
import io

import pytest
from django.test import Client

from mainthing.insights import queries
from mainthing.insights.tables import shown
from tests.factories import LeadSourceFactory, UserFactory, category, new_prospect
from tests.insights.test_scorecard import NOW, RANGE, fortnight  # noqa: F401 (a fixture)

QUERY = "range=custom&start=2026-10-26&end=2026-11-08"


@pytest.fixture
def client(fortnight):  # noqa: F811 (the fixture imported above)
    signed_in = Client()
    signed_in.force_login(fortnight)
    return signed_in


@pytest.mark.parametrize("path", ["/insights/", "/insights/review/", "/insights/csv/days/"])
def test_the_pages_need_a_signed_in_user(db, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_every_table_of_the_page_downloads_as_the_same_numbers(client, fortnight):  # noqa: F811
    card = queries.scorecard(fortnight, RANGE, now=NOW)
    page = client.get(f"/insights/?{QUERY}").content.decode()
    for key, table in card.tables.items():
        response = client.get(f"/insights/csv/{key}/?{QUERY}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == [c.key for c in table.columns]
        expected = [["" if v is None else str(v) for v in row] for row in table.plain_rows()]
        assert rows[1:] == expected, key
        # The page's table shows each of those numbers, with its unit.
        for row in table.rows:
            for value, column in zip(row, table.columns, strict=True):
                assert shown(value, column.kind).replace("&", "&amp;") in page, (key, value)


def test_the_page_holds_the_headline_figures_of_the_range(client):
    page = client.get(f"/insights/?{QUERY}").content.decode()
    assert "26 Oct 2026 to 08 Nov 2026" in page
    assert "60%" in page  # the show-up rate: 3 of 5 booked calls held
    assert "3 of 5 booked calls held" in page
    assert "4 dials, 2 conversations" in page


def test_another_users_figures_never_show(client, db):
    stranger = UserFactory()
    source = LeadSourceFactory(
        user=stranger, category=category(stranger, "Forum posts"), campaign="Stranger danger"
    )
    new_prospect(stranger, "Zed", at=NOW, source=source)
    page = client.get("/insights/?range=year").content.decode()
    assert "Stranger danger" not in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("range=custom&start=2026-11-08&end=2026-10-26", "on or after the first day"),
        ("range=custom&start=2020-01-01&end=2026-10-26", "at most three years"),
        ("range=custom&start=2026-11-08", "Give both"),
        ("range=custom&start=not-a-date&end=2026-10-26", "Enter a valid date"),
        ("range=decade", "not one of the available choices"),
    ],
)
def test_a_mistyped_range_says_so_and_shows_this_month(client, query, message):
    response = client.get(f"/insights/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'href="?range=month" aria-current="page"' in page


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize(
    ("start", "end", "handled"),
    [
        ("0001-01-01", "0001-01-03", False),
        ("9999-12-29", "9999-12-31", False),
        ("2201-01-01", "2201-01-05", False),
        ("1900-01-01", "1900-01-03", True),  # the first and last days Mainthing handles
        ("2200-12-29", "2200-12-31", True),
    ],
)
def test_a_custom_range_at_the_calendars_edges_is_shown_or_refused_by_name(
    client,
    fortnight,  # noqa: F811 (the fixture imported above)
    zone,
    start,
    end,
    handled,
):
    fortnight.time_zone = zone
    fortnight.save(update_fields=["time_zone"])
    query = f"range=custom&start={start}&end={end}"
    response = client.get(f"/insights/?{query}")
    assert response.status_code == 200
    page = response.content.decode()
    assert ("outside the dates Mainthing handles" in page) is not handled
    assert ('href="?range=month" aria-current="page"' in page) is not handled
    download = client.get(f"/insights/csv/days/?{query}")
    assert download.status_code == 200
    named = f"{start.replace('-', '')}-{end.replace('-', '')}" in download["Content-Disposition"]
    assert named is handled


def test_an_unknown_table_is_not_found_and_the_pages_only_read(client):
    assert client.get("/insights/csv/nothing/").status_code == 404
    assert client.post("/insights/").status_code == 405
    assert client.post("/insights/csv/days/").status_code == 405


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(client, fortnight):  # noqa: F811
    source = LeadSourceFactory(
        user=fortnight, category=category(fortnight, "Video posts"), campaign="=HYPERLINK(1)"
    )
    new_prospect(fortnight, "Formula Fan", at=NOW, source=source)
    rows = list(
        csv.reader(io.StringIO(client.get("/insights/csv/sources/?range=month").content.decode()))
    )
    cells = [row[0] for row in rows[1:]]
    assert "Video posts / =HYPERLINK(1)" in cells  # not at the start of the cell: harmless
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_the_review_page_shows_the_summary(client, fortnight):  # noqa: F811
    page = client.get("/insights/review/").content.decode()
    assert "Weekly review" in page
    assert "Mon 9 Nov to Sun 15 Nov 2026" in page
    assert "You talked to" in page


def test_the_funnel_narrows_to_one_source_on_the_page_and_in_its_csv(client, fortnight):  # noqa: F811
    ppc = fortnight.leadsource_set.get(campaign="Ad")
    page = client.get(f"/insights/?{QUERY}&funnel={ppc.pk}").content.decode()
    assert "The funnel of the range&#x27;s leads: PPC campaigns / Ad" in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/insights/csv/funnel/?{QUERY}&funnel={ppc.pk}").content.decode()
            )
        )
    )
    # PPC's leads: Cat, Dan, Fay; booked Dan and Fay; held Fay; Cat said no, then affiliate.
    assert [r[1] for r in rows[1:]] == ["3", "2", "1", "0", "1", "1"]
    # Someone else's source (or nonsense) means every source.
    stranger = LeadSourceFactory(category=None, campaign="x")
    for value in (stranger.pk, "abc", "9" * 30):
        rows = list(
            csv.reader(
                io.StringIO(
                    client.get(f"/insights/csv/funnel/?{QUERY}&funnel={value}").content.decode()
                )
            )
        )
        assert [r[1] for r in rows[1:]] == ["6", "5", "3", "1", "1", "1"]
