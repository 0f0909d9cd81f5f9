"""Insights from a terminal: `insights` (the scorecard of a range) and `report --week` (the
weekly review). Both print read models of mainthing.insights as they are: --json is their
`as_dict()`, the tables are their own (tables.Table), so the CLI, the page and the CSV
downloads can't disagree.

`report --week --json` is a daily command whose start-up is measured (bench/cli_startup.py):
imports stay inside the functions, and tables are drawn by common.print_table, not rich.
"""

from __future__ import annotations

import sys

from mainthing.cli.common import CommandError, acting_user, date_arg, print_json, print_table

# --- the weekly review ----------------------------------------------------------------------------


def weekly_review(args) -> int:
    """`report --week`: the review of the last full week against the week before."""
    from mainthing.cli.common import utc_now
    from mainthing.insights.review import weekly_review as read_review

    if args.from_ or args.to:
        raise CommandError(
            "--week reviews the last full week; leave out --from and --to "
            "(or leave out --week for the report of a span).",
            status=2,
        )
    user = acting_user(args)
    review = read_review(user, now=utc_now())
    if args.json:
        print_json(review.as_dict())
    elif args.csv:
        _review_csv(review)
    else:
        _print_review(review)
    return 0


def _review_csv(review) -> None:
    """One row per figure: the five numbers by their JSON keys, then the income in every other
    currency (`income_eur`), as plain numbers (money as exact text, to the cent)."""
    from decimal import Decimal

    from mainthing.core import csvsafe

    writer = csvsafe.writer(sys.stdout)
    writer.writerow(["figure", "last_week", "week_before", "change"])
    for n in review.numbers:
        writer.writerow([n.key, n.last, n.before, n.change])
    for currency, (last, before) in sorted(review.income.items()):
        if currency != review.currency:
            cent = Decimal("0.01")
            writer.writerow(
                [f"income_{currency.lower()}", last.quantize(cent), before.quantize(cent),
                 (last - before).quantize(cent)]
            )  # fmt: skip


def _print_review(review) -> None:
    from mainthing.core import timekit
    from mainthing.insights import tables
    from mainthing.insights.figures import plural

    tz = timekit.zone(review.tz_name)
    print(f"Weekly review: {review.first:%a %d %b} to {review.last:%a %d %b %Y} ({review.tz_name})")
    print(_wrapped(review.summary))
    print()
    rows = [[n.label, n.text(n.last), n.text(n.before), n.change_text] for n in review.numbers]
    print_table(["Figure", "Last week", "Week before", "Change"], rows)
    if review.income:
        rows = [
            [currency, f"{last:,.2f}", f"{before:,.2f}", f"{last - before:+,.2f}"]
            for currency, (last, before) in sorted(review.income.items())
        ]
        print_table(["Income", "Last week", "Week before", "Change"], rows)
    for word, line in (("Best", review.best), ("Worst", review.worst)):
        if line is not None:
            print(f"{word} source: {line.label}: {plural(line.leads, 'lead')}, "
                  f"{plural(line.booked, 'call')} booked.")  # fmt: skip
    if review.overrides:
        print(
            f"IGA overrides: busy work started in prospecting time "
            f"{plural(review.overrides, 'time')} ({tables.hours(review.override_seconds)})."
        )
    else:
        print("IGA overrides: none.")
    if not review.blocks:
        print("No prospecting blocks in the coming week: add them with `mainthing routine add`.")
        return
    rows = [
        [
            f"{b.start.astimezone(tz):%a %d %b %H:%M}-{b.end.astimezone(tz):%H:%M}",
            b.label or "Prospecting",
            f"{b.fill_percent}%",
        ]
        for b in review.blocks
    ]
    print_table(["When", "Block", "Booked"], rows, title="The coming week's prospecting blocks")


# --- the scorecard --------------------------------------------------------------------------------


def insights(args) -> int:
    """The scorecard of a range: headline figures, then each table."""
    from mainthing.cli.common import utc_now
    from mainthing.core import timekit
    from mainthing.insights import periods, queries

    user = acting_user(args)
    now = utc_now()
    today = timekit.local_date(now, timekit.zone(user.time_zone))
    if args.from_ or args.to:
        if args.range:
            raise CommandError("--from and --to make a custom range; leave out --range.", status=2)
        key = "custom"
    else:
        key = args.range or periods.DEFAULT_RANGE
    first = date_arg(args.from_, "--from", today=today) if args.from_ else None
    last = date_arg(args.to, "--to", today=today) if args.to else None
    try:
        chosen = periods.resolve(key, today, first=first, last=last)
    except ValueError as error:
        raise CommandError(_flags(str(error)), status=2) from None
    card = queries.scorecard(user, chosen, now=now)
    if args.csv:
        _table_csv(card, args.csv)
    elif args.json:
        print_json(card.as_dict())
    else:
        _print_scorecard(card)
    return 0


def _flags(message: str) -> str:
    """periods' messages speak of the form's fields; on the command line they are flags."""
    return (
        message.replace("the first and the last day", "--from and --to")
        .replace("The last day", "--to")
        .replace("the first day", "--from")
    )


def _table_csv(card, key: str) -> None:
    """One table as CSV: its column keys (the names --json gives the same cells), then its
    plain rows."""
    from mainthing.core import csvsafe

    table = card.tables.get(key)
    if table is None:
        raise CommandError(
            f"There is no table {key!r}. The tables: {', '.join(card.tables)}.", status=2
        )
    writer = csvsafe.writer(sys.stdout)
    writer.writerow([c.key for c in table.columns])
    writer.writerows(table.plain_rows())


def _print_scorecard(card) -> None:
    r = card.range
    print(f"Insights: {r.label}, {r.first:%a %d %b %Y} to {r.last:%a %d %b %Y}")
    print_table(["Figure", "Value"], _headline(card))
    if card.plan is not None:
        print(_wrapped(_plan_text(card.plan)))
    for table in card.tables.values():
        print()
        if table.rows:
            print_table([c.label for c in table.columns], table.shown_rows(), title=table.title)
        else:
            print(f"{table.title}: nothing yet.")


def _headline(card) -> list[list[str]]:
    """The figures the page opens with, as a person reads them; --json has every one."""
    from mainthing.insights.figures import signed
    from mainthing.insights.tables import NO_FIGURE, hours

    f, s = card.figures, card.streak

    def pct(value) -> str:
        return NO_FIGURE if value is None else f"{value}%"

    def per_day(value, unit: str = "") -> str:
        return "" if value is None else f" ({value}{unit} a day)"

    days = f["days"]
    per_day_hours = f["iga_seconds_per_day"]
    rows = [
        ["IGA time", hours(f["iga_seconds"]) + ("" if per_day_hours is None else
                                                f" ({hours(per_day_hours)} a day)")],
        ["Conversations", f"{f['conversations']}{per_day(f['conversations_per_day'])}"],
        ["Days on the time goal", f"{f['days_met_time_goal']} of {days}"],
        ["Days on the conversations goal", f"{f['days_met_conversations_goal']} of {days}"],
        ["Streak (prospecting days with a conversation)",
         f"{s.current} now, {s.longest} at most; {s.talked_days} of {s.prospecting_days} days"],
        ["Fill rate", pct(f["fill_percent"])],
        ["Fill rate ahead", pct(f["fill_ahead_percent"])],
        ["Booked calls held", f"{pct(f['show_up_percent'])} ({f['completed_calls']} of "
                              f"{f['past_calls']}; {f['no_shows']} no-shows, "
                              f"{f['unmarked_calls']} unmarked)"],
        ["Pre-scheduled conversations",
         f"{f['prescheduled_conversations']} ({pct(f['prescheduled_percent'])})"],
        ["Call queue", f"{f['dials']} dials, {f['call_conversations']} conversations"],
        ["Dials per conversation", _number(f["dials_per_conversation"])],
        ["Conversations per queue hour", _number(f["conversations_per_hour"])],
        ["IGA overrides", f"{f['overrides']} ({hours(f['override_seconds'])})"],
        ["\u201cNo free time\u201d requests", str(f["callback_requests"])],
        ["IGA share trend", NO_FIGURE if card.tier_trend is None
                            else signed(round(100 * card.tier_trend, 1), " points a week")],
    ]  # fmt: skip
    return rows


def _number(value) -> str:
    from mainthing.insights.tables import NO_FIGURE

    return NO_FIGURE if value is None else f"{value:.2f}"


def _plan_text(plan) -> str:
    goal = f"Income goal: {plan.goal:,.2f} {plan.currency} a month."
    if not plan.complete:
        missing = ", ".join(r.name.lower() for r in plan.rates if not r.value)
        return f"{goal} Not worked back yet: {missing} unknown."
    fits = "they hold" if plan.fits else "they don't hold"
    return (
        f"{goal} It takes {plan.joins_per_month} joins a month: "
        f"{plan.conversations_per_week} conversations, {plan.bookings_per_week} bookings and "
        f"{plan.leadgen_hours_per_week} h of lead generation a week. Your prospecting blocks "
        f"({plan.block_hours_per_week} h a week) hold {plan.calls_blocks_hold} calls: {fits} "
        "enough."
    )


# --- shared ---------------------------------------------------------------------------------------


def _wrapped(text: str) -> str:
    import shutil
    import textwrap

    return textwrap.fill(text, width=min(shutil.get_terminal_size((100, 24)).columns, 100))
