"""The lead-gen categories table names each category, whether its hours or only its sources'
leads put it there."""

from mainthing.insights import periods, queries
from tests.factories import LeadSourceFactory, ProspectFactory, at, category, entry

NOW = at("2026-12-05 12:00", "Europe/London")


def test_a_category_with_leads_but_no_hours_in_the_range_is_named_not_unknown(owner, frozen):
    videos = LeadSourceFactory(user=owner, category=category(owner, "Video posts"))
    ProspectFactory(user=owner, source=videos, created_at=at("2026-12-01 10:00"))
    entry(owner, "Forum posts", at("2026-12-02 09:00"), 60)

    card = queries.scorecard(owner, periods.resolve("month", NOW.date()), now=NOW)

    rows = {row[0]: (row[1], row[2]) for row in card.tables["categories"].rows}
    # (hours in seconds, leads)
    assert rows == {"Forum posts": (3600, 0), "Video posts": (0, 1)}
