"""The scorecard as the page lays it out: each chart with its table and its CSV link (a panel),
and the headline figures as sentences. Presentation only: every number comes from the
scorecard's tables and figures, through `tables.shown()`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString

from mainthing.core import timekit
from mainthing.core.enums import Tier

from . import charts
from .queries import Scorecard
from .tables import HOURS, NO_FIGURE, PERCENT, Table, hours, shown

TIER_CSS = {Tier.INCOME: "fill-income", Tier.LEADGEN: "fill-leadgen", Tier.OTHER: "fill-other"}


@dataclass
class Panel:
    table: Table
    svg: SafeString | None = None
    note: str = ""  # a sentence under the chart
    legend: list[tuple[str, str]] | None = None  # (css, label)
    meters: list[tuple[str, str, SafeString]] | None = None  # (label, value, bar) rows
    empty: str = ""  # said instead of the chart when it would have nothing to show
    axis: tuple[str, str] | None = None  # the first and the last bar's names, under the chart
    heading: str = ""  # the chart's own title, when its table holds more than it shows
    numbers_in: str = ""  # another panel's id whose table holds this chart's numbers

    @property
    def key(self) -> str:
        return self.table.key

    @property
    def title(self) -> str:
        return self.heading or self.table.title


@dataclass(frozen=True)
class Headline:
    label: str
    value: str
    note: str = ""


def headlines(card: Scorecard) -> list[Headline]:
    f, s = card.figures, card.streak
    goal_hours = card.goal_iga_minutes / 60
    per_day = f["iga_seconds_per_day"]
    return [
        Headline(
            "IGA time a day",
            NO_FIGURE if per_day is None else hours(per_day),
            f"goal {goal_hours:g} h · met on {f['days_met_time_goal']} of {f['goal_days']} "
            "prospecting days",
        ),
        Headline(
            "Conversations a day",
            NO_FIGURE if f["conversations_per_day"] is None else f"{f['conversations_per_day']:g}",
            f"goal {card.goal_conversations} · met on {f['days_met_conversations_goal']} of "
            f"{f['goal_days']} prospecting days · {f['conversations']} in all",
        ),
        Headline(
            "Streak",
            f"{s.current} day{'s' if s.current != 1 else ''}",
            f"longest here {s.longest} · {s.talked_days} of {s.prospecting_days} prospecting days"
            + (" · today still open" if s.today_open else ""),
        ),
        Headline(
            "Fill rate",
            _percent(f["fill_percent"]),
            f"next two weeks {_percent(f['fill_ahead_percent'])}",
        ),
        Headline(
            "Show-up rate",
            _percent(f["show_up_percent"]),
            f"{f['completed_calls']} of {f['past_calls']} booked calls held"
            + (f" · {f['unmarked_calls']} not marked" if f["unmarked_calls"] else ""),
        ),
        Headline(
            "Pre-scheduled",
            _percent(f["prescheduled_percent"]),
            f"{f['prescheduled_conversations']} of {f['conversations']} conversations "
            "were booked calls",
        ),
        Headline(
            "Dials per conversation",
            NO_FIGURE
            if f["dials_per_conversation"] is None
            else f"{f['dials_per_conversation']:g}",
            f"{f['dials']} dials, {f['call_conversations']} conversations in the call queue",
        ),
        Headline(
            "Conversations an hour",
            NO_FIGURE
            if f["conversations_per_hour"] is None
            else f"{f['conversations_per_hour']:g}",
            f"over {hours(f['call_session_seconds'])} of call sessions",
        ),
        Headline(
            "IGA overrides",
            str(f["overrides"]),
            f"busy work started in prospecting time, {hours(f['override_seconds'])} in all",
        ),
    ]


def _percent(value: int | None) -> str:
    return NO_FIGURE if value is None else f"{value}%"


def panels(card: Scorecard) -> dict[str, Panel]:
    t = card.tables
    found = {
        **_day_panels(card),
        "tiers": Panel(
            t["tiers"],
            charts.stacked(
                [
                    [
                        (
                            r[i + 1],
                            TIER_CSS[tier],
                            f"week of {r[0]:%d %b}: {shown(r[i + 1], HOURS)} {tier.label.lower()}",
                        )
                        for i, tier in enumerate((Tier.INCOME, Tier.LEADGEN, Tier.OTHER))
                    ]
                    for r in t["tiers"].rows
                ],
                label="Hours per tier per week",
            ),
            note=_trend(card),
            legend=[(TIER_CSS[tier], tier.label) for tier in Tier],
            axis=_axis(t["tiers"].rows, "week of %d %b"),
        ),
        "fill": Panel(
            t["fill"],
            charts.bars(
                [
                    charts.Bar(
                        100 * (r[4] or 0),
                        f"week of {r[0]:%d %b} ({r[1]}): {shown(r[4], PERCENT)} of "
                        f"{shown(r[2], HOURS)} booked",
                        "fill-income" if r[1] == "past" else "fill-ahead",
                    )
                    for r in t["fill"].rows
                ],
                label="Fill rate per week, then the weeks ahead",
                top=100,
            ),
            note="Booked share of each week's prospecting time; lighter bars are this week "
            "and the two ahead.",
            axis=_axis(t["fill"].rows, "week of %d %b"),
        ),
        "funnel": Panel(
            t["funnel"],
            meters=[
                (
                    r[0],
                    f"{r[1]} ({shown(r[2], PERCENT)})",
                    charts.meter(r[2] or 0, tip=f"{r[0]}: {r[1]}"),
                )
                for r in t["funnel"].rows
            ],
            note="Of the leads added in this range, whenever they got there.",
        ),
        "sources": Panel(t["sources"]),
        "categories": Panel(t["categories"]),
        "callbacks": Panel(
            t["callbacks"],
            charts.bars(
                [
                    charts.Bar(r[1], f"week of {r[0]:%d %b}: {r[1]} requests", "fill-leadgen")
                    for r in t["callbacks"].rows
                ],
                label="Booking page requests with no free time, per week",
            ),
            note="People who found no free time on your booking page and asked to be called back.",
            axis=_axis(t["callbacks"].rows, "week of %d %b"),
        ),
        "income": Panel(
            t["income"],
            charts.bars(
                [
                    charts.Bar(float(r[2]), f"{r[0]:%b %Y}: {r[2]:,.2f} {r[1]}", "fill-income")
                    for r in t["income"].rows
                    if r[1] == card.currency
                ],
                label=f"Income per month in {card.currency}",
            ),
            note=f"The chart shows {card.currency}; other currencies are in the table, "
            "never added.",
            axis=_axis([r for r in t["income"].rows if r[1] == card.currency], "%b %Y"),
        ),
        "income_kinds": Panel(t["income_kinds"]),
    }
    if not any(r[2] for r in t["fill"].rows):
        found["fill"].empty = (
            "No prospecting blocks in these weeks: add them to your routine, and the calls "
            "booked in them will fill this chart."
        )
    if not any(r[1] for r in t["callbacks"].rows):
        found["callbacks"].empty = "Nobody found your booking page full in this range."
    if not any(r[2] for r in t["income"].rows):
        found["income"].empty = "No income in this range yet: add it on the Income page."
    return found


# Over more than about three months a bar a day is under a pixel wide on a phone: the day
# charts then draw a bar a week (the table keeps every day).
LONGEST_DAILY_CHART = 92


def _day_panels(card: Scorecard) -> dict[str, Panel]:
    """IGA time and conversations against the daily goals: a bar a day, or for a long range
    a bar a week, each the week's total ÷ its prospecting days (its days, when it had none)."""
    goal_hours, goal_talks = card.goal_iga_minutes / 60, card.goal_conversations
    rows = card.tables["days"].rows
    if len(rows) <= LONGEST_DAILY_CHART:
        names = [f"{r[0]:%a %d %b}" for r in rows]
        iga_hours = [r[1] / 3600 for r in rows]
        talks = [r[2] for r in rows]
        axis, unit = _axis(rows, "%d %b"), ""
        headings = ("IGA time per day", "Conversations per day")
    else:
        weeks: dict = {}
        for day, seconds, count, _time_ok, _talks_ok, goal_day in rows:
            week = weeks.setdefault(timekit.week_start(day), [0, 0, 0, 0])
            week[0] += seconds
            week[1] += count
            week[2] += goal_day
            week[3] += 1
        names = [f"week of {monday:%d %b}" for monday in weeks]
        iga_hours = [w[0] / 3600 / (w[2] or w[3]) for w in weeks.values()]
        talks = [round(w[1] / (w[2] or w[3]), 1) for w in weeks.values()]
        first, last = min(weeks), max(weeks)
        axis, unit = (f"week of {first:%d %b}", f"week of {last:%d %b}"), " a prospecting day"
        headings = (
            "IGA time a prospecting day, per week",
            "Conversations a prospecting day, per week",
        )
    weekly = " Each bar is a week: its total ÷ its prospecting days." if unit else ""
    return {
        "days": Panel(
            card.tables["days"],
            charts.bars(
                [
                    charts.Bar(h, f"{name}: {h:.2f} h of IGA{unit}", "fill-income")
                    for name, h in zip(names, iga_hours, strict=True)
                ],
                label=f"{headings[0]}, against the goal of {goal_hours:g} h",
                goal=goal_hours,
            ),
            note=f"The dashed line is your daily goal ({goal_hours:g} h).{weekly}",
            axis=axis,
            heading=headings[0],
        ),
        "conversations": Panel(
            card.tables["days"],
            charts.bars(
                [
                    charts.Bar(
                        n, f"{name}: {n:g} conversation{'' if n == 1 else 's'}{unit}", "fill-income"
                    )
                    for name, n in zip(names, talks, strict=True)
                ],
                label=f"{headings[1]}, against the goal of {goal_talks}",
                goal=goal_talks,
            ),
            note=f"The dashed line is your daily goal ({goal_talks}).{weekly}",
            axis=axis,
            heading=headings[1],
            numbers_in="days",
        ),
    }


def _axis(rows: list[list], fmt: str) -> tuple[str, str] | None:
    """The names of the first and the last bar (their dates), for the line under a chart."""
    if not rows:
        return None
    return f"{rows[0][0]:{fmt}}", f"{rows[-1][0]:{fmt}}"


def _trend(card: Scorecard) -> str:
    if card.tier_trend is None:
        return "Income-generating share of your tracked time: not enough weeks for a trend."
    points = 100 * card.tier_trend
    if abs(points) < 0.5:
        return "Your income-generating share held steady week to week."
    way = "up" if points > 0 else "down"
    return f"Your income-generating share went {way} {abs(points):.1f} points a week."
