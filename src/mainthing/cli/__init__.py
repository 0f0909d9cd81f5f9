"""`mainthing`: the daily moves from a terminal, plus serving and running the worker.

Usage: mainthing [--user EMAIL] COMMAND ...  Read commands take --json.
The parser and `main()` live here; each area's commands live in their own module (ledger,
insights, routine, bookings, prospects, calls, data, accounts, serve) and share cli/common.py.
A command parses, calls one service or query, prints.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from mainthing.cli.calls import OUTCOMES
from mainthing.cli.common import CommandError, setup_django
from mainthing.cli.prospects import INCOME_KINDS, STAGES

__all__ = ["INCOME_KINDS", "STAGES", "CommandError", "build_parser", "main"]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with `only`, the parser of that one command (help and the docs use the
    whole one; building all 21 costs a daily command ~10 ms)."""
    parser = argparse.ArgumentParser(
        prog="mainthing",
        description="Mainthing: keep talking to prospects the main thing.",
    )
    parser.add_argument(
        "--user", metavar="EMAIL", help="act as this user (needed when there are several)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, func: str, help_text: str, *, json_flag: bool = False, more: str = ""):
        """A command; `more` goes on after `help_text` in its --help and docs/cli.md."""
        if only is not None and name != only:
            return None
        description = f"{help_text}. {more}" if more else help_text
        sub = commands.add_parser(name, help=help_text, description=description)
        sub.set_defaults(func=func, daily=name in DAILY_COMMANDS)
        if json_flag:
            sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
        return sub

    def add_group(name: str, help_text: str):
        """A command with actions (`prospects add`); with none it lists (see `main`)."""
        if only is not None and name != only:
            return None
        description = f"{help_text}. With no ACTION it lists: `mainthing {name} --json` is `list`."
        sub = commands.add_parser(name, help=help_text, description=description)
        return sub.add_subparsers(dest="action", metavar="ACTION", required=True)

    def add_to(group, name: str, func: str, help_text: str, *, json_flag: bool = True):
        sub = group.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(func=func, daily=False)
        if json_flag:
            sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
        return sub

    def add_paging(sub) -> None:
        """A list's paging: its --json says how many there are in all and where the next
        page starts (core/schemas.py `Page`)."""
        sub.add_argument(
            "--limit", type=int, default=50, metavar="N", help="at most N (default 50)"
        )
        sub.add_argument(
            "--offset", type=int, default=0, metavar="N", help="skip the first N (default 0)"
        )
        sub.add_argument("--all", action="store_true", help="all of them, whatever --limit says")

    if sub := add(
        "serve",
        "serve.serve",
        "serve the web app (gunicorn) and the task worker, restarting either if it dies",
    ):
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=None, help="default: MAINTHING_PORT or 8000")
        sub.add_argument("--workers", type=int, default=2)
    if sub := add("worker", "serve.worker", "run the background task worker (emails, imports)"):
        sub.add_argument("--interval", type=float, default=1.0, help="seconds between queue polls")
        sub.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        sub.add_argument("--worker-class", default="rq.Worker", help=argparse.SUPPRESS)
    if sub := add(
        "manage", "serve.manage", "run a Django management command (migrate, collectstatic, ...)"
    ):
        sub.add_argument("rest", nargs=argparse.REMAINDER)

    if sub := add(
        "createuser", "accounts.createuser", "create an account (password from a prompt or stdin)"
    ):
        sub.add_argument("email")
        sub.add_argument("--tz", help="IANA time zone (default: the machine's)")
        sub.add_argument("--name")
        sub.add_argument(
            "--password-stdin", action="store_true", help="read the password from stdin"
        )

    if sub := add(
        "start",
        "ledger.start",
        "start a timer on a category (stops the running one)",
        json_flag=True,
    ):
        sub.add_argument("category")
        sub.add_argument("--note")
        sub.add_argument(
            "--prospect",
            metavar="ID",
            help=(
                "the prospect the time is for: 12 or #12 (a name that fits one prospect works too)"
            ),
        )
        sub.add_argument(
            "--yes",
            action="store_true",
            help="start busy work in prospecting time without asking (recorded as an override)",
        )
    add("stop", "ledger.stop", "stop the running timer", json_flag=True)
    add(
        "status",
        "ledger.status",
        "the running timer, prospecting time and the IGA question",
        json_flag=True,
    )
    if sub := add(
        "log",
        "ledger.log",
        "log finished work, e.g. log 'Forum posts' 45m --at 09:00",
        json_flag=True,
    ):
        sub.add_argument("category")
        sub.add_argument("duration", help="45m, 1h30m, 1.5h, 1:30 or minutes")
        sub.add_argument(
            "--at", help="start: HH:MM today, 'YYYY-MM-DD HH:MM' or ISO 8601 (default: ends now)"
        )
        sub.add_argument("--note")
        sub.add_argument(
            "--allow-overlap", action="store_true", help="save even if it overlaps other entries"
        )
    add(
        "today",
        "ledger.today",
        "today's entries, IGA minutes against the goal and the tier split",
        json_flag=True,
    )
    if sub := add(
        "book",
        "bookings.book",
        "book a call with a prospect, e.g. book Ann '2026-12-01 19:00'",
        json_flag=True,
        more=(
            "PROSPECT is found the way the booking form finds one: by ID, by the whole name "
            "(any case or spacing), by email (any case) or by phone (any format). One prospect "
            "that fits is booked. When several fit, they are listed (ID, name, email or phone, "
            "stage) and nothing is booked (exit status 2): book one by its ID. When none "
            "fits, a new prospect of that name is added (source Unknown, stage booked) and a "
            "line on stderr says so; `--json` gives `prospect_created`. To book a second "
            "prospect with a name you already have, add them with `prospects add` and book "
            "their ID."
        ),
    ):
        sub.add_argument(
            "prospect",
            help="a prospect ID (12 or #12), a name, an email or a phone; one prospect that fits "
            "is booked, several are listed (nothing booked), none adds a new prospect",
        )
        sub.add_argument("when", help="HH:MM today, 'YYYY-MM-DD HH:MM' or ISO 8601")
        sub.add_argument("--minutes", type=int, default=30, help="15 to 120 (default 30)")
        sub.add_argument("--note")
        sub.add_argument(
            "--yes", action="store_true", help="book outside prospecting time without asking"
        )
    if sub := add(
        "next",
        "calls.next_",
        "who to call now, with their number, their local time and your script",
        json_flag=True,
        more=(
            "The call queue's order: a call booked now, follow-ups due, new leads never "
            "contacted (oldest first), then declined prospects due a re-ask on the affiliate "
            "path. Prospects dialled in this call session, skipped or put off until later today "
            "come later. `--json` prints the card, or null when nobody is due."
        ),
    ):
        sub.add_argument("--call", action="store_true", help="also start the call timer on them")
    if sub := add(
        "outcome",
        "calls.outcome",
        "record what came of a call, e.g. outcome 12 no-answer",
        json_flag=True,
        more=(
            "no-answer and message: a follow-up on the first prospecting day two or more days "
            "ahead; a dial, not a conversation (no time entry stays). talked: a conversation; "
            "new prospects become contacted unless --stage says otherwise, with --follow-up or "
            "--at for the next step. booked: the next call at --at, inside your prospecting "
            "blocks (without --at the free times are listed). declined: not interested; "
            "--affiliate offers the affiliate or product path."
        ),
    ):
        sub.add_argument("prospect", help="the prospect's ID (12 or #12) or whole name")
        sub.add_argument("outcome", choices=OUTCOMES)
        sub.add_argument("--note", help="what was said")
        sub.add_argument("--stage", choices=STAGES, metavar="STAGE", help="talked: their stage now")
        sub.add_argument(
            "--follow-up", metavar="DATE", help="talked: YYYY-MM-DD, today or tomorrow"
        )
        sub.add_argument(
            "--at", metavar="WHEN", help="booked/talked: the next call, 'YYYY-MM-DD HH:MM'"
        )
        sub.add_argument("--minutes", type=int, default=30, help="booked: length (default 30)")
        sub.add_argument(
            "--affiliate", action="store_true", help="declined: offer the affiliate path"
        )
    if group := add_group(
        "prospects",
        "add, list or show prospects, e.g. prospects add 'Ann Lee' --email ann@example.com",
    ):
        sub = add_to(group, "list", "prospects.prospects_list", "your prospects, newest first")
        sub.add_argument(
            "--due", action="store_true", help="follow-ups due today (passed ones roll to today)"
        )
        sub.add_argument("--stage", choices=STAGES, metavar="STAGE", help="only this stage")
        sub.add_argument("--source", metavar="KEY", help="only this lead source (its key)")
        sub.add_argument("--search", metavar="TEXT", help="name, email or phone")
        add_paging(sub)
        sub = add_to(group, "add", "prospects.prospects_add", "add a prospect")
        sub.add_argument("name", help="the prospect's name")
        sub.add_argument("--email", help="email address")
        sub.add_argument("--phone", help="phone; without a country code it is read in your region")
        sub.add_argument("--social", help="social handle")
        sub.add_argument("--source", metavar="KEY", help="the lead source's key (default: Unknown)")
        sub.add_argument("--tz", metavar="ZONE", help="the prospect's IANA time zone")
        sub.add_argument(
            "--stage",
            choices=STAGES,
            metavar="STAGE",
            help=f"the stage (default new), one of {', '.join(STAGES)}",
        )
        sub.add_argument(
            "--follow-up", metavar="DATE", help="next follow-up: YYYY-MM-DD, today, tomorrow"
        )
        sub.add_argument("--tags", help="comma-separated tags, e.g. warm,spouse")
        sub.add_argument("--note", help="notes about the prospect")
        sub.add_argument(
            "--allow-duplicate",
            action="store_true",
            help="add even when a prospect has the same email or phone",
        )
        sub = add_to(group, "show", "prospects.prospects_show", "a prospect's card and history")
        sub.add_argument("id", help="the prospect's ID: 12 or #12")

    if group := add_group(
        "sources", "list or add lead sources (a lead-gen category plus a campaign, with a link key)"
    ):
        sub = add_to(
            group, "list", "prospects.sources_list", "your lead sources with prospects and spend"
        )
        add_paging(sub)
        sub = add_to(group, "add", "prospects.sources_add", "add a lead source")
        sub.add_argument("category", help="a lead-gen category, e.g. 'Forum posts'")
        sub.add_argument("campaign", help="e.g. 'Signature on the MLM forum'")
        sub.add_argument(
            "--key", help="the ?src= key for booking links (default: made from the campaign)"
        )

    if group := add_group(
        "income", "record or list income, e.g. income add 150 --kind enrollment --prospect 12"
    ):
        sub = add_to(
            group,
            "list",
            "prospects.income_list",
            "income entries, newest first, with totals per kind and currency",
        )
        add_paging(sub)
        sub = add_to(group, "add", "prospects.income_add", "record income")
        sub.add_argument("amount", help="the amount, in your profile's currency")
        sub.add_argument("--kind", choices=INCOME_KINDS, default="other", help="default: other")
        sub.add_argument(
            "--currency", help="an ISO 4217 code such as USD (default: your profile's)"
        )
        sub.add_argument("--date", help="YYYY-MM-DD, today or tomorrow (default today)")
        sub.add_argument("--prospect", metavar="ID", help="the prospect it came from (12 or #12)")
        sub.add_argument("--note", help="what it was for")
    if sub := add(
        "agenda", "bookings.agenda", "blocks and appointments of the coming days", json_flag=True
    ):
        sub.add_argument(
            "--days", type=int, default=1, help="how many days, from today (default 1)"
        )
    if group := add_group("routine", "list, add, edit or remove weekly blocks"):
        add_paging(add_to(group, "list", "routine.routine_list", "your weekly blocks"))
        sub = add_to(group, "add", "routine.routine_add", "add a weekly block")
        sub.add_argument("tier", help="income, leadgen or other")
        sub.add_argument("spec", help='days and hours, e.g. "Mon-Sat 19:00-21:00"')
        sub.add_argument("--tz", help="IANA time zone of the block (default: yours)")
        sub.add_argument("--label")
        sub = add_to(group, "edit", "routine.routine_edit", "change a block in place")
        sub.add_argument("id", help="the block's ID (see routine list)")
        sub.add_argument("spec", nargs="?", help='new days and hours, e.g. "Mon-Fri 18:00-20:00"')
        sub.add_argument("--tier", help="income, leadgen or other")
        sub.add_argument("--tz", help="IANA time zone of the block")
        sub.add_argument("--label", help='a new label ("" clears it)')
        sub = add_to(group, "remove", "routine.routine_remove", "remove a block", json_flag=False)
        sub.add_argument("id", help="the block's ID (see routine list)")
        add_to(
            group,
            "template",
            "routine.routine_template",
            "add the starter routine's blocks",
            json_flag=False,
        )
    if sub := add(
        "report",
        "ledger.report",
        "time per tier and category (all time by default), or the weekly review",
        json_flag=True,
        more=(
            "--week prints the review of the last full week (Monday to Sunday, your zone) "
            "against the week before: a summary, IGA hours, conversations, fill rate, joins and "
            "income, the best and the worst lead source, IGA overrides and the coming week's "
            "prospecting blocks with how full they are. With --week, --json gives every figure "
            "and --csv one row per figure (figure,last_week,week_before,change)."
        ),
    ):
        sub.add_argument("--from", dest="from_", metavar="DATE", help="first day, YYYY-MM-DD")
        sub.add_argument("--to", metavar="DATE", help="last day, YYYY-MM-DD")
        sub.add_argument(
            "--week", action="store_true", help="the weekly review of the last full week"
        )
        sub.add_argument("--csv", action="store_true", help="print CSV")
    if sub := add(
        "insights",
        "insights.insights",
        "the scorecard: is your time turning into income? (this month by default)",
        json_flag=True,
        more=(
            "Headline figures (IGA time and conversations against your goals, the streak, "
            "fill rate past and ahead, show-ups, the call queue's rates, IGA overrides), then "
            "each table: days, tiers, fill, funnel, sources, categories, callbacks, income, "
            "income_kinds. --json gives every figure and table; --csv TABLE gives one table, "
            "headed by the column names --json uses."
        ),
    ):
        sub.add_argument(
            "--range",
            choices=["week", "last-week", "month", "quarter", "year"],
            help="this week, last week, this month (default), this quarter or this year",
        )
        sub.add_argument(
            "--from", dest="from_", metavar="DATE", help="first day of a custom range (with --to)"
        )
        sub.add_argument("--to", metavar="DATE", help="last day of a custom range (with --from)")
        sub.add_argument("--csv", metavar="TABLE", help="print that table as CSV, e.g. days")

    if sub := add(
        "import",
        "data.import_",
        "import leads (CSV) or activities (Mainthing CSV, Watson or Toggl)",
        json_flag=True,
    ):
        sub.add_argument("kind", choices=["activities", "leads"])
        sub.add_argument("file")
        sub.add_argument("--format", choices=["csv", "watson", "toggl"], default="csv")
        sub.add_argument(
            "--tier",
            choices=["income", "leadgen", "other"],
            help="tier for categories the file names that you don't have yet",
        )
        sub.add_argument("--mapping", help="CSV file of category,tier for new categories")
        sub.add_argument(
            "--source",
            metavar="KEY",
            help="leads: source of rows that name none (default: Unknown)",
        )
        sub.add_argument(
            "--map",
            metavar="'HEADER=FIELD,...'",
            help="leads: which column feeds which field, over the remembered or guessed mapping",
        )
        header = sub.add_mutually_exclusive_group()
        header.add_argument(
            "--header",
            dest="header",
            action="store_true",
            default=None,
            help="leads: the first row holds column names (default: worked out from the file)",
        )
        header.add_argument(
            "--no-header",
            dest="header",
            action="store_false",
            default=None,
            help="leads: the first row is data, like the rest",
        )
    if sub := add("export", "data.export", "write all of a user's data to a versioned JSON file"):
        sub.add_argument("file")
    if sub := add("restore", "data.restore", "load an export file into an empty account"):
        sub.add_argument("file")
    if sub := add(
        "backup", "data.backup", "write a consistent copy of the whole database into DIR"
    ):
        sub.add_argument("dir")
    if sub := add("demo", "data.demo", "create a demo account with realistic activity"):
        sub.add_argument("--email", default="demo@mainthing.local")
        sub.add_argument("--days", type=int, default=60)
        sub.add_argument(
            "--password", help="password for the demo account (default: none, CLI only)"
        )
    return parser


# Run many times a day, so they start fast: only their own parser, only the apps that hold
# models (common.py), no garbage collection (main). bench/cli_startup.py measures them.
DAILY_COMMANDS = {"start", "stop", "status", "log", "today", "report"}

# Commands with actions, and the action a bare `mainthing prospects --json` means.
DEFAULT_ACTIONS = {"prospects": "list", "sources": "list", "income": "list", "routine": "list"}


def _command_index(argv: list[str]) -> int:
    """Where the command's name is in ARGV (after the global options); len(argv) if nowhere."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] == "--user" else 1
    return i


def with_default_action(argv: list[str]) -> list[str]:
    """ARGV with `list` put in where a command with actions is given none, as it always took."""
    i = _command_index(argv)
    if i >= len(argv) or argv[i] not in DEFAULT_ACTIONS:
        return argv
    rest = argv[i + 1 :]
    if rest and (not rest[0].startswith("-") or rest[0] in {"-h", "--help"}):
        return argv
    return [*argv[: i + 1], DEFAULT_ACTIONS[argv[i]], *rest]


def main(argv: list[str] | None = None) -> int:
    # Setting up makes ~80k objects that live to the end and frees almost none, so collecting
    # meanwhile is wasted work (~20 ms of a 300 ms daily command). A daily command makes few
    # objects of its own and runs without the collector to its end; the others (imports, the
    # worker) get it back once Django is set up.
    gc.disable()
    args = None
    try:
        try:
            args = _parse_and_set_up(argv)
        except ImproperlyConfigured as error:  # a MAINTHING_* variable with a bad value
            print(f"mainthing: {error}", file=sys.stderr)
            return 2
        if not args.daily:
            gc.enable()
        return _run(args)
    finally:
        if argv is None and args is not None and args.daily:
            _leave_to_the_exit()
        gc.enable()


def _leave_to_the_exit() -> None:
    """Run as the program (not called from Python), a daily command ends here: the database is
    closed and the objects are frozen, so the exit doesn't spend ~20 ms collecting them."""
    from django.db import connections

    connections.close_all()
    gc.freeze()


def _run(args: argparse.Namespace) -> int:
    # Only the command's own module is imported (serve's subprocess machinery costs `status`).
    module, name = args.func.rsplit(".", 1)
    command = getattr(importlib.import_module(f"mainthing.cli.{module}"), name)
    try:
        return command(args) or 0
    except CommandError as error:
        print(f"mainthing: {error}", file=sys.stderr)
        return error.status
    except DatabaseError as error:
        hint = _database_hint(error)
        if hint is None:
            raise
        print(f"mainthing: {hint}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except OSError as error:  # a file named on the command line can't be read or written
        if error.strerror is None:
            raise
        where = f": {error.filename}" if error.filename else ""
        print(f"mainthing: {error.strerror}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _database_hint(error: DatabaseError) -> str | None:
    """One line for a database error that is the set-up's, not the program's: the database
    can't be reached, or it has no tables yet (never migrated). Worked out only once a command
    has failed, so a daily command pays nothing for it on its way to the database."""
    from django.db import OperationalError, connection

    text = str(error)
    if isinstance(error, OperationalError) and connection.connection is None:
        return f"Can't open the database: {text.strip().splitlines()[0]}"
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return _set_up_hint()
    return None


def _set_up_hint() -> str:
    from django.conf import settings
    from django.db import connection

    if Path(connection.settings_dict["NAME"]).parent == settings.DATA_DIR:
        where = f"The data directory {settings.DATA_DIR} is not set up"
    else:
        where = f"The database {connection.settings_dict['NAME']} is not set up"
    return f"{where}: run `mainthing manage migrate` (`mainthing serve` does it too)."


def _parse_and_set_up(argv: list[str] | None) -> argparse.Namespace:
    argv = with_default_action(sys.argv[1:] if argv is None else argv)
    i = _command_index(argv)
    name = argv[i] if i < len(argv) else None
    # A daily command needs only its own parser; help and every other command get the whole one.
    quick = name in DAILY_COMMANDS and not {"-h", "--help"} & set(argv)
    args = build_parser(only=name if quick else None).parse_args(argv)
    if not hasattr(args, "json"):
        args.json = False
    setup_django(models_only=args.daily)
    return args
