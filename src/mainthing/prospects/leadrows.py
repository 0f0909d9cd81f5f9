"""Cleaning the rows of a lead file into `Lead`s: names, emails, phones for the user's region,
time zones, sources, stages, follow-up dates and tags checked and normalised, each row with its
fingerprint; and telling new leads from ones the user already has or that repeat an earlier
row (`Seen`). The third step of a lead import, shared by its check and its apply pass; also
the preview of the first rows on the mapping step, and the cleaned rows a check keeps for the
apply pass (`CheckedRows`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError

from mainthing.accounts.models import User
from mainthing.core import timekit
from mainthing.core.importing import CHUNK_SIZE, FileProblem, Source

from . import services
from .contacts import TAGS_MAX_LENGTH, match_keys
from .leadfiles import DELIMITERS, FIELDS, NOT_WORD, NUMERIC_DATE, Plan, open_file, records
from .models import CLOSED_STAGES, NOTES_MAX_LENGTH, LeadSource, Prospect, Stage

PREVIEW_ROWS = 5
# Dates with the month spelled out are never ambiguous; numeric ones other than ISO are.
_NAMED_MONTH_FORMATS = (
    "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y",
    "%d-%B-%Y", "%d %b, %Y", "%d %B, %Y",
)  # fmt: skip


class BadValue(Exception):
    """Something in one row is wrong; the message goes into the row's error."""


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


# --- cleaning rows -------------------------------------------------------------------------------


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _stage_lookup() -> dict[str, str]:
    lookup = {}
    for value, label in Stage.choices:
        for text in (value, str(label)):
            lookup[" ".join(NOT_WORD.sub(" ", text.lower()).split())] = value
    return lookup


_STAGES = _stage_lookup()


def source_lookup(user: User) -> tuple[dict[str, int | None], list[str]]:
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
        lookup[source_key(source.key)] = source.pk
        lookup[source_key(f"{source.category.name} / {source.campaign}")] = source.pk
        campaigns.setdefault(source_key(source.campaign), []).append(source.pk)
    for campaign, ids in campaigns.items():
        if len(ids) == 1:
            lookup.setdefault(campaign, ids[0])
    return lookup, sorted(keys)


def source_key(text: str) -> str:
    return re.sub(r"\s*/\s*", "/", _normal(text))


def parse_follow_up(text: str) -> date | None:
    """A follow-up date: ISO 8601 (2026-03-01, also with a time after it, which is dropped) or
    with the month spelled out (1 March 2026, Mar 1, 2026, 01-Mar-2026), in the range the
    product handles. Numeric dates such as 03/04/2026 are refused: they mean different days in
    different countries."""
    day = _read_follow_up(text)
    try:
        return None if day is None else timekit.check_day(day)
    except ValueError as error:
        raise BadValue(f"The follow-up date: {error}") from None


def _read_follow_up(text: str) -> date | None:
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
    if NUMERIC_DATE.match(text):
        raise BadValue(
            f"The follow-up date “{text}” is ambiguous (day/month or month/day?); write it as "
            "YYYY-MM-DD, e.g. 2026-03-01."
        )
    raise BadValue(f"The follow-up date “{text[:40]}” is not a date like 2026-03-01.")


def import_key(name: str, email_key: str, phone: str, social: str) -> str:
    """The fingerprint of an imported prospect: SHA-1 (hex) of the case-folded name, the
    normalised email, the E.164 phone and the lower-cased social handle."""
    canonical = f"{name.casefold()}\x1f{email_key}\x1f{phone}\x1f{social.lower()}"
    return hashlib.sha1(canonical.encode()).hexdigest()


class Cleaner:
    """Turns one row's cells into a Lead, or raises BadValue with everything wrong in it.
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
            source_lookup(user) if self.i_source is not None else ({}, [])
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
            raise BadValue(problem)
        messages: list[str] = []
        email = record[self.i_email] if self.i_email is not None else ""
        phone = record[self.i_phone] if self.i_phone is not None else ""
        social = record[self.i_social] if self.i_social is not None else ""
        name = self.name_of(record)
        if not name:
            # A list of addresses from a landing page has no names: the contact stands in.
            name = email.strip() or phone.strip() or social.strip()
        if not name:
            raise BadValue("The row has no name, email, phone or social handle.")
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
                notes=notes[:NOTES_MAX_LENGTH],  # several note columns joined, cut to fit
            )
        except ValidationError as error:
            messages.extend(error.messages)
        source_id = self.default_source
        if self.i_source is not None:
            raw = record[self.i_source].strip()
            if raw:
                key = source_key(raw)
                if key in self.sources:
                    source_id = self.sources[key]
                else:
                    messages.append(self._unknown_source(raw))
        stage = Stage.NEW.value
        if self.i_stage is not None:
            raw = record[self.i_stage].strip()
            if raw:
                found = _STAGES.get(" ".join(NOT_WORD.sub(" ", raw.lower()).split()))
                if found is None:
                    labels = ", ".join(str(label) for label in Stage.labels)
                    messages.append(f"The stage “{raw[:40]}” is not one of {labels}.")
                else:
                    stage = found
        follow_up = None
        if self.i_follow is not None:
            try:
                follow_up = parse_follow_up(record[self.i_follow])
            except BadValue as error:
                messages.append(str(error))
        if contact is not None and len(contact.tags) > TAGS_MAX_LENGTH:
            messages.append(f"The tags are longer than {TAGS_MAX_LENGTH} characters together.")
        if messages or contact is None:
            raise BadValue(" ".join(messages))
        if stage in CLOSED_STAGES:
            follow_up = None  # a prospect who joined needs no follow-up
        email_key, phone = match_keys(contact.email, contact.phone)
        return Lead(
            number,
            contact.name,
            contact.email,
            email_key,
            phone,
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


def read_leads(user: User, source: Source, plan: Plan) -> Iterator[Lead | tuple[int, str]]:
    """The file's rows, each a Lead or (row number, message). Raises FileProblem when the file
    as a whole can't be read."""
    cleaner = Cleaner(user, plan)
    for number, record in records(source, plan.layout):
        if cleaner.is_blank(record):
            continue
        try:
            yield cleaner.clean(number, record)
        except BadValue as error:
            yield number, str(error)


class Seen:
    """Emails, phones and fingerprints already taken: by the user's prospects, and by the rows
    of the file read so far. Emails and phones are compared by `contacts.match_keys`, as the
    stored `email_key` and `phone` columns were written."""

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
        email, phone = match_keys(lead.email, lead.phone)  # the rule find_duplicates follows
        key = lead.key
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


# --- preview -----------------------------------------------------------------------------------


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
    cleaner = Cleaner(user, plan)
    source_labels = {
        s.pk: s.label for s in LeadSource.objects.filter(user=user).select_related("category")
    }
    try:
        source = open_file(path, plan.layout)
    except FileProblem as problem:
        result.problem = str(problem)
        return result
    try:
        for number, record in records(source, plan.layout):
            if cleaner.is_blank(record):
                continue
            try:
                lead = cleaner.clean(number, record)
            except BadValue as error:
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


# --- rows kept between the passes ----------------------------------------------------------------


class CheckedRows:
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
