import json
import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from mainthing.accounts import services as account_services
from mainthing.activity import services
from mainthing.activity.models import Activity, Category, DayTotal
from mainthing.bookings import pagesettings, public
from mainthing.bookings import services as bookings
from mainthing.bookings.models import (
    Appointment,
    BookingPage,
    CallbackRequest,
    Change,
)
from mainthing.calls import services as calls_services
from mainthing.calls.models import CallAttempt, CallSession, Script
from mainthing.demo import create_demo_account
from mainthing.portability import export_user, restore_user, restoring
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import (
    ColumnMapping,
    Event,
    Income,
    LeadSource,
    Prospect,
    ProspectTime,
    Spend,
)
from mainthing.routine import services as routine_services
from mainthing.routine.models import Block
from tests.factories import UserFactory, at, block, category, entry

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ZONE = "America/New_York"
COUNTS = {
    "categories": 14,
    "blocks": 2,
    "sources": 4,
    "spend": 2,
    "booking_page": 1,
    "prospects": 6,
    "events": 11,
    "time_links": 2,
    "appointments": 4,
    "changes": 6,
    "callback_requests": 1,
    "income": 2,
    "column_mappings": 1,
    "call_scripts": 1,
    "call_sessions": 1,
    "call_attempts": 2,
    "activities": 6,
}


@pytest.fixture
def marketer(db):
    """A user with a profile, a routine, appointments, a custom and an archived category, a
    varied ledger (across midnight and DST, an override, a call completed from a booking),
    lead sources with spend, prospects with history, linked time and income, a booking page
    with a booking moved by the prospect and a call-back request."""
    user = UserFactory(email="marketer@example.com", time_zone=ZONE, name="Dana")
    account_services.update_profile(
        user,
        goal_iga_minutes=150,
        goal_conversations=6,
        nudge_minutes=30,
        fill_threshold=60,
        phone_region="US",
        currency="usd",
    )
    evening = routine_services.add_block(
        user, tier="income", days="Mon-Sat", start=time(19), end=time(21),
        label="Evening calls", today=date(2026, 1, 1),
    )  # fmt: skip
    routine_services.set_exception(evening, day=date(2026, 12, 24), today=date(2026, 1, 1))
    routine_services.set_exception(
        evening, day=date(2026, 12, 26), skip=False, start=time(17), end=time(18),
        note="Early", today=date(2026, 1, 1),
    )  # fmt: skip
    routine_services.add_block(
        user, tier="leadgen", days="Mon-Fri", start=time(8), end=time(10),
        valid_from=date(2026, 2, 1), zone="Europe/London", today=date(2026, 1, 1),
    )  # fmt: skip
    services.add_category(user, name="Podcast guesting", tier="leadgen", color="#123abc")
    old = services.add_category(user, name="Solo ads", tier="leadgen")
    entry(user, "Solo ads", at("2026-01-05 09:00", ZONE), 45)
    services.update_category(old, archived=True)
    entry(user, "Forum posts", at("2026-11-02 08:00", ZONE), 50, note="Thread: «comp plan» ✓")
    booked = at("2026-11-01 12:00", ZONE)
    forum = prospect_services.add_source(
        user, category=category(user, "Forum posts"), campaign="Signature on the MLM forum"
    )
    ppc = prospect_services.add_source(
        user, category=category(user, "PPC campaigns"), campaign="Ad set 3", key="ads3"
    )
    prospect_services.add_spend(ppc, on=date(2026, 11, 2), amount="25.50", note="Daily cap")
    prospect_services.add_spend(ppc, on=date(2026, 11, 3), amount="19")
    old_ad = prospect_services.add_source(
        user, category=category(user, "PPC campaigns"), campaign="Ad set 1"
    )
    prospect_services.edit_source(old_ad, campaign="Ad set 1", key="ads1", archived=True)
    maria = prospect_services.add_prospect(
        user,
        prospect_services.clean_contact(
            user, name="Maria Lopez", email="Maria@Example.com", phone="(312) 555-0142",
            social="@maria", time_zone="America/Chicago", tags="warm, Spouse", notes="Forum «DM»",
        ),
        now=booked - timedelta(days=2),
        source=forum,
    )  # fmt: skip
    call = bookings.book(user, prospect=maria, start=at("2026-11-02 19:05", ZONE), now=booked)
    bookings.complete(call, now=NOW)
    prospect_services.record_outcome(
        maria, now=NOW, stage="presented", note="Wants the numbers", follow_up_on=date(2026, 12, 1)
    )
    prospect_services.add_income(
        user, on=date(2026, 11, 20), amount="150", kind="enrollment", prospect=maria, note="Pack"
    )
    prospect_services.add_income(user, on=date(2026, 11, 21), amount="9.99", currency="EUR")
    chen = prospect_services.add_prospect(
        user,
        prospect_services.clean_contact(user, name="Chen", phone="+61 2 9374 4000"),
        now=booked - timedelta(days=30),
        source=ppc,
        stage="declined",
    )
    prospect_services.change_stage(chen, "affiliate_offered", now=booked)
    Prospect.objects.filter(pk=chen.pk).update(import_key="f" * 40)
    ColumnMapping.objects.create(
        user=user, headers_key="a" * 64, mapping={"0": "name", "2": "email"}
    )
    dropped = bookings.book(
        user, prospect_name="Ken", start=at("2026-11-03 20:00", ZONE), now=booked, note="?"
    )
    bookings.cancel(dropped, now=NOW)
    bookings.book(user, prospect_name="Lee", start=at("2026-11-24 19:30", ZONE), now=NOW)
    # Across local midnight, and across the fall-back night (01:00-02:00 happens twice).
    chens_call = entry(
        user, "Follow-up call", at("2026-10-31 23:30", ZONE), 180, prospect_name="Chen"
    )
    prospect_services.link_time(chens_call, chen)
    a_session_of_calls(user, source=ppc, talked=(chen, chens_call), booked=(maria, call))
    entry(user, "Email inbox", at("2026-11-03 19:30", ZONE), 15)
    Activity.objects.filter(user=user, category__name="Email inbox").update(iga_override=True)
    services.start_timer(user, category(user, "Podcast guesting"), now=NOW, note="Recording")
    page_with_a_booking_moved_and_a_callback(user, ppc)
    return user


def a_session_of_calls(user, *, source, talked, booked) -> None:
    """A script of the user's own and a finished call session: a talk that left an entry and
    a dial that booked a call, with the source put first and a prospect skipped."""
    calls_services.save_script(user, "new", "Hi {first_name}, it's Dana «from the forum».")
    (chen, chens_call), (maria, maria_call) = talked, booked
    session = CallSession.objects.create(
        user=user,
        started_at=at("2026-10-31 23:25", ZONE),
        last_seen_at=at("2026-11-01 00:40", ZONE),
        ended_at=at("2026-11-01 00:40", ZONE),
        source=source,
        skipped=[maria.pk],
    )
    CallAttempt.objects.create(
        user=user, session=session, prospect=chen, outcome="talked",
        started_at=chens_call.start, ended_at=chens_call.end, activity=chens_call,
    )  # fmt: skip
    CallAttempt.objects.create(
        user=user, session=session, prospect=maria, outcome="booked",
        started_at=at("2026-11-01 00:35", ZONE), ended_at=at("2026-11-01 00:38", ZONE),
        appointment=maria_call, contacted_before=at("2026-10-20 19:00", ZONE),
    )  # fmt: skip


def page_with_a_booking_moved_and_a_callback(user, default_source) -> None:
    """The booking page with its own settings, a call booked through it from Kolkata and moved
    by the prospect, and a call-back request from London."""
    page = pagesettings.update_page(
        public.page_for(user), slug="dana-calls", lengths=[30, 15], reminders=[60, 1440],
        enabled=True, intro="Pick a time «that suits you»", step_minutes=15, notice_minutes=120,
        horizon_days=21, buffer_minutes=5, max_per_day=4, phone_question="required",
        ask_note=False, cutoff_minutes=60, remind_user_minutes=30,
        default_source=default_source, daily_cap=20,
    )  # fmt: skip
    booked = public.book(
        page,
        public.Request(
            start=at("2026-11-25 19:00", ZONE), minutes=30, name="Asha Rao",
            email="asha@example.in", phone="+91 98765 43210", tz="Asia/Kolkata",
            src="signature-on-the-mlm-forum",
        ),
        now=NOW,
    )  # fmt: skip
    public.reschedule(
        booked.appointment, start=at("2026-11-25 20:00", ZONE), now=NOW + timedelta(hours=1)
    )
    public.request_callback(
        page, name="Tom Hill", email="tom@example.co.uk", phone="", tz="Europe/London",
        src="ads3", now=NOW + timedelta(hours=2),
    )  # fmt: skip


def read(path) -> dict:
    return json.loads(path.read_text())


def comparable(data: dict) -> dict:
    """An export without what may differ between accounts: the email, the export time and the
    booking page's address (another account here may have it)."""
    return {
        **data,
        "exported_at": None,
        "user": {**data["user"], "email": None},
        "booking_page": {**data["booking_page"], "slug": None},
    }


def totals(user) -> dict:
    return {
        (t.day, t.category.name): (t.seconds, t.entries)
        for t in DayTotal.objects.filter(user=user).select_related("category")
    }


def test_export_writes_versioned_json_with_everything_the_user_has(marketer, tmp_path):
    path = tmp_path / "export.json"

    counts = export_user(marketer, path)

    data = read(path)
    assert counts == COUNTS
    assert (data["format"], data["version"]) == ("mainthing-export", 4)
    assert data["exported_at"].endswith("Z")
    assert data["user"] == {
        "email": "marketer@example.com",
        "name": "Dana",
        "time_zone": ZONE,
        "goal_iga_minutes": 150,
        "goal_conversations": 6,
        "nudge_minutes": 30,
        "fill_threshold": 60,
        "fill_window_days": 3,
        "phone_region": "US",
        "currency": "USD",
    }
    assert {"name": "Solo ads", "tier": "leadgen", "color": "#2563eb", "archived": True,
            "position": 13} in data["categories"]  # fmt: skip
    assert data["routine"][1] == {
        "tier": "income",
        "label": "Evening calls",
        "weekdays": "1111110",
        "start": "19:00",
        "end": "21:00",
        "time_zone": ZONE,
        "valid_from": None,
        "valid_until": None,
        "exceptions": [
            {"date": "2026-12-24", "skip": True, "start": None, "end": None, "note": ""},
            {"date": "2026-12-26", "skip": False, "start": "17:00", "end": "18:00",
             "note": "Early"},
        ],
    }  # fmt: skip
    assert data["activities"][1] == {
        "category": "Follow-up call",
        "start": "2026-11-01T03:30:00Z",
        "end": "2026-11-01T06:30:00Z",
        "note": "",
        "prospect_name": "Chen",
        "origin": "manual",
        "iga_override": False,
        "import_key": None,
    }
    completed = data["appointments"][0]
    assert (completed["status"], completed["sequence"]) == ("completed", 1)
    assert data["activities"][completed["activity"]]["origin"] == "appointment"
    assert [a["status"] for a in data["appointments"]] == [
        "completed",
        "cancelled",
        "scheduled",
        "scheduled",
    ]
    assert data["activities"][-1]["end"] is None
    assert not list(tmp_path.glob(".*")), "no spool or partial file is left behind"


def test_export_writes_sources_prospects_and_income_with_their_links(marketer, tmp_path):
    path = tmp_path / "export.json"

    export_user(marketer, path)

    data = read(path)
    assert data["sources"][1] == {
        "category": "PPC campaigns",
        "campaign": "Ad set 3",
        "key": "ads3",
        "archived": False,
        "spend": [
            {"date": "2026-11-02", "amount": "25.50", "note": "Daily cap"},
            {"date": "2026-11-03", "amount": "19.00", "note": ""},
        ],
    }
    assert [(s["key"], s["category"], s["archived"]) for s in data["sources"]] == [
        ("signature-on-the-mlm-forum", "Forum posts", False),
        ("ads3", "PPC campaigns", False),
        ("ads1", "PPC campaigns", True),
        ("unknown", None, False),
    ]
    assert data["prospects"][0] == {
        "name": "Chen",
        "email": "",
        "phone": "+61293744000",
        "social": "",
        "time_zone": "",
        "source": "ads3",
        "stage": "affiliate_offered",
        "follow_up_on": None,
        "tags": [],
        "notes": "",
        "import_key": "f" * 40,
        "created_at": "2026-10-02T17:00:00Z",
        "stage_changed_at": "2026-11-01T17:00:00Z",
        "last_contacted_at": "2026-11-01T06:30:00Z",
        "events": [
            {"kind": "created", "at": "2026-10-02T17:00:00Z", "from_stage": "",
             "to_stage": "declined", "text": ""},
            {"kind": "stage", "at": "2026-11-01T17:00:00Z", "from_stage": "declined",
             "to_stage": "affiliate_offered", "text": ""},
        ],
        "activities": [1],
    }  # fmt: skip
    maria = data["prospects"][1]
    assert (maria["name"], maria["email"], maria["phone"], maria["tags"]) == (
        "Maria Lopez",
        "Maria@Example.com",
        "+13125550142",
        ["warm", "spouse"],
    )
    assert [e["kind"] for e in maria["events"]] == ["created", "stage", "stage", "note"]
    assert data["activities"][maria["activities"][0]]["origin"] == "appointment"
    assert data["activities"][1]["prospect_name"] == "Chen"
    assert [(a["prospect_name"], a["prospect"]) for a in data["appointments"]] == [
        ("Maria Lopez", 1),
        ("Ken", 2),
        ("Lee", 3),
        ("Asha Rao", 4),
    ]
    assert data["income"] == [
        {"date": "2026-11-20", "amount": "150.00", "currency": "USD", "kind": "enrollment",
         "prospect": 1, "note": "Pack"},
        {"date": "2026-11-21", "amount": "9.99", "currency": "EUR", "kind": "other",
         "prospect": None, "note": ""},
    ]  # fmt: skip
    assert data["column_mappings"] == [
        {"headers_key": "a" * 64, "mapping": {"0": "name", "2": "email"}}
    ]


def test_round_trip_keeps_prospects_linked_to_their_calls_time_and_income(marketer, tmp_path):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    fresh = UserFactory(email="fresh@example.com", time_zone="UTC")

    restore_user(fresh, path)

    maria = Prospect.objects.get(user=fresh, name="Maria Lopez")
    call = Appointment.objects.get(user=fresh, status="completed")
    assert (call.prospect, call.activity.prospect_link.prospect) == (maria, maria)
    assert (maria.email_key, maria.source.label, maria.tag_list) == (
        "maria@example.com",
        "Forum posts / Signature on the MLM forum",
        ["warm", "spouse"],
    )
    income = Income.objects.filter(user=fresh, prospect=maria)
    assert list(income.values_list("amount", "kind")) == [(Decimal("150.00"), "enrollment")]
    chen = Prospect.objects.get(user=fresh, name="Chen")
    links = ProspectTime.objects.filter(prospect=chen)
    assert [link.activity.category.name for link in links] == ["Follow-up call"]
    assert sorted(Spend.objects.filter(user=fresh).values_list("amount", flat=True)) == [
        Decimal("19.00"),
        Decimal("25.50"),
    ]
    assert LeadSource.objects.get(user=fresh, category__isnull=True).key == "unknown"
    assert Event.objects.filter(user=fresh).count() == 11
    assert ColumnMapping.objects.get(user=fresh).mapping == {"0": "name", "2": "email"}


def callbacks(user) -> list[tuple]:
    return list(
        CallbackRequest.objects.filter(user=user)
        .order_by("created_at")
        .values_list("created_at", "prospect__name", "prospect__follow_up_on", "source__key")
    )


def as_version_3(data: dict) -> dict:
    """The file Mainthing wrote before the call queue: no call scripts or sessions."""
    del data["call_scripts"], data["call_sessions"]
    return {**data, "version": 3}


def as_version_2(data: dict) -> dict:
    """The file Mainthing wrote before the booking page: no page, no call-back requests, and
    appointments without their source, zone and history."""
    data = as_version_3(data)
    del data["booking_page"], data["callback_requests"]
    for appointment in data["appointments"]:
        del appointment["source"], appointment["prospect_time_zone"], appointment["changes"]
    return {**data, "version": 2}


def as_version_1(data: dict) -> dict:
    """The file the first Mainthing wrote: no prospects, money or mappings either."""
    data = as_version_2(data)
    for key in ("sources", "prospects", "income", "column_mappings"):
        del data[key]
    for appointment in data["appointments"]:
        del appointment["prospect"]
    del data["user"]["phone_region"], data["user"]["currency"]
    return {**data, "version": 1}


def test_restore_reads_a_version_1_file(marketer, tmp_path):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    path.write_text(json.dumps(as_version_1(read(path))))
    fresh = UserFactory(email="fresh@example.com")

    counts = restore_user(fresh, path)

    assert counts == {
        **COUNTS,
        "sources": 0,
        "spend": 0,
        "booking_page": 0,
        "prospects": 0,
        "events": 0,
        "time_links": 0,
        "changes": 0,
        "callback_requests": 0,
        "income": 0,
        "column_mappings": 0,
        "call_scripts": 0,
        "call_sessions": 0,
        "call_attempts": 0,
    }
    calls = Appointment.objects.filter(user=fresh)
    assert list(calls.values_list("prospect_name", "prospect", "source", "made_via")) == [
        ("Maria Lopez", None, None, "manual"),
        ("Ken", None, None, "manual"),
        ("Lee", None, None, "manual"),
        ("Asha Rao", None, None, "booking_page"),
    ]
    fresh.refresh_from_db()
    assert (fresh.phone_region, fresh.currency) == ("US", "USD")


def test_restore_refuses_an_account_with_prospects(marketer, tmp_path, db):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    busy = UserFactory(email="busy@example.com")
    prospect_services.add_prospect(busy, prospect_services.clean_contact(busy, name="Ann"), now=NOW)

    with pytest.raises(ValidationError, match="already has time entries, appointments, prospects"):
        restore_user(busy, path)

    assert list(Prospect.objects.filter(user=busy).values_list("name", flat=True)) == ["Ann"]


def test_export_never_includes_the_password_hash(marketer, tmp_path):
    export_user(marketer, tmp_path / "export.json")

    text = (tmp_path / "export.json").read_text()
    assert marketer.password not in text
    assert "password" not in text


def test_round_trip_keeps_call_sessions_linked_to_their_prospects_entries_and_calls(
    marketer, tmp_path
):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    fresh = UserFactory(email="fresh@example.com")
    restore_user(fresh, path)

    session = CallSession.objects.get(user=fresh)
    dials = [
        (a.outcome, a.prospect.name, a.activity and a.activity.prospect_name,
         a.appointment and a.appointment.prospect_name)
        for a in CallAttempt.objects.filter(user=fresh).order_by("started_at")
    ]  # fmt: skip
    assert (
        dials,
        session.source.key,
        [Prospect.objects.get(pk=pk).name for pk in session.skipped],
        list(Script.objects.filter(user=fresh).values_list("stage", "text")),
    ) == (
        [("talked", "Chen", "Chen", None), ("booked", "Maria Lopez", None, "Maria Lopez")],
        "ads3",
        ["Maria Lopez"],
        [("new", "Hi {first_name}, it's Dana «from the forum».")],
    )


def test_round_trip_into_a_new_account_is_lossless(marketer, tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    export_user(marketer, first)
    fresh = UserFactory(email="fresh@example.com", time_zone="UTC")

    counts = restore_user(fresh, first)
    export_user(fresh, second)

    assert counts == COUNTS
    assert comparable(read(second)) == comparable(read(first))
    fresh.refresh_from_db()
    assert (fresh.time_zone, fresh.fill_threshold, fresh.nudge_minutes) == (ZONE, 60, 30)
    call = Appointment.objects.get(user=fresh, status="completed")
    assert (call.activity.prospect_name, call.activity.start) == ("Maria Lopez", call.start)


def test_restore_rebuilds_day_totals_across_midnight_and_dst(marketer, tmp_path):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    fresh = UserFactory(email="fresh@example.com")

    restore_user(fresh, path)

    assert totals(fresh) == {(d, n): v for (d, n), v in totals(marketer).items()}
    # 23:30 to 01:30 wall clock on the fall-back night is three real hours.
    assert totals(fresh)[(date(2026, 10, 31), "Follow-up call")] == (30 * 60, 1)
    assert totals(fresh)[(date(2026, 11, 1), "Follow-up call")] == (150 * 60, 0)


def test_restore_keeps_the_running_timer_running(marketer, tmp_path):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    fresh = UserFactory(email="fresh@example.com")

    restore_user(fresh, path)

    running = services.running_entry(fresh)
    assert (running.category.name, running.start, running.end, running.note) == (
        "Podcast guesting",
        NOW,
        None,
        "Recording",
    )
    stopped = services.stop_timer(fresh, now=NOW + timedelta(minutes=10))
    assert stopped.seconds == 600


def test_restore_reuses_default_categories_and_removes_unused_ones(tmp_path, db):
    source = UserFactory(email="source@example.com")
    Category.objects.filter(user=source, name="Web searches").delete()
    services.update_category(category(source, "Forum posts"), color="#000000")
    path = tmp_path / "export.json"
    export_user(source, path)
    fresh = UserFactory(email="fresh@example.com")
    forum_id = category(fresh, "Forum posts").pk

    restore_user(fresh, path)

    assert category(fresh, "Forum posts").pk == forum_id
    assert category(fresh, "Forum posts").color == "#000000"
    assert not Category.objects.filter(user=fresh, name="Web searches").exists()


def test_restore_refuses_an_account_with_entries_and_writes_nothing(marketer, tmp_path, db):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    busy = UserFactory(email="busy@example.com")
    entry(busy, "Organizing", NOW - timedelta(hours=2), 30)

    with pytest.raises(ValidationError, match="already has time entries"):
        restore_user(busy, path)

    assert Activity.objects.filter(user=busy).count() == 1
    assert Category.objects.filter(user=busy).count() == 12


def test_restore_refuses_an_account_with_appointments(marketer, tmp_path, db):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    busy = UserFactory(email="busy@example.com")
    bookings.book(busy, prospect_name="Ann", start=NOW, now=NOW, allow_outside=True)

    with pytest.raises(ValidationError, match="already has time entries, appointments"):
        restore_user(busy, path)

    assert Appointment.objects.filter(user=busy).count() == 1


def unchanged(user) -> tuple:
    user.refresh_from_db()
    return (
        user.time_zone,
        user.name,
        Activity.objects.filter(user=user).count(),
        sorted(Category.objects.filter(user=user).values_list("name", "color")),
        DayTotal.objects.filter(user=user).count(),
        Block.objects.filter(user=user).count(),
        Appointment.objects.filter(user=user).count(),
        Change.objects.filter(appointment__user=user).count(),
        BookingPage.objects.filter(user=user).count(),
        CallbackRequest.objects.filter(user=user).count(),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"format": "toggl", "version": 1}', "not a Mainthing export"),
        ('{"format": "mainthing-export", "version": 5}', "Unknown export version 5"),
        ('{"format": "mainthing-export", "version": 1, "user": {}}', "has no"),
        ('{"format": "mainthing-export", "version": 1, "user": {}, "categ', "not valid JSON"),
        ('{"format": "mainthing-export", "surprise": 1}', "unknown part 'surprise'"),
    ],
)
def test_restore_refuses_a_file_that_is_not_a_known_export(tmp_path, db, text, message):
    user = UserFactory(email="fresh@example.com", time_zone="Europe/London")
    before = unchanged(user)
    path = tmp_path / "bad.json"
    path.write_text(text)

    with pytest.raises(ValidationError, match=message):
        restore_user(user, path)

    assert unchanged(user) == before


def corrupt(path, mutate) -> None:
    data = read(path)
    mutate(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["activities"][2].update(end="2026-11-02T07:00:00Z"), "Entry 3: the end"),
        (lambda d: d["activities"][0].update(start="2026-01-05 09:00"), "no UTC offset"),
        (lambda d: d["activities"][0].update(category="Nope"), "not one of the file's"),
        (lambda d: d["activities"][0].update(end=None), "only one timer can be running"),
        (lambda d: d["activities"][0].update(origin="magic"), "origin must be"),
        (lambda d: d["activities"][0].update(extra=1), "unknown fields: extra"),
        (lambda d: d["categories"][0].update(tier="gold"), "tier must be one of"),
        (lambda d: d["categories"].append(d["categories"][0]), "appears twice"),
        (lambda d: d["user"].update(time_zone="Mars/Olympus"), "Unknown time zone"),
        (lambda d: d["user"].update(fill_threshold=5), "threshold from 10%"),
        (lambda d: d["routine"][0].update(weekdays="0000000"), "Block 1: Name at least one day"),
        (lambda d: d["routine"].append(d["routine"][1]), "Block 3: This overlaps"),
        (
            # Two calls still to be held at one start (a completed call may overlap).
            lambda d: [
                a.update(start=d["appointments"][0]["start"], status="scheduled")
                for a in d["appointments"][:2]
            ],
            "contradict",
        ),
        (lambda d: d["appointments"][2].update(activity=99), "Appointment 3: activity"),
        (
            lambda d: d["appointments"][2].update(activity=d["appointments"][0]["activity"]),
            "no other appointment has",
        ),
        (lambda d: d["appointments"][0].update(prospect=9), "Appointment 1: prospect must be"),
        (lambda d: d["sources"][2].update(key="ADS3"), "Source 3: the key 'ADS3' appears twice"),
        (lambda d: d["sources"][0].update(category="Organizing"), "lead-gen categories"),
        (lambda d: d["sources"][3]["spend"].append(d["sources"][1]["spend"][0]), "not to Unknown"),
        (lambda d: d["sources"][1]["spend"][0].update(amount="-2"), "more than 0"),
        (lambda d: d["prospects"][0].update(source="nope"), "Prospect 1: source 'nope'"),
        (lambda d: d["prospects"][1].update(phone="12"), "Prospect 2: “12” is not a possible"),
        (lambda d: d["prospects"][1].update(stage="rich"), "Prospect 2: stage must be"),
        (lambda d: d["prospects"][0].update(activities=[6]), "indexes of the file's entries"),
        (lambda d: d["prospects"][0].update(activities=[3]), "linked to two prospects"),
        (lambda d: d["prospects"][0]["events"][0].update(kind="x"), "event 1: kind must be"),
        (lambda d: d["prospects"][2].update(import_key="f" * 40), "contradict"),
        (lambda d: d["income"][0].update(currency="usd"), "Income 1: currency"),
        (lambda d: d["income"][1].update(prospect=-1), "Income 2: prospect must be"),
        (lambda d: d["column_mappings"][0].update(mapping=[]), "mapping must be an object"),
        (lambda d: d["user"].update(phone_region="XX"), "phone region"),
        (lambda d: d["booking_page"].update(slug="Dana Calls"), "The booking page: slug"),
        (lambda d: d["booking_page"].update(slug="admin"), "not a reserved word"),
        (lambda d: d["booking_page"].update(lengths=[]), "at least one call length"),
        (lambda d: d["booking_page"].update(lengths=[5]), "each of lengths must be"),
        (lambda d: d["booking_page"].update(reminders="1440"), "reminders must be a list"),
        (lambda d: d["booking_page"].update(daily_cap=0), "daily_cap must be a whole number"),
        (lambda d: d["booking_page"].update(phone_question="maybe"), "phone_question must be"),
        (lambda d: d["booking_page"].update(default_source="nope"), "default_source 'nope'"),
        (lambda d: d["booking_page"].update(theme="dark"), "unknown fields: theme"),
        (lambda d: d.update(booking_page=[]), "The booking page must be an object"),
        (lambda d: d["appointments"][3].update(source="nope"), "Appointment 4: source 'nope'"),
        (
            lambda d: d["appointments"][3].update(prospect_time_zone="Mars/Olympus"),
            "Appointment 4: prospect_time_zone 'Mars/Olympus'",
        ),
        (
            lambda d: d["appointments"][3]["changes"][1].update(by="robot"),
            "Appointment 4, change 2: by must be one of user, prospect",
        ),
        (
            lambda d: d["appointments"][3]["changes"][0].update(at="yesterday"),
            "Appointment 4, change 1: at: 'yesterday' is not",
        ),
        (lambda d: d["appointments"][3].update(changes={}), "Appointment 4 changes must be"),
        (lambda d: d["callback_requests"][0].update(prospect=60), "Call-back request 1: prospect"),
        (lambda d: d["callback_requests"][0].update(source="x"), "Call-back request 1: source"),
        (lambda d: d["callback_requests"][0].update(at=None), "Call-back request 1: at must be"),
    ],
)
def test_restore_of_a_malformed_export_writes_nothing(marketer, tmp_path, mutate, message):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    corrupt(path, mutate)
    fresh = UserFactory(email="fresh@example.com", time_zone="Europe/London")
    block(fresh, "12:00", "13:00")
    before = unchanged(fresh)

    with pytest.raises(ValidationError, match=message):
        restore_user(fresh, path)

    assert unchanged(fresh) == before


def test_restore_reads_keys_in_any_order(marketer, tmp_path):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    data = read(path)
    path.write_text(json.dumps(data, sort_keys=True, indent=1))
    fresh = UserFactory(email="fresh@example.com")

    counts = restore_user(fresh, path)

    assert counts == COUNTS


def test_restore_streams_entries_in_many_chunks(tmp_path, db, monkeypatch):
    monkeypatch.setattr(restoring, "CHUNK", 1000)
    source = UserFactory(email="source@example.com", time_zone="Asia/Kathmandu")
    forum = category(source, "Forum posts")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    Activity.objects.bulk_create(
        Activity(
            user=source, category=forum, start=start + timedelta(minutes=10 * i),
            end=start + timedelta(minutes=10 * i + 5), seconds=300, note="n" * 300,
        )
        for i in range(6000)
    )  # fmt: skip
    services.rebuild_day_totals(source)
    path = tmp_path / "export.json"
    export_user(source, path)
    fresh = UserFactory(email="fresh@example.com")

    counts = restore_user(fresh, path)

    assert counts["activities"] == 6000
    assert totals(fresh) == totals(source)


def documented_sections() -> dict[str, set[str]]:
    """The table in docs/backups.md: section path -> its documented fields."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "backups.md").read_text()
    rows = re.findall(r"^\| `([a-z_.]+)` \|[^|]*\| (.+) \|$", doc, flags=re.MULTILINE)
    return {path: set(re.findall(r"`([a-z_]+)`", fields)) for path, fields in rows}


def written_sections(data: dict) -> dict[str, set[str]]:
    """Every object section of an export file and the fields its items carry."""
    found: dict[str, set[str]] = {}

    def walk(path: str, value) -> None:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, dict) or path == "column_mappings.mapping":
                continue
            found.setdefault(path, set()).update(item)
            for key, child in item.items():
                if child and isinstance(child, list | dict):
                    walk(f"{path}.{key}", child)

    for key, value in data.items():
        if isinstance(value, list | dict):
            walk(key, value)
    return found


def test_backups_doc_lists_every_section_and_field_export_writes(marketer, tmp_path):
    path = tmp_path / "export.json"
    export_user(marketer, path)

    data = read(path)

    assert documented_sections() == written_sections(data)
    assert (
        f'"version": {data["version"]}'
        in (Path(__file__).resolve().parent.parent / "docs" / "backups.md").read_text()
    )


def test_the_demo_account_survives_a_round_trip(tmp_path, db):
    demo = create_demo_account(email="demo@example.com", days=7, now=NOW)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    export_user(demo, first)
    fresh = UserFactory(email="fresh@example.com")

    counts = restore_user(fresh, first)
    export_user(fresh, second)

    assert comparable(read(second)) == comparable(read(first))
    assert counts["changes"] == Change.objects.filter(appointment__user=demo).count() > 10
    assert counts.notes == [
        "The booking page's address /book/jordan-reyes/ belongs to another account here; "
        "the page is at /book/jordan-reyes-2/ instead (change it in its settings)."
    ]
    assert callbacks(fresh) == callbacks(demo)


def test_restore_dates_each_call_by_its_booking_so_the_page_stays_open(frozen, tmp_path, db):
    # Four months of the demo: more calls came through the page than its daily cap of 30.
    demo = create_demo_account(email="demo@example.com", days=120, now=NOW)
    first = tmp_path / "first.json"
    export_user(demo, first)
    fresh = UserFactory(email="fresh@example.com")
    frozen.shift(timedelta(days=7))  # restored on another install a week later

    restore_user(fresh, first)

    def booked_at(user) -> list[datetime]:
        calls = Appointment.objects.filter(user=user).order_by("start", "prospect_name")
        return list(calls.values_list("created_at", flat=True))

    assert booked_at(fresh) == booked_at(demo)
    later = NOW + timedelta(days=7)
    page, original = public.page_for(fresh), public.page_for(demo)
    assert public.taken_today(page, later) == public.taken_today(original, later) == 0
    assert Appointment.objects.filter(user=fresh, made_via="booking_page").count() > 30
    public.check_open(page, later)  # PageFull before: every restored call counted as today's


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["call_scripts"].append({"stage": "new", "text": "twice"}), "two scripts"),
        (lambda d: d["call_scripts"][0].update(stage="later"), "stage must be one of"),
        (lambda d: d["call_sessions"][0]["attempts"][0].update(outcome="maybe"), "outcome"),
        (lambda d: d["call_sessions"][0]["attempts"][1].update(appointment=99), "appointment"),
        (lambda d: d["call_sessions"][0]["attempts"][0].update(activity=-1), "activity"),
        (lambda d: d["call_sessions"][0].update(skipped=[99]), "skipped"),
        (lambda d: d["call_sessions"][0].update(started_at="soon"), "started_at"),
        (
            lambda d: d["call_sessions"].extend(
                [{**d["call_sessions"][0], "ended_at": None, "attempts": []}] * 2
            ),
            "only one call session can be open",
        ),
    ],
)
def test_restore_refuses_malformed_call_parts_and_writes_nothing(
    marketer, tmp_path, mutate, message
):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    data = read(path)
    mutate(data)
    path.write_text(json.dumps(data))
    fresh = UserFactory(email="fresh@example.com")

    with pytest.raises(ValidationError, match=message):
        restore_user(fresh, path)

    assert (
        CallSession.objects.filter(user=fresh).count(),
        Script.objects.filter(user=fresh).count(),
        Prospect.objects.filter(user=fresh).count(),
    ) == (0, 0, 0)
