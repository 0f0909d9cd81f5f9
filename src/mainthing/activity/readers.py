"""Reading files of time entries, row by row: Mainthing CSV, Watson frames and Toggl Track
CSV, each turned into checked `Row`s (UTC instants, a category, a note) or `RowError`s, and
the fingerprint (`import_key`) that makes importing a file twice add nothing. Pure reading: no
database; `importing` checks and writes what these yield.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from mainthing.core import jsonstream, timekit
from mainthing.core.enums import Tier
from mainthing.core.importing import FileProblem, Source

from .models import LONG_ENTRY_SECONDS

FORMATS = ("csv", "watson", "toggl")
NO_PROJECT = "(no project)"
NOTE_LENGTH = 500
CATEGORY_LENGTH = 60
# Tier.values builds a new list on every access: too slow for a per-row check.
TIERS = frozenset(Tier.values)


class _BadValue(Exception):
    """One value of one row is wrong; the message goes into the row's error."""


@dataclass(slots=True)
class Row:
    number: int
    start: datetime  # UTC
    end: datetime  # UTC
    category: str  # as the file spells it, whitespace tidied
    tier: str | None  # only Mainthing CSV names tiers
    note: str


@dataclass(slots=True)
class RowError:
    number: int | None  # None: the file as a whole
    message: str


# --- reading files -------------------------------------------------------------------------------


def _clean_category(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise _BadValue("The category is empty.")
    if len(name) > CATEGORY_LENGTH:
        raise _BadValue(f"The category {name[:40]!r}… is longer than {CATEGORY_LENGTH} characters.")
    return name


def _clean_tier(raw: str) -> str | None:
    tier = raw.strip().lower()
    if not tier:
        return None
    if tier not in TIERS:
        raise _BadValue(f"The tier {raw.strip()!r} is not one of {', '.join(Tier.values)}.")
    return tier


def _clean_note(raw: str) -> str:
    return raw.strip()[:NOTE_LENGTH]


def _check_span(start: datetime, end: datetime, latest: datetime) -> None:
    if end <= start:
        raise _BadValue("The end is not after the start.")
    if (end - start).total_seconds() > LONG_ENTRY_SECONDS:
        raise _BadValue("The entry is longer than 24 hours.")
    if end > latest:
        raise _BadValue("The entry ends in the future.")


def _iso_instant(raw: str, label: str) -> datetime:
    text = raw.strip()
    if not text:
        raise _BadValue(f"The {label} is empty.")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _BadValue(
            f"The {label} {text!r} is not an ISO 8601 time like 2026-03-01T09:00:00+01:00."
        ) from None
    if parsed.tzinfo is None:
        raise _BadValue(
            f"The {label} {text!r} has no UTC offset; write it like 2026-03-01T09:00:00+01:00."
        )
    try:
        timekit.check_day(parsed)
    except ValueError as error:
        raise _BadValue(f"The {label}: {error}") from None
    return parsed.astimezone(UTC)


def _format_hint(first_line: str) -> str:
    """A pointer to the right format when a file is plainly another one."""
    lowered = first_line.lower()
    if lowered.lstrip().startswith(("[", "{")):
        return " It looks like JSON: a Watson frames file is imported with the Watson format."
    if "start date" in lowered and "project" in lowered:
        return " It looks like a Toggl Track export: import it with the Toggl format."
    if "start" in lowered and "category" in lowered:
        return " It looks like a Mainthing CSV: import it with the Mainthing CSV format."
    return ""


def _header(reader) -> tuple[list[str], str]:
    """The header's names, lower-cased, and the line as written (for messages)."""
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem("The file is empty.") from None
    except csv.Error as error:
        raise FileProblem(f"The first line is not CSV: {error}.") from None
    written = ",".join(header)
    shown = written if len(written) <= 80 else written[:80] + "…"
    return [name.strip().lower() for name in header], shown


def _csv_rows(reader) -> Iterator[tuple[int, list[str] | str]]:
    """(row number, fields) with the header as row 1, as a spreadsheet counts; blank lines are
    skipped. A CSV syntax error becomes the row's message instead of fields."""
    number = 1
    while True:
        number += 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield number, f"This row is not valid CSV: {error}."
            continue
        if not record or (len(record) == 1 and not record[0].strip()):
            continue
        yield number, record


def _mainthing_rows(text: IO[str], tz: ZoneInfo, latest: datetime) -> Iterator[Row | RowError]:
    """Mainthing's own CSV. The hot path of a million-row import, so it is one flat loop: the
    common row takes the quick checks, anything odd goes through the helpers that explain it."""
    reader = csv.reader(text)
    header, written = _header(reader)
    if not {"start", "end", "category"} <= set(header):
        raise FileProblem(
            "This is not a Mainthing CSV: its first line must be the header "
            f"start,end,category,tier,note (it is {written!r})." + _format_hint(written)
        )
    width = len(header)
    i_start, i_end, i_category = (
        header.index("start"),
        header.index("end"),
        header.index("category"),
    )
    i_tier = header.index("tier") if "tier" in header else None
    i_note = header.index("note") if "note" in header else None
    categories: dict[str, str] = {}  # as written -> tidied; a file has few distinct names
    tiers: dict[str, str | None] = {"": None, **{tier: tier for tier in TIERS}}
    parse = datetime.fromisoformat
    longest = timedelta(seconds=LONG_ENTRY_SECONDS)
    number = 1
    while True:
        try:
            for record in reader:
                number += 1
                if len(record) != width:
                    if not record or (len(record) == 1 and not record[0].strip()):
                        continue
                    yield RowError(
                        number, f"The row has {len(record)} columns; the header has {width}."
                    )
                    continue
                try:
                    raw_start, raw_end = record[i_start], record[i_end]
                    try:
                        start, end = parse(raw_start), parse(raw_end)
                        if start.tzinfo is None or end.tzinfo is None:
                            raise ValueError
                        # Out of range (it would overflow in UTC): the slow path says so.
                        timekit.check_day(start), timekit.check_day(end)
                        start, end = start.astimezone(UTC), end.astimezone(UTC)
                    except ValueError:
                        start = _iso_instant(raw_start, "start")
                        end = _iso_instant(raw_end, "end")
                    if end <= start or end - start > longest or end > latest:
                        _check_span(start, end, latest)
                    raw = record[i_category]
                    category = categories.get(raw)
                    if category is None:
                        category = _clean_category(raw)
                        if len(categories) < 10_000:
                            categories[raw] = category
                    tier = None
                    if i_tier is not None:
                        raw = record[i_tier]
                        tier = tiers[raw] if raw in tiers else _clean_tier(raw)
                    note = record[i_note].strip()[:NOTE_LENGTH] if i_note is not None else ""
                except _BadValue as error:
                    yield RowError(number, str(error))
                    continue
                yield Row(number, start, end, category, tier, note)
            return
        except csv.Error as error:
            # The reader carries on with the next line after a malformed one.
            number += 1
            yield RowError(number, f"This row is not valid CSV: {error}.")


def _toggl_instants(day_text: str, clock_text: str, tz: ZoneInfo, label: str) -> list[datetime]:
    """The UTC instants a Toggl wall-clock date and time can mean in `tz`: none in a DST gap,
    two in a repeated hour, else one."""
    try:
        day = date.fromisoformat(day_text.strip())
    except ValueError:
        raise _BadValue(
            f"The {label} date {day_text.strip()!r} is not a date like 2026-03-01."
        ) from None
    try:
        clock = time.fromisoformat(clock_text.strip())
    except ValueError:
        raise _BadValue(
            f"The {label} time {clock_text.strip()!r} is not a time like 09:30:00."
        ) from None
    try:
        timekit.check_day(day)
    except ValueError as error:
        raise _BadValue(f"The {label} date: {error}") from None
    naive = datetime.combine(day, clock)
    found = timekit.wall_instants(naive, tz)
    if not found:
        raise _BadValue(
            f"The {label} {naive:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks skip it "
            "for daylight saving time."
        )
    return found


_TOGGL_DURATION = re.compile(r"^\s*(\d+):([0-5]\d):([0-5]\d)\s*$")


def _toggl_span(
    start_options: list[datetime], end_options: list[datetime], duration: str
) -> tuple[datetime, datetime]:
    """Picks the reading of the wall-clock times that agrees with Toggl's Duration (only a
    repeated DST hour gives a choice); without a duration, the earliest one that ends after it
    starts."""
    pairs = [(s, e) for s in start_options for e in end_options]
    match = _TOGGL_DURATION.match(duration or "")
    if match and len(pairs) > 1:
        seconds = int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])
        pairs.sort(key=lambda p: abs((p[1] - p[0]).total_seconds() - seconds))
        return pairs[0]
    for start, end in pairs:
        if end > start:
            return start, end
    return pairs[0]


def _toggl_rows(text: IO[str], tz: ZoneInfo, latest: datetime) -> Iterator[Row | RowError]:
    reader = csv.reader(text)
    header, written = _header(reader)
    columns = {name: index for index, name in enumerate(header)}
    # Toggl has called the end both "End" and "Stop" over the years.
    end_date = "stop date" if "stop date" in columns else "end date"
    end_time = "stop time" if "stop time" in columns else "end time"
    needed = ["project", "start date", "start time", end_date, end_time]
    missing = [name.capitalize() for name in needed if name not in columns]
    if missing:
        raise FileProblem(
            "This is not a Toggl Track detailed CSV export: it has no "
            + " or ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
            + f" column (its first line is {written!r})."
            + _format_hint(written)
        )
    width = len(header)
    i_description = columns.get("description")
    i_duration = columns.get("duration")
    i_tags = columns.get("tags")
    for number, record in _csv_rows(reader):
        if isinstance(record, str):
            yield RowError(number, record)
            continue
        if len(record) != width:
            yield RowError(number, f"The row has {len(record)} columns; the header has {width}.")
            continue
        try:
            start, end = _toggl_span(
                _toggl_instants(
                    record[columns["start date"]], record[columns["start time"]], tz, "start"
                ),
                _toggl_instants(record[columns[end_date]], record[columns[end_time]], tz, "end"),
                record[i_duration] if i_duration is not None else "",
            )
            _check_span(start, end, latest)
            project = record[columns["project"]]
            description = record[i_description].strip() if i_description is not None else ""
            tags = record[i_tags].strip() if i_tags is not None else ""
            note = f"{description} ({tags})" if description and tags else description or tags
            row = Row(
                number,
                start,
                end,
                _clean_category(project) if project.strip() else NO_PROJECT,
                None,
                _clean_note(note),
            )
        except _BadValue as error:
            yield RowError(number, str(error))
            continue
        yield row


def _watson_items(data: IO[bytes]) -> Iterator[Any]:
    """The frames of a Watson file one at a time (`core.jsonstream`), so a big file is never
    loaded whole."""
    head = data.peek(80)[:80].removeprefix(codecs.BOM_UTF8)
    if not head.lstrip().startswith(b"["):
        first_line = head.decode("utf-8", "replace").lstrip().split("\n", 1)[0]
        raise FileProblem(
            "This is not a Watson frames file: it must be a JSON list of frames."
            + _format_hint(first_line)
        )
    if data.peek(3)[:3] == codecs.BOM_UTF8:
        data.read(3)
    index = 0
    try:
        for index, item in enumerate(jsonstream.array_items(data), start=1):  # noqa: B007
            yield item
    except jsonstream.BrokenJson as error:
        raise FileProblem(f"The JSON is broken at frame {index + 1}: {error}.") from None


def _timestamp(value: Any, label: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _BadValue(f"The {label} {value!r} is not a Unix timestamp.")
    try:
        return timekit.check_day(datetime.fromtimestamp(value, UTC))
    except (OverflowError, OSError, ValueError):
        raise _BadValue(f"The {label} {value!r} is out of range.") from None


def _watson_tags(tags: Any) -> str:
    if tags in (None, ""):
        return ""
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _BadValue("The tags must be a list of words.")
    return ", ".join(t.strip() for t in tags if t.strip())


def _watson_frame(item: Any) -> tuple[datetime, datetime, str, str]:
    """start, end, project, note of a frame: `[start, stop, project, id, tags, updated_at]` as
    in Watson's `frames` file, or an object as `watson log --json` prints it."""
    if isinstance(item, list):
        if len(item) < 3:
            raise _BadValue("A frame needs at least a start, a stop and a project.")
        start = _timestamp(item[0], "start")
        end = _timestamp(item[1], "stop")
        project, tags = item[2], item[4] if len(item) > 4 else []
    elif isinstance(item, dict) and {"start", "stop", "project"} <= item.keys():
        if not isinstance(item["start"], str) or not isinstance(item["stop"], str):
            raise _BadValue("The start and stop must be ISO 8601 times.")
        start = _iso_instant(item["start"], "start")
        end = _iso_instant(item["stop"], "stop")
        project, tags = item["project"], item.get("tags", [])
    else:
        raise _BadValue("A frame must be a list [start, stop, project, id, tags, updated_at].")
    if not isinstance(project, str):
        raise _BadValue(f"The project {project!r} is not text.")
    return start, end, project, _watson_tags(tags)


def _watson_rows(data: IO[bytes], tz: ZoneInfo, latest: datetime) -> Iterator[Row | RowError]:
    for number, item in enumerate(_watson_items(data), start=1):
        try:
            start, end, project, note = _watson_frame(item)
            _check_span(start, end, latest)
            row = Row(number, start, end, _clean_category(project), None, _clean_note(note))
        except _BadValue as error:
            yield RowError(number, str(error))
            continue
        yield row


_READERS = {"csv": _mainthing_rows, "watson": _watson_rows, "toggl": _toggl_rows}


def read_rows(source: Source, fmt: str, tz: ZoneInfo, now: datetime) -> Iterator[Row | RowError]:
    """The file's rows, each a Row or a RowError. Reading raises FileProblem when the file
    can't be read and UnicodeDecodeError when it stops being UTF-8 (see `not_utf8`)."""
    if fmt not in _READERS:
        raise ValueError(f"Unknown import format {fmt!r}; use one of {', '.join(FORMATS)}.")
    # "Now" counts up to the end of the current minute, as for manual entries.
    latest = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    # Watson's JSON is read as bytes (by yajl); the CSV formats as text.
    return _READERS[fmt](source.text.buffer if fmt == "watson" else source.text, tz, latest)


def not_utf8(after_row: int) -> FileProblem:
    return FileProblem(
        f"The file stops being UTF-8 text after row {after_row}; save it as UTF-8 and import it "
        "again."
    )


# --- fingerprints --------------------------------------------------------------------------------


def utc_text(instant: datetime) -> str:
    """An instant as UTC 'YYYY-MM-DD HH:MM:SS[.ffffff]': what SQLite stores, and what the
    fingerprint hashes."""
    return str(instant.astimezone(UTC).replace(tzinfo=None))


def import_key(start: datetime, end: datetime, category: str, note: str) -> str:
    """The fingerprint of an imported entry: SHA-1 (hex) of its UTC start and end, its
    lower-cased category name and its note, joined by the unit separator. The same entry in
    any later file gives the same key."""
    canonical = f"{utc_text(start)}\x1f{utc_text(end)}\x1f{category.lower()}\x1f{note}"
    return hashlib.sha1(canonical.encode()).hexdigest()


EPOCH_DAY = date(1970, 1, 1)


@functools.cache
def _clock_texts() -> tuple[str, ...]:
    return tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400))


class UtcTexts:
    """`utc_text` and the Unix times of an entry's whole-second start and end, from cached
    day and clock strings: formatting datetimes costs more than anything else a row needs."""

    def __init__(self):
        self.days: dict[int, str] = {}
        self.clock = _clock_texts()

    def _day(self, day: int) -> str:
        text = (EPOCH_DAY + timedelta(days=day)).isoformat()
        if len(self.days) < 100_000:
            self.days[day] = text
        return text

    def pair(self, start: datetime, end: datetime) -> tuple[str, str, int | None, int | None]:
        """Start text, end text, start and end Unix times (None when not whole seconds)."""
        if start.microsecond or end.microsecond:
            return utc_text(start), utc_text(end), None, None
        start_ts, end_ts = int(start.timestamp()), int(end.timestamp())
        start_day, start_second = divmod(start_ts, 86400)
        end_day, end_second = divmod(end_ts, 86400)
        start_date = self.days.get(start_day) or self._day(start_day)
        end_date = self.days.get(end_day) or self._day(end_day)
        clock = self.clock
        return (
            f"{start_date} {clock[start_second]}",
            f"{end_date} {clock[end_second]}",
            start_ts,
            end_ts,
        )
