"""Insights from a terminal: `insights` (the scorecard of a range) and `report --week` (the
weekly review). Both print read models of mainthing.insights as they are: --json is their
`as_dict()`, the tables are their own (tables.Table), so the CLI, the page and the CSV
downloads can't disagree.

`report --week --json` is a daily command whose start-up is measured (bench/cli_startup.py):
imports stay inside the functions, and tables are drawn by common.print_table, not rich.
"""

from __future__ import annotations

import sys

from mainthing.cli.common import (
    CommandError,
    acting_user,
    date_arg,
    print_json,
    print_table,
    table_width,
)

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
    rows = [
        [n.label, n.last_text, n.before_text, n.change_text or tables.NO_FIGURE]
        for n in review.numbers
    ]
    print_table(["Figure", "Last week", "Week before", "Change"], rows)
    if review.other_income:
        print(f"Income in other currencies (never added): {'; '.join(review.other_income)}.")
    for word, line in (("Best", review.best), ("Worst", review.worst)):
        if line is not None:
            print(f"{word} source: {line.label}: {plural(line.leads, 'lead')}, "
                  f"{plural(line.booked, 'call')} booked.")  # fmt: skip
    if review.overrides:
        print(
            f"IGA overrides: busy work started in prospecting time "
            f"{plural(review.overrides, 'time')} ({review.override_hours})."
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

    if args.csv and args.json:
        raise CommandError("Choose --json or --csv TABLE, not both.", status=2)
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
    table = card.tables.get(key)
    if table is None:
        raise CommandError(
            f"There is no table {key!r}. The tables: {', '.join(card.tables)}.", status=2
        )
    table.write_csv(sys.stdout)


def _print_scorecard(card) -> None:
    # The page's headline figures, word for word (panels imports the chart helpers: this
    # command is not one of the measured daily ones).
    from mainthing.insights.panels import headlines

    r = card.range
    print(f"Insights: {r.label}, {r.first:%a %d %b %Y} to {r.last:%a %d %b %Y}")
    print_table(
        ["Figure", "Value", "Detail"], [[h.label, h.value, h.note] for h in headlines(card)]
    )
    if card.plan is not None:
        print(_wrapped(_plan_text(card.plan)))
    width = _terminal_width()
    for table in card.tables.values():
        print()
        headers, rows = [c.label for c in table.columns], table.shown_rows()
        if not rows:
            print(f"{table.title}: nothing yet.")
        elif table_width(headers, rows) <= width:
            print_table(headers, rows, title=table.title)
        else:
            # Too wide to read once the terminal wraps it: a small table per row instead.
            print(table.title)
            for row in rows:
                print_table(
                    [headers[0], row[0]],
                    [list(pair) for pair in zip(headers[1:], row[1:], strict=True)],
                )


def _plan_text(plan) -> str:
    """The income goal worked back, in the page's words (insights/scorecard.html)."""
    goal = f"Income goal: {plan.goal:,.2f} {plan.currency} a month."
    if not plan.complete:
        missing = ", ".join(r.name.lower() for r in plan.rates if not r.value)
        return f"{goal} Not worked back yet: {missing} not known (see the Insights page)."
    hold = (
        f"Your prospecting blocks hold {plan.calls_blocks_hold} calls of {plan.call_minutes} min "
        f"a week ({plan.block_hours_per_week} h)"
    )
    enough = (
        "enough."
        if plan.fits
        else f"add about {plan.extra_block_hours} h of prospecting blocks a week."
    )
    return (
        f"{goal} You need about {plan.joins_per_month} joins a month: "
        f"{plan.conversations_per_week} conversations a week, from {plan.bookings_per_week} "
        f"booked calls, which take about {plan.leadgen_hours_per_week} h of lead generation a "
        f"week. {hold}: {enough}"
    )


# --- shared ---------------------------------------------------------------------------------------


def _terminal_width() -> int:
    """The terminal's width; 100 when printing into a pipe or a file."""
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def _wrapped(text: str) -> str:
    import textwrap

    return textwrap.fill(text, width=min(_terminal_width(), 100))
