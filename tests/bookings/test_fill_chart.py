"""The fill-rate bars on Today (issue 9 point 20): empty days drawn empty, day names as
readable HTML text, and the numbers as a table for screen readers."""

from datetime import UTC, datetime

from django.urls import reverse

from mainthing.bookings import services
from tests.factories import block

# Wednesday 10 June 2026, 09:00 in London: the evening blocks of the fortnight are all ahead.
NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)


def chart(page: str) -> str:
    return page[page.index('<figure class="fill-chart">') : page.index("</figure>")]


def test_fill_chart_draws_empty_days_as_outlines_not_grey_columns(owner, owner_client, frozen):
    block(owner, "19:00", "21:00", days="Mon-Fri")
    figure = chart(owner_client.get(reverse("today")).content.decode())
    # Ten weekdays with blocks get an outline each; the four weekend days only a baseline.
    counts = (figure.count('class="fill-capacity"'), figure.count('class="fill-none"'))
    assert (counts, "meter-bg" in figure, 'class="fill-income"' in figure) == (
        (10, 4),
        False,
        False,
    )


def test_fill_chart_gives_each_day_as_text_for_screen_readers(owner, owner_client, frozen):
    block(owner, "19:00", "21:00", days="Mon-Fri")
    services.book(
        owner, prospect_name="Ann", start=datetime(2026, 6, 10, 18, 0, tzinfo=UTC), now=NOW
    )
    figure = chart(owner_client.get(reverse("today")).content.decode())
    rows = [
        '<tr><th scope="row">Wed 10 Jun</th><td>30m of 2h 00m booked (25%)</td></tr>',
        '<tr><th scope="row">Sat 13 Jun</th><td>no prospecting blocks</td></tr>',
    ]
    labels = (
        '<ol class="fill-days" aria-hidden="true">'
        '<li title="Wed 10 Jun: 30m of 2h 00m booked (25%)">We</li>'
    )
    assert ([r in figure for r in rows], labels in figure, 'class="visually-hidden"' in figure) == (
        [True, True],
        True,
        True,
    )
