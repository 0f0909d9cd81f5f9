"""`mainthing report --week` (the weekly review) and `mainthing insights` (the scorecard), on a
week worked out by hand: a user in New York whose last full week holds the spring-forward
night (Sunday 8 March 2026, 02:00 EST -> 03:00 EDT)."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from mainthing.activity import services as activity_services
from mainthing.bookings import services as booking_services
from mainthing.cli import build_parser
from mainthing.insights import periods, queries
from mainthing.insights.review import weekly_review
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import Stage
from tests.cli.conftest import run, run_process
from tests.factories import UserFactory, at, block, category, entry, new_prospect

ZONE = "America/New_York"
NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # Wednesday 11:00 EDT
# The review's weeks: last week Mon 2 - Sun 8 March (23 hours on Sunday), the week before
# Mon 23 February - Sun 1 March.


def ny(text: str) -> datetime:
    return at(text, ZONE)


@pytest.fixture
def ann(db):
    return UserFactory(email="ann@example.com", time_zone=ZONE)


@pytest.fixture
def week(ann, frozen):
    """The hand-computed fixture. Appointments are stamped with the clock when booked (their
    created_at), so the clock is moved to each booking's moment."""
    block(ann, "19:00", "21:00")  # every day: 2 h
    block(ann, "01:00", "04:00", days="Sun")  # 3 h, but 2 h on the spring-forward night
    forum = prospect_services.add_source(
        ann, category=category(ann, "Forum posts"), campaign="Signature", key="forum"
    )
    video = prospect_services.add_source(
        ann, category=category(ann, "Video posts"), campaign="Channel", key="video"
    )

    def book(prospect, when: str, minutes: int, *, on: str):
        frozen.move_to(ny(on))
        return booking_services.book(
            ann, prospect=prospect, start=ny(when), minutes=minutes, now=ny(on)
        )

    # --- the week before (Mon 23 Feb - Sun 1 Mar) ---
    # Sun 22 23:30 - Mon 00:30: 30 min on Monday 23; its conversation counts on Sunday 22.
    entry(ann, "Prospect call", ny("2026-02-22 23:30"), 60)
    entry(ann, "Prospect call", ny("2026-02-25 10:00"), 90)  # 5400 s, a conversation
    ben = new_prospect(ann, "Ben", at=ny("2026-02-23 09:00"), source=forum)
    book(ben, "2026-02-25 20:00", 30, on="2026-02-23 10:00")  # 1800 s booked
    cy = new_prospect(ann, "Cy", at=ny("2026-02-24 09:00"), source=video)
    book(cy, "2026-03-01 01:00", 60, on="2026-02-24 10:00")  # 3600 s booked, Sunday's block
    dee = new_prospect(ann, "Dee", at=ny("2026-02-20 09:00"))
    prospect_services.change_stage(dee, Stage.JOINED, now=ny("2026-02-26 12:00"))
    prospect_services.add_income(ann, on=date(2026, 2, 24), amount="100", kind="enrollment")

    # --- last week (Mon 2 - Sun 8 Mar) ---
    eve = new_prospect(ann, "Eve", at=ny("2026-03-02 09:00"), source=forum)
    fay = new_prospect(ann, "Fay", at=ny("2026-03-03 09:00"), source=forum)
    gus = new_prospect(ann, "Gus", at=ny("2026-03-04 09:00"), source=video)
    new_prospect(ann, "Hal", at=ny("2026-03-05 09:00"), source=video)
    ivy = new_prospect(ann, "Ivy", at=ny("2026-03-06 09:00"), source=video)
    held = book(eve, "2026-03-03 19:00", 30, on="2026-03-02 10:00")
    frozen.move_to(ny("2026-03-03 19:35"))
    booking_services.complete(held, now=ny("2026-03-03 19:35"))  # 1800 s of IGA, pre-scheduled
    book(fay, "2026-03-05 19:00", 60, on="2026-03-03 10:00")  # still scheduled: booked
    dropped = book(gus, "2026-03-04 19:00", 30, on="2026-03-04 10:00")
    booking_services.cancel(dropped, now=ny("2026-03-04 12:00"))  # counts nowhere
    # 01:30 EST to 03:30 EDT: one real hour, inside Sunday's two-hour block.
    book(ivy, "2026-03-08 01:30", 60, on="2026-03-06 10:00")
    entry(ann, "Prospect call", ny("2026-03-02 10:00"), 45)  # 2700 s, a conversation
    entry(ann, "Prospect call", ny("2026-03-02 12:00"), 1)  # 60 s, too short to be one
    entry(ann, "Follow-up call", ny("2026-03-07 23:30"), 60)  # 1800 s Sat + 1800 s Sun
    # Sun 23:00 EDT - Mon 9 01:00: an hour in last week (and its conversation), an hour after.
    entry(ann, "Prospect call", ny("2026-03-08 23:00"), 120)
    # Busy work in Thursday's block, started after the IGA question: 20 min.
    activity_services.start_timer(
        ann, category(ann, "Organizing"), now=ny("2026-03-05 20:00"), override=True
    )
    activity_services.stop_timer(ann, now=ny("2026-03-05 20:20"))
    jo = new_prospect(ann, "Jo", at=ny("2026-02-20 09:00"))
    prospect_services.change_stage(jo, Stage.JOINED, now=ny("2026-03-04 12:00"))
    kim = new_prospect(ann, "Kim", at=ny("2026-02-20 09:00"))
    prospect_services.change_stage(kim, Stage.DECLINED, now=ny("2026-02-27 12:00"))
    prospect_services.change_stage(kim, Stage.AFFILIATE_OFFERED, now=ny("2026-03-01 12:00"))
    prospect_services.change_stage(kim, Stage.AFFILIATE_JOINED, now=ny("2026-03-07 12:00"))
    prospect_services.add_income(ann, on=date(2026, 3, 4), amount="150", kind="enrollment")
    prospect_services.add_income(ann, on=date(2026, 3, 7), amount="40", kind="product")
    prospect_services.add_income(
        ann, on=date(2026, 3, 8), amount="20", kind="affiliate", currency="EUR"
    )

    # --- the coming week: one call booked now, Thursday 12 19:00-20:00 EDT ---
    lou = new_prospect(ann, "Lou", at=NOW)
    book(lou, "2026-03-12 19:00", 60, on="2026-03-11 11:00")
    frozen.move_to(NOW)
    return ann


# Worked out by hand from the fixture:
# IGA, last week: 1800 (held call) + 2700 + 60 (Mon) + 1800 (Sat) + 1800 + 3600 (Sun)
#   = 11760 s = 3.27 h -> 3.3; the week before: 1800 (Mon 23) + 5400 (Wed 25) = 7200 s = 2.0 h.
# Conversations: the held call, the 45 min, Saturday's follow-up and Sunday 23:00 = 4 (the
#   one-minute entry is no conversation); the week before: Wednesday's 90 min = 1.
# Fill: blocks 7 x 2 h + Sunday's 2 h (spring forward) = 57600 s; booked 1800 (held) + 3600
#   (Thu) + 3600 (Sun 01:30 EST-03:30 EDT) = 9000 s, 15.6% -> 16 (the cancelled call is not
#   booked); the week before: blocks 7 x 2 h + 3 h = 61200 s, booked 1800 + 3600 = 5400 s,
#   8.8% -> 9.
# Joined: Jo (joined) and Kim (affiliate joined) last week; Dee the week before.
# Income (USD): 150 + 40 = 190 last week, 100 the week before; 20 EUR last week, apart.
# Sources, last week: forum 2 leads (Eve, Fay), both booked; video 3 leads (Gus, Hal, Ivy),
#   1 booked (Gus's call was cancelled): best forum, worst video.
# Overrides: Organizing in Thursday's block, 20 min = 1200 s.
# The coming week (to Wed 18 11:00 EDT): 19:00-21:00 EDT on Wed 11 to Tue 17 (23:00-01:00
#   UTC) and Sunday 15 01:00-04:00 EDT (05:00-08:00 UTC); Thursday's is half booked.
NUMBERS = {
    "iga_hours": {"last_week": 3.3, "week_before": 2.0, "change": 1.3},
    "conversations": {"last_week": 4, "week_before": 1, "change": 3},
    "fill_percent": {"last_week": 16, "week_before": 9, "change": 7},
    "joined": {"last_week": 2, "week_before": 1, "change": 1},
    "income": {"last_week": 190.0, "week_before": 100.0, "change": 90.0},
}


def _evening(day: int, fill: int) -> dict:
    start = datetime(2026, 3, day, 23, 0, tzinfo=UTC)
    end = start + timedelta(hours=2)
    return {"start": start.isoformat(), "end": end.isoformat(), "label": "", "fill_percent": fill}


NEXT_BLOCKS = [
    _evening(11, 0),
    _evening(12, 50),
    _evening(13, 0),
    _evening(14, 0),
    {
        "start": "2026-03-15T05:00:00+00:00",
        "end": "2026-03-15T08:00:00+00:00",
        "label": "",
        "fill_percent": 0,
    },
    _evening(15, 0),
    _evening(16, 0),
    _evening(17, 0),
]
SUMMARY = (
    "You talked to 4 prospects (+3) and spent 3.3 h on income-generating activity (+1.3 h). "
    "Your prospecting time was 16% booked (+7 points). 2 people joined (+1); you earned "
    "20.00 EUR and 190.00 USD. Best source: Forum posts / Signature (2 calls booked). Busy work "
    "started in prospecting time 1 time (0.3 h)."
)


def test_report_week_json_is_the_hand_computed_review(week, capsys):
    code, out, err = run(capsys, "report", "--week", "--json")

    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "week": {"from": "2026-03-02", "to": "2026-03-08"},
        "time_zone": ZONE,
        "numbers": NUMBERS,
        "income": {
            "EUR": {"last_week": "20.00", "week_before": "0"},
            "USD": {"last_week": "190.00", "week_before": "100.00"},
        },
        "best_source": {"label": "Forum posts / Signature", "leads": 2, "booked": 2},
        "worst_source": {"label": "Video posts / Channel", "leads": 3, "booked": 1},
        "overrides": {"count": 1, "seconds": 1200},
        "next_blocks": NEXT_BLOCKS,
        "summary": SUMMARY,
    }


def test_report_week_json_is_the_review_as_dict_at_the_clis_now(week, capsys):
    code, out, _ = run(capsys, "report", "--week", "--json")

    assert (code, json.loads(out)) == (0, weekly_review(week, now=NOW).as_dict())


def test_report_week_prints_the_review(week, capsys):
    code, out, err = run(capsys, "report", "--week")

    assert (code, err) == (0, "")
    head, rest = out.split("\n\n", 1)
    assert head.splitlines()[0] == "Weekly review: Mon 02 Mar to Sun 08 Mar 2026 (America/New_York)"
    assert " ".join(head.splitlines()[1:]) == SUMMARY
    assert rest.splitlines() == [
        "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━┓",
        "┃ Figure                    ┃ Last week  ┃ Week before ┃ Change     ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━┩",
        "│ IGA hours                 │ 3.3 h      │ 2.0 h       │ +1.3 h     │",
        "│ Conversations             │ 4          │ 1           │ +3         │",
        "│ Fill rate                 │ 16%        │ 9%          │ +7 points  │",
        "│ Joined (incl. affiliates) │ 2          │ 1           │ +1         │",
        "│ Income                    │ 190.00 USD │ 100.00 USD  │ +90.00 USD │",
        "└───────────────────────────┴────────────┴─────────────┴────────────┘",
        "Income in other currencies (never added): 20.00 EUR (week before 0.00).",
        "Best source: Forum posts / Signature: 2 leads, 2 calls booked.",
        "Worst source: Video posts / Channel: 3 leads, 1 call booked.",
        "IGA overrides: busy work started in prospecting time 1 time (0.3 h).",
        "      The coming week's prospecting blocks       ",
        "┏━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━┓",
        "┃ When                   ┃ Block       ┃ Booked ┃",
        "┡━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━┩",
        "│ Wed 11 Mar 19:00-21:00 │ Prospecting │ 0%     │",
        "│ Thu 12 Mar 19:00-21:00 │ Prospecting │ 50%    │",
        "│ Fri 13 Mar 19:00-21:00 │ Prospecting │ 0%     │",
        "│ Sat 14 Mar 19:00-21:00 │ Prospecting │ 0%     │",
        "│ Sun 15 Mar 01:00-04:00 │ Prospecting │ 0%     │",
        "│ Sun 15 Mar 19:00-21:00 │ Prospecting │ 0%     │",
        "│ Mon 16 Mar 19:00-21:00 │ Prospecting │ 0%     │",
        "│ Tue 17 Mar 19:00-21:00 │ Prospecting │ 0%     │",
        "└────────────────────────┴─────────────┴────────┘",
    ]


def test_report_week_csv_is_one_row_per_figure(week, capsys):
    code, out, _ = run(capsys, "report", "--week", "--csv")

    # A change below zero would be written '-1 (csvsafe's quote); every change here is up.
    assert (code, out.splitlines()) == (
        0,
        [
            "figure,last_week,week_before,change",
            "iga_hours,3.3,2.0,1.3",
            "conversations,4,1,3",
            "fill_percent,16,9,7",
            "joined,2,1,1",
            "income,190.0,100.0,90.0",
            "income_eur,20.00,0.00,20.00",
        ],
    )


def test_report_without_week_is_still_the_tier_report(week, capsys):
    code, out, _ = run(capsys, "report", "--from", "2026-03-02", "--to", "2026-03-08", "--json")

    # Day totals of the seven local days: the Sunday-to-Monday call's Monday hour is out.
    data = json.loads(out)
    assert (code, data["tiers"]) == (
        0,
        [
            {"tier": "income", "seconds": 11760},
            {"tier": "leadgen", "seconds": 0},
            {"tier": "other", "seconds": 1200},
        ],
    )


def test_report_week_takes_no_span(ann, capsys):
    code, _, err = run(capsys, "report", "--week", "--from", "2026-03-01")

    assert (code, err) == (
        2,
        "mainthing: --week reviews the last full week; leave out --from and --to (or leave out "
        "--week for the report of a span).\n",
    )


@pytest.mark.django_db(transaction=True)
def test_report_week_json_runs_as_a_daily_command_with_only_the_model_apps():
    UserFactory(email="ann@example.com", time_zone=ZONE)

    code, out, err = run_process("report", "--week", "--json")

    assert (code, err, json.loads(out)["time_zone"]) == (0, "", ZONE)


# --- insights ------------------------------------------------------------------------------------


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_insights_csv_days_is_the_tables_plain_rows(week, capsys):
    code, out, _ = run(capsys, "insights", "--range", "last-week", "--csv", "days")

    card = queries.scorecard(week, periods.resolve("last-week", date(2026, 3, 11)), now=NOW)
    expected = [
        ["" if v is None else str(v) for v in row] for row in card.tables["days"].plain_rows()
    ]
    # By hand (goals: 2 h and 4 conversations a day, met on no day):
    assert (code, _csv(out)) == (
        0,
        [
            [
                "day",
                "iga_hours",
                "conversations",
                "iga_goal_met",
                "conversations_goal_met",
                "prospecting_day",
            ],
            ["2026-03-02", "0.77", "1", "no", "no", "yes"],
            ["2026-03-03", "0.5", "1", "no", "no", "yes"],
            ["2026-03-04", "0.0", "0", "no", "no", "yes"],
            ["2026-03-05", "0.0", "0", "no", "no", "yes"],
            ["2026-03-06", "0.0", "0", "no", "no", "yes"],
            ["2026-03-07", "0.5", "1", "no", "no", "yes"],
            ["2026-03-08", "1.5", "1", "no", "no", "yes"],
        ],
    )
    assert _csv(out)[1:] == expected


def test_insights_json_is_the_scorecard_as_dict(week, capsys):
    code, out, _ = run(capsys, "insights", "--from", "2026-02-23", "--to", "2026-03-08", "--json")

    chosen = periods.resolve(
        "custom", date(2026, 3, 11), first=date(2026, 2, 23), last=date(2026, 3, 8)
    )
    data = json.loads(out)
    assert (code, data) == (
        0,
        json.loads(json.dumps(queries.scorecard(week, chosen, now=NOW).as_dict(), default=str)),
    )
    # The two weeks by hand: 7200 + 11760 s of IGA, 1 + 4 conversations, 1 override.
    assert (data["range"], data["figures"]["iga_seconds"], data["figures"]["conversations"]) == (
        {"key": "custom", "from": "2026-02-23", "to": "2026-03-08"},
        18960,
        5,
    )
    assert (data["figures"]["overrides"], data["figures"]["override_seconds"]) == (1, 1200)


def test_insights_prints_headlines_and_every_table(week, capsys):
    code, out, _ = run(capsys, "insights", "--range", "last-week")

    card = queries.scorecard(week, periods.resolve("last-week", date(2026, 3, 11)), now=NOW)
    assert code == 0
    assert out.splitlines()[0] == "Insights: Last week, Mon 02 Mar 2026 to Sun 08 Mar 2026"
    assert (
        "│ Conversations a day    │ 0.6    │ goal 4 · met on 0 of 7 prospecting days · 4 in all"
        in out
    )
    assert [t.title for t in card.tables.values() if t.title not in out] == []


def test_insights_help_names_every_table_and_range(ann):
    card = queries.scorecard(ann, periods.resolve("month", date(2026, 3, 11)), now=NOW)
    commands = next(a for a in build_parser()._actions if a.dest == "command").choices
    sub = commands["insights"]
    ranges = next(a for a in sub._actions if a.dest == "range").choices

    assert [key for key in card.tables if key not in sub.description] == []
    assert ranges == [key for key in periods.RANGES if key != "custom"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--from", "2026-03-08", "--to", "2026-03-02"],
            "mainthing: --to must be on or after --from.\n",
        ),
        (["--from", "2026-03-02"], "mainthing: Give both --from and --to.\n"),
        (
            ["--range", "month", "--from", "2026-03-02", "--to", "2026-03-08"],
            "mainthing: --from and --to make a custom range; leave out --range.\n",
        ),
        (
            ["--from", "2026-02-30", "--to", "2026-03-08"],
            "mainthing: --from '2026-02-30' is not a date; write YYYY-MM-DD, today or tomorrow.\n",
        ),
        (
            ["--csv", "weeks"],
            "mainthing: There is no table 'weeks'. The tables: days, tiers, fill, funnel, "
            "sources, categories, callbacks, income, income_kinds.\n",
        ),
        (["--csv", "days", "--json"], "mainthing: Choose --json or --csv TABLE, not both.\n"),
    ],
)
def test_insights_refuses_what_it_cant_use_with_status_2(ann, capsys, argv, message):
    code, out, err = run(capsys, "insights", *argv)

    assert (code, out, err) == (2, "", message)


def test_insights_refuses_an_unknown_range_with_status_2(ann, capsys):
    code, _, err = run(capsys, "insights", "--range", "fortnight")

    assert code == 2
    assert err.splitlines()[-1] == (
        "mainthing insights: error: argument --range: invalid choice: 'fortnight' (choose from "
        "'week', 'last-week', 'month', 'quarter', 'year')"
    )
