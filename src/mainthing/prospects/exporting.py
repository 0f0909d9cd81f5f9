"""Prospects as CSV, safe to open in a spreadsheet.

Every cell goes through the product's one csv writer, `core/csvsafe.py`, which puts a quote in
front of any cell a spreadsheet could run as a formula (its docstring lists the rules). Phone
numbers are E.164 (`+1…`), so they come out as `'+1…`: a spreadsheet would otherwise read them
as a number and drop the plus. The file starts with a UTF-8 byte-order mark so that Excel reads
names with accents right.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from mainthing.core import csvsafe
from mainthing.core.csvsafe import BOM

from .models import Prospect

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


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).isoformat(timespec="minutes") if moment else ""


def row(prospect: Prospect, *, tz: ZoneInfo) -> list[str]:
    """One prospect's cells, in COLUMNS order (the writer neutralizes them). The source must be
    loaded with its category (select_related) or this costs a query per row."""
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
    return list(values)


class _Echo:
    """A file-like object whose write() hands the line back, for streaming the csv writer."""

    def write(self, value: str) -> str:
        return value


def stream(prospects: Iterable[Prospect], *, tz: ZoneInfo) -> Iterator[str]:
    """The CSV text, line by line: a byte-order mark, the header, then one line per prospect.
    Nothing is held in memory but one line, so a list of any length streams."""
    writer = csvsafe.writer(_Echo())
    yield BOM + writer.writerow(COLUMNS)
    for prospect in prospects:
        yield writer.writerow(row(prospect, tz=tz))
