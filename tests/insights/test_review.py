"""The weekly review against two weeks worked out by hand, a user in London: the week before
holds the fall-back night of Sunday 25 Oct 2026; the review is read on Monday 2 Nov."""

import pytest

from mainthing.activity import services as activity_services
from mainthing.bookings import services as booking_services
from mainthing.insights import review as insights_review
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import Stage
from tests.factories import LeadSourceFactory, UserFactory, at, block, category, entry, new_prospect

LONDON = "Europe/London"
NOW = at("2026-11-02 09:00", LONDON)


def ldn(text: str):
    return at(text, LONDON)


@pytest.fixture
def two_weeks(db, frozen):
    user = UserFactory(time_zone=LONDON, currency="USD")
    frozen.move_to(ldn("2026-10-01 09:00"))
    block(user, "18:00", "20:00", days="Mon-Fri")  # 600 min a week
    forum = LeadSourceFactory(user=user, category=category(user, "Forum posts"), campaign="Sig")
    ppc = LeadSourceFactory(user=user, category=category(user, "PPC campaigns"), campaign="Ad")

    def lead(name, source, when):
        frozen.move_to(when)
        return new_prospect(user, name, at=when, source=source)

    def book(prospect, start, minutes, booked_at):
        frozen.move_to(booked_at)
        return booking_services.book(
            user, prospect=prospect, prospect_name=prospect.name, start=start,
            minutes=minutes, now=booked_at,
        )  # fmt: skip

    old = lead("Old Lead", forum, ldn("2026-10-05 09:00"))
    # The week before (19-25 Oct): three 40-minute calls, one 30-minute booking in a block.
    for day in ("19", "20", "21"):
        entry(user, "Prospect call", ldn(f"2026-10-{day} 10:00"), 40)
    book(old, ldn("2026-10-20 18:00"), 30, ldn("2026-10-15 09:00"))
    prospect_services.add_income(user, on=ldn("2026-10-22 12:00").date(), amount="50")

    # Last week (26 Oct - 1 Nov): four 45-minute calls, a held hour-long call, a half hour
    # booked; two forum leads (one booked in the week), three PPC leads (none booked).
    for day in ("26", "27", "28", "29"):
        entry(user, "Prospect call", ldn(f"2026-10-{day} 10:00"), 45)
    a = lead("Ann", forum, ldn("2026-10-26 08:00"))
    lead("Bob", forum, ldn("2026-10-26 08:30"))
    for name in ("Cat", "Dan", "Eve"):
        lead(name, ppc, ldn("2026-10-27 08:00"))
    held = book(a, ldn("2026-10-27 18:00"), 60, ldn("2026-10-26 09:00"))
    booking_services.complete(held, now=ldn("2026-10-27 19:01"))
    book(old, ldn("2026-10-28 18:00"), 30, ldn("2026-10-21 09:00"))
    prospect_services.change_stage(a, Stage.JOINED, now=ldn("2026-10-28 20:00"))
    prospect_services.add_income(user, on=ldn("2026-10-29 12:00").date(), amount="200")
    prospect_services.add_income(
        user, on=ldn("2026-10-30 12:00").date(), amount="10", currency="EUR"
    )
    frozen.move_to(ldn("2026-10-29 18:10"))
    activity_services.start_timer(
        user, category(user, "Organizing"), now=ldn("2026-10-29 18:10"), override=True
    )
    activity_services.stop_timer(user, now=ldn("2026-10-29 18:40"))
    # Next week: a one-hour call on Tuesday's block.
    book(old, ldn("2026-11-03 18:00"), 60, ldn("2026-10-30 09:00"))
    frozen.move_to(NOW)
    return user


@pytest.fixture
def review(two_weeks):
    return insights_review.weekly_review(two_weeks, now=NOW)


def test_the_five_numbers_last_week_against_the_week_before(review):
    assert (review.first.isoformat(), review.last.isoformat()) == ("2026-10-26", "2026-11-01")
    numbers = {n.key: (n.last, n.before, n.change) for n in review.numbers}
    # IGA: 4 x 45 min + the held hour = 4.0 h; before 3 x 40 min = 2.0 h.
    assert numbers["iga_hours"] == (4.0, 2.0, 2.0)
    # Conversations: four calls and the held one; before three.
    assert numbers["conversations"] == (5, 3, 2)
    # Fill: 60 + 30 of 600 block minutes = 15%; before 30 of 600 = 5%.
    assert numbers["fill_percent"] == (15, 5, 10)
    assert numbers["joined"] == (1, 0, 1)
    assert numbers["income"] == (200.0, 50.0, 150.0)
    assert review.income == {"USD": (200, 50), "EUR": (10, 0)}
    assert review.other_income == ["10.00 EUR (week before 0.00)"]


def test_best_and_worst_sources_and_the_overrides(review):
    # Forum: Ann's call and the next-week call with the old lead were booked last week.
    assert (review.best.label, review.best.booked, review.best.leads) == ("Forum posts / Sig", 2, 2)
    assert (review.worst.label, review.worst.booked, review.worst.leads) == (
        "PPC campaigns / Ad", 0, 3,
    )  # fmt: skip
    assert (review.overrides, review.override_seconds) == (1, 1800)


def test_the_coming_blocks_with_their_fill_so_far(review):
    # From Monday 2 Nov 09:00 for seven days: the blocks of Mon-Fri 2-6 Nov (not Mon 9 Nov
    # 18:00, past the seven days); Tuesday's is half booked.
    assert [(f"{b.start:%d}", b.fill_percent) for b in review.blocks] == [
        ("02", 0), ("03", 50), ("04", 0), ("05", 0), ("06", 0),
    ]  # fmt: skip


def test_the_summary_is_written_from_the_numbers(review):
    assert review.summary == (
        "You talked to 5 prospects (+2) and spent 4.0 h on income-generating activity"
        " (+2.0 h). Your prospecting time was 15% booked (+10 points). 1 person joined (+1);"
        " you earned 10.00 EUR and 200.00 USD. Best source: Forum posts / Sig (2 calls booked)."
        " Busy work started in prospecting time 1 time (0.5 h)."
    )


def test_as_dict_holds_every_figure(review):
    data = review.as_dict()
    assert data["numbers"]["conversations"] == {"last_week": 5, "week_before": 3, "change": 2}
    assert data["income"]["EUR"] == {"last_week": "10.00", "week_before": "0"}
    assert data["best_source"] == {"label": "Forum posts / Sig", "leads": 2, "booked": 2}
    assert len(data["next_blocks"]) == 5
    assert data["summary"] == review.summary


def test_a_week_with_nothing_says_so_without_dividing_by_zero(db):
    user = UserFactory(time_zone=LONDON)
    empty = insights_review.weekly_review(user, now=NOW)
    assert empty.number("fill_percent").last is None
    assert (empty.best, empty.worst, empty.blocks) == (None, None, [])
    assert "no prospecting blocks" in empty.summary
    assert empty.summary.startswith("You talked to 0 prospects (±0)")


def test_a_week_before_with_nothing_is_said_on_the_page(db, client):
    user = UserFactory(time_zone=LONDON)
    client.force_login(user)
    page = client.get("/insights/review/").content.decode()
    assert "The week before holds nothing to compare with yet" in page


def test_two_weeks_of_history_get_no_such_note(two_weeks, client):
    client.force_login(two_weeks)
    page = client.get("/insights/review/").content.decode()
    assert "holds nothing to compare" not in page
    assert "You talked to 5 prospects (+2)" in page
