"""Importing leads from CSV files: `mainthing import leads FILE` and the web import page.

A file goes through four steps:

1. `read_layout` works out how to read it: the encoding (UTF-8, with or without a byte-order
   mark, else Windows-1252; anything else is refused), the delimiter (comma, semicolon or tab,
   from the first lines) and whether the first row is a header (a first row with an email
   address, a phone number, a date or a plain number in it is data), unless the user said
   whether it is (`has_header`: `--header`/`--no-header`, the box on the mapping step).
2. A column mapping says which column feeds which prospect field. `suggest_mapping` offers the
   one the user chose last time for the same headers (`ColumnMapping`), else a guess from the
   header names (or, without a header, from what the first rows hold).
3. `validate_file` reads every row, checks it (names, emails, phones for the user's region,
   time zones, sources, stages, follow-up dates, tags) and counts what an import would do:
   new prospects, prospects the user already has (same email, same phone or same row
   fingerprint), rows repeating an earlier row of the file. It writes nothing.
4. `apply_file` reads the file again and writes the new prospects, with their "added" history
   events, in chunks inside one transaction: all of them or none.

The file is never held in memory: each pass streams it. The web page runs steps 3 and 4 as
background jobs (`validate_job`, `apply_job`); the command line runs them in place
(`run_cli_import`). The generic parts (the file-problem exception, the open file that counts
the bytes read for the progress figures, the garbage-collector pause, storing uploads, the job
plumbing around both passes, the command line's progress bar and messages, limits) are the
activity importer's.

Every imported prospect carries a fingerprint (`Prospect.import_key`): SHA-1 of its name
(case-folded), normalised email, E.164 phone and social handle. A row whose email, phone or
fingerprint the user already has is skipped, so importing the same file twice adds nothing,
even for rows with neither email nor phone.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import logging
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from mainthing.accounts.models import User
from mainthing.activity.importing import (
    print_errors,
    progress_bar,
    say,
    with_progress,
)
from mainthing.core.bulk import BulkInsert
from mainthing.core.importing import (
    CHUNK_SIZE,
    BaseValidation,
    BatchWriter,
    ErrorList,
    FileProblem,
    Progress,
    Source,
    beat_job,
    claim_for_retry,
    discard,
    expire_jobs,
    fail_dead_jobs,
    fail_job,
    job_hooks,
    no_gc_pauses,
    open_batch,
    publish,
    run_apply,
    run_check,
    store_upload,
)
from mainthing.core.models import ImportBatch

from . import services
from .models import CLOSED_STAGES, ColumnMapping, Event, LeadImport, LeadSource, Prospect, Stage

logger = logging.getLogger(__name__)

# The statuses in which a lead import waits on the user with its file kept (an "invalid" one,
# so the columns can be changed); never a running one.
WAITING = (LeadImport.Status.MAPPING, LeadImport.Status.INVALID, LeadImport.Status.READY)

# The prospect fields a column can feed, in the order the mapping step lists them.
FIELDS: dict[str, str] = {
    "name": "Name",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "social": "Social handle",
    "time_zone": "Time zone",
    "source": "Lead source",
    "stage": "Stage",
    "follow_up_on": "Follow-up date",
    "tags": "Tags",
    "notes": "Notes",
}
# Fields several columns may feed: their values are joined. Every other field takes one column.
JOINED_FIELDS = frozenset({"tags", "notes"})
# A row needs one of these to be somebody.
IDENTITY_FIELDS = ("name", "first_name", "last_name", "email", "phone", "social")
PREVIEW_ROWS = 5
MAX_COLUMNS = 200
NOTES_LENGTH = 10_000
TAGS_LENGTH = 500  # Prospect.tags
ENCODING_LABELS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with a byte-order mark",
    "cp1252": "Windows-1252",
}
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}

_SNIFF_BYTES = 8192
_SAMPLE_BYTES = 64 * 1024
_SAMPLE_RECORDS = 50
_READ_SIZE = 1 << 20

# Header names (normalised: lower case, words separated by one space) and the field they feed.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "name", "full name", "fullname", "contact", "contact name", "prospect", "prospect name",
        "lead", "lead name", "display name", "person",
    ),
    "first_name": ("first name", "firstname", "first", "given name", "forename"),
    "last_name": ("last name", "lastname", "last", "surname", "family name"),
    "email": (
        "email", "e mail", "email address", "e mail address", "emailaddress", "mail",
    ),
    "phone": (
        "phone", "phone number", "phone no", "mobile", "mobile phone", "mobile number", "cell",
        "cell phone", "tel", "telephone", "whatsapp",
    ),
    "social": (
        "social", "social handle", "handle", "username", "user name", "twitter", "x",
        "instagram", "facebook", "tiktok", "linkedin", "telegram", "skype", "profile",
    ),
    "time_zone": ("time zone", "timezone", "tz", "zone"),
    "source": ("source", "lead source", "campaign", "origin", "channel", "utm source"),
    "stage": ("stage", "status", "pipeline stage", "lead status"),
    "follow_up_on": (
        "follow up", "follow up date", "follow up on", "follow up by", "followup", "next follow up",
        "next contact", "callback", "call back",
    ),
    "tags": ("tags", "tag", "labels", "label", "groups", "group"),
    "notes": ("notes", "note", "comments", "comment", "description", "remarks", "memo"),
}  # fmt: skip
_HEADER_FIELDS = {name: f for f, names in _SYNONYMS.items() for name in names}

_EMAIL_LIKE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")
_DATE_LIKE = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4})([ T].*)?$")
_NUMERIC_DATE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
# Dates with the month spelled out are never ambiguous; numeric ones other than ISO are.
_NAMED_MONTH_FORMATS = (
    "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y",
    "%d-%B-%Y", "%d %b, %Y", "%d %B, %Y",
)  # fmt: skip


class _BadValue(Exception):
    """Something in one row is wrong; the message goes into the row's error."""


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How a file is read: what `read_layout` found."""

    encoding: str  # a Python codec: "utf-8", "utf-8-sig" or "cp1252"
    delimiter: str
    has_header: bool  # the first row is read as column names (detected, or as the user said)
    headers: tuple[str, ...]  # the header's names, or "Column 1", "Column 2", …
    sample: tuple[tuple[str, ...], ...] = ()  # the first data rows, for guessing and examples
    detected_header: bool | None = None  # what the first row looks like; None: not looked at

    @property
    def width(self) -> int:
        return len(self.headers)

    @property
    def header_chosen(self) -> bool:
        """True when the header flag is the user's word against what detection found."""
        return self.detected_header is not None and self.detected_header != self.has_header

    def describe(self) -> str:
        header = "the first row is the header" if self.has_header else "no header row"
        if self.header_chosen:
            header += " (as you said)"
        return (
            f"{ENCODING_LABELS[self.encoding]}, separated by {DELIMITERS[self.delimiter]}, {header}"
        )


@dataclass(frozen=True)
class Plan:
    """Everything a pass needs besides the file: its layout, the mapping and the default
    source (None: Unknown)."""

    layout: Layout
    mapping: dict[int, str]
    source_id: int | None = None


@dataclass
class Validation(BaseValidation):
    new: int = 0
    existing: int = 0
    duplicates: int = 0

    def as_dict(self) -> dict:
        return {
            **super().as_dict(),
            "new": self.new,
            "existing": self.existing,
            "duplicates_in_file": self.duplicates,
        }


@dataclass
class Result:
    created: int
    existing: int
    duplicates: int

    def as_dict(self) -> dict:
        return {
            "ok": True,
            "created": self.created,
            "existing": self.existing,
            "duplicates_in_file": self.duplicates,
        }


@dataclass(slots=True)
class Lead:
    """One row, cleaned: what a prospect is created from."""

    number: int
    name: str
    email: str
    email_key: str
    phone: str
    social: str
    time_zone: str
    source_id: int | None  # None: Unknown
    stage: str
    follow_up_on: date | None
    tags: str
    notes: str
    key: str  # the fingerprint, Prospect.import_key


@dataclass
class PreviewRow:
    number: int
    cells: list[str]
    problem: str = ""


@dataclass
class Preview:
    columns: list[str]  # the labels of the fields the mapping fills
    rows: list[PreviewRow] = field(default_factory=list)
    problem: str = ""  # the file as a whole (it should not happen after read_layout)


# --- reading files -------------------------------------------------------------------------------


def _sniff(head: bytes) -> None:
    """Refuses files that are plainly not text, from their first bytes."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem("The file is UTF-16 text; save it as CSV UTF-8 and import it again.")
    if head.startswith(b"PK\x03\x04"):
        raise FileProblem(
            "This is a zip archive or an Excel workbook, not a CSV file; in your spreadsheet "
            "choose File → Save as → CSV UTF-8, then import that."
        )
    if b"\x00" in head:
        half = len(head) // 4
        if head[1::2].count(0) > half or head[0::2].count(0) > half:
            raise FileProblem("The file is UTF-16 text; save it as CSV UTF-8 and import it again.")
        raise FileProblem("This is not a text file (it holds binary data); export a CSV file.")
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\x0b\x0c")
    if controls > max(2, len(head) // 100):
        raise FileProblem("This is not a text file (it holds binary data); export a CSV file.")
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise FileProblem("The file is empty.")


def _detect_encoding(handle) -> str:
    """UTF-8 (strictly) if the whole file decodes as UTF-8, else Windows-1252 (strictly, so
    its five unused bytes still fail), else FileProblem. Reads the file in 1 MB pieces."""
    failed_at = 0
    for encoding in ("utf-8", "cp1252"):
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        offset = 0
        try:
            while piece := handle.read(_READ_SIZE):
                if b"\x00" in piece:
                    raise FileProblem(
                        f"This is not a text file (byte {offset + piece.index(0) + 1} is a NUL); "
                        "export a CSV file."
                    )
                decoder.decode(piece, final=False)
                offset += len(piece)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            failed_at = offset + error.start + 1
            continue
        if encoding == "utf-8":
            handle.seek(0)
            if handle.read(3) == codecs.BOM_UTF8:
                return "utf-8-sig"
        return encoding
    raise FileProblem(
        f"The file is not UTF-8 or Windows-1252 text (byte {failed_at} can't be read in "
        "either); save it as CSV UTF-8 and import it again."
    )


def _sample_text(path: Path, encoding: str) -> tuple[str, bool]:
    """The first 64 KB of the file as text, and whether that is the whole file."""
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE_BYTES + 1)
    complete = len(head) <= _SAMPLE_BYTES
    head = head[:_SAMPLE_BYTES]
    decoder = codecs.getincrementaldecoder(encoding)()
    # A multi-byte character cut at the end of the sample waits in the decoder: left out.
    return decoder.decode(head, final=complete), complete


def _sample_records(text: str, complete: bool, delimiter: str) -> list[list[str]]:
    """The first records of a sample, without blank ones and without the last one when the
    sample was cut (it may be cut short)."""
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text), delimiter=delimiter):
            if not _is_blank(record):
                records.append(record)
            if len(records) > _SAMPLE_RECORDS:
                break
    except csv.Error:
        pass
    if not complete and len(records) <= _SAMPLE_RECORDS and records:
        records.pop()
    return records[:_SAMPLE_RECORDS]


def _is_blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def _detect_delimiter(text: str, complete: bool) -> str:
    """The delimiter that splits the first row into the most columns and the next rows into
    as many; a file of one column reads with commas."""
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        records = _sample_records(text, complete, delimiter)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        consistent = sum(1 for r in records if len(r) == width) / len(records)
        score = (round(consistent, 2), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _phone_like(text: str) -> bool:
    return bool(_PHONE_LIKE.match(text)) and sum(ch.isdigit() for ch in text) >= 7


def _looks_like_data(cell: str) -> bool:
    text = cell.strip()
    if not text:
        return False
    return bool(
        text.isdigit() or _EMAIL_LIKE.match(text) or _DATE_LIKE.match(text) or _phone_like(text)
    )


def _has_header(first: list[str]) -> bool:
    return not any(_looks_like_data(cell) for cell in first)


def _layout(
    encoding: str, delimiter: str, records: list[list[str]], has_header: bool | None
) -> Layout:
    """The layout of a file from its first records: with `has_header` None the first row is a
    header unless it looks like data; True or False say so whatever it looks like. The names
    of the columns and the sample of data rows follow the choice."""
    first = records[0] if records else []
    detected = bool(first) and _has_header(first)
    header = detected if has_header is None else has_header
    if header:
        headers = tuple(
            " ".join(cell.split())[:80] or f"Column {i}" for i, cell in enumerate(first, 1)
        )
        data = records[1:]
    else:
        headers = tuple(f"Column {i}" for i in range(1, len(first) + 1))
        data = records
    sample = tuple(tuple(r) for r in data[:20])
    return Layout(encoding, delimiter, header, headers, sample, detected)


def read_layout(path: Path, *, has_header: bool | None = None) -> Layout:
    """Works out how to read a lead file; `has_header` True or False overrides the header
    detection. Raises FileProblem when it can't be read: empty, binary, UTF-16, a workbook,
    neither UTF-8 nor Windows-1252, one column split by something other than commas,
    semicolons or tabs, or too many columns."""
    try:
        handle = path.open("rb")
    except OSError as error:
        raise FileProblem(f"Can't read the file: {error.strerror or error}.") from None
    with handle:
        _sniff(handle.read(_SNIFF_BYTES))
        encoding = _detect_encoding(handle)
    text, complete = _sample_text(path, encoding)
    delimiter = _detect_delimiter(text, complete)
    records = _sample_records(text, complete, delimiter)
    if not records:
        if not complete:
            raise FileProblem(
                f"The first row is longer than {_SAMPLE_BYTES // 1024} KB: is a quote left open, "
                "or is this not a CSV file?"
            )
        raise FileProblem("The file is empty.")
    first = records[0]
    if len(first) == 1:
        line = first[0].strip()
        for other, times in (("|", 1), ("^", 1), ("~", 1), (":", 2)):
            if line.count(other) >= times and not _looks_like_data(line):
                shown = line if len(line) <= 60 else line[:60] + "…"
                raise FileProblem(
                    f"The file has one column only (its first line is “{shown}”): Mainthing "
                    "reads columns separated by commas, semicolons or tabs. Save the file as "
                    "CSV from your spreadsheet and import it again."
                )
    if len(first) > MAX_COLUMNS:
        raise FileProblem(
            f"The first row has {len(first)} columns; a lead file may have at most {MAX_COLUMNS}."
        )
    return _layout(encoding, delimiter, records, has_header)


def layout_of(job: LeadImport, *, has_header: bool | None = None) -> Layout:
    """The layout of a stored upload, from the encoding and delimiter its job row keeps and
    the file's first rows: the header as the job says (`job.has_header`, or `has_header`
    when given), else detected again (it is a function of the first row)."""
    try:
        text, complete = _sample_text(Path(job.path), job.encoding)
    except OSError:
        raise FileProblem("The uploaded file is gone; upload it again.") from None
    records = _sample_records(text, complete, job.delimiter)
    if not records:
        raise FileProblem("The uploaded file has changed; upload it again.")
    chosen = job.has_header if has_header is None else has_header
    return _layout(job.encoding, job.delimiter, records, chosen)


def _open(path: Path, layout: Layout) -> Source:
    """The lead file open for a pass, in the encoding its layout found (`read_layout` has
    refused the files that are not text already)."""
    return Source(path, encoding=layout.encoding, sniff=False)


def _records(source: Source, layout: Layout) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of the data rows, without blank ones. Row numbers are those a
    spreadsheet shows: every line of the file is a row (a quoted line break stays in its row),
    the header included."""
    reader = csv.reader(source.text, delimiter=layout.delimiter)
    number = 0
    header_due = layout.has_header
    try:
        for record in reader:
            number += 1
            if _is_blank(record):
                continue
            if header_due:
                header_due = False
                continue
            yield number, record
    except csv.Error as error:
        raise FileProblem(
            f"Row {number + 1} can't be read as CSV ({error}); is a quote left open?"
        ) from None
    except UnicodeDecodeError:
        raise FileProblem(
            f"The file stops being {ENCODING_LABELS[layout.encoding]} text after row {number}."
        ) from None


# --- mapping -------------------------------------------------------------------------------------


def normalize_header(text: str) -> str:
    """'E-mail Address' → 'e mail address'; 'firstName' → 'first name'."""
    return " ".join(_NOT_WORD.sub(" ", _CAMEL.sub(" ", text).lower()).split())


def headers_key(headers: tuple[str, ...] | list[str]) -> str:
    """The key a mapping is remembered under: SHA-256 of the normalised headers, in order."""
    joined = "\x1f".join(normalize_header(h) for h in headers)
    return hashlib.sha256(joined.encode()).hexdigest()


def _field_for_header(name: str) -> str | None:
    normal = normalize_header(name)
    if normal in _HEADER_FIELDS:
        return _HEADER_FIELDS[normal]
    numbered = re.sub(r" \d+$", "", normal)  # "Notes 2", "Phone 2"
    if numbered in _HEADER_FIELDS:
        return _HEADER_FIELDS[numbered]
    words = set(normal.split())
    if words & {"type", "label", "kind"}:
        return None  # "Phone 1 - Type" names the kind of number, not the number
    if "email" in words or {"e", "mail"} <= words:
        return "email"
    if words & {"phone", "mobile", "cell", "telephone"}:
        return "phone"
    return None


def _guess_from_values(layout: Layout) -> dict[int, str]:
    """A mapping for a file without a header, from what its first rows hold: a column of
    emails, one of phone numbers, one of dates, and the first column of other text as names."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    text_columns = []
    for index in range(layout.width):
        values = [r[index].strip() for r in layout.sample if index < len(r) and r[index].strip()]
        if not values:
            continue
        half = len(values) / 2
        if "email" not in taken and sum(bool(_EMAIL_LIKE.match(v)) for v in values) >= half:
            mapping[index] = "email"
        elif "follow_up_on" not in taken and sum(bool(_DATE_LIKE.match(v)) for v in values) >= half:
            mapping[index] = "follow_up_on"
        elif "phone" not in taken and sum(_phone_like(v) for v in values) >= half:
            mapping[index] = "phone"
        elif any(ch.isalpha() for v in values for ch in v):
            text_columns.append(index)
        if index in mapping:
            taken.add(mapping[index])
    if text_columns:
        mapping[text_columns[0]] = "name"
    return dict(sorted(mapping.items()))


def guess_mapping(layout: Layout) -> dict[int, str]:
    """A mapping from the header names (or, without a header, from the values). A field that
    takes one column gets the first column that names it."""
    if not layout.has_header:
        return _guess_from_values(layout)
    mapping: dict[int, str] = {}
    for index, header in enumerate(layout.headers):
        found = _field_for_header(header)
        if found is None:
            continue
        if found not in JOINED_FIELDS and found in mapping.values():
            continue
        mapping[index] = found
    return mapping


def check_mapping(mapping: dict[int, str], width: int) -> list[str]:
    """What is wrong with a mapping ([] when nothing)."""
    problems = []
    unknown = sorted({f for f in mapping.values() if f not in FIELDS})
    if unknown:
        problems.append(f"Unknown field {', '.join(unknown)}; use one of {', '.join(FIELDS)}.")
    outside = sorted(i + 1 for i in mapping if not 0 <= i < width)
    if outside:
        problems.append(f"The file has no column {', '.join(map(str, outside))}.")
    counts: dict[str, int] = {}
    for name in mapping.values():
        counts[name] = counts.get(name, 0) + 1
    twice = [
        FIELDS[f] for f, n in counts.items() if n > 1 and f in FIELDS and f not in JOINED_FIELDS
    ]
    if twice:
        problems.append(
            f"{', '.join(twice)} can come from one column only (tags and notes can come from "
            "several)."
        )
    if not any(f in IDENTITY_FIELDS for f in mapping.values()):
        problems.append(
            "Choose the column with the name, the email, the phone or the social handle: a "
            "prospect needs one of them."
        )
    return problems


def _source_ref(source: LeadSource | None) -> str:
    return source.key if source is not None else services.UNKNOWN_KEY


def suggest_mapping(user: User, layout: Layout) -> tuple[dict[int, str], LeadSource | None]:
    """The mapping (and default source) the user chose last time for these headers, when it
    still fits, else a guess. Files read without a header (detected or as the user said) are
    always guessed: a mapping remembered for column names says nothing about a file whose
    first row is data."""
    if layout.has_header:
        remembered = ColumnMapping.objects.filter(
            user=user, headers_key=headers_key(layout.headers)
        ).first()
        if remembered is not None:
            stored = remembered.mapping or {}
            try:
                mapping = {int(i): f for i, f in (stored.get("columns") or {}).items()}
            except (TypeError, ValueError, AttributeError):
                mapping = {}
            if mapping and not check_mapping(mapping, layout.width):
                key = stored.get("source") or ""
                source = (
                    LeadSource.objects.filter(user=user, key__iexact=key, archived=False)
                    .exclude(category__isnull=True)
                    .first()
                )
                return dict(sorted(mapping.items())), source
    return guess_mapping(layout), None


def remember_mapping(
    user: User, layout: Layout, mapping: dict[int, str], source: LeadSource | None
) -> None:
    """Keeps the chosen mapping and default source for the next file with these headers.
    Writes a ColumnMapping row (not for files without a header: their column names say
    nothing about what the columns hold)."""
    if not layout.has_header:
        return
    ColumnMapping.objects.update_or_create(
        user=user,
        headers_key=headers_key(layout.headers),
        defaults={
            "mapping": {
                "columns": {str(i): f for i, f in sorted(mapping.items())},
                "source": source.key if source is not None else "",
            }
        },
    )


def _field_named(text: str) -> str | None:
    """A field from what a person types: its name, its label or a header synonym; "" to
    ignore the column; None when it is none of these."""
    normal = normalize_header(text)
    if normal in ("", "ignore", "skip", "none"):
        return ""
    for name, label in FIELDS.items():
        if normal in (normalize_header(name), normalize_header(label)):
            return name
    return _HEADER_FIELDS.get(normal)


def parse_map_option(text: str, layout: Layout, base: dict[int, str]) -> dict[int, str]:
    """`--map "Header=field,Other header=field"` applied over `base`. A column is named by its
    header (case and punctuation don't matter) or as "Column N"; "-" or "ignore" drops it.
    ValueError with a readable message when a part can't be used."""
    mapping = dict(base)
    by_name: dict[str, int] = {}
    for index, header in enumerate(layout.headers):
        by_name.setdefault(normalize_header(header), index)
        by_name.setdefault(normalize_header(f"Column {index + 1}"), index)
    for part in text.split(","):
        if not part.strip():
            continue
        column, sep, wanted = part.rpartition("=")
        if not sep:
            raise ValueError(f"Write --map parts as Header=field; “{part.strip()}” has no “=”.")
        index = by_name.get(normalize_header(column))
        if index is None:
            names = ", ".join(f"“{h}”" for h in layout.headers)
            raise ValueError(f"The file has no column “{column.strip()}”. Its columns: {names}.")
        name = _field_named(wanted) if wanted.strip() != "-" else ""
        if name is None:
            raise ValueError(
                f"“{wanted.strip()}” is not a field. Fields: {', '.join(FIELDS)} (or - to "
                "ignore the column)."
            )
        if name:
            if name not in JOINED_FIELDS:
                mapping = {i: f for i, f in mapping.items() if f != name}
            mapping[index] = name
        else:
            mapping.pop(index, None)
    return dict(sorted(mapping.items()))


def describe_mapping(layout: Layout, mapping: dict[int, str]) -> list[dict]:
    """[{"column": n (from 1), "header": ..., "field": name or ""}] for every column."""
    return [
        {"column": i + 1, "header": header, "field": mapping.get(i, "")}
        for i, header in enumerate(layout.headers)
    ]


# --- cleaning rows -------------------------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _stage_lookup() -> dict[str, str]:
    lookup = {}
    for value, label in Stage.choices:
        for text in (value, str(label)):
            lookup[" ".join(_NOT_WORD.sub(" ", text.lower()).split())] = value
    return lookup


_STAGES = _stage_lookup()


def _source_lookup(user: User) -> tuple[dict[str, int | None], list[str]]:
    """Source references as a file may write them, to source ids (None: Unknown): the key,
    the "Category / campaign" label and, where only one source has it, the campaign alone.
    Also the keys, for messages."""
    lookup: dict[str, int | None] = {services.UNKNOWN_KEY: None, "unknown": None}
    campaigns: dict[str, list[int]] = {}
    keys = []
    for source in LeadSource.objects.filter(user=user).select_related("category"):
        if source.category_id is None:
            continue
        keys.append(source.key)
        lookup[_source_key(source.key)] = source.pk
        lookup[_source_key(f"{source.category.name} / {source.campaign}")] = source.pk
        campaigns.setdefault(_source_key(source.campaign), []).append(source.pk)
    for campaign, ids in campaigns.items():
        if len(ids) == 1:
            lookup.setdefault(campaign, ids[0])
    return lookup, sorted(keys)


def _source_key(text: str) -> str:
    return re.sub(r"\s*/\s*", "/", _normal(text))


def parse_follow_up(text: str) -> date | None:
    """A follow-up date: ISO 8601 (2026-03-01, also with a time after it, which is dropped) or
    with the month spelled out (1 March 2026, Mar 1, 2026, 01-Mar-2026). Numeric dates such as
    03/04/2026 are refused: they mean different days in different countries."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    # "1 mar. 2026", "Mar 1,2026": abbreviation dots and spacing don't matter.
    tidy = " ".join(text.replace(".", " ").replace(",", ", ").split())
    for pattern in _NAMED_MONTH_FORMATS:
        try:
            return datetime.strptime(tidy, pattern).date()
        except ValueError:
            continue
    if _NUMERIC_DATE.match(text):
        raise _BadValue(
            f"The follow-up date “{text}” is ambiguous (day/month or month/day?); write it as "
            "YYYY-MM-DD, e.g. 2026-03-01."
        )
    raise _BadValue(f"The follow-up date “{text[:40]}” is not a date like 2026-03-01.")


def import_key(name: str, email_key: str, phone: str, social: str) -> str:
    """The fingerprint of an imported prospect: SHA-1 (hex) of the case-folded name, the
    normalised email, the E.164 phone and the lower-cased social handle."""
    canonical = f"{name.casefold()}\x1f{email_key}\x1f{phone}\x1f{social.lower()}"
    return hashlib.sha1(canonical.encode()).hexdigest()


class _Cleaner:
    """Turns one row's cells into a Lead, or raises _BadValue with everything wrong in it.
    The contact rules are `services.clean_contact`'s, so an imported prospect is held to
    what the form asks."""

    def __init__(self, user: User, plan: Plan):
        self.user = user
        self.width = plan.layout.width
        self.delimiter = plan.layout.delimiter
        self.default_source = plan.source_id
        columns: dict[str, list[int]] = {}
        for index, name in sorted(plan.mapping.items()):
            columns.setdefault(name, []).append(index)
        self.columns = columns
        one = {name: indexes[0] for name, indexes in columns.items()}
        self.i_name = one.get("name")
        self.i_first = one.get("first_name")
        self.i_last = one.get("last_name")
        self.i_email = one.get("email")
        self.i_phone = one.get("phone")
        self.i_social = one.get("social")
        self.i_zone = one.get("time_zone")
        self.i_source = one.get("source")
        self.i_stage = one.get("stage")
        self.i_follow = one.get("follow_up_on")
        self.i_tags = columns.get("tags", [])
        self.i_notes = columns.get("notes", [])
        self.used = sorted(plan.mapping)
        self.sources, self.source_keys = (
            _source_lookup(user) if self.i_source is not None else ({}, [])
        )

    def _width_problem(self, record: list[str]) -> str | None:
        if len(record) == self.width:
            return None
        if len(record) > self.width and not any(c.strip() for c in record[self.width :]):
            return None  # trailing empty cells, as some spreadsheets write
        what = DELIMITERS[self.delimiter]
        return (
            f"The row has {len(record)} column{'s' if len(record) != 1 else ''}; the file has "
            f"{self.width}. Check it is separated by {what} like the rest, and that a value "
            "holding one is in quotes."
        )

    def is_blank(self, record: list[str]) -> bool:
        """True for a row with nothing in the mapped columns (spreadsheets leave such rows)."""
        return not any(record[i].strip() for i in self.used if i < len(record))

    def name_of(self, record: list[str]) -> str:
        """The name column, else the first and last names joined."""

        def cell(index: int | None) -> str:
            return record[index].strip() if index is not None and index < len(record) else ""

        return cell(self.i_name) or f"{cell(self.i_first)} {cell(self.i_last)}".strip()

    def clean(self, number: int, record: list[str]) -> Lead:
        problem = self._width_problem(record)
        if problem:
            raise _BadValue(problem)
        messages: list[str] = []
        email = record[self.i_email] if self.i_email is not None else ""
        phone = record[self.i_phone] if self.i_phone is not None else ""
        social = record[self.i_social] if self.i_social is not None else ""
        name = self.name_of(record)
        if not name:
            # A list of addresses from a landing page has no names: the contact stands in.
            name = email.strip() or phone.strip() or social.strip()
        if not name:
            raise _BadValue("The row has no name, email, phone or social handle.")
        tags = ",".join(record[i] for i in self.i_tags)
        if tags:
            tags = tags.replace(";", ",").replace("|", ",")
        notes = "\n".join(v for v in (record[i].strip() for i in self.i_notes) if v)
        contact = None
        try:
            contact = services.clean_contact(
                self.user,
                name=name,
                email=email,
                phone=phone,
                social=social,
                time_zone=record[self.i_zone] if self.i_zone is not None else "",
                tags=tags,
                notes=notes[:NOTES_LENGTH],
            )
        except ValidationError as error:
            messages.extend(error.messages)
        source_id = self.default_source
        if self.i_source is not None:
            raw = record[self.i_source].strip()
            if raw:
                key = _source_key(raw)
                if key in self.sources:
                    source_id = self.sources[key]
                else:
                    messages.append(self._unknown_source(raw))
        stage = Stage.NEW.value
        if self.i_stage is not None:
            raw = record[self.i_stage].strip()
            if raw:
                found = _STAGES.get(" ".join(_NOT_WORD.sub(" ", raw.lower()).split()))
                if found is None:
                    labels = ", ".join(str(label) for label in Stage.labels)
                    messages.append(f"The stage “{raw[:40]}” is not one of {labels}.")
                else:
                    stage = found
        follow_up = None
        if self.i_follow is not None:
            try:
                follow_up = parse_follow_up(record[self.i_follow])
            except _BadValue as error:
                messages.append(str(error))
        if contact is not None and len(contact.tags) > TAGS_LENGTH:
            messages.append(f"The tags are longer than {TAGS_LENGTH} characters together.")
        if messages or contact is None:
            raise _BadValue(" ".join(messages))
        if stage in CLOSED_STAGES:
            follow_up = None  # a prospect who joined needs no follow-up
        email_key = services.email_key(contact.email)
        return Lead(
            number,
            contact.name,
            contact.email,
            email_key,
            contact.phone,
            contact.social,
            contact.time_zone,
            source_id,
            stage,
            follow_up,
            contact.tags,
            contact.notes,
            import_key(contact.name, email_key, contact.phone, contact.social),
        )

    def _unknown_source(self, raw: str) -> str:
        yours = ", ".join(self.source_keys[:8]) or "none yet"
        return (
            f"The source “{raw[:60]}” is not one of yours. Write a source's key or its "
            f"“Category / campaign” name (your keys: {yours}), add the source under Lead "
            "sources first, or leave the cell empty to use the default source."
        )


def _leads(user: User, source: Source, plan: Plan) -> Iterator[Lead | tuple[int, str]]:
    """The file's rows, each a Lead or (row number, message). Raises FileProblem when the file
    as a whole can't be read."""
    cleaner = _Cleaner(user, plan)
    for number, record in _records(source, plan.layout):
        if cleaner.is_blank(record):
            continue
        try:
            yield cleaner.clean(number, record)
        except _BadValue as error:
            yield number, str(error)


class _Seen:
    """Emails, phones and fingerprints already taken: by the user's prospects, and by the rows
    of the file read so far."""

    def __init__(self, user: User):
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.keys: set[str] = set()
        rows = Prospect.objects.filter(user=user).values_list("email_key", "phone", "import_key")
        for email, phone, key in rows.iterator(chunk_size=5000):
            if email:
                self.emails.add(email)
            if phone:
                self.phones.add(phone)
            if key:
                self.keys.add(key)
        self.file_emails: set[str] = set()
        self.file_phones: set[str] = set()
        self.file_keys: set[str] = set()

    def classify(self, lead: Lead) -> str:
        """ "existing", "duplicate" (of an earlier row: the first one wins) or "new"; a new
        lead's email, phone and fingerprint are taken from then on."""
        email, phone, key = lead.email_key, lead.phone, lead.key
        if (
            (email and email in self.emails)
            or (phone and phone in self.phones)
            or (key in self.keys)
        ):
            return "existing"
        if (
            (email and email in self.file_emails)
            or (phone and phone in self.file_phones)
            or key in self.file_keys
        ):
            return "duplicate"
        if email:
            self.file_emails.add(email)
        if phone:
            self.file_phones.add(phone)
        self.file_keys.add(key)
        return "new"


# --- preview and validation ----------------------------------------------------------------------


def _preview_columns(mapping: dict[int, str]) -> list[str]:
    fields = set(mapping.values())
    columns = []
    for name in FIELDS:
        if name in ("first_name", "last_name"):
            continue
        if name == "name" or name in fields:
            columns.append(name)
    return columns


def preview(user: User, path: Path, plan: Plan, *, rows: int = PREVIEW_ROWS) -> Preview:
    """The first rows as they would be imported (cleaned values, or the row's problem)."""
    names = _preview_columns(plan.mapping)
    result = Preview(columns=[FIELDS[n] for n in names])
    cleaner = _Cleaner(user, plan)
    source_labels = {
        s.pk: s.label for s in LeadSource.objects.filter(user=user).select_related("category")
    }
    try:
        source = _open(path, plan.layout)
    except FileProblem as problem:
        result.problem = str(problem)
        return result
    try:
        for number, record in _records(source, plan.layout):
            if cleaner.is_blank(record):
                continue
            try:
                lead = cleaner.clean(number, record)
            except _BadValue as error:
                raw = {n: record[i].strip() for i, n in plan.mapping.items() if i < len(record)}
                raw["name"] = cleaner.name_of(record)
                cells = [raw.get(n, "") for n in names]
                result.rows.append(PreviewRow(number, cells, str(error)))
            else:
                shown = {
                    "name": lead.name,
                    "email": lead.email,
                    "phone": services.format_phone(lead.phone, user.phone_region),
                    "social": lead.social,
                    "time_zone": lead.time_zone,
                    "source": source_labels.get(lead.source_id, "Unknown"),
                    "stage": Stage(lead.stage).label,
                    "follow_up_on": lead.follow_up_on.isoformat() if lead.follow_up_on else "",
                    "tags": ", ".join(t for t in lead.tags.split(",") if t),
                    "notes": lead.notes if len(lead.notes) <= 80 else lead.notes[:80] + "…",
                }
                result.rows.append(PreviewRow(number, [shown[n] for n in names]))
            if len(result.rows) >= rows:
                break
    except FileProblem as problem:
        result.problem = str(problem)
    finally:
        source.close()
    return result


def _check_plan(user: User, plan: Plan) -> None:
    problems = check_mapping(plan.mapping, plan.layout.width)
    if problems:
        raise FileProblem(" ".join(problems))
    if (
        plan.source_id is not None
        and not LeadSource.objects.filter(pk=plan.source_id, user=user).exists()
    ):
        raise FileProblem("The default source is gone; choose another one.")


class _Checked:
    """The cleaned rows of a validation pass, kept in a file beside the upload (JSON, one line
    per chunk after a first line that says what they were cleaned from), so the apply pass
    needn't clean every row again: phone numbers alone cost half of a pass. The apply pass uses
    them only when the upload, the plan, the user's phone region and lead sources are all as
    they were; otherwise it cleans the file again."""

    VERSION = 1

    @classmethod
    def stamp(cls, user: User, path: Path, plan: Plan) -> dict:
        stat = path.stat()
        layout = plan.layout
        return {
            "version": cls.VERSION,
            "file": [stat.st_size, stat.st_mtime_ns],
            "layout": [layout.encoding, layout.delimiter, layout.has_header, layout.width],
            "mapping": {str(i): f for i, f in sorted(plan.mapping.items())},
            "source": plan.source_id,
            "region": user.phone_region,
            "sources": list(
                LeadSource.objects.filter(user=user).order_by("pk").values_list("pk", flat=True)
            ),
        }

    def __init__(self, keep: Path, stamp: dict):
        self.path = keep
        self.handle = keep.open("w", encoding="utf-8")
        self.handle.write(json.dumps(stamp) + "\n")
        self.chunk: list[list] = []

    def add(self, lead: Lead) -> None:
        follow_up = lead.follow_up_on.isoformat() if lead.follow_up_on else None
        self.chunk.append(
            [
                lead.number, lead.name, lead.email, lead.email_key, lead.phone, lead.social,
                lead.time_zone, lead.source_id, lead.stage, follow_up, lead.tags, lead.notes,
                lead.key,
            ]
        )  # fmt: skip
        if len(self.chunk) >= CHUNK_SIZE:
            self.flush()

    def flush(self) -> None:
        if self.chunk:
            self.handle.write(json.dumps(self.chunk, ensure_ascii=False) + "\n")
            self.chunk = []

    def close(self, *, keep: bool) -> None:
        if keep:
            self.flush()
        self.handle.close()
        if not keep:
            self.path.unlink(missing_ok=True)

    @classmethod
    def read(cls, checked: Path | None, stamp: dict) -> Iterator[Lead] | None:
        """The kept leads, or None when there are none or they are out of date."""
        if checked is None:
            return None
        try:
            handle = checked.open(encoding="utf-8")
        except OSError:
            return None
        try:
            first = json.loads(handle.readline() or "null")
        except ValueError:
            first = None
        if first != stamp:
            handle.close()
            return None
        return cls._leads(handle)

    @staticmethod
    def _leads(handle) -> Iterator[Lead]:
        parse = date.fromisoformat
        with handle:
            for line in handle:
                for row in json.loads(line):
                    if row[9] is not None:
                        row[9] = parse(row[9])
                    yield Lead(*row)


def validate_file(
    user: User,
    path: Path,
    plan: Plan,
    *,
    progress: Progress | None = None,
    keep: Path | None = None,
) -> Validation:
    """Reads the whole file and reports what an import would do. Writes nothing to the
    database.

    `progress(bytes_read, file_size)` is called after every chunk of rows. Every row is
    checked (see `_Cleaner`); rows without errors are sorted into new ones, ones the user
    already has and repeats of an earlier row of the file. With `keep`, the cleaned rows of a
    file without errors are written to that file for `apply_file(checked=...)`.
    """
    errors = ErrorList()
    fail = errors.add
    counts = {"new": 0, "existing": 0, "duplicate": 0}
    rows = 0

    try:
        _check_plan(user, plan)
        source = _open(path, plan.layout)
    except FileProblem as problem:
        fail(None, str(problem))
        return Validation(0, errors.listed, errors.count)
    seen = _Seen(user)
    kept = _Checked(keep, _Checked.stamp(user, path, plan)) if keep else None
    try:
        with no_gc_pauses():
            for item in _leads(user, source, plan):
                rows += 1
                if progress and rows % CHUNK_SIZE == 0:
                    progress(source.bytes_read, source.size)
                if isinstance(item, tuple):
                    fail(*item)
                    continue
                if not errors:
                    counts[seen.classify(item)] += 1
                    if kept:
                        kept.add(item)
    except FileProblem as problem:
        fail(None, str(problem))
    finally:
        source.close()
        if rows == 0 and not errors:
            message = "The file has a header but no rows." if plan.layout.has_header else ""
            fail(None, message or "The file has no rows.")
        if kept:
            kept.close(keep=not errors)
    if progress:
        progress(source.size, source.size)
    return Validation(
        rows, errors.listed, errors.count, counts["new"], counts["existing"], counts["duplicate"]
    )


# --- applying ------------------------------------------------------------------------------------


class _Writer:
    """Writes new prospects chunk by chunk into an import batch, each with its "added" event
    (the events are reached only through their prospects, which stay hidden until the batch is
    published).

    Prospects go in through `core.bulk.BulkInsert` (`bulk_create` alone took 14 s of a 10 s
    budget for 100,000 leads), filling the columns `services.add_prospect` would. The events
    are then copied from the chunk's new rows in one INSERT … SELECT (the rows are found by id
    above the chunk's start and by the import's timestamp). The fingerprints' unique index
    still guards against a concurrent import: a clash raises IntegrityError and the whole
    import is discarded.
    """

    COLUMNS = (
        "user", "name", "email", "email_key", "phone", "social", "time_zone", "source", "stage",
        "follow_up_on", "tags", "notes", "import_key", "created_at", "stage_changed_at",
        "updated_at", "import_batch",
    )  # fmt: skip
    NULL_COLUMNS = ("last_contacted_at",)

    def __init__(self, user: User, *, now: datetime, note: str, batch: int):
        self.user = user
        self.batch = batch
        self.user_id = user.pk
        self.unknown: int | None = None
        self.bulk = BulkInsert(
            Prospect, self.COLUMNS, constants=dict.fromkeys(self.NULL_COLUMNS, "NULL")
        )
        connection = self.bulk.connection
        self.connection = connection
        ops = connection.ops
        self.stamp = ops.adapt_datetimefield_value(now)
        self.adapt_date = self.bulk.adapt_date
        self.note = note
        quote = ops.quote_name
        meta = Prospect._meta
        table = quote(meta.db_table)
        column = {name: quote(meta.get_field(name).column) for name in self.COLUMNS}
        events = Event._meta
        event_column = {
            name: quote(events.get_field(name).column)
            for name in ("user", "prospect", "kind", "at", "from_stage", "to_stage", "text")
        }
        self.event_sql = (
            f"INSERT INTO {quote(events.db_table)} ({', '.join(event_column.values())}) "
            f"SELECT {column['user']}, {quote(meta.pk.column)}, %s, {column['created_at']}, '', "
            f"{column['stage']}, %s FROM {table} "
            f"WHERE {column['user']} = %s AND {quote(meta.pk.column)} > %s "
            f"AND {column['created_at']} = %s AND {column['import_key']} IS NOT NULL"
        )
        self.created = 0
        self.made_unknown = False

    def take_back(self) -> None:
        """Removes what the writer made outside the batch (the Unknown source), once the
        batch's rows are gone."""
        if self.made_unknown:
            LeadSource.objects.filter(pk=self.unknown, prospects__isnull=True).delete()

    def write(self, chunk: list[Lead]) -> None:
        if not chunk:
            return
        stamp, user_id, adapt_date = self.stamp, self.user_id, self.adapt_date
        if self.unknown is None and any(lead.source_id is None for lead in chunk):
            # Made on first need; taken back with the import if it fails.
            had = LeadSource.objects.filter(user=self.user, category__isnull=True).exists()
            self.unknown = services.unknown_source(self.user).pk
            self.made_unknown = not had
        unknown = self.unknown
        params = [
            (
                user_id, lead.name, lead.email, lead.email_key, lead.phone, lead.social,
                lead.time_zone, lead.source_id or unknown, lead.stage,
                adapt_date(lead.follow_up_on) if lead.follow_up_on else None,
                lead.tags, lead.notes, lead.key, stamp, stamp, stamp, self.batch,
            )
            for lead in chunk
        ]  # fmt: skip
        last_id = self.bulk.max_id()
        self.bulk.insert(params)
        with self.connection.cursor() as cursor:
            cursor.execute(
                self.event_sql,
                [Event.Kind.CREATED.value, self.note, user_id, last_id, stamp],
            )
        self.created += len(params)


def apply_file(
    user: User,
    path: Path,
    plan: Plan,
    *,
    progress: Progress | None = None,
    total: int = 0,
    now: datetime | None = None,
    note: str = "",
    checked: Path | None = None,
    on_open: Callable[[ImportBatch], None] | None = None,
    on_publish: Callable[[Result], None] | None = None,
) -> Result:
    """Imports a lead file: all of it, or nothing, never holding the write lock long.

    Creates a prospect (stage from the file, else "new"; source from the file, else the
    plan's default, else Unknown, which is created if the user has none yet) and its "added"
    event for every row whose email, phone and fingerprint the user doesn't have and that
    doesn't repeat an earlier row. `note` goes into the events' text. `checked` names the rows
    a validation pass kept (used only when still up to date). The prospects are written in
    committed chunks of an import batch (`on_open(batch)` is told which), invisible until it is
    published in one short transaction, which also runs `on_publish(result)`.
    `progress(rows_done, total)` is called after every chunk. Raises ValidationError, having
    left nothing visible (the batch's rows are deleted), when a row or the file turns out to be
    wrong, another write clashes with the import, or another lead import is running for the
    user.
    """
    now = now or timezone.now()
    try:
        _check_plan(user, plan)
        source = _open(path, plan.layout)
    except FileProblem as problem:
        raise ValidationError(f"{problem} Nothing was imported.") from None
    counts = {"new": 0, "existing": 0, "duplicate": 0}
    batch = writer = None
    try:
        batch = open_batch(user, "leads")
        if on_open:
            on_open(batch)
        chunks = BatchWriter(batch)
        with no_gc_pauses():
            writer = _Writer(user, now=now, note=note, batch=batch.pk)
            seen = _Seen(user)
            items = _Checked.read(checked, _Checked.stamp(user, path, plan))
            chunk: list[Lead] = []
            done = 0
            for item in items if items is not None else _leads(user, source, plan):
                done += 1
                if isinstance(item, tuple):
                    raise ValidationError(f"Row {item[0]}: {item[1]} Nothing was imported.")
                kind = seen.classify(item)
                counts[kind] += 1
                if kind == "new":
                    chunk.append(item)
                    if len(chunk) >= CHUNK_SIZE:
                        with chunks.chunk():
                            writer.write(chunk)
                        chunk = []
                if progress and done % CHUNK_SIZE == 0:
                    progress(done, total)
            with chunks.chunk():
                writer.write(chunk)
            if done == 0:
                raise FileProblem("The file has no rows.")
        result = Result(writer.created, counts["existing"], counts["duplicate"])
        publish(batch, also=(lambda: on_publish(result)) if on_publish else None, rows=done)
        if progress:
            progress(done, total or done)
    except FileProblem as problem:
        _give_up(batch, writer)
        raise ValidationError(f"{problem} Nothing was imported.") from None
    except IntegrityError as error:
        _give_up(batch, writer)
        logger.warning("Lead import into user %s clashed: %s", user.pk, error)
        raise ValidationError(
            "Another change to your prospects or sources got in the way of the import; nothing "
            "was imported. Check the file again and import it."
        ) from None
    except BaseException:
        _give_up(batch, writer)
        raise
    finally:
        source.close()
    return result


def _give_up(batch: ImportBatch | None, writer: _Writer | None) -> None:
    """Deletes what an import that can't finish wrote (nothing of it was ever visible)."""
    if batch is not None and batch.state != ImportBatch.State.PUBLISHED:
        discard(batch)
        if writer is not None:
            writer.take_back()


# --- web uploads and background jobs -------------------------------------------------------------


def _checked_path(job: LeadImport) -> Path:
    return Path(f"{job.path}.checked")


def _discard_file(job: LeadImport, *, upload: bool = True) -> None:
    """Removes the files of a job: the upload (unless `upload` is False) and the files the
    passes keep beside it."""
    paths = [_checked_path(job)]
    if upload:
        paths.append(Path(job.path))
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.warning("Could not remove import file %s", path)


def expire_uploads(*, user: User | None = None, now: datetime | None = None) -> int:
    """Expires the lead imports left waiting over UPLOAD_KEEP_HOURS (see the activity
    importer's `expire_jobs`): the user's, or everybody's when `user` is None. Deletes their
    uploads and the files kept beside them, and marks them failed; returns how many."""
    jobs = LeadImport.objects.all() if user is None else LeadImport.objects.filter(user=user)
    return expire_jobs(jobs, waiting=WAITING, discard_files=_discard_file, now=now)


def fail_dead(*, user: User | None = None, now: datetime | None = None) -> int:
    """Fails the lead imports whose worker stopped (see `core.importing.fail_dead_jobs`)."""
    jobs = LeadImport.objects.all() if user is None else LeadImport.objects.filter(user=user)
    return fail_dead_jobs(jobs, now=now)


def set_header(job: LeadImport, has_header: bool) -> bool:
    """Reads the file of a job in "mapping" again with its first row as column names or as
    data. Saves the choice, the column names it gives and a fresh mapping for them (the one
    remembered for those names, with its default source, else a guess), by a guarded update.
    False when the job was not waiting for a mapping; FileProblem when the file is gone."""
    layout = layout_of(job, has_header=has_header)
    mapping, source = suggest_mapping(job.user, layout)
    remembered = {"source": source} if source is not None else {}
    updated = LeadImport.objects.filter(pk=job.pk, status=LeadImport.Status.MAPPING).update(
        has_header=has_header,
        headers=list(layout.headers),
        mapping={str(i): f for i, f in mapping.items()},
        **remembered,
    )
    return bool(updated)


def plan_of(job: LeadImport) -> Plan:
    mapping = {int(i): f for i, f in (job.mapping or {}).items()}
    return Plan(layout_of(job), mapping, job.source_id)


def save_upload(user: User, upload) -> LeadImport:
    """Stores an uploaded lead file under MEDIA_ROOT/imports/, works out its layout and
    suggests a mapping; the job starts in "mapping". A file that can't be read gives an
    "invalid" job with the reason, and is deleted. Expires the user's lead imports left
    waiting over UPLOAD_KEEP_HOURS first (their files are deleted)."""
    expire_uploads(user=user)
    job = LeadImport(user=user, **store_upload(user, upload, kind="leads-"))
    try:
        layout = read_layout(Path(job.path))
    except FileProblem as problem:
        job.status = LeadImport.Status.INVALID
        job.errors = [{"row": None, "message": str(problem)}]
        job.error_count = 1
        job.message = "The file can't be read; nothing was imported."
        job.finished_at = timezone.now()
        job.save()
        _discard_file(job)
        return job
    mapping, source = suggest_mapping(user, layout)
    job.encoding = layout.encoding
    job.delimiter = layout.delimiter
    job.headers = list(layout.headers)
    job.mapping = {str(i): f for i, f in mapping.items()}
    job.source = source
    job.save()
    return job


def claim_for_check(job: LeadImport, mapping: dict[int, str], source: LeadSource | None) -> bool:
    """Saves the chosen mapping and moves a job in "mapping" to "validating", by a guarded
    update, and remembers the mapping for the next file with these headers. False when the
    job was not waiting for a mapping."""
    claimed = LeadImport.objects.filter(pk=job.pk, status=LeadImport.Status.MAPPING).update(
        status=LeadImport.Status.VALIDATING,
        heartbeat_at=timezone.now(),
        mapping={str(i): f for i, f in sorted(mapping.items())},
        source=source,
        checked_bytes=0,
        processed_rows=0,
    )
    if claimed:
        remember_mapping(job.user, layout_of(job), mapping, source)
    return bool(claimed)


def save_mapping(job: LeadImport, mapping: dict[int, str], source: LeadSource | None) -> None:
    """Keeps a mapping being chosen (for the preview) on a job still in "mapping"."""
    LeadImport.objects.filter(pk=job.pk, status=LeadImport.Status.MAPPING).update(
        mapping={str(i): f for i, f in sorted(mapping.items())}, source=source
    )


def reopen_mapping(job: LeadImport) -> bool:
    """Back to the mapping step from a checked job ("invalid" or "ready") whose file is still
    there. False when the job is elsewhere."""
    if not job.path or not Path(job.path).exists():
        return False
    _discard_file(job, upload=False)
    reopened = LeadImport.objects.filter(
        pk=job.pk, status__in=[LeadImport.Status.INVALID, LeadImport.Status.READY]
    ).update(
        status=LeadImport.Status.MAPPING,
        errors=[],
        error_count=0,
        total_rows=0,
        processed_rows=0,
        checked_bytes=0,
        existing_count=0,
        duplicate_in_file=0,
        message="",
        finished_at=None,
    )
    return bool(reopened)


def validate_job(job: LeadImport) -> LeadImport:
    """Runs the validation pass of a web import. Progress (bytes read, rows) goes to the job
    row after every chunk; no transaction is open, so each write is seen at once. Ends in
    "ready" (with what the import would do) or "invalid" (with the errors; the file is kept so
    the mapping can be changed)."""
    rows_seen = 0

    def progress(done: int, size: int) -> None:
        nonlocal rows_seen
        rows_seen += CHUNK_SIZE
        beat_job(job, checked_bytes=done, size=size, processed_rows=rows_seen)

    try:
        plan = plan_of(job)
    except FileProblem as problem:
        fail_job(job, f"{problem} Nothing was imported.")
        return job
    validation = run_check(
        job,
        lambda: validate_file(
            job.user, Path(job.path), plan, progress=progress, keep=_checked_path(job)
        ),
        discard_files=_discard_file,
    )
    job.processed_rows = 0
    job.existing_count = validation.existing
    job.duplicate_in_file = validation.duplicates
    job.save()
    return job


def claim_for_apply(job: LeadImport) -> bool:
    """Moves a ready job to "applying" by a guarded update, so a double-clicked button
    imports once. False when the job was not ready."""
    return bool(
        LeadImport.objects.filter(pk=job.pk, status=LeadImport.Status.READY).update(
            status=LeadImport.Status.APPLYING, processed_rows=0, heartbeat_at=timezone.now()
        )
    )


def claim_retry(job: LeadImport) -> bool:
    """Puts a job whose worker stopped back where it was: checking the file again, or ready
    to import (the user presses Import again). False when it can't run again."""
    back_to = LeadImport.Status.READY if job.total_rows else LeadImport.Status.VALIDATING
    return claim_for_retry(job, back_to=back_to)


def _record(job: LeadImport, result: Result) -> None:
    job.created_count = result.created
    job.existing_count = result.existing
    job.duplicate_in_file = result.duplicates


def apply_job(job: LeadImport) -> LeadImport:
    """Runs the apply pass of a claimed ("applying") web import (see
    `core.importing.run_apply`). Progress goes to the job row with each chunk."""

    def apply(finish) -> None:
        apply_file(
            job.user,
            Path(job.path),
            plan_of(job),
            total=job.total_rows,
            note=f"Imported from {job.filename}",
            checked=_checked_path(job),
            on_publish=finish,
            **job_hooks(job),
        )

    return run_apply(job, apply, record=_record, discard_files=_discard_file)


# --- the command line ----------------------------------------------------------------------------


def find_source(user: User, text: str) -> LeadSource | None:
    """A source by key or "Category / campaign" (case-insensitive); None for Unknown.
    ValueError naming the user's keys when there is no such source."""
    lookup, keys = _source_lookup(user)
    key = _source_key(text)
    if key not in lookup:
        yours = ", ".join(keys) or "none yet: add one under Lead sources"
        raise ValueError(f"No lead source “{text}”. Your source keys: {yours}.")
    found = lookup[key]
    return None if found is None else LeadSource.objects.get(pk=found)


def _print_mapping(layout: Layout, mapping: dict[int, str], source: LeadSource | None) -> None:
    print(f"Reading the file: {layout.describe()}.")
    print("Columns:")
    width = max(len(h) for h in layout.headers)
    for index, header in enumerate(layout.headers):
        name = mapping.get(index)
        target = f"→ {name}" if name else "(ignored)"
        print(f"  {header:<{width}}  {target}")
    print(f"Default source: {source.label if source else 'Unknown'}")


def _problem(message: str, *, as_json: bool, **extra) -> int:
    """Prints why nothing was imported (as JSON, or on stderr) and returns the exit status."""
    if as_json:
        errors = [{"row": None, "message": message}]
        print(json.dumps({"ok": False, "error_count": 1, "errors": errors, **extra}, indent=2))
    else:
        say(message)
    return 1


def run_cli_import(
    user: User,
    path: Path,
    *,
    source_key: str | None = None,
    map_text: str | None = None,
    has_header: bool | None = None,
    as_json: bool = False,
) -> int:
    """`mainthing import leads FILE`: read the layout (the header as `has_header` says, else
    detected), settle the mapping (remembered or guessed, then --map), validate every row,
    and apply only when no row has an error.
    Prints the mapping used, the per-row errors or what was imported; returns the exit
    status (1 when nothing was imported because of a problem). Shows progress bars on a
    terminal. Remembers the mapping after a successful import. Expires the user's web lead
    imports left waiting over UPLOAD_KEEP_HOURS first."""

    def problem(message: str, **extra) -> int:
        return _problem(message, as_json=as_json, **extra)

    expire_uploads(user=user)
    if not path.is_file():
        return problem(f"No file at {path}.")
    try:
        layout = read_layout(path, has_header=has_header)
    except FileProblem as error:
        return problem(f"{path.name}: {error} Nothing was imported.")
    mapping, source = suggest_mapping(user, layout)
    try:
        if source_key:
            source = find_source(user, source_key)
        if map_text:
            mapping = parse_map_option(map_text, layout, mapping)
    except ValueError as error:
        return problem(str(error))
    columns = describe_mapping(layout, mapping)
    described = {
        "file": path.name,
        "encoding": layout.encoding,
        "delimiter": layout.delimiter,
        "header": layout.has_header,
        "columns": columns,
        "source": _source_ref(source),
    }
    if not as_json:
        _print_mapping(layout, mapping, source)
    problems = check_mapping(mapping, layout.width)
    if problems:
        hint = ' Say which with --map, e.g. --map "Full name=name,Mobile=phone".'
        return problem(" ".join(problems) + hint, **described)

    plan = Plan(layout, mapping, source.pk if source else None)
    with tempfile.TemporaryDirectory(prefix="mainthing-leads-") as folder:
        return _check_and_apply(user, path, plan, Path(folder) / "checked", described, as_json)


def _check_and_apply(
    user: User, path: Path, plan: Plan, keep: Path, described: dict, as_json: bool
) -> int:
    bar = progress_bar(quiet=as_json)
    validation = with_progress(
        bar,
        "Checking",
        path.stat().st_size or 1,
        lambda progress: validate_file(user, path, plan, keep=keep, progress=progress),
    )
    if not validation.ok:
        if as_json:
            print(json.dumps({**validation.as_dict(), **described}, indent=2))
        else:
            print_errors(path.name, validation)
        return 1

    note = f"Imported from {path.name}"
    try:
        result = with_progress(
            bar,
            "Importing",
            validation.rows,
            lambda progress: apply_file(
                user, path, plan, total=validation.rows, note=note, checked=keep, progress=progress
            ),
        )
    except ValidationError as error:
        return _problem(" ".join(error.messages), as_json=as_json, **described)
    source = LeadSource.objects.filter(pk=plan.source_id).first() if plan.source_id else None
    remember_mapping(user, plan.layout, plan.mapping, source)
    if as_json:
        print(json.dumps({**result.as_dict(), "rows": validation.rows, **described}, indent=2))
        return 0
    s = "" if result.created == 1 else "s"
    print(f"Imported {result.created} prospect{s} from {path.name}.")
    if result.existing:
        print(f"Already known (same email, phone or row): {result.existing}.")
    if result.duplicates:
        print(f"Repeated in the file (the first one was kept): {result.duplicates}.")
    return 0
