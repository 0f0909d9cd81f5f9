"""Prospects as CSV, safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and some strip a
leading tab or carriage return first), so a prospect named `=HYPERLINK(…)` could run code on
the user's machine. Every cell is passed through `neutralize`, which puts a single quote in
front of a cell that

- starts with `=`, `+`, `-`, `@`, a tab or a carriage return, or any other control character
  (Unicode category Cc) or invisible format character (Cf, e.g. a byte-order mark or a
  zero-width space), which some programs skip before reading the cell; or
- starts with whitespace followed by one of `= + - @`, since some programs trim leading
  spaces before deciding whether a cell is a formula; or
- starts with quotes that `restore` would otherwise take for our marker (so `restore` is the
  exact inverse of `neutralize`: an import of our own file gets the original text back).

The quote shows in the spreadsheet; it is the price of never running a formula. Phone numbers
are E.164 (`+1…`), so they come out as `'+1…`: a spreadsheet would otherwise read them as a
number and drop the plus. The file starts with a UTF-8 byte-order mark so that Excel reads
names with accents right.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from .models import Prospect

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
MARK = "'"
BOM = "\ufeff"
COLUMNS = (
    "name",
    "email",
    "phone",
    "social",
    "time_zone",
    "source",
    "source_key",
    "stage",
    "follow_up_on",
    "tags",
    "notes",
    "created_at",
    "last_contacted_at",
)


def _is_trigger(text: str) -> bool:
    """Whether a spreadsheet could read this text (with no marker before it) as a formula."""
    if not text:
        return False
    first = text[0]
    if first in FORMULA_TRIGGERS or unicodedata.category(first) in ("Cc", "Cf"):
        return True
    rest = text.lstrip()
    return bool(rest) and rest[0] in FORMULA_TRIGGERS


def _needs_mark(text: str) -> bool:
    # Quotes in front of a trigger are marked too: restore() strips exactly one.
    return _is_trigger(text.lstrip(MARK))


def neutralize(value: object) -> str:
    """The cell text for a value: `'` in front when a spreadsheet could run it (see above)."""
    text = "" if value is None else str(value)
    return MARK + text if _needs_mark(text) else text


def restore(cell: str) -> str:
    """The original text of a cell written by `neutralize` (its inverse)."""
    if cell.startswith(MARK) and _needs_mark(cell[1:]):
        return cell[1:]
    return cell


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat(timespec="minutes") if moment else ""


def row(prospect: Prospect, *, tz: ZoneInfo) -> list[str]:
    """One prospect's cells, in COLUMNS order, neutralized. The source must be loaded with
    its category (select_related) or this costs a query per row."""
    values = (
        prospect.name,
        prospect.email,
        prospect.phone,
        prospect.social,
        prospect.time_zone,
        prospect.source.label,
        prospect.source.key,
        prospect.stage,
        prospect.follow_up_on.isoformat() if prospect.follow_up_on else "",
        ", ".join(prospect.tag_list),
        prospect.notes,
        _local(prospect.created_at, tz),
        _local(prospect.last_contacted_at, tz),
    )
    return [neutralize(v) for v in values]


class _Echo:
    """A file-like object whose write() hands the line back, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


def stream(prospects: Iterable[Prospect], *, tz: ZoneInfo) -> Iterator[str]:
    """The CSV text, line by line: a byte-order mark, the header, then one line per prospect.
    Nothing is held in memory but one line, so a list of any length streams."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(COLUMNS)
    for prospect in prospects:
        yield writer.writerow(row(prospect, tz=tz))
