"""What every command module shares: the acting user, the CLI's lookups, errors, JSON printing,
the console and the dates typed on the command line.

Nothing here imports Django or an app at module level: `mainthing status` pays only for what it
uses (docs in bench/README.md, "CLI start-up").
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date, timedelta


class CommandError(Exception):
    """A message for the user; the CLI prints it and exits with `status`: 1 when the command
    can't be done, 2 when what was typed can't be used (as argparse does for usage errors)."""

    def __init__(self, message: str, *, status: int = 1):
        super().__init__(message)
        self.status = status


def bad_input(error) -> CommandError:
    """A service's ValidationError as a usage error (exit status 2)."""
    return CommandError(" ".join(error.messages), status=2)


# The apps the daily commands need: the models and what they stand on. Pages, sessions, static
# files, CSP and the task queue are left out, which takes ~100 ms off each run (a third of
# Django's own start-up; bench/cli_startup.py). None of these commands enqueues a task or
# renders a page; tests/cli/test_startup.py runs them as real processes in this mode.
MODEL_APPS = ("django.contrib.auth", "django.contrib.contenttypes")


def setup_django(*, models_only: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mainthing.settings")
    import django

    if models_only:
        from django.conf import settings

        settings.INSTALLED_APPS = [
            app
            for app in settings.INSTALLED_APPS
            if app in MODEL_APPS or app.startswith("mainthing.")
        ]
    django.setup()


def rich_console():
    from rich.console import Console

    return Console(highlight=False)


def print_table(headers: list[str], rows: list[list[str] | None], *, title: str = "") -> None:
    """A table drawn as rich draws one (heavy head, light body; None in `rows` draws a section
    line), without importing rich: the daily commands print tables and rich takes ~60 ms to
    import. Wide characters (CJK, most emoji) count as two columns, combining marks as none."""
    widths = _widths(headers, rows)

    def line(left: str, fill: str, joint: str, right: str) -> str:
        return left + joint.join(fill * (w + 2) for w in widths) + right

    def cells(bar: str, values: list[str]) -> str:
        padded = (f" {v}{' ' * (w - _cells(v))} " for v, w in zip(values, widths, strict=True))
        return bar + bar.join(padded) + bar

    out = [line("┏", "━", "┳", "┓"), cells("┃", headers), line("┡", "━", "╇", "┩")]
    out += [cells("│", row) if row is not None else line("├", "─", "┼", "┤") for row in rows]
    out.append(line("└", "─", "┴", "┘"))
    if title:
        width = _cells(out[0])
        left = (width - _cells(title)) // 2  # the odd space goes right, as rich puts it
        out.insert(0, f"{' ' * left}{title}{' ' * (width - left - _cells(title))}")
    print("\n".join(out))


def table_width(headers: list[str], rows: list[list[str] | None]) -> int:
    """How many terminal columns print_table takes for this table."""
    return sum(w + 3 for w in _widths(headers, rows)) + 1


def _widths(headers: list[str], rows: list[list[str] | None]) -> list[int]:
    widths = [_cells(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row or ()):
            widths[i] = max(widths[i], _cells(cell))
    return widths


def _cells(text: str) -> int:
    """How many terminal columns TEXT takes."""
    from unicodedata import combining, east_asian_width

    return sum(0 if combining(c) else 2 if east_asian_width(c) in "WF" else 1 for c in text)


def print_json(data) -> None:
    """`data` as indented JSON: a schema (or a list of them) is dumped through its own shape."""
    print(json.dumps(data, indent=2, default=_jsonable))


def _jsonable(value):
    if hasattr(value, "model_dump"):  # a ninja/pydantic Schema
        return value.model_dump(mode="json")
    return str(value)


def paged(args, rows) -> tuple[list, dict]:
    """The page of ROWS (a queryset or a list) that --offset, --limit and --all ask for, and the
    fields of its JSON shape (core/schemas.py `Page`): total, offset, limit, next_offset."""
    if args.limit < 1:
        raise CommandError("--limit must be 1 or more.", status=2)
    if args.offset < 0:
        raise CommandError("--offset must be 0 or more.", status=2)
    total = len(rows) if isinstance(rows, list) else rows.count()
    limit = None if args.all else args.limit
    end = total if limit is None else args.offset + limit
    items = list(rows[args.offset : end]) if args.offset < total else []
    shown_to = args.offset + len(items)
    next_offset = shown_to if shown_to < total else None
    return items, {
        "total": total,
        "offset": args.offset,
        "limit": limit,
        "next_offset": next_offset,
    }


def print_more(page: dict) -> None:
    """Under a table that shows part of the list: which part, and how to see the rest."""
    if page["next_offset"] is None and page["offset"] == 0:
        return
    if page["offset"] >= page["total"]:
        print(f"Nothing from --offset {page['offset']} on: there are {page['total']}.")
        return
    first, last = page["offset"] + 1, page["next_offset"] or page["total"]
    more = f" Next: --offset {page['next_offset']}, or --all." if page["next_offset"] else ""
    print(f"Showing {first}-{last} of {page['total']}.{more}")


def utc_now():
    from django.utils import timezone

    return timezone.now()


def ask(question: str) -> str:
    """An answer typed at the terminal, lower-cased and stripped."""
    return input(question).strip().lower()


def interactive() -> bool:
    return sys.stdin.isatty()


# --- the acting user and the CLI's lookups --------------------------------------------------------


def acting_user(args):
    """The acting user: --user EMAIL, or the only user there is."""
    from mainthing.accounts.models import User

    if args.user:
        user = User.objects.filter(email__iexact=args.user).first()
        if user is None:
            raise CommandError(f"No user with email {args.user}.")
        return user
    users = list(User.objects.order_by("pk")[:2])
    if not users:
        raise CommandError("There is no account yet. Create one: mainthing createuser EMAIL")
    if len(users) > 1:
        raise CommandError("There are several users; say which with --user EMAIL.")
    return users[0]


def category_by_name(user, name: str):
    """The user's category with this name (any case), or the one active category it begins."""
    from mainthing.activity.models import Category

    matches = list(Category.objects.filter(user=user, name__iexact=name.strip()))
    if not matches:
        matches = list(
            Category.objects.filter(user=user, name__istartswith=name.strip(), archived=False)
        )
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(
        c.name
        for c in Category.objects.filter(user=user, archived=False).order_by("tier", "position")
    )
    if matches:
        raise CommandError(f"{name!r} matches several categories; be exact. Yours: {names}")
    raise CommandError(f"No category called {name!r}. Yours: {names}")


def prospect_id(text: str) -> int | None:
    """12 or #12 as 12; anything else (a name) as None."""
    digits = text.strip().removeprefix("#")
    return int(digits) if digits.isdigit() else None


def prospect_by_id(user, text: str):
    """The user's prospect with the id typed as 12 or #12, through the lookup the views use."""
    from django.http import Http404

    from mainthing.prospects.queries import prospect_for_user

    pk = prospect_id(text or "")
    if pk is None:
        raise CommandError(f"{text!r} is not a prospect ID; write it like 12 or #12.", status=2)
    try:
        return prospect_for_user(user, pk)
    except Http404:
        raise CommandError(f"You have no prospect #{pk}; see mainthing prospects list.") from None


def prospect_by_name(user, text: str):
    """The prospect with this id (12, #12) or, failing that, the one prospect with exactly
    this name (any case). None when no single prospect has the name; the list of namesakes
    lets the caller say why."""
    from mainthing.prospects.models import Prospect

    if prospect_id(text) is not None:
        return prospect_by_id(user, text), []
    matches = list(
        Prospect.objects.filter(user=user, name__iexact=" ".join(text.split())).order_by("pk")[:5]
    )
    return (matches[0], []) if len(matches) == 1 else (None, matches)


def source_by_key(user, key: str):
    from mainthing.prospects.models import LeadSource

    source = (
        LeadSource.objects.select_related("category").filter(user=user, key__iexact=key).first()
    )
    if source is None:
        keys = ", ".join(
            LeadSource.objects.filter(user=user, archived=False).values_list("key", flat=True)
        )
        raise CommandError(
            f"No lead source with the key {key!r}. Yours: {keys or 'none yet'} "
            "(mainthing sources list).",
            status=2,
        )
    return source


# --- dates and amounts typed or shown -------------------------------------------------------------


def local_today(user) -> date:
    from mainthing.routine.services import now_local_date

    return now_local_date(user, utc_now())


def date_arg(text: str, flag: str, *, today: date) -> date:
    """A date typed on the command line: YYYY-MM-DD, today or tomorrow."""
    words = {"today": today, "tomorrow": today + timedelta(days=1)}
    if text.strip().lower() in words:
        return words[text.strip().lower()]
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"{flag} {text!r} is not a date; write YYYY-MM-DD, today or tomorrow.", status=2
        ) from None
    return _in_range(day, flag)


def parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date; write YYYY-MM-DD.") from None
    return _in_range(day, "")


def _in_range(day: date, flag: str) -> date:
    """`day` when the product handles it (core.timekit's range), else a usage error."""
    from mainthing.core import timekit

    try:
        return timekit.check_day(day)
    except ValueError as error:
        raise CommandError(f"{flag} {error}".strip(), status=2) from None


def money(amount) -> str:
    return f"{amount:,.2f}"
