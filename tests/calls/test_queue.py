"""The call queue's order and reasons across a week, with the clock passed in as `now`."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from mainthing.calls import queries, services
from mainthing.calls.models import CallSession
from tests.calls.conftest import TUESDAY, ZONE
from tests.factories import ProspectFactory, ScriptFactory, at


def names(items) -> list[str]:
    return [i.prospect.name for i in items]


def test_queue_orders_booked_now_then_follow_ups_then_new_leads_then_reasks(week, caller):
    items = queries.queue(caller, now=TUESDAY, limit=20)
    assert [(i.prospect.name, i.kind, i.reason) for i in items] == [
        ("Bob Booked", "booked", "booked call at 19:05"),
        ("Cara Overdue", "follow_up", "follow-up from Mon"),
        ("Dan Today", "follow_up", "follow-up due today"),
        ("Fay Ppc", "new", "new lead from PPC campaigns / ad set 3, 2 days ago"),
        ("Gus Forum", "new", "new lead from Forum posts / signature, yesterday"),
        ("Ida Declined", "reask", "said no 3 weeks ago: offer the product or affiliate path"),
    ]


def test_queue_moves_with_the_week(week, caller):
    """Wednesday: the booked call is over; Thursday: Eve's follow-up is due; ten days on, older
    follow-ups read as dates and Jo's "no" is due a re-ask."""
    wednesday = queries.queue(caller, now=TUESDAY + timedelta(days=1), limit=20)
    thursday = queries.queue(caller, now=TUESDAY + timedelta(days=2), limit=20)
    later = queries.queue(caller, now=TUESDAY + timedelta(days=10, hours=1), limit=20)
    assert names(wednesday) == [
        "Cara Overdue", "Dan Today", "Fay Ppc", "Gus Forum", "Ida Declined",
    ]  # fmt: skip
    assert [(i.prospect.name, i.reason) for i in thursday[:3]] == [
        ("Cara Overdue", "follow-up from Mon"),
        ("Dan Today", "follow-up from Tue"),
        ("Eve Thursday", "follow-up due today"),
    ]
    assert [(i.prospect.name, i.reason) for i in later] == [
        ("Cara Overdue", "follow-up from 30 Nov"),
        ("Dan Today", "follow-up from 1 Dec"),
        ("Eve Thursday", "follow-up from 3 Dec"),
        ("Fay Ppc", "new lead from PPC campaigns / ad set 3, 12 days ago"),
        ("Gus Forum", "new lead from Forum posts / signature, 11 days ago"),
        ("Ida Declined", "said no 4 weeks ago: offer the product or affiliate path"),
        ("Jo Recent No", "said no 2 weeks ago: offer the product or affiliate path"),
    ]


def test_booked_call_comes_first_while_it_runs_and_ten_minutes_before(week, caller):
    before = queries.queue(caller, now=at("2026-12-01 18:54", ZONE), limit=1)
    soon = queries.queue(caller, now=at("2026-12-01 18:56", ZONE), limit=1)
    running = queries.queue(caller, now=at("2026-12-01 19:20", ZONE), limit=1)
    over = queries.queue(caller, now=at("2026-12-01 19:35", ZONE), limit=1)
    assert (names(before), names(soon), running[0].reason, names(over)) == (
        ["Cara Overdue"],
        ["Bob Booked"],
        "booked call, started 19:05",
        ["Cara Overdue"],
    )


def test_session_source_puts_its_new_leads_first(week, caller):
    services.start_session(caller, now=TUESDAY, source=week.forum)
    items = queries.queue(caller, now=TUESDAY, limit=20)
    assert names(items)[3:5] == ["Gus Forum", "Fay Ppc"]


def test_skip_keeps_the_place_and_brings_them_back_at_the_end(week, caller):
    services.skip(caller, week.bob, now=TUESDAY)
    services.skip(caller, week.cara, now=TUESDAY)
    items = queries.queue(caller, now=TUESDAY, limit=20)
    assert [(i.prospect.name, i.kind) for i in items][-3:] == [
        ("Ida Declined", "reask"),
        ("Bob Booked", "skipped"),
        ("Cara Overdue", "skipped"),
    ]
    assert items[-1].reason == "skipped earlier: follow-up from Mon"


def test_later_today_hides_until_the_time_then_brings_them_back(week, caller):
    services.later_today(caller, week.cara, now=TUESDAY, until=TUESDAY + timedelta(minutes=45))
    hidden = queries.queue(caller, now=TUESDAY + timedelta(minutes=44), limit=20)
    back = queries.queue(caller, now=TUESDAY + timedelta(minutes=46), limit=20)
    assert ("Cara Overdue" in names(hidden), "Cara Overdue" in names(back)) == (False, True)


def test_someone_dialled_this_session_does_not_come_back_in_it(week, caller):
    services.record_outcome(caller, week.cara, "no-answer", now=TUESDAY)
    services.record_outcome(caller, week.dan, "message", now=TUESDAY + timedelta(minutes=1))
    items = queries.queue(caller, now=TUESDAY + timedelta(minutes=2), limit=3)
    assert names(items) == ["Bob Booked", "Fay Ppc", "Gus Forum"]


def test_closed_stages_never_appear_even_with_a_follow_up_date(week, caller):
    ProspectFactory(
        user=caller, name="Max Affiliate", stage="affiliate_joined", follow_up_on=date(2026, 12, 1)
    )
    everyone = names(queries.queue(caller, now=TUESDAY, limit=50))
    assert ("Lou Joined" in everyone, "Max Affiliate" in everyone) == (False, False)


def test_queue_leaves_out_other_users_prospects(week, caller, other_user):
    ProspectFactory(user=other_user, name="Not Yours", created_at=at("2026-01-01 10:00", ZONE))
    assert "Not Yours" not in names(queries.queue(caller, now=TUESDAY, limit=50))


def test_card_shows_their_time_contacts_note_outcome_and_starter_script(week, caller):
    week.fay.time_zone = "America/Los_Angeles"
    week.fay.email = "fay@example.com"
    week.fay.notes = "Asked about the products."
    week.fay.save()
    services.skip(caller, week.bob, now=TUESDAY)
    for p in (week.cara, week.dan):
        services.skip(caller, p, now=TUESDAY)
    card = queries.next_card(caller, now=TUESDAY)
    assert (
        card.prospect.name,
        card.reason,
        f"{card.local_time:%H:%M}",
        card.odd_hour,
        card.stage_label,
        card.phone_display,
        [(link.kind, link.url) for link in card.links],
        card.last_note,
        card.script_is_starter,
        card.script.splitlines()[0],
    ) == (
        "Fay Ppc",
        "new lead from PPC campaigns / ad set 3, 2 days ago",
        "11:00",
        False,
        "New",
        "07700 900123",
        [
            ("call", "tel:+447700900123"),
            ("text", "sms:+447700900123"),
            ("whatsapp", "https://wa.me/447700900123"),
            ("email", "mailto:fay@example.com"),
        ],
        "Asked about the products.",
        True,
        "Hi Fay, it's Dana. You asked about ad set 3 a little while ago; "
        "is now a good time for two minutes?",
    )


def test_card_flags_a_late_hour_for_them_and_uses_the_users_own_script(week, caller):
    week.bob.time_zone = "Asia/Kolkata"  # 19:00 in London is 00:30 in Kolkata
    week.bob.save()
    ScriptFactory(user=caller, stage="booked", text="Hello {first_name}, ready for our call?")
    card = queries.next_card(caller, now=TUESDAY)
    assert (f"{card.local_time:%H:%M}", card.odd_hour, card.script, card.script_is_starter) == (
        "00:30",
        True,
        "Hello Bob, ready for our call?",
        False,
    )


def test_card_without_a_phone_offers_only_email_and_shows_the_last_outcome(week, caller):
    week.cara.phone = ""
    week.cara.email = "cara@example.com"
    week.cara.save()
    services.skip(caller, week.bob, now=TUESDAY)
    earlier = CallSession.objects.create(
        user=caller,
        started_at=at("2026-11-28 19:00", ZONE),
        last_seen_at=at("2026-11-28 19:00", ZONE),
        ended_at=at("2026-11-28 19:30", ZONE),
    )
    earlier.attempts.create(
        user=caller, prospect=week.cara, outcome="message", started_at=earlier.started_at
    )
    card = queries.next_card(caller, now=TUESDAY)
    assert ([link.kind for link in card.links], card.last_outcome) == (
        ["email"],
        "Left a message, Sat 28 Nov",
    )


def test_next_card_queries_do_not_grow_with_prospects(week, caller, queries_do_not_grow):
    services.start_session(caller, now=TUESDAY, source=week.ppc)
    services.skip(caller, week.bob, now=TUESDAY)

    def more():
        for n in range(40):
            ProspectFactory(user=caller, name=f"Lead {n}", created_at=at("2026-11-02 10:00", ZONE))
            ProspectFactory(
                user=caller, name=f"Due {n}", stage="contacted", follow_up_on=date(2026, 11, 2)
            )

    counts = queries_do_not_grow(lambda: queries.call_page(caller, now=TUESDAY), more)
    assert (counts.first.card.prospect.name, counts.last.card.prospect.name) == (
        "Cara Overdue",
        "Due 0",
    )


def test_call_page_runs_a_fixed_number_of_queries(week, caller):
    services.start_session(caller, now=TUESDAY, source=week.ppc)
    services.skip(caller, week.bob, now=TUESDAY)
    with CaptureQueriesContext(connection) as ran:
        page = queries.call_page(caller, now=TUESDAY)
    assert (len(ran), page.card.prospect.name, len(page.upcoming)) == (
        15,
        "Cara Overdue",
        5,
    )


def test_the_prospect_on_the_call_stays_first_until_the_outcome_is_told(week, caller):
    services.start_call(caller, week.gus, now=TUESDAY)
    during = queries.queue(caller, now=TUESDAY + timedelta(minutes=1), limit=2)
    services.hang_up(caller, week.gus, now=TUESDAY + timedelta(minutes=2))
    hung_up = queries.queue(caller, now=TUESDAY + timedelta(minutes=3), limit=2)
    services.record_outcome(caller, week.gus, "no-answer", now=TUESDAY + timedelta(minutes=4))
    told = queries.queue(caller, now=TUESDAY + timedelta(minutes=5), limit=2)
    assert (
        [(i.prospect.name, i.kind, i.reason) for i in during],
        names(hung_up),
        names(told),
    ) == (
        [
            ("Gus Forum", "calling", "called at 19:00"),
            ("Bob Booked", "booked", "booked call at 19:05"),
        ],
        ["Gus Forum", "Bob Booked"],
        ["Bob Booked", "Cara Overdue"],
    )  # fmt: skip


def test_card_json_shape_names_the_reason_number_and_links(week, caller):
    from mainthing.calls.schemas import CardSchema, TallySchema

    card = queries.next_card(caller, now=TUESDAY)
    shape = CardSchema.of(card).model_dump(mode="json")
    tally = TallySchema.of(queries.tally(None, now=TUESDAY)).model_dump(mode="json")
    assert (
        {k: shape[k] for k in ("name", "kind", "reason", "phone", "their_time")},
        shape["links"][0],
        tally,
    ) == (
        {
            "name": "Bob Booked",
            "kind": "booked",
            "reason": "booked call at 19:05",
            "phone": "+447700900123",
            "their_time": None,
        },
        {"kind": "call", "label": "Call", "url": "tel:+447700900123"},
        {"dials": 0, "conversations": 0, "bookings": 0, "minutes": 0},
    )
