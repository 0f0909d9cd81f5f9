"""The day totals' insight counters (conversations, pre-scheduled ones, IGA overrides and their
seconds) on every write path, with hand-computed expectations."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mainthing.activity import importing, services
from mainthing.activity.models import Activity, DayTotal, Origin
from mainthing.bookings import services as bookings
from mainthing.portability import export_user, restore_user
from tests.factories import UserFactory, at, block, category, entry
from tests.recount import recount, stored

NY = "America/New_York"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SAMPLES = Path(__file__).parent / "samples"


def counters(user) -> dict:
    """{(day, category name): (conversations, prescheduled, overrides, override_seconds)}, rows
    without any left out."""
    rows = DayTotal.objects.filter(user=user).select_related("category")
    found = {
        (t.day, t.category.name): (t.conversations, t.prescheduled, t.overrides, t.override_seconds)
        for t in rows
    }
    return {key: value for key, value in found.items() if any(value)}


@pytest.fixture
def dana(db):
    """A New York user with a prospecting block late every evening (busy work in it is an
    override when she starts it anyway)."""
    user = UserFactory(email="dana@example.com", time_zone=NY)
    block(user, "19:00", "23:59")
    return user


def busy_work_anyway(user, start: datetime, seconds: int) -> Activity:
    """Organizing started in the prospecting block after the IGA question, then stopped."""
    services.start_timer(user, category(user, "Organizing"), now=start, override=True)
    return services.stop_timer(user, now=start + timedelta(seconds=seconds))


# --- the timer and manual entries ----------------------------------------------------------------


def test_a_stopped_timer_is_a_conversation_from_two_minutes_and_a_running_one_never(dana):
    call = category(dana, "Prospect call")
    start = at("2026-06-10 19:00", NY)

    services.start_timer(dana, call, now=start)
    services.start_timer(dana, call, now=start + timedelta(seconds=119))
    running = counters(dana)
    services.stop_timer(dana, now=start + timedelta(seconds=119 + 120))

    assert running == {}
    assert counters(dana) == {(date(2026, 6, 10), "Prospect call"): (1, 0, 0, 0)}


def test_busy_work_started_anyway_counts_an_override_with_its_seconds(dana):
    busy_work_anyway(dana, at("2026-06-10 19:30", NY), 15 * 60)

    assert counters(dana) == {(date(2026, 6, 10), "Organizing"): (0, 0, 1, 900)}


def test_manual_entries_count_by_length_tier_and_origin(dana):
    day = date(2026, 6, 10)
    entry(dana, "Prospect call", at("2026-06-10 09:00", NY), 2)
    services.add_entry(
        dana, category(dana, "Follow-up call"), start=at("2026-06-10 10:00", NY),
        end=at("2026-06-10 10:00", NY) + timedelta(seconds=119), now=NOW,
    )  # fmt: skip
    entry(dana, "Presentation", at("2026-06-10 11:00", NY), 1, origin=Origin.APPOINTMENT)
    # An appointment's origin on busy work (an edited entry, a restored file) is no call.
    entry(dana, "Forum posts", at("2026-06-10 12:00", NY), 30, origin=Origin.APPOINTMENT)

    assert counters(dana) == {
        (day, "Prospect call"): (1, 0, 0, 0),
        (day, "Presentation"): (1, 1, 0, 0),
    }


# --- edits and deletes ---------------------------------------------------------------------------


def edit(row: Activity, *, name: str | None = None, start=None, seconds: int | None = None):
    start = start or row.start
    return services.update_entry(
        row,
        category=category(row.user, name) if name else row.category,
        start=start,
        end=start + timedelta(seconds=seconds if seconds is not None else row.seconds),
        now=NOW,
        allow_overlap=True,
    )


def test_moving_an_entry_to_another_day_moves_its_counts(dana):
    talk = entry(dana, "Prospect call", at("2026-06-10 19:00", NY), 30)
    busy = busy_work_anyway(dana, at("2026-06-10 20:00", NY), 600)

    edit(talk, start=at("2026-06-12 19:00", NY))
    edit(busy, start=at("2026-06-13 20:00", NY))

    assert counters(dana) == {
        (date(2026, 6, 12), "Prospect call"): (1, 0, 0, 0),
        (date(2026, 6, 13), "Organizing"): (0, 0, 1, 600),
    }
    assert stored(dana) == recount(dana)


def test_changing_the_category_between_income_and_busy_work_moves_the_conversation(dana):
    talk = entry(dana, "Prospect call", at("2026-06-10 19:00", NY), 30)

    edit(talk, name="Email inbox")
    as_busy_work = counters(dana)
    edit(talk, name="Follow-up call")

    assert as_busy_work == {}
    assert counters(dana) == {(date(2026, 6, 10), "Follow-up call"): (1, 0, 0, 0)}


def test_an_edit_across_two_minutes_makes_and_unmakes_a_conversation(dana):
    talk = entry(dana, "Prospect call", at("2026-06-10 19:00", NY), 3)
    key = (date(2026, 6, 10), "Prospect call")

    edit(talk, seconds=119)
    shortened = counters(dana)
    edit(talk, seconds=120)
    exactly_two = counters(dana)

    assert (shortened, exactly_two) == ({}, {key: (1, 0, 0, 0)})


def test_a_shorter_or_longer_override_keeps_its_count_and_changes_its_seconds(dana):
    busy = busy_work_anyway(dana, at("2026-06-10 20:00", NY), 600)

    edit(busy, seconds=5 * 3600)  # now past midnight

    assert counters(dana) == {
        (date(2026, 6, 10), "Organizing"): (0, 0, 1, 4 * 3600),
        (date(2026, 6, 11), "Organizing"): (0, 0, 0, 3600),
    }


def test_deleting_entries_takes_their_counts_away(dana):
    talk = entry(dana, "Prospect call", at("2026-06-10 19:00", NY), 30, origin=Origin.APPOINTMENT)
    busy = busy_work_anyway(dana, at("2026-06-10 23:30", NY), 3600)
    entry(dana, "Prospect call", at("2026-06-10 21:00", NY), 5)

    services.delete_entry(talk)
    services.delete_entry(busy)

    assert counters(dana) == {(date(2026, 6, 10), "Prospect call"): (1, 0, 0, 0)}
    assert stored(dana) == recount(dana)


# --- local days ----------------------------------------------------------------------------------


def test_an_entry_across_midnight_counts_once_on_its_start_day_and_splits_override_seconds(dana):
    entry(dana, "Prospect call", at("2026-06-10 23:50", NY), 30)
    busy_work_anyway(dana, at("2026-06-11 23:30", NY), 2 * 3600)

    assert counters(dana) == {
        (date(2026, 6, 10), "Prospect call"): (1, 0, 0, 0),
        (date(2026, 6, 11), "Organizing"): (0, 0, 1, 1800),
        (date(2026, 6, 12), "Organizing"): (0, 0, 0, 5400),
    }


def test_the_fall_back_night_gives_its_repeated_hour_to_the_right_day(dana):
    # 23:30 EDT to 01:30 EST is three real hours: half an hour on Saturday, 2.5 on Sunday.
    busy_work_anyway(dana, at("2026-10-31 23:30", NY), 3 * 3600)
    # 01:40 EDT to 01:10 EST, inside the hour that happens twice: 30 real minutes.
    first_one_forty = at("2026-10-31 23:30", NY) + timedelta(hours=2, minutes=10)
    services.add_entry(
        dana, category(dana, "Prospect call"), start=first_one_forty,
        end=first_one_forty + timedelta(minutes=30), now=NOW, allow_overlap=True,
    )  # fmt: skip

    assert counters(dana) == {
        (date(2026, 10, 31), "Organizing"): (0, 0, 1, 1800),
        (date(2026, 11, 1), "Organizing"): (0, 0, 0, 9000),
        (date(2026, 11, 1), "Prospect call"): (1, 0, 0, 0),
    }


def test_a_time_zone_change_moves_the_counts_to_the_new_local_days(db):
    user = UserFactory(time_zone="UTC")
    entry(user, "Prospect call", datetime(2026, 6, 10, 2, 0, tzinfo=UTC), 30)
    entry(user, "Presentation", datetime(2026, 6, 10, 3, 0, tzinfo=UTC), 1, origin="appointment")
    busy = entry(user, "Organizing", datetime(2026, 6, 10, 3, 30, tzinfo=UTC), 60)
    Activity.objects.filter(pk=busy.pk).update(iga_override=True)  # a row from before
    services.rebuild_day_totals(user)
    in_utc = counters(user)

    services.save_profile(user, time_zone=NY)

    june_9 = date(2026, 6, 9)
    assert in_utc == {
        (date(2026, 6, 10), "Prospect call"): (1, 0, 0, 0),
        (date(2026, 6, 10), "Presentation"): (1, 1, 0, 0),
        (date(2026, 6, 10), "Organizing"): (0, 0, 1, 3600),
    }
    # 22:00, 23:00 and 23:30 EDT the evening before; the override runs to 00:30.
    assert counters(user) == {
        (june_9, "Prospect call"): (1, 0, 0, 0),
        (june_9, "Presentation"): (1, 1, 0, 0),
        (june_9, "Organizing"): (0, 0, 1, 1800),
        (date(2026, 6, 10), "Organizing"): (0, 0, 0, 1800),
    }


# --- other writers -------------------------------------------------------------------------------


def test_a_completed_appointment_is_a_prescheduled_conversation_whatever_its_length(dana):
    start = at("2026-06-10 19:00", NY)
    ann = bookings.book(dana, prospect_name="Ann", start=start, now=start - timedelta(days=1))
    bob = bookings.book(
        dana, prospect_name="Bob", start=start + timedelta(hours=1), now=start - timedelta(days=1)
    )

    bookings.complete(ann, now=NOW, minutes=1)
    bookings.complete(bob, now=NOW, minutes=25)

    assert counters(dana) == {(date(2026, 6, 10), "Prospect call"): (2, 2, 0, 0)}


def import_file(user, path: Path, fmt: str, **tier_map):
    return importing.apply_file(user, path, fmt, tier_map=tier_map, now=NOW)


def test_a_csv_import_counts_conversations_by_length_on_their_start_day(owner, tmp_path):
    path = tmp_path / "entries.csv"
    path.write_text(
        "start,end,category,tier,note\n"
        "2026-03-02T19:00:00Z,2026-03-02T19:01:59Z,Prospect call,,119 seconds\n"
        "2026-03-02T20:00:00Z,2026-03-02T20:02:00Z,Prospect call,,two minutes\n"
        "2026-03-02T23:50:00Z,2026-03-03T00:20:00Z,Follow-up call,,across midnight\n"
        "2026-03-03T09:00:00Z,2026-03-03T10:00:00Z,Forum posts,,busy work\n"
    )

    import_file(owner, path, "csv")

    assert counters(owner) == {
        (date(2026, 3, 2), "Prospect call"): (1, 0, 0, 0),
        (date(2026, 3, 2), "Follow-up call"): (1, 0, 0, 0),
    }


def test_reimporting_a_longer_file_counts_only_its_new_conversations(owner, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    header = "start,end,category,tier,note\n"
    known = "2026-03-02T19:00:00Z,2026-03-02T19:30:00Z,Prospect call,,known\n"
    path = tmp_path / "entries.csv"
    path.write_text(header + known)
    import_file(owner, path, "csv")
    path.write_text(
        header + known + "2026-03-02T20:00:00Z,2026-03-02T20:10:00Z,Prospect call,,new\n"
        "2026-03-02T21:00:00Z,2026-03-02T21:01:00Z,Prospect call,,short\n"
    )

    result = import_file(owner, path, "csv")

    assert (result.created, result.skipped) == (2, 1)
    assert counters(owner) == {(date(2026, 3, 2), "Prospect call"): (2, 0, 0, 0)}


def test_watson_and_toggl_imports_count_their_calls(owner):
    also_london = UserFactory(time_zone="Europe/London")

    import_file(owner, SAMPLES / "watson-frames.json", "watson", webinars="leadgen")
    toggl = {"webinars": "leadgen", "(no project)": "other"}
    import_file(also_london, SAMPLES / "toggl-detailed.csv", "toggl", **toggl)

    # A 40-minute (Watson) and a 45-minute (Toggl) call at 19:00 GMT; the rest is busy work.
    assert counters(owner) == {(date(2026, 3, 2), "Prospect call"): (1, 0, 0, 0)}
    assert counters(also_london) == {(date(2026, 3, 2), "Prospect call"): (1, 0, 0, 0)}


def test_a_restore_counts_the_files_conversations_and_overrides_in_its_zone(dana, tmp_path):
    start = at("2026-06-10 19:00", NY)
    ann = bookings.book(dana, prospect_name="Ann", start=start, now=start - timedelta(days=1))
    bookings.complete(ann, now=NOW, minutes=20)
    entry(dana, "Follow-up call", at("2026-06-10 23:50", NY), 30)
    entry(dana, "Follow-up call", at("2026-06-11 19:00", NY), 1)
    busy_work_anyway(dana, at("2026-06-11 23:00", NY), 2 * 3600)
    path = tmp_path / "export.json"
    export_user(dana, path)
    fresh = UserFactory(email="fresh@example.com", time_zone="Asia/Tokyo")

    restore_user(fresh, path)

    assert counters(fresh) == {
        (date(2026, 6, 10), "Prospect call"): (1, 1, 0, 0),
        (date(2026, 6, 10), "Follow-up call"): (1, 0, 0, 0),
        (date(2026, 6, 11), "Organizing"): (0, 0, 1, 3600),
        (date(2026, 6, 12), "Organizing"): (0, 0, 0, 3600),
    }
    assert counters(fresh) == counters(dana)


# --- every write at random -----------------------------------------------------------------------

ZONES = ["America/New_York", "Europe/London", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC"]
# Ten days around the fall-back nights of London (25 October) and New York (1 November).
BASE = datetime(2026, 10, 24, tzinfo=UTC)
NAMES = ["Prospect call", "Presentation", "Organizing", "Forum posts"]
lengths = st.one_of(st.sampled_from([1, 119, 120, 121]), st.integers(1, 20 * 3600))
offsets = st.integers(0, 10 * 24 * 3600)
writes = st.one_of(
    st.tuples(st.just("add"), offsets, lengths, st.sampled_from(NAMES), st.booleans()),
    st.tuples(st.just("timer"), offsets, lengths, st.sampled_from(NAMES), st.booleans()),
    st.tuples(st.just("edit"), st.integers(0, 50), offsets, lengths, st.sampled_from(NAMES)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
)


def play(user, write: tuple) -> None:
    kind, *args = write
    made = list(Activity.objects.filter(user=user, end__isnull=False).order_by("pk"))
    if kind == "add":
        offset, seconds, name, appointment = args
        start = BASE + timedelta(seconds=offset)
        services.add_entry(
            user, category(user, name), start=start, end=start + timedelta(seconds=seconds),
            now=NOW, allow_overlap=True, origin=Origin.APPOINTMENT if appointment else "manual",
        )  # fmt: skip
    elif kind == "timer":
        offset, seconds, name, stop = args
        start = BASE + timedelta(seconds=offset)
        services.start_timer(user, category(user, name), now=start, override=True)
        if stop:
            services.stop_timer(user, now=start + timedelta(seconds=seconds))
    elif made and kind == "edit":
        index, offset, seconds, name = args
        row = made[index % len(made)]
        start = BASE + timedelta(seconds=offset)
        services.update_entry(
            row, category=category(user, name), start=start,
            end=start + timedelta(seconds=seconds), now=NOW, allow_overlap=True,
        )  # fmt: skip
    elif made and kind == "delete":
        services.delete_entry(made[args[0] % len(made)])


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(zone=st.sampled_from(ZONES), script=st.lists(writes, min_size=1, max_size=25))
def test_after_any_mix_of_writes_the_counters_match_a_count_of_the_entries(zone, script):
    user = UserFactory(time_zone=zone)
    # Prospecting time every evening: busy work started then is an override.
    block(user, "18:00", "23:00")

    for write in script:
        play(user, write)
    kept = stored(user)
    services.rebuild_day_totals(user)

    assert kept == recount(user)
    assert stored(user) == kept
