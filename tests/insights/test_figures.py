"""The arithmetic of insights, apart from the database: ranges, the streak, the trend, the
rates and the goal worked back, against numbers worked out by hand."""

from datetime import date
from decimal import Decimal

import pytest

from mainthing.insights import figures, periods
from mainthing.insights.figures import Rate


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- ranges -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "first", "last"),
    [
        ("week", "2026-11-30", "2026-12-06"),  # Sat 5 Dec 2026: the week from Monday 30 Nov
        ("last-week", "2026-11-23", "2026-11-29"),
        ("month", "2026-12-01", "2026-12-31"),
        ("quarter", "2026-10-01", "2026-12-31"),
        ("year", "2026-01-01", "2026-12-31"),
    ],
)
def test_each_named_range_is_whole_local_days_around_today(key, first, last):
    chosen = periods.resolve(key, d("2026-12-05"))
    assert (chosen.first, chosen.last) == (d(first), d(last))


def test_the_quarter_of_a_day_in_february_is_january_to_march():
    chosen = periods.resolve("quarter", d("2028-02-29"))
    assert (chosen.first, chosen.last) == (d("2028-01-01"), d("2028-03-31"))


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (None, "2026-01-01", "both"),
        ("2026-02-01", "2026-01-01", "on or after"),
        ("2020-01-01", "2026-01-01", "three years"),
    ],
)
def test_a_custom_range_says_what_is_wrong_with_it(first, last, message):
    with pytest.raises(ValueError, match=message):
        periods.resolve("custom", d("2026-12-05"), first=first and d(first), last=last and d(last))


def test_a_range_ends_for_the_figures_today_and_a_future_one_has_no_days_yet():
    chosen = periods.resolve("month", d("2026-12-05"))
    assert chosen.elapsed_last(d("2026-12-05")) == d("2026-12-05")
    assert chosen.elapsed_last(d("2026-11-30")) is None
    assert chosen.elapsed_last(d("2027-03-01")) == d("2026-12-31")


def test_weeks_and_months_of_a_range_and_the_week_the_review_reviews():
    assert periods.mondays(d("2026-12-02"), d("2026-12-14")) == [
        d("2026-11-30"),
        d("2026-12-07"),
        d("2026-12-14"),
    ]
    assert periods.months(d("2026-11-15"), d("2027-01-02")) == [
        d("2026-11-01"),
        d("2026-12-01"),
        d("2027-01-01"),
    ]
    # Read on a Monday, the review is of the week that ended the day before.
    assert periods.last_full_week(d("2026-12-07")) == (d("2026-11-30"), d("2026-12-06"))
    assert periods.last_full_week(d("2026-12-06")) == (d("2026-11-23"), d("2026-11-29"))


# --- the streak ------------------------------------------------------------------------------


def test_days_without_a_block_neither_count_nor_break_the_streak():
    # Prospecting Mon, Wed, Fri, Mon; talked on all four and on Tuesday (no block: not counted).
    prospecting = [d("2026-11-23"), d("2026-11-25"), d("2026-11-27"), d("2026-11-30")]
    talked = {*prospecting, d("2026-11-24")}
    streak = figures.streak(
        prospecting, talked, today=d("2026-12-01"), first=d("2026-11-01"), last=d("2026-11-30")
    )
    assert (streak.current, streak.longest) == (4, 4)
    assert (streak.prospecting_days, streak.talked_days) == (4, 4)


def test_a_prospecting_day_without_a_conversation_breaks_it_and_the_longest_run_is_kept():
    days = [d(f"2026-11-{n:02d}") for n in range(2, 12)]  # 2..11 Nov, all prospecting
    talked = set(days) - {d("2026-11-06")}  # a gap on the 6th: runs of 4 and 5
    streak = figures.streak(
        days, talked, today=d("2026-11-11"), first=d("2026-11-01"), last=d("2026-11-30")
    )
    assert (streak.current, streak.longest) == (5, 5)
    assert (streak.prospecting_days, streak.talked_days) == (10, 9)


def test_today_without_a_conversation_yet_is_open_not_a_break():
    days = [d("2026-12-03"), d("2026-12-04"), d("2026-12-05")]
    streak = figures.streak(
        days,
        {d("2026-12-03"), d("2026-12-04")},
        today=d("2026-12-05"),
        first=d("2026-12-01"),
        last=d("2026-12-31"),
    )
    assert (streak.current, streak.today_open) == (2, True)
    # A conversation today makes it three.
    done = figures.streak(
        days, set(days), today=d("2026-12-05"), first=d("2026-12-01"), last=d("2026-12-31")
    )
    assert (done.current, done.today_open) == (3, False)


def test_the_current_streak_reaches_back_before_the_range_but_the_longest_stays_inside():
    days = [d("2026-11-28"), d("2026-11-29"), d("2026-11-30"), d("2026-12-01"), d("2026-12-02")]
    streak = figures.streak(
        days, set(days), today=d("2026-12-02"), first=d("2026-12-01"), last=d("2026-12-31")
    )
    assert (streak.current, streak.longest, streak.prospecting_days) == (5, 2, 2)


# --- shares and trends -------------------------------------------------------------------------


def test_no_whole_gives_no_share_never_a_made_up_zero():
    assert (figures.share(3, 0), figures.percent(3, 0)) == (None, None)
    assert figures.percent(1, 3) == 33


def test_the_trend_is_the_least_squares_slope_per_week():
    assert figures.slope([0.2, 0.3, 0.4]) == pytest.approx(0.1)
    # (0, .5), (1, .1), (2, .3): mean .3; slope = ((-1)(.2) + 0 + (1)(0)) / 2 = -0.1
    assert figures.slope([0.5, 0.1, 0.3]) == pytest.approx(-0.1)
    assert figures.slope([0.4]) is None


# --- the goal worked back ------------------------------------------------------------------------


def rate(value, own=True):
    return Rate("r", value, own, "")


def test_the_goal_is_worked_back_link_by_link_and_rounds_calls_up():
    plan = figures.work_back(
        Decimal("3000"),
        "USD",
        income_per_join=rate(250.0),
        joins_per_conversation=rate(0.1),
        show_up=rate(0.8),
        bookings_per_leadgen_hour=rate(0.5),
        block_minutes_per_week=10 * 60,
        call_minutes=30,
    )
    # 3000 / 250 = 12 joins a month; 12 / (52/12) = 2.769 a week; / 0.1 = 27.7 -> 28
    # conversations; / 0.8 = 35 bookings; / 0.5 = 70 h of lead generation.
    assert plan.joins_per_month == 12.0
    assert plan.conversations_per_week == 28
    assert plan.bookings_per_week == 35
    assert plan.leadgen_hours_per_week == 70.0
    # 10 h of blocks hold 20 half-hour calls: 15 short, 7.5 h of blocks more.
    assert (plan.calls_blocks_hold, plan.fits, plan.extra_block_hours) == (20, False, 7.5)


def test_without_an_income_per_join_there_is_nothing_to_work_back_from():
    plan = figures.work_back(
        Decimal("3000"),
        "USD",
        income_per_join=Rate("Income per join", None, False, "not known yet"),
        joins_per_conversation=rate(0.1),
        show_up=rate(0.8),
        bookings_per_leadgen_hour=rate(0.5),
        block_minutes_per_week=600,
        call_minutes=30,
    )
    assert (plan.complete, plan.fits, plan.extra_block_hours) == (False, None, 0)


def test_a_rate_is_the_users_own_only_with_enough_history_behind_it():
    own = figures.own_or_starter(
        "j", 3, 30, enough=20, starter=0.1, basis="3 of 30", starter_basis="starter"
    )
    assert (own.value, own.own, own.basis) == (0.1, True, "3 of 30")
    assert own.value == pytest.approx(3 / 30)
    thin = figures.own_or_starter(
        "j", 3, 19, enough=20, starter=0.1, basis="", starter_basis="starter"
    )
    assert (thin.value, thin.own) == (0.1, False)
    # Twenty conversations and no join yet: keep the starter, not a rate of zero.
    none_yet = figures.own_or_starter(
        "j", 0, 40, enough=20, starter=0.1, basis="", starter_basis="starter"
    )
    assert (none_yet.value, none_yet.own) == (0.1, False)


def test_changes_are_written_with_their_sign():
    assert figures.signed(4) == "+4"
    assert figures.signed(-1.5, " h") == "\u22121.5 h"
    assert figures.signed(0, " points") == "±0 points"
    assert figures.signed(-1250.5, " USD", money=True) == "\u22121,250.50 USD"
