"""The scorecard against a fortnight worked out by hand: a user in New York, the two weeks
around the fall-back night of Sunday 1 Nov 2026, with an entry across midnight, a block on the
repeated hour, calls partly outside blocks, a cancelled and a moved call, a merged prospect and
income in two currencies. Every number asserted below is derived in the comments."""

from datetime import timedelta
from decimal import Decimal

import pytest

from mainthing.bookings import services as booking_services
from mainthing.insights import periods, queries
from mainthing.insights.models import InsightSettings
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import Stage
from tests.factories import (
    CallAttemptFactory,
    CallbackRequestFactory,
    CallSessionFactory,
    LeadSourceFactory,
    SpendFactory,
    UserFactory,
    at,
    block,
    category,
    entry,
    new_prospect,
)

NY = "America/New_York"
NOW = at("2026-11-20 12:00", NY)
RANGE = periods.Range(
    "custom", at("2026-10-26 12:00", NY).date(), at("2026-11-08 12:00", NY).date()
)


def ny(text: str):
    return at(text, NY)


def book(user, prospect, start, minutes, frozen, **options):
    frozen.move_to(start - timedelta(days=1))
    return booking_services.book(
        user,
        prospect=prospect,
        prospect_name=prospect.name,
        start=start,
        minutes=minutes,
        now=start - timedelta(days=1),
        allow_outside=True,
        **options,
    )


@pytest.fixture
def fortnight(db, frozen):
    user = UserFactory(time_zone=NY, goal_iga_minutes=60, goal_conversations=1, currency="USD")
    frozen.move_to(ny("2026-10-01 09:00"))
    # Prospecting blocks: Mon-Fri 19:00-21:00 (120 min) and Sundays 00:30-02:00, which on the
    # fall-back night of 1 Nov runs 00:30 EDT to 02:00 EST: 150 real minutes (90 on 8 Nov).
    block(user, "19:00", "21:00", days="Mon-Fri")
    block(user, "00:30", "02:00", days="Sun")
    forum = LeadSourceFactory(user=user, category=category(user, "Forum posts"), campaign="Sig")
    ppc = LeadSourceFactory(user=user, category=category(user, "PPC campaigns"), campaign="Ad")

    def lead(name, source, day):
        frozen.move_to(day)
        return new_prospect(user, name, at=day, source=source)

    p1 = lead("Ann One", forum, ny("2026-10-26 09:00"))
    p2 = lead("Bob Two", forum, ny("2026-10-27 09:00"))
    p3 = lead("Cat Three", ppc, ny("2026-10-28 09:00"))
    p4 = lead("Dan Four", ppc, ny("2026-10-29 09:00"))
    p5 = lead("Eve Five", forum, ny("2026-11-01 09:00"))
    p6 = lead("Fay Six", ppc, ny("2026-11-02 08:00"))
    p7 = lead("Fay Six Again", forum, ny("2026-11-02 09:00"))
    p8 = lead("Old Lead", forum, ny("2026-10-01 09:00"))  # added before the range

    # A1 Mon 26 Oct 19:00-19:30, held: 30 min in the block, a pre-scheduled conversation.
    a1 = book(user, p1, ny("2026-10-26 19:00"), 30, frozen)
    booking_services.complete(a1, now=ny("2026-10-26 19:31"))
    # A2 Tue 27 Oct 20:30-21:30: half outside the block (30 min inside), never marked.
    book(user, p2, ny("2026-10-27 20:30"), 60, frozen)
    # A3 Wed 28 Oct, cancelled: counts nowhere.
    a3 = book(user, p3, ny("2026-10-28 19:00"), 30, frozen)
    booking_services.cancel(a3, now=ny("2026-10-28 10:00"))
    # A4 booked for Thu 29 Oct, moved to Fri 30 Oct 19:00-19:30, a no-show: 30 min inside.
    a4 = book(user, p4, ny("2026-10-29 19:00"), 30, frozen)
    a4 = booking_services.move(a4, start=ny("2026-10-30 19:00"), now=ny("2026-10-29 10:00"))
    booking_services.mark_no_show(a4, now=ny("2026-10-30 19:40"))
    # A5 Sun 1 Nov from 01:30 EDT (05:30 UTC) for 60 real minutes (to 01:30 EST), held.
    a5 = book(user, p5, at("2026-11-01 05:30"), 60, frozen)
    booking_services.complete(a5, now=at("2026-11-01 06:31"))
    # A6 Mon 2 Nov 19:00-20:00 with the duplicate, held; the duplicate is then merged away.
    a6 = book(user, p7, ny("2026-11-02 19:00"), 60, frozen)
    booking_services.complete(a6, now=ny("2026-11-02 20:01"))
    frozen.move_to(ny("2026-11-03 09:00"))
    prospect_services.merge(p6, p7, now=ny("2026-11-03 09:00"))

    # Stages: P1 joined, P3 said no and joined as an affiliate, P5 presented.
    for stage in (Stage.JOINED,):
        prospect_services.change_stage(p1, stage, now=ny("2026-11-04 10:00"))
    for stage in (Stage.DECLINED, Stage.AFFILIATE_OFFERED, Stage.AFFILIATE_JOINED):
        prospect_services.change_stage(p3, stage, now=ny("2026-11-05 10:00"))
    prospect_services.change_stage(p5, Stage.PRESENTED, now=ny("2026-11-02 10:00"))

    # The ledger beyond the calls' own entries:
    # E1 Tue 27 Oct 23:30 to Wed 00:30, a conversation on Tuesday, 30 min on each day.
    entry(user, "Prospect call", ny("2026-10-27 23:30"), 60)
    # E2 Wed 28 Oct 19:00, one minute: IGA time but no conversation.
    entry(user, "Prospect call", ny("2026-10-28 19:00"), 1)
    # Lead generation: forum posts 2 h on Mon 26 Oct, PPC 1 h on Tue 3 Nov.
    entry(user, "Forum posts", ny("2026-10-26 10:00"), 120)
    entry(user, "PPC campaigns", ny("2026-11-03 10:00"), 60)
    # E3 busy work started in prospecting time after the question, Tue 3 Nov 19:00-19:45.
    from mainthing.activity import services as activity_services

    frozen.move_to(ny("2026-11-03 19:00"))
    activity_services.start_timer(
        user, category(user, "Email inbox"), now=ny("2026-11-03 19:00"), override=True
    )
    activity_services.stop_timer(user, now=ny("2026-11-03 19:45"))

    # Income: 100 USD enrollment and 50 EUR product from P1, 30 USD from the old lead, 20 USD
    # affiliate commission from nobody.
    prospect_services.add_income(
        user, on=ny("2026-11-05 12:00").date(), amount="100", kind="enrollment", prospect=p1
    )
    prospect_services.add_income(
        user,
        on=ny("2026-11-06 12:00").date(),
        amount="50",
        currency="EUR",
        kind="product",
        prospect=p1,
    )
    prospect_services.add_income(user, on=ny("2026-11-03 12:00").date(), amount="30", prospect=p8)
    prospect_services.add_income(
        user, on=ny("2026-10-30 12:00").date(), amount="20", kind="affiliate"
    )
    SpendFactory(user=user, source=ppc, date=ny("2026-10-30 12:00").date(), amount=Decimal("40"))
    CallbackRequestFactory(user=user, created_at=ny("2026-10-28 12:00"))
    CallbackRequestFactory(user=user, created_at=ny("2026-11-04 12:00"))
    # A call-queue session of 40 min with four dials, two of them conversations.
    session = CallSessionFactory(
        user=user,
        started_at=ny("2026-10-27 19:00"),
        last_seen_at=ny("2026-10-27 19:40"),
        ended_at=ny("2026-10-27 19:40"),
    )
    for minute, outcome in enumerate(("no_answer", "no_answer", "talked", "booked")):
        CallAttemptFactory(
            session=session, prospect=p2, outcome=outcome,
            started_at=ny("2026-10-27 19:00") + timedelta(minutes=5 * minute),
        )  # fmt: skip
    frozen.move_to(NOW)
    return user


@pytest.fixture
def card(fortnight):
    return queries.scorecard(fortnight, RANGE, now=NOW)


def test_iga_time_and_conversations_per_day_against_the_goals(card):
    days = {row[0].isoformat(): row[1:3] for row in card.tables["days"].rows}
    assert len(days) == 14
    assert days["2026-10-26"] == [1800, 1]  # A1's 30 min, pre-scheduled
    assert days["2026-10-27"] == [1800, 1]  # E1's first half; its conversation counts here
    assert days["2026-10-28"] == [1860, 0]  # E1's second half and E2's minute
    assert days["2026-11-01"] == [3600, 1]  # A5: 60 real minutes across the repeated hour
    assert days["2026-11-02"] == [3600, 1]  # A6
    assert sum(v[0] for v in days.values()) == 12660
    f = card.figures
    assert (f["iga_seconds"], f["conversations"], f["days"]) == (12660, 4, 14)
    # 60 min goal: 1 and 2 Nov. One conversation: 26, 27 Oct, 1 and 2 Nov.
    assert (f["days_met_time_goal"], f["days_met_conversations_goal"]) == (2, 4)
    assert f["days_met_both_goals"] == 2
    assert (f["prescheduled_conversations"], f["prescheduled_percent"]) == (3, 75)


def test_tier_split_per_week_and_its_trend(card):
    rows = card.tables["tiers"].rows
    # Week of 26 Oct: income 1800+1800+1860+3600 = 9060, forum posts 7200: 9060/16260.
    assert rows[0][1:4] == [9060, 7200, 0]
    assert rows[0][4] == pytest.approx(9060 / 16260)
    # Week of 2 Nov: income 3600, PPC 3600, busy work 2700: 3600/9900.
    assert rows[1][1:4] == [3600, 3600, 2700]
    assert card.tier_trend == pytest.approx(3600 / 9900 - 9060 / 16260)
    assert card.as_dict()["tier_trend_points_per_week"] == -19.4


def test_fill_rate_counts_only_booked_time_inside_blocks_in_real_minutes(card):
    rows = {(r[0].isoformat(), r[1]): r[2:] for r in card.tables["fill"].rows}
    # Week 1: blocks 5 x 120 + 150 (fall back) = 750 min; A1 30 + A2 30 inside + A4 30 + A5 60.
    assert rows[("2026-10-26", "past")][:2] == [750 * 60, 150 * 60]
    # Week 2: 600 + 90 = 690 min; A6 60.
    assert rows[("2026-11-02", "past")][:2] == [690 * 60, 60 * 60]
    assert card.figures["fill_percent"] == round(100 * 210 / 1440)  # 15
    whens = [r[1] for r in card.tables["fill"].rows]
    assert whens == ["past", "past", "this week", "ahead", "ahead"]


def test_show_up_counts_past_calls_not_cancelled_at_their_final_time(card):
    f = card.figures
    # A1, A2 (never marked), A4 (moved, no-show), A5, A6: five; held A1, A5, A6.
    assert (f["past_calls"], f["completed_calls"], f["no_shows"], f["unmarked_calls"]) == (
        5, 3, 1, 1,
    )  # fmt: skip
    assert f["show_up_percent"] == 60


def test_the_streak_skips_days_without_a_block(card):
    s = card.streak
    # Prospecting days: ten weekdays and two Sundays. Talked on 26, 27 Oct, 1 and 2 Nov, which
    # follow each other as prospecting days in pairs: 26-27 (28 breaks), 1-2 (3 breaks).
    assert (s.prospecting_days, s.talked_days, s.longest) == (12, 4, 2)
    assert s.current == 0  # nothing since; today (Fri 20 Nov) still open
    assert s.today_open


def test_call_queue_rates(card):
    f = card.figures
    assert (f["dials"], f["call_conversations"], f["call_session_seconds"]) == (4, 2, 2400)
    assert (f["dials_per_conversation"], f["conversations_per_hour"]) == (2.0, 3.0)


def test_overrides_count_and_their_time(card):
    assert (card.figures["overrides"], card.figures["override_seconds"]) == (1, 2700)


def test_funnel_and_yield_per_source_count_a_merged_prospect_once(card):
    rows = {r[0]: r[1:] for r in card.tables["sources"].plain_rows()}
    # Forum: Ann (booked, held, joined), Bob (booked), Eve (booked, held). The duplicate of Fay
    # was merged into the PPC one, with its held call.
    assert rows["Forum posts / Sig"] == [
        3,
        3,
        2,
        1,
        0,
        0,
        "50.00 EUR; 100.00 USD",
        None,
        None,
        None,
    ]
    # PPC: Cat (cancelled call: not booked; said no, then joined as an affiliate), Dan (booked,
    # no-show), Fay (booked, held). 40 USD spent: 3 leads and 2 bookings per 40, per 100: 7.5, 5.
    assert rows["PPC campaigns / Ad"] == [3, 2, 1, 0, 1, 1, "", "40.00", 7.5, 5.0]
    funnel = [r[1] for r in card.tables["funnel"].rows]
    assert funnel == [6, 5, 3, 1, 1, 1]
    categories = {r[0]: r[1:] for r in card.tables["categories"].plain_rows()}
    # Forum posts: 2 h, 3 leads and 3 bookings: 1.5 an hour each.
    assert categories["Forum posts"][:8] == [2.0, 3, 3, 2, 1, 0, 1.5, 1.5]
    assert categories["PPC campaigns"][:8] == [1.0, 3, 2, 1, 0, 1, 3.0, 2.0]
    assert card.tables["callbacks"].column("requests") == [1, 1]


def test_income_per_month_per_hour_never_adds_currencies(card):
    rows = card.tables["income"].plain_rows()
    # October: 20 USD over 5460 s of IGA (26-28 Oct) and 7200 s of lead generation.
    assert rows[0] == ["2026-10", "USD", "20.00", 1.52, 2.0, "13.19", "10.00"]
    # November: 50 EUR and 130 USD apart, over 7200 s of IGA and 3600 s of lead generation.
    assert rows[1] == ["2026-11", "EUR", "50.00", 2.0, 1.0, "25.00", "50.00"]
    assert rows[2] == ["2026-11", "USD", "130.00", 2.0, 1.0, "65.00", "130.00"]
    assert card.tables["income_kinds"].plain_rows() == [
        ["Enrollment", "USD", "100.00"],
        ["Product", "EUR", "50.00"],
        ["Affiliate", "USD", "20.00"],
        ["Other", "USD", "30.00"],
    ]


def test_the_goal_is_worked_back_from_own_rates_where_there_is_history(fortnight):
    InsightSettings.objects.create(
        user=fortnight, income_goal=Decimal("1000"), income_per_join=Decimal("200")
    )
    plan = queries.scorecard(fortnight, RANGE, now=NOW).plan
    # Last 90 days to 20 Nov: 150 USD (EUR left out) and 2 joins (Ann, Cat): fewer than
    # three, so the user's estimate of 200 stands; 4 conversations (< 20): the 1-in-10
    # starter; 5 past calls (< 10): the 4-in-5 starter; 6 bookings in 3 h of lead
    # generation (< 10 h): the starter of one per two hours.
    assert [r.own for r in plan.rates] == [False, False, False, False]
    # 1000 / 200 = 5 joins a month; / 4.333 / 0.1 = 11.5 -> 12 conversations a week;
    # / 0.8 = 15 bookings; / 0.5 = 30 h.
    assert (plan.joins_per_month, plan.conversations_per_week) == (5.0, 12)
    assert (plan.bookings_per_week, plan.leadgen_hours_per_week) == (15, 30.0)
    # The week from Fri 20 Nov: blocks Fri, Mon-Thu (5 x 2 h) and Sunday 1.5 h = 11.5 h,
    # 23 half-hour calls: enough.
    assert (plan.block_hours_per_week, plan.calls_blocks_hold, plan.fits) == (11.5, 23, True)


def test_the_spring_forward_night_is_an_hour_short_in_blocks_fill_and_time(db, frozen):
    # Sun 8 Mar 2026 in New York: 02:00 EST jumps to 03:00 EDT. A 01:00-04:00 block is 120 real
    # minutes; an entry from 01:30 to 03:30 on the wall is one real hour; a 90-minute call
    # from 01:00 EST (06:00 UTC) ends at 03:30 EDT, all inside the block: 90 of 120 booked.
    user = UserFactory(time_zone=NY)
    frozen.move_to(ny("2026-03-01 09:00"))
    block(user, "01:00", "04:00", days="Sun")
    entry(user, "Prospect call", ny("2026-03-08 01:30"), 60)
    prospect = new_prospect(user, "Gil Night", at=ny("2026-03-01 09:00"))
    booking_services.book(
        user, prospect=prospect, prospect_name=prospect.name, start=at("2026-03-08 06:00"),
        minutes=90, now=ny("2026-03-01 09:00"),
    )  # fmt: skip
    week = periods.Range("custom", ny("2026-03-02 12:00").date(), ny("2026-03-08 12:00").date())
    card = queries.scorecard(user, week, now=ny("2026-03-20 12:00"))
    assert card.tables["days"].rows[-1][:3] == [ny("2026-03-08 12:00").date(), 3600, 1]
    assert card.tables["fill"].rows[0][2:] == [120 * 60, 90 * 60, 0.75]
    assert card.figures["fill_percent"] == 75
