"""A stop pressed at another instant than it arrives (pressed offline, queued by the phone):
`services.stop_timer(at=…, entry_id=…)` and the stop view that takes it from the page's script."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from mainthing.activity import services
from mainthing.activity.models import Activity, DayTotal
from mainthing.prospects import services as prospect_services
from tests.factories import category, new_prospect

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)
STARTED = NOW - timedelta(minutes=40)


@pytest.fixture
def running(owner):
    return services.start_timer(owner, category(owner, "Prospect call"), now=STARTED)


def ends(entry: Activity) -> tuple:
    entry.refresh_from_db()
    return entry.end, entry.seconds


def flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_stop_at_an_earlier_instant_ends_the_entry_there(owner, running):
    pressed = NOW - timedelta(minutes=10, seconds=7)
    stopped = services.stop_timer(owner, now=NOW, at=pressed, entry_id=running.pk)
    assert (stopped.pk, *ends(running)) == (running.pk, pressed, 30 * 60 - 7)
    assert list(DayTotal.objects.filter(user=owner).values_list("seconds", "entries")) == [
        (30 * 60 - 7, 1)
    ]


def test_stop_at_a_little_ahead_of_the_server_clock_ends_now(owner, running):
    services.stop_timer(owner, now=NOW, at=NOW + timedelta(seconds=90), entry_id=running.pk)
    assert ends(running) == (NOW, 40 * 60)


def test_stop_at_in_the_future_is_refused_and_the_timer_runs_on(owner, running):
    with pytest.raises(ValidationError) as refused:
        services.stop_timer(owner, now=NOW, at=NOW + timedelta(minutes=3), entry_id=running.pk)
    assert refused.value.message_dict == {
        "at": ["That stop time is in the future. Check the clock on your phone or computer."]
    }
    assert ends(running) == (None, 0)


def test_stop_at_before_the_start_is_refused(owner, running):
    with pytest.raises(ValidationError) as refused:
        services.stop_timer(owner, now=NOW, at=STARTED - timedelta(seconds=1))
    # The owner lives in Europe/London (BST): the start is said in their time.
    assert refused.value.message_dict == {
        "at": ["That stop time is before the timer started (15:20): not applied."]
    }
    assert ends(running) == (None, 0)


def test_stop_at_more_than_a_day_ago_is_refused(owner):
    old = services.start_timer(owner, category(owner, "Forum posts"), now=NOW - timedelta(hours=30))
    with pytest.raises(ValidationError) as refused:
        services.stop_timer(owner, now=NOW, at=NOW - timedelta(hours=25), entry_id=old.pk)
    assert refused.value.messages == [
        "That stop was pressed more than 24 hours ago, so it was not applied. Stop the timer "
        "now and correct the entry's end in the log."
    ]
    assert ends(old) == (None, 0)


def test_the_same_stop_sent_twice_stops_once(owner, running):
    pressed = NOW - timedelta(minutes=5)
    services.stop_timer(owner, now=NOW, at=pressed, entry_id=running.pk)
    again = services.stop_timer(
        owner, now=NOW + timedelta(minutes=1), at=pressed, entry_id=running.pk
    )
    assert (again, *ends(running)) == (None, pressed, 35 * 60)
    assert list(DayTotal.objects.filter(user=owner).values_list("seconds", "entries")) == [
        (35 * 60, 1)
    ]


def test_a_stop_for_a_timer_no_longer_running_leaves_the_new_one_alone(owner, running):
    services.stop_timer(owner, now=NOW - timedelta(minutes=5))
    newer = services.start_timer(owner, category(owner, "Forum posts"), now=NOW)
    late = services.stop_timer(
        owner, now=NOW + timedelta(minutes=1), at=NOW - timedelta(minutes=6), entry_id=running.pk
    )
    assert (late, *ends(newer)) == (None, None, 0)


def test_stop_view_takes_the_pressed_instant_and_answers_json(owner, owner_client, running, frozen):
    response = owner_client.post(
        reverse("activity:stop-timer"),
        {"entry": running.pk, "at": "2026-06-10T14:48:30.250Z"},
        headers={"Accept": "application/json"},
    )
    assert (response.status_code, response.json(), flashes(response)) == (
        200,
        {"stopped": True, "next": "/"},
        ["Stopped Prospect call at 15:48: 28m."],
    )
    assert ends(running) == (datetime(2026, 6, 10, 14, 48, 30, 250000, tzinfo=UTC), 28 * 60 + 30)


def test_stop_view_sent_twice_says_it_was_already_stopped(owner, owner_client, running, frozen):
    sent = {"entry": running.pk, "at": "2026-06-10T14:50:00Z"}
    owner_client.post(reverse("activity:stop-timer"), sent, follow=True)  # reads its message
    response = owner_client.post(
        reverse("activity:stop-timer"), sent, headers={"Accept": "application/json"}
    )
    assert (response.json(), flashes(response), ends(running)) == (
        {"stopped": False, "next": "/"},
        ["That timer was already stopped."],
        (datetime(2026, 6, 10, 14, 50, tzinfo=UTC), 30 * 60),
    )


@pytest.mark.parametrize(
    ("sent", "said"),
    [
        ("2026-06-10T15:10:00Z", "That stop time is in the future. Check the clock on your "),
        ("2026-06-10T14:50:00", "That stop time has no time zone."),
        ("yesterday-ish", "That stop time is not a date and time we can read."),
    ],
)
def test_stop_view_refuses_a_bad_instant_and_changes_nothing(
    owner_client, running, frozen, sent, said
):
    response = owner_client.post(reverse("activity:stop-timer"), {"at": sent})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert [m[: len(said)] for m in flashes(response)] == [said]
    assert ends(running) == (None, 0)


def test_stop_view_of_a_prospect_timer_goes_on_to_the_outcome(owner, owner_client, frozen):
    ann = new_prospect(owner, at=NOW - timedelta(days=1))
    entry = prospect_services.start_prospect_timer(
        owner, category(owner, "Prospect call"), prospect=ann, now=STARTED
    )
    response = owner_client.post(
        reverse("activity:stop-timer"),
        {"entry": entry.pk, "at": "2026-06-10T14:59:00+00:00"},
        headers={"Accept": "application/json"},
    )
    outcome = reverse("bookings:outcome", args=[ann.pk])
    assert response.json() == {"stopped": True, "next": f"{outcome}?activity={entry.pk}"}


def test_stop_view_ignores_another_users_entry_id(owner_client, other_user, running, frozen):
    theirs = services.start_timer(other_user, category(other_user, "Forum posts"), now=STARTED)
    owner_client.post(reverse("activity:stop-timer"), {"entry": theirs.pk})
    assert (ends(theirs), ends(running)) == ((None, 0), (None, 0))
