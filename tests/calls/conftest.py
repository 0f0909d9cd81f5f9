"""A marketer in London with prospecting blocks every evening and a week of prospects, each
placed where the call queue should find them (or not)."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from tests.factories import (
    AppointmentFactory,
    LeadSourceFactory,
    ProspectFactory,
    at,
    block,
    category,
)

ZONE = "Europe/London"
# Tuesday 1 December 2026, 19:00 in London: the evening block has just begun.
TUESDAY = at("2026-12-01 19:00", ZONE)


@pytest.fixture
def caller(owner):
    """The owner (London), with a prospecting block 19:00-21:00 every day."""
    owner.name = "Dana"
    owner.phone_region = "GB"
    owner.save()
    block(owner, "19:00", "21:00")
    return owner


@pytest.fixture
def week(caller):
    """One prospect for each place in the queue (and some that must stay out of it)."""
    ppc = LeadSourceFactory(
        user=caller, category=category(caller, "PPC campaigns"), campaign="ad set 3"
    )
    forum = LeadSourceFactory(
        user=caller, category=category(caller, "Forum posts"), campaign="signature"
    )

    def person(name: str, **fields):
        fields.setdefault("created_at", at("2026-11-01 12:00", ZONE))
        fields.setdefault("source", forum)
        return ProspectFactory(
            user=caller, name=name, phone=fields.pop("phone", "+447700900123"), **fields
        )

    p = SimpleNamespace(ppc=ppc, forum=forum)
    p.bob = person("Bob Booked", stage="booked")
    p.call = AppointmentFactory(user=caller, prospect=p.bob, start=at("2026-12-01 19:05", ZONE))
    p.cara = person("Cara Overdue", stage="contacted", follow_up_on=date(2026, 11, 30))
    p.dan = person("Dan Today", stage="follow_up", follow_up_on=date(2026, 12, 1))
    p.eve = person("Eve Thursday", stage="contacted", follow_up_on=date(2026, 12, 3))
    p.fay = person("Fay Ppc", source=ppc, created_at=at("2026-11-29 10:00", ZONE))
    p.gus = person("Gus Forum", created_at=at("2026-11-30 10:00", ZONE))
    p.hal = person(
        "Hal Reached",
        created_at=at("2026-11-20 10:00", ZONE),
        last_contacted_at=at("2026-11-21 19:10", ZONE),
    )
    declined_long_ago = at("2026-11-10 19:30", ZONE)
    p.ida = person(
        "Ida Declined",
        stage="declined",
        stage_changed_at=declined_long_ago,
        last_contacted_at=declined_long_ago,
    )
    p.jo = person("Jo Recent No", stage="declined", stage_changed_at=at("2026-11-26 19:30", ZONE))
    p.kim = person(
        "Kim Asked Twice",
        stage="declined",
        stage_changed_at=declined_long_ago,
        last_contacted_at=declined_long_ago + timedelta(days=15),
    )
    p.lou = person("Lou Joined", stage="joined", follow_up_on=date(2026, 11, 30))
    return p
