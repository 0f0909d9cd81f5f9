"""`mainthing next` and `mainthing outcome`: the call queue from a terminal, writing exactly
what the queue's buttons write."""

import json
from datetime import date, timedelta

import pytest

from mainthing.activity.models import Activity
from mainthing.bookings.models import Appointment
from mainthing.calls.models import CallAttempt, CallSession, Outcome
from mainthing.prospects.models import Prospect, Stage
from tests.cli.conftest import NOW, run
from tests.factories import LeadSourceFactory, ProspectFactory, at, block, category

pytestmark = pytest.mark.usefixtures("frozen")
# NOW is Wednesday 10 June 2026, 16:00 in London; the owner prospects 15:00-18:00 every day.


@pytest.fixture
def caller(owner):
    owner.phone_region = "GB"
    owner.save()
    block(owner, "15:00", "18:00")
    return owner


@pytest.fixture
def leads(caller):
    forum = LeadSourceFactory(
        user=caller, category=category(caller, "Forum posts"), campaign="Signature", key="sig"
    )
    older = ProspectFactory(
        user=caller,
        name="Ann Lee",
        phone="+447700900123",
        email="ann@example.com",
        time_zone="America/New_York",
        source=forum,
        created_at=NOW - timedelta(days=3),
    )
    newer = ProspectFactory(
        user=caller, name="Ben Ode", phone="+447700900456", source=forum, created_at=NOW
    )
    return older, newer


def test_next_prints_the_oldest_new_lead_with_number_their_time_reason_and_script(leads, capsys):
    ann, _ = leads

    code, out, err = run(capsys, "next")

    assert (code, err) == (0, "")
    assert f"#{ann.pk} Ann Lee" in out
    assert "07700 900123" in out  # the number as a UK caller dials it
    assert "new lead from Forum posts / Signature, 3 days ago" in out
    # 16:00 in London is 11:00 in New York: inside calling hours, so no warning.
    assert "11:00 America/New_York" in out
    assert "outside 09:00-21:00" not in out
    assert "Script:" in out
    assert f"mainthing outcome {ann.pk} talked|no-answer|message|booked|declined" in out
    assert not CallSession.objects.exists()  # reading the queue writes nothing


def test_next_json_is_the_card_and_null_when_nobody_is_due(caller, leads, capsys):
    ann, _ = leads

    code, out, _ = run(capsys, "next", "--json")

    card = json.loads(out)
    assert code == 0
    assert card["id"] == ann.pk
    assert card["phone"] == "+447700900123"
    assert card["kind"] == "new"
    assert card["outside_call_hours"] is False
    assert card["their_time"].startswith("2026-06-10T11:00:00-04:00")
    assert {link["kind"] for link in card["links"]} >= {"call", "text", "whatsapp", "email"}
    assert "tel:+447700900123" in {link["url"] for link in card["links"]}

    Prospect.objects.update(stage=Stage.JOINED)
    code, out, _ = run(capsys, "next", "--json")
    assert (code, json.loads(out)) == (0, None)
    code, out, _ = run(capsys, "next")
    assert "Nobody is due a call now" in out


def test_next_call_starts_the_call_timer_on_them(leads, capsys):
    ann, _ = leads

    code, out, _ = run(capsys, "next", "--call")

    assert code == 0
    assert "The call timer is running." in out
    attempt = CallAttempt.objects.get()
    assert attempt.prospect == ann
    assert attempt.outcome == ""
    running = Activity.objects.get(end__isnull=True)
    assert running.category.name == "Prospect call"
    assert running.prospect_link.prospect == ann


def test_no_answer_sets_a_retry_two_days_on_and_leaves_no_conversation(leads, capsys, frozen):
    ann, ben = leads
    run(capsys, "next", "--call")
    frozen.shift(timedelta(minutes=1))

    code, out, err = run(capsys, "outcome", str(ann.pk), "no-answer")

    assert (code, err) == (0, "")
    ann.refresh_from_db()
    assert ann.follow_up_on == date(2026, 6, 12)  # Friday: blocks run every day
    assert ann.last_contacted_at is None
    assert not Activity.objects.exists()  # an attempt is not a conversation
    assert CallAttempt.objects.get().outcome == Outcome.NO_ANSWER
    assert "No answer: Ann Lee is now New. Follow-up on Fri 12 Jun." in out
    assert "This session: 1 dial, 0 conversations, 0 booked" in out
    # The queue moves on to the next lead.
    code, out, _ = run(capsys, "next")
    assert f"#{ben.pk} Ben Ode" in out


def test_talked_takes_a_stage_a_note_and_a_follow_up(leads, capsys):
    ann, _ = leads

    code, out, _ = run(
        capsys, "outcome", f"#{ann.pk}", "talked", "--stage", "follow_up",
        "--note", "Wants to hear from her husband", "--follow-up", "2026-06-15", "--json",
    )  # fmt: skip

    shape = json.loads(out)
    assert code == 0
    assert shape["outcome"] == "talked"
    assert shape["stage"] == "follow_up"
    assert shape["follow_up_on"] == "2026-06-15"
    assert shape["session"]["conversations"] == 1
    ann.refresh_from_db()
    assert ann.stage == Stage.FOLLOW_UP
    assert ann.events.filter(kind="note", text="Wants to hear from her husband").exists()


def test_booked_books_inside_prospecting_time_and_lists_free_times_otherwise(leads, capsys):
    ann, _ = leads

    code, out, err = run(capsys, "outcome", "Ann Lee", "booked")
    assert code == 2
    assert "Say when with --at" in err
    assert "'2026-06-10 16:00'" in err  # the free times, in the user's zone
    assert not Appointment.objects.exists()

    code, out, err = run(capsys, "outcome", "Ann Lee", "booked", "--at", "2026-06-11 10:00")
    assert code == 1
    assert "outside your prospecting blocks" in err
    assert not Appointment.objects.exists()

    code, out, err = run(capsys, "outcome", "Ann Lee", "booked", "--at", "2026-06-11 15:30")
    assert (code, err) == (0, "")
    appointment = Appointment.objects.get()
    assert appointment.prospect == ann
    assert appointment.start == at("2026-06-11 15:30", "Europe/London")
    assert "Call booked on Thu 11 Jun 2026 at 15:30 for 30 min (Europe/London)." in out
    assert "1 booked" in out


def test_declined_with_affiliate_moves_them_to_the_affiliate_path(leads, capsys):
    ann, _ = leads

    code, out, _ = run(capsys, "outcome", str(ann.pk), "declined", "--affiliate")

    assert code == 0
    ann.refresh_from_db()
    assert ann.stage == Stage.AFFILIATE_OFFERED
    assert "Not interested: Ann Lee is now Affiliate offered." in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("outcome", "999", "talked"), "You have no prospect #999"),
        (("outcome", "Nobody Here", "talked"), "No prospect is called “Nobody Here”"),
        (("outcome", "{ann}", "no-answer", "--at", "2026-06-11 15:30"), "--at, --follow-up"),
        (("outcome", "{ann}", "talked", "--affiliate"), "--affiliate goes with declined"),
        (("outcome", "{ann}", "talked", "--follow-up", "someday"), "is not a date"),
        (("outcome", "{ann}", "talked", "--follow-up", "2026-06-01"), "That day has passed"),
        (("outcome", "{ann}", "booked", "--at", "whenever"), ""),
        (("outcome", "{ann}", "shouted"), "invalid choice"),
    ],
)
def test_bad_outcomes_say_why_and_change_nothing(leads, capsys, argv, message):
    ann, _ = leads
    before = Prospect.objects.values_list("stage", "follow_up_on", "last_contacted_at")
    before = sorted(before)

    code, _out, err = run(capsys, *(a.format(ann=ann.pk) for a in argv))

    assert code in (1, 2)
    assert message in err
    assert "Traceback" not in err
    assert sorted(Prospect.objects.values_list("stage", "follow_up_on", "last_contacted_at")) == (
        before
    )
    assert not CallAttempt.objects.exists()
    assert not Appointment.objects.exists()


def test_outcome_for_someone_elses_prospect_is_no_prospect_of_yours(leads, other_user, capsys):
    theirs = ProspectFactory(user=other_user, name="Zed Other")

    code, _, err = run(capsys, "--user", "owner@example.com", "outcome", str(theirs.pk), "talked")

    assert code == 1
    assert f"You have no prospect #{theirs.pk}" in err
    theirs.refresh_from_db()
    assert theirs.stage == Stage.NEW
