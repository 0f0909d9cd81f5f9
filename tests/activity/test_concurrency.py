import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mainthing.activity import services
from mainthing.activity.models import Activity
from tests.factories import UserFactory, category

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


def twenty_categories(user) -> list:
    names = ["Prospect call", "Forum posts", "Organizing", "Video posts", "Follow-up call"] * 4
    return [category(user, name) for name in names]


def at_once(start, targets: list) -> None:
    """Calls start(index, target) for every target in its own thread, all released together;
    each thread closes its database connection."""
    barrier = threading.Barrier(len(targets))

    def run(index, target):
        try:
            barrier.wait()
            start(index, target)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_leave_exactly_one_running_timer():
    user = UserFactory(email="racer@example.com")
    outcomes: list[str] = []

    def start(_, target):
        try:
            services.start_timer(user, target, now=NOW)
            outcomes.append("started")
        except ValidationError:
            outcomes.append("conflict")
        except Exception as error:  # any other error is what this test hunts
            outcomes.append(f"error: {error!r}")

    at_once(start, twenty_categories(user))

    assert [o for o in outcomes if o.startswith("error")] == []
    assert Activity.objects.filter(user=user, end__isnull=True).count() == 1
    assert outcomes.count("started") >= 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_leave_one_running_timer_and_no_slivers():
    user = UserFactory(email="clicker@example.com")
    errors: list[str] = []

    def start(index, target):
        try:
            # The requests' clocks differ by fractions of a second, as real ones do.
            services.start_timer(user, target, now=NOW + timedelta(milliseconds=100 * index))
        except Exception as error:  # a start may not fail at all now
            errors.append(repr(error))

    at_once(start, twenty_categories(user))

    entries = list(Activity.objects.filter(user=user))
    # One running entry and no stopped ones: no slivers, so nothing to overlap.
    assert (errors, [e.end for e in entries]) == ([], [None])


@pytest.mark.django_db
def test_start_soon_after_another_replaces_it_with_the_new_category():
    user = UserFactory(email="fixer@example.com")
    forum, call = category(user, "Forum posts"), category(user, "Prospect call")
    first = services.start_timer(user, forum, now=NOW, note="oops")
    soon = NOW + timedelta(seconds=services.REPLACE_WITHIN_SECONDS - 1)
    second = services.start_timer(user, call, now=soon, note="the call")

    rows = list(Activity.objects.filter(user=user).values_list("pk", "category", "start", "end"))
    assert (rows, second.note) == ([(first.pk, call.pk, NOW, None)], "the call")


@pytest.mark.django_db
def test_start_after_the_replace_window_stops_the_running_timer():
    user = UserFactory(email="worker@example.com")
    forum, call = category(user, "Forum posts"), category(user, "Prospect call")
    services.start_timer(user, forum, now=NOW)
    later = NOW + timedelta(seconds=services.REPLACE_WITHIN_SECONDS)
    services.start_timer(user, call, now=later)

    rows = list(Activity.objects.filter(user=user).order_by("start").values_list("category", "end"))
    assert rows == [(forum.pk, later), (call.pk, None)]
