"""The prescription names the best lead source: appointments booked per lead-gen hour of the
source's category over the last 30 days."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mainthing.activity.models import Category
from mainthing.bookings import fillrate, queries, services
from mainthing.prospects import services as prospect_services
from tests.factories import AppointmentFactory, block, entry

FORUM, VIDEO = 11, 12
HOUR = 3600


# --- pure ---


def test_best_source_is_the_highest_booked_calls_per_hour():
    found = fillrate.best_source(
        [("Forum posts / signature", FORUM, 7), ("Video posts / channel", VIDEO, 3)],
        {FORUM: 5 * HOUR, VIDEO: 1 * HOUR},
    )
    assert (found.label, found.booked, found.hours, found.per_hour) == (
        "Video posts / channel",
        3,
        1.0,
        3.0,
    )


def test_best_source_shares_its_categorys_hours_between_its_campaigns():
    found = fillrate.best_source(
        [("Forum posts / signature", FORUM, 7), ("Forum posts / thread", FORUM, 2)],
        {FORUM: 5 * HOUR},
    )
    assert (found.label, found.per_hour) == ("Forum posts / signature", 1.4)


def test_best_source_leaves_out_unknown():
    found = fillrate.best_source(
        [("Unknown", None, 50), ("Forum posts / signature", FORUM, 1)], {FORUM: 2 * HOUR}
    )
    assert (found.label, found.per_hour) == ("Forum posts / signature", 0.5)


@pytest.mark.parametrize(
    ("booked", "seconds"),
    [
        ([], {FORUM: 5 * HOUR}),  # no bookings
        ([("Unknown", None, 9)], {FORUM: 5 * HOUR}),  # only unknown
        ([("Forum posts / signature", FORUM, 4)], {}),  # no lead-gen time
        ([("Forum posts / signature", FORUM, 4)], {FORUM: 50 * 60}),  # under an hour: luck
        ([("Forum posts / signature", FORUM, 0)], {FORUM: 5 * HOUR}),
    ],
)
def test_best_source_names_none_without_data(booked, seconds):
    assert fillrate.best_source(booked, seconds) is None


def test_best_source_ties_go_to_more_bookings_then_the_label():
    found = fillrate.best_source(
        [("B / one", FORUM, 2), ("A / two", VIDEO, 4), ("A / one", VIDEO + 1, 4)],
        {FORUM: 1 * HOUR, VIDEO: 2 * HOUR, VIDEO + 1: 2 * HOUR},
    )
    assert found.label == "A / one"


@given(
    rows=st.lists(
        st.tuples(st.sampled_from([None, 1, 2, 3]), st.integers(0, 40)), min_size=0, max_size=8
    ),
    seconds=st.dictionaries(st.sampled_from([1, 2, 3]), st.integers(0, 40 * HOUR)),
)
@settings(max_examples=200, deadline=None)
def test_best_source_beats_every_other_named_source(rows, seconds):
    booked = [(f"source {n}", category, count) for n, (category, count) in enumerate(rows)]
    found = fillrate.best_source(booked, seconds)
    rates = [
        count / (seconds.get(category, 0) / HOUR)
        for _, category, count in booked
        if category is not None and count and seconds.get(category, 0) >= HOUR
    ]
    if not rates:
        assert found is None
    else:
        assert found.booked / found.hours == max(rates)


def test_prescription_carries_the_best_source():
    best = fillrate.SourceYield("Forum posts / signature", 7, 5.0)
    result = fillrate.prescribe(
        3, booked_recently=9, leadgen_seconds_recently=6 * HOUR, best_source=best
    )
    assert result == fillrate.Prescription(3, 1.5, 2.0, False, best)


# --- read model and page ---

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # Wed 09:00 in London
EVENING = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)


@pytest.fixture
def history(owner, frozen):
    """Evenings to fill; forum posts booked 7 calls in 5 h, videos 1 in 2 h, Unknown 3."""
    block(owner, "19:00", "21:00")
    forum = Category.objects.get(user=owner, name="Forum posts")
    video = Category.objects.get(user=owner, name="Video posts")
    signature = prospect_services.add_source(owner, category=forum, campaign="my signature")
    channel = prospect_services.add_source(owner, category=video, campaign="my channel")
    for day in range(5):
        entry(owner, "Forum posts", NOW - timedelta(days=day + 1), 60)
    entry(owner, "Video posts", NOW - timedelta(days=2, hours=2), 120)
    entry(owner, "Forum posts", NOW - timedelta(days=40), 600)  # too old to count
    # Booked (created) now, for calls a week or more ahead: the next 3 days stay empty.
    calls = [signature] * 7 + [channel] + [None] * 3
    for n, source in enumerate(calls):
        services.book(
            owner,
            prospect_name=f"P{n}",
            source=source,
            start=EVENING + timedelta(days=7 + n // 4, minutes=30 * (n % 4)),
            now=NOW,
        )
    return owner


def test_fill_signal_names_the_best_source_of_the_last_30_days(history):
    signal = queries.fill_signal(history, now=NOW)
    assert (signal.below, signal.prescription.best_source) == (
        True,
        fillrate.SourceYield("Forum posts / my signature", 7, 5.0),
    )


def test_fill_signal_names_no_source_without_lead_gen_history(owner, frozen):
    block(owner, "19:00", "21:00")
    services.book(owner, prospect_name="Ann", start=EVENING, now=NOW)
    signal = queries.fill_signal(owner, now=NOW)
    assert (signal.below, signal.prescription.best_source) == (True, None)


def test_today_says_the_best_source_in_the_prescription(history, owner_client):
    page = owner_client.get("/").content.decode()
    assert (
        "Best source: <strong>Forum posts / my signature</strong> — "
        "1.4 booked calls per lead-gen hour." in page
    )


def test_booked_by_source_counts_calls_without_a_prospect_as_unknown(history):
    AppointmentFactory(user=history, prospect_name="Old call", start=EVENING + timedelta(days=12))
    forum, video = (
        Category.objects.get(user=history, name=name).pk for name in ("Forum posts", "Video posts")
    )
    assert sorted(queries.booked_by_source(history, since=NOW - timedelta(days=30)), key=str) == [
        ("Forum posts / my signature", forum, 7),
        ("Unknown", None, 1),
        ("Unknown", None, 3),
        ("Video posts / my channel", video, 1),
    ]
