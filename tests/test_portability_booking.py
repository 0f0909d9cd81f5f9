"""Export and restore of the booking page: its settings, each call's lead source, zone and
history, and call-back requests (format 3); a taken page address; files written before it."""

# `marketer` is test_portability's fixture, imported to be shared: ruff reads each test's
# argument of that name as a redefinition.
# ruff: noqa: F811

import json
from datetime import date

from mainthing.bookings import public
from mainthing.bookings.models import (
    Appointment,
    BookingPage,
    Change,
    Mail,
    ManageLink,
    Reminder,
)
from mainthing.portability import export_user, restore_user
from tests.cli.conftest import run
from tests.factories import UserFactory
from tests.test_portability import (  # noqa: F401 (marketer is a fixture)
    COUNTS,
    as_version_2,
    callbacks,
    corrupt,
    marketer,
    read,
)


def test_export_writes_the_booking_page_the_calls_history_and_call_back_requests(
    marketer, tmp_path
):
    path = tmp_path / "export.json"

    export_user(marketer, path)

    data = read(path)
    assert data["booking_page"] == {
        "slug": "dana-calls",
        "enabled": True,
        "intro": "Pick a time «that suits you»",
        "lengths": [15, 30],
        "step_minutes": 15,
        "notice_minutes": 120,
        "horizon_days": 21,
        "buffer_minutes": 5,
        "max_per_day": 4,
        "phone_question": "required",
        "ask_note": False,
        "cutoff_minutes": 60,
        "reminders": [1440, 60],
        "remind_user_minutes": 30,
        "default_source": "ads3",
        "daily_cap": 20,
    }
    asha = data["appointments"][3]
    assert (asha["made_via"], asha["source"], asha["prospect_time_zone"], asha["sequence"]) == (
        "booking_page",
        "signature-on-the-mlm-forum",
        "Asia/Kolkata",
        1,
    )
    assert asha["changes"] == [
        {"kind": "booked", "by": "prospect", "at": "2026-11-20T12:00:00Z", "from_start": None,
         "to_start": "2026-11-26T00:00:00Z"},
        {"kind": "moved", "by": "prospect", "at": "2026-11-20T13:00:00Z",
         "from_start": "2026-11-26T00:00:00Z", "to_start": "2026-11-26T01:00:00Z"},
    ]  # fmt: skip
    ken = data["appointments"][1]
    assert (ken["made_via"], ken["source"], ken["prospect_time_zone"]) == ("manual", None, "")
    assert [(c["kind"], c["by"]) for c in ken["changes"]] == [
        ("booked", "user"),
        ("cancelled", "user"),
    ]
    assert data["callback_requests"] == [
        {"at": "2026-11-20T14:00:00Z", "prospect": 5, "source": "ads3"}
    ]
    assert data["prospects"][5]["name"] == "Tom Hill"
    text = path.read_text()
    token_hashes = ManageLink.objects.filter(appointment__user=marketer)
    assert token_hashes.exists()
    assert not any(link.token_hash in text for link in token_hashes), "no manage link secrets"
    assert "expires_at" not in text, "no slot holds"
    assert "due_at" not in text, "no reminders"


def page_settings(user) -> dict:
    page = BookingPage.objects.select_related("default_source").get(user=user)
    fields = {
        f.name: getattr(page, f.name)
        for f in BookingPage._meta.fields
        if f.name not in ("id", "user", "slug", "default_source", "created_at", "updated_at")
    }
    return {**fields, "default_source": page.default_source.key}


def history(user) -> list[tuple]:
    return [
        (
            a.prospect_name, a.made_via, a.source.key if a.source else None,
            a.prospect_time_zone, a.start,
            [(c.kind, c.by, c.at, c.from_start, c.to_start) for c in a.changes.all()],
        )
        for a in Appointment.objects.filter(user=user)
        .select_related("source")
        .prefetch_related("changes")
        .order_by("start")
    ]  # fmt: skip


def test_round_trip_keeps_the_page_settings_the_calls_sources_zones_history_and_callbacks(
    marketer, tmp_path
):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    fresh = UserFactory(email="fresh@example.com", time_zone="UTC")

    counts = restore_user(fresh, path)

    assert (counts["booking_page"], counts["changes"], counts["callback_requests"]) == (1, 6, 1)
    assert page_settings(fresh) == page_settings(marketer)
    assert history(fresh) == history(marketer)
    assert history(fresh)[3][1:4] == ("booking_page", "signature-on-the-mlm-forum", "Asia/Kolkata")
    assert callbacks(fresh) == callbacks(marketer)
    assert callbacks(fresh)[0][1:] == ("Tom Hill", date(2026, 11, 20), "ads3")
    # Nothing transient or secret came along: the prospects' old links don't reach the copy.
    assert not ManageLink.objects.filter(appointment__user=fresh).exists()
    assert not Reminder.objects.filter(appointment__user=fresh).exists()
    assert not Mail.objects.filter(user=fresh).exists()


def test_restore_gives_the_page_a_free_address_when_another_account_has_it(
    marketer, tmp_path, capsys
):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    UserFactory(email="fresh@example.com")

    code, out, _ = run(capsys, "--user", "fresh@example.com", "restore", str(path))

    assert code == 0
    page = BookingPage.objects.get(user__email="fresh@example.com")
    assert page.slug == "dana-calls-2"
    assert BookingPage.objects.get(user=marketer).slug == "dana-calls", "the other page keeps it"
    assert "1 booking_page" in out
    assert "/book/dana-calls/ belongs to another account here" in out
    assert "/book/dana-calls-2/ instead" in out


def test_restore_keeps_the_page_address_when_it_is_free_and_updates_an_existing_page(
    marketer, tmp_path
):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    BookingPage.objects.filter(user=marketer).delete()
    fresh = UserFactory(email="fresh@example.com", name="Fresh Start")
    made = public.page_for(fresh)  # a visit to the settings page makes one

    counts = restore_user(fresh, path)

    page = BookingPage.objects.get(user=fresh)
    assert (page.pk, page.slug, page.lengths, page.reminders) == (
        made.pk,
        "dana-calls",
        "15,30",
        "1440,60",
    )
    assert counts.notes == []


def test_restore_reads_a_version_2_file_and_leaves_the_page_alone(marketer, tmp_path):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    path.write_text(json.dumps(as_version_2(read(path))))
    fresh = UserFactory(email="fresh@example.com", name="Fresh Start")
    made = public.page_for(fresh)

    counts = restore_user(fresh, path)

    assert counts == {
        **COUNTS,
        "booking_page": 0,
        "changes": 0,
        "callback_requests": 0,
        "call_scripts": 0,
        "call_sessions": 0,
        "call_attempts": 0,
    }
    assert BookingPage.objects.get(user=fresh) == made
    assert made.slug == "fresh-start"
    asha = Appointment.objects.get(user=fresh, prospect_name="Asha Rao")
    assert (asha.made_via, asha.source, asha.prospect_time_zone) == ("booking_page", None, "")
    assert not Change.objects.filter(appointment__user=fresh).exists()


def test_restore_of_a_page_with_only_a_slug_takes_the_defaults(marketer, tmp_path):
    path = tmp_path / "export.json"
    export_user(marketer, path)
    corrupt(path, lambda d: d.update(booking_page={"slug": "ann-lee"}))
    fresh = UserFactory(email="fresh@example.com")

    restore_user(fresh, path)

    page = BookingPage.objects.get(user=fresh)
    defaults = BookingPage()
    assert (page.slug, page.lengths, page.reminders, page.daily_cap, page.enabled) == (
        "ann-lee",
        defaults.lengths,
        defaults.reminders,
        defaults.daily_cap,
        True,
    )
    assert (page.default_source, page.max_per_day, page.remind_user_minutes) == (None, None, None)
