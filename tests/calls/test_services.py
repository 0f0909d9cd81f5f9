"""Every outcome's effect on the prospect, the ledger (entries and conversations) and the
follow-ups; sessions, dials, skip, later today and scripts."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from mainthing.activity.models import Activity, DayTotal
from mainthing.bookings import queries as booking_queries
from mainthing.bookings import services as booking_services
from mainthing.bookings.models import Appointment
from mainthing.calls import queries, services
from mainthing.calls.models import CallAttempt, CallSession, Postponement, Script
from mainthing.prospects.models import Event, ProspectTime
from tests.calls.conftest import TUESDAY, ZONE
from tests.factories import UserFactory, at, block

THREE_MINUTES = timedelta(minutes=3)


def conversations(user) -> int:
    day_start, day_end = at("2026-12-01 00:00", ZONE), at("2026-12-02 00:00", ZONE)
    return booking_queries.conversations(user, day_start, day_end, now=day_end).total


def ledger(user) -> list[tuple]:
    rows = Activity.objects.filter(user=user).order_by("start")
    return [(a.category.name, a.prospect_name, a.seconds) for a in rows]


def state(prospect) -> tuple:
    prospect.refresh_from_db()
    return (prospect.stage, prospect.follow_up_on, prospect.last_contacted_at)


def events(prospect) -> list[tuple[str, str]]:
    rows = Event.objects.filter(prospect=prospect).order_by("at", "pk")
    return [(e.kind, e.text or e.to_stage) for e in rows]


def test_no_answer_is_an_attempt_not_a_conversation_and_retries_in_two_days(week, caller):
    attempt = services.start_call(caller, week.fay, now=TUESDAY)
    running = Activity.objects.get(user=caller, end__isnull=True)
    result = services.record_outcome(caller, week.fay, "no-answer", now=TUESDAY + THREE_MINUTES)
    attempt.refresh_from_db()
    assert (
        running.category.name,
        ledger(caller),
        DayTotal.objects.filter(user=caller).exclude(seconds=0).count(),
        conversations(caller),
        state(week.fay),
        events(week.fay),
        (attempt.pk, attempt.outcome, attempt.ended_at - attempt.started_at, attempt.activity),
    ) == (
        "Prospect call",
        [],
        0,
        0,
        ("new", date(2026, 12, 3), None),
        [("follow_up", "No answer; call again Thu 03 Dec")],
        (result.attempt.pk, "no_answer", THREE_MINUTES, None),
    )


def test_left_message_puts_back_the_last_contact_and_notes_it(week, caller):
    before = week.cara.last_contacted_at = at("2026-11-28 19:10", ZONE)
    week.cara.save()
    services.start_call(caller, week.cara, now=TUESDAY)
    services.record_outcome(
        caller, week.cara, "message", now=TUESDAY + THREE_MINUTES, note="Voicemail full"
    )
    assert (state(week.cara), events(week.cara)[-1], conversations(caller)) == (
        ("contacted", date(2026, 12, 3), before),
        ("follow_up", "Left a message; call again Thu 03 Dec. Voicemail full"),
        0,
    )


def test_retry_day_is_the_first_prospecting_day_two_or_more_days_ahead(db):
    user = UserFactory(time_zone=ZONE)
    block(user, "19:00", "21:00", days="Mon-Fri")
    assert [services.retry_day(user, date(2026, 12, d)) for d in (1, 3, 4)] == [
        date(2026, 12, 3),
        date(2026, 12, 7),
        date(2026, 12, 7),
    ]


def test_retry_day_without_a_routine_is_two_days_ahead(db):
    user = UserFactory(time_zone=ZONE)
    assert services.retry_day(user, date(2026, 12, 3)) == date(2026, 12, 5)


def test_talked_keeps_the_call_as_a_conversation_with_stage_note_and_follow_up(week, caller):
    services.start_call(caller, week.fay, now=TUESDAY)
    result = services.record_outcome(
        caller,
        week.fay,
        "talked",
        now=TUESDAY + THREE_MINUTES,
        note="Wants to see the plan",
        follow_up_on=date(2026, 12, 4),
    )
    link = ProspectTime.objects.get(prospect=week.fay)
    assert (
        ledger(caller),
        conversations(caller),
        state(week.fay),
        events(week.fay)[-2:],
        (result.attempt.outcome, result.attempt.activity_id == link.activity_id),
    ) == (
        [("Prospect call", "Fay Ppc", 180)],
        1,
        ("contacted", date(2026, 12, 4), TUESDAY + THREE_MINUTES),
        [("stage", "contacted"), ("note", "Wants to see the plan")],
        ("talked", True),
    )


def test_talked_with_a_follow_up_uses_the_follow_up_call_category(week, caller):
    services.start_call(caller, week.cara, now=TUESDAY)
    services.record_outcome(caller, week.cara, "talked", now=TUESDAY + THREE_MINUTES)
    assert (ledger(caller), state(week.cara)[:2]) == (
        [("Follow-up call", "Cara Overdue", 180)],
        ("contacted", None),
    )


def test_talked_with_a_day_already_gone_is_refused_and_changes_nothing(week, caller):
    services.start_call(caller, week.fay, now=TUESDAY)
    with pytest.raises(ValidationError):
        services.record_outcome(
            caller, week.fay, "talked", now=TUESDAY + THREE_MINUTES, follow_up_on=date(2026, 11, 1)
        )
    assert (state(week.fay)[:2], Activity.objects.get().end, CallAttempt.objects.get().outcome) == (
        ("new", None),
        None,
        "",
    )


def test_booked_books_a_free_slot_in_a_future_block_once_per_key(week, caller):
    services.start_call(caller, week.fay, now=TUESDAY)
    slot = at("2026-12-02 19:30", ZONE)
    first = services.record_outcome(
        caller, week.fay, "booked", now=TUESDAY + THREE_MINUTES, book_at=slot,
        idempotency_key="k1",
    )  # fmt: skip
    again = services.record_outcome(
        caller, week.fay, "booked", now=TUESDAY + THREE_MINUTES, book_at=slot,
        idempotency_key="k1",
    )  # fmt: skip
    assert (
        Appointment.objects.filter(prospect=week.fay).count(),
        first.appointment.start,
        again.appointment.pk == first.appointment.pk,
        state(week.fay)[0],
        conversations(caller),
        first.attempt.appointment_id == first.appointment.pk,
    ) == (1, slot, True, "booked", 1, True)


def test_booked_outside_prospecting_time_is_refused_and_changes_nothing(week, caller):
    services.start_call(caller, week.fay, now=TUESDAY)
    with pytest.raises(booking_services.OutsideProspecting):
        services.record_outcome(
            caller, week.fay, "booked", now=TUESDAY, book_at=at("2026-12-02 10:00", ZONE)
        )
    assert (state(week.fay), Appointment.objects.filter(prospect=week.fay).count()) == (
        ("new", None, TUESDAY),
        0,
    )


def test_booked_without_a_time_is_refused(week, caller):
    with pytest.raises(ValidationError):
        services.record_outcome(caller, week.fay, "booked", now=TUESDAY)
    assert CallAttempt.objects.count() == 0


def test_declined_with_the_affiliate_offer_moves_them_to_affiliate_offered(week, caller):
    services.start_call(caller, week.gus, now=TUESDAY)
    services.record_outcome(
        caller, week.gus, "declined", now=TUESDAY + THREE_MINUTES, offer_affiliate=True
    )
    assert (state(week.gus)[:2], events(week.gus)[-2:], conversations(caller)) == (
        ("affiliate_offered", None),
        [("stage", "declined"), ("stage", "affiliate_offered")],
        1,
    )


def test_declined_without_the_offer_comes_back_for_one_re_ask_after_two_weeks(week, caller):
    services.record_outcome(caller, week.gus, "declined", now=TUESDAY)
    soon = queries.queue(caller, now=TUESDAY + timedelta(days=13), limit=50, session=None)
    due = queries.queue(caller, now=TUESDAY + timedelta(days=14), limit=50, session=None)
    services.record_outcome(caller, week.gus, "declined", now=TUESDAY + timedelta(days=14))
    after = queries.queue(caller, now=TUESDAY + timedelta(days=40), limit=50, session=None)
    found = [[i.prospect.name for i in q if i.prospect == week.gus] for q in (soon, due, after)]
    assert (state(week.gus)[0], found) == ("declined", [[], ["Gus Forum"], []])


def test_outcome_for_a_joined_prospect_or_another_users_is_refused(week, caller, other_user):
    with pytest.raises(ValidationError):
        services.record_outcome(caller, week.lou, "talked", now=TUESDAY)
    with pytest.raises(ValidationError):
        services.record_outcome(other_user, week.fay, "talked", now=TUESDAY)
    with pytest.raises(ValidationError):
        services.start_call(other_user, week.fay, now=TUESDAY)
    assert CallAttempt.objects.count() == 0


@pytest.mark.parametrize("word", ["", "maybe", "TALKED!", None])
def test_unknown_outcome_words_are_refused(word):
    with pytest.raises(ValidationError):
        services.parse_outcome(word)


def test_outcome_words_of_the_cli_are_understood():
    assert [services.parse_outcome(w) for w in ("talked", "no-answer", "Message", "booked")] == [
        "talked", "no_answer", "message", "booked",
    ]  # fmt: skip


def test_tally_counts_dials_conversations_bookings_and_minutes(week, caller):
    t = TUESDAY
    services.record_outcome(caller, week.cara, "no-answer", now=t)
    services.start_call(caller, week.dan, now=t + timedelta(minutes=1))
    services.record_outcome(caller, week.dan, "talked", now=t + timedelta(minutes=6))
    services.start_call(caller, week.fay, now=t + timedelta(minutes=7))
    services.record_outcome(
        caller, week.fay, "booked", now=t + timedelta(minutes=12),
        book_at=at("2026-12-02 20:00", ZONE),
    )  # fmt: skip
    services.record_outcome(caller, week.gus, "declined", now=t + timedelta(minutes=20))
    session = queries.open_session(caller, now=t + timedelta(minutes=30))
    assert queries.tally(session, now=t + timedelta(minutes=30)) == queries.Tally(
        dials=4, conversations=3, bookings=1, minutes=30
    )


def test_a_second_tap_on_call_keeps_the_dial_and_a_new_prospect_ends_the_first(week, caller):
    first = services.start_call(caller, week.cara, now=TUESDAY)
    again = services.start_call(caller, week.cara, now=TUESDAY + timedelta(seconds=5))
    other = services.start_call(caller, week.dan, now=TUESDAY + timedelta(minutes=2))
    first.refresh_from_db()
    assert (
        again.pk == first.pk,
        first.ended_at,
        other.activity.prospect_name,
        Activity.objects.filter(end__isnull=True).count(),
    ) == (True, TUESDAY + timedelta(minutes=2), "Dan Today", 1)


def test_hang_up_stops_the_timer_before_the_outcome_is_told(week, caller):
    services.start_call(caller, week.fay, now=TUESDAY)
    services.hang_up(caller, week.fay, now=TUESDAY + THREE_MINUTES)
    services.record_outcome(caller, week.fay, "talked", now=TUESDAY + timedelta(minutes=9))
    assert ledger(caller) == [("Prospect call", "Fay Ppc", 180)]


def test_an_idle_session_ends_at_its_last_action_and_a_new_one_starts(caller):
    first = services.start_session(caller, now=TUESDAY)
    services.start_session(caller, now=TUESDAY + timedelta(minutes=10))
    second = services.start_session(caller, now=TUESDAY + timedelta(minutes=45))
    first.refresh_from_db()
    assert (first.ended_at, second.pk != first.pk, second.started_at) == (
        TUESDAY + timedelta(minutes=10),
        True,
        TUESDAY + timedelta(minutes=45),
    )


def test_finish_ends_the_session_and_stops_a_call_still_running(week, caller):
    services.start_call(caller, week.fay, now=TUESDAY)
    session = services.finish_session(caller, now=TUESDAY + THREE_MINUTES)
    assert (
        session.ended_at,
        Activity.objects.filter(end__isnull=True).count(),
        queries.open_session(caller, now=TUESDAY + THREE_MINUTES),
        services.finish_session(caller, now=TUESDAY + THREE_MINUTES),
    ) == (TUESDAY + THREE_MINUTES, 0, None, None)


def test_later_today_is_capped_at_midnight_and_refuses_a_time_gone(week, caller):
    late = services.later_today(caller, week.cara, now=TUESDAY, until=at("2026-12-02 03:00", ZONE))
    with pytest.raises(ValidationError):
        services.later_today(caller, week.dan, now=TUESDAY, until=TUESDAY - timedelta(hours=1))
    assert (late.until, Postponement.objects.count()) == (at("2026-12-02 00:00", ZONE), 1)


def test_save_script_keeps_theirs_and_an_empty_one_brings_back_the_starter(caller):
    services.save_script(caller, "new", "  My own opener  ")
    mine = next(r for r in queries.scripts(caller) if r.stage == "new")
    services.save_script(caller, "new", "")
    starter = next(r for r in queries.scripts(caller) if r.stage == "new")
    assert ((mine.text, mine.is_starter), starter.is_starter, Script.objects.count()) == (
        ("My own opener", False),
        True,
        0,
    )


def test_save_script_refuses_an_unknown_stage_and_a_text_too_long(caller):
    with pytest.raises(ValidationError):
        services.save_script(caller, "nope", "Hi")
    with pytest.raises(ValidationError):
        services.save_script(caller, "new", "x" * 5001)
    assert Script.objects.count() == 0


def test_one_open_session_per_user(caller):
    services.start_session(caller, now=TUESDAY)
    services.start_session(caller, now=TUESDAY + timedelta(minutes=1))
    assert CallSession.objects.filter(user=caller, ended_at__isnull=True).count() == 1


def test_merging_two_prospects_both_put_off_keeps_one_postponement(week, caller):
    from mainthing.prospects import services as prospect_services

    services.later_today(caller, week.cara, now=TUESDAY)
    services.later_today(caller, week.dan, now=TUESDAY, until=TUESDAY + timedelta(hours=1))
    services.record_outcome(caller, week.dan, "no-answer", now=TUESDAY)
    services.later_today(caller, week.dan, now=TUESDAY, until=TUESDAY + timedelta(hours=1))
    prospect_services.merge(week.cara, week.dan, now=TUESDAY)
    assert (
        list(Postponement.objects.values_list("prospect__name", "until")),
        list(CallAttempt.objects.values_list("prospect__name", "outcome")),
    ) == (
        [("Cara Overdue", TUESDAY + timedelta(hours=2))],
        [("Cara Overdue", "no_answer")],
    )
