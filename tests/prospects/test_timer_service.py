"""`start_prospect_timer`: the timer and its tie to a prospect are written together or not at
all (the card's "Start call timer" and `mainthing start --prospect` both go through it)."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from mainthing.activity import services as activity_services
from mainthing.activity.models import Activity
from mainthing.prospects import services
from mainthing.prospects.models import Prospect, ProspectTime
from tests.factories import block, category

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


def ann(user) -> Prospect:
    return services.add_prospect(user, services.Contact(name="Ann Lee"), now=NOW)


def test_start_prospect_timer_ties_the_running_entry_to_the_prospect(owner):
    prospect = ann(owner)
    entry = services.start_prospect_timer(
        owner, category(owner, "Prospect call"), prospect=prospect, now=NOW, note="first call"
    )
    prospect.refresh_from_db()
    link = ProspectTime.objects.get(activity=entry)
    assert (entry.start, entry.end, entry.prospect_name, entry.note) == (
        NOW,
        None,
        "Ann Lee",
        "first call",
    )
    assert (link.prospect_id, prospect.last_contacted_at) == (prospect.pk, NOW)


def test_start_prospect_timer_keeps_a_typed_name_over_the_prospects(owner):
    entry = services.start_prospect_timer(
        owner,
        category(owner, "Prospect call"),
        prospect=ann(owner),
        now=NOW,
        prospect_name="Ann (mobile)",
    )
    assert entry.prospect_name == "Ann (mobile)"


def test_start_prospect_timer_without_a_prospect_starts_a_plain_timer(owner):
    entry = services.start_prospect_timer(
        owner, category(owner, "Forum posts"), prospect=None, now=NOW, prospect_name="Bob"
    )
    assert (entry.prospect_name, ProspectTime.objects.filter(activity=entry).exists()) == (
        "Bob",
        False,
    )


def test_start_prospect_timer_refuses_another_users_prospect_and_writes_nothing(owner, other_user):
    theirs = ann(other_user)
    with pytest.raises(ValidationError) as refused:
        services.start_prospect_timer(
            owner, category(owner, "Prospect call"), prospect=theirs, now=NOW
        )
    assert refused.value.messages == ["That prospect belongs to someone else."]
    assert (Activity.objects.count(), ProspectTime.objects.count()) == (0, 0)


def test_start_prospect_timer_asks_the_iga_question_and_writes_nothing(owner):
    block(owner, "15:00", "17:00")  # London, BST: 15:00 UTC is inside it
    with pytest.raises(activity_services.IgaQuestion):
        services.start_prospect_timer(
            owner, category(owner, "Organizing"), prospect=ann(owner), now=NOW
        )
    assert (Activity.objects.count(), ProspectTime.objects.count()) == (0, 0)


def test_start_prospect_timer_stops_the_running_timer_at_the_same_instant(owner):
    running = activity_services.start_timer(owner, category(owner, "Forum posts"), now=NOW)
    later = datetime(2026, 6, 10, 15, 20, tzinfo=UTC)
    services.start_prospect_timer(
        owner, category(owner, "Prospect call"), prospect=ann(owner), now=later
    )
    running.refresh_from_db()
    assert (running.end, running.seconds) == (later, 20 * 60)
