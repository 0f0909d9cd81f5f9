"""Reading lead files: how a CSV is laid out (its encoding, delimiter and whether the first
row holds column names, `read_layout`) and which column feeds which prospect field (the column
mapping: guessed from the headers or the values, remembered per header set, parsed from the
command line's --map). The first two steps of a lead import; `leadrows` cleans the rows and
`importing` checks and writes them.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mainthing.accounts.models import User
from mainthing.core.importing import FileProblem, Source

from . import services
from .models import ColumnMapping, LeadImport, LeadSource

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
MAX_COLUMNS = 200
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
NUMERIC_DATE = re.compile(r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
NOT_WORD = re.compile(r"[^0-9a-z]+")


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


def open_file(path: Path, layout: Layout) -> Source:
    """The lead file open for a pass, in the encoding its layout found (`read_layout` has
    refused the files that are not text already)."""
    return Source(path, encoding=layout.encoding, sniff=False)


def records(source: Source, layout: Layout) -> Iterator[tuple[int, list[str]]]:
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
    return " ".join(NOT_WORD.sub(" ", _CAMEL.sub(" ", text).lower()).split())


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


def source_ref(source: LeadSource | None) -> str:
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
