"""A user's whole data as one versioned JSON file: `mainthing export` and `mainthing restore`.

The file:

    {"format": "mainthing-export", "version": 1, "exported_at": "2026-11-27T09:00:00Z",
     "user": {"email": ..., "name": ..., "time_zone": ..., "goal_iga_minutes": ...,
              "goal_conversations": ..., "nudge_minutes": ...,
              "prospecting_start": "19:00" | null, "prospecting_end": "21:00" | null},
     "categories": [{"name", "tier", "color", "archived", "position"}, ...],
     "activities": [{"category": name, "start": ISO UTC, "end": ISO UTC | null, "note",
                     "prospect_name", "origin", "iga_override", "import_key"}, ...]}

Instants are ISO 8601 in UTC with a "Z"; entries name their category. Both directions stream:
an export writes one entry per line as the database hands them over, and a restore parses the
activities array element by element, so a million entries never sit in memory at once. Day
totals are not in the file; a restore rebuilds them. Row bookkeeping (ids, created/updated
stamps, the password hash) is not part of the user's data and stays out.

Sits above the apps, like onboarding and the CLI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mainthing.accounts import services as account_services
from mainthing.accounts.models import User
from mainthing.activity import services as activity_services
from mainthing.activity.models import Activity, Category, Origin
from mainthing.core import timekit
from mainthing.core.enums import Tier

FORMAT = "mainthing-export"
VERSION = 1
PROFILE_FIELDS = account_services.PROFILE_FIELDS
TOP_LEVEL = ("format", "version", "exported_at", "user", "categories", "activities")
CATEGORY_FIELDS = ("name", "tier", "color", "archived", "position")
ACTIVITY_FIELDS = (
    "category",
    "start",
    "end",
    "note",
    "prospect_name",
    "origin",
    "iga_override",
    "import_key",
)
CHUNK = 5000
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


# --- export --------------------------------------------------------------------------------------


def _instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _clock(value: time | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%H:%M") if not (value.second or value.microsecond) else value.isoformat()


def export_user(user: User, path: Path) -> dict[str, int]:
    """Writes the user's profile, categories and entries to `path`; returns what it wrote.

    The file appears whole or not at all: it is written beside `path` and renamed into place.
    Entries are written first to a spool so the categories listed are read after them and
    include any category an entry was moved to while the export ran.
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    spool = path.with_name(f".{path.name}.entries")
    try:
        count = 0
        names: dict[int, str] = {}
        with spool.open("w", encoding="utf-8") as out:
            rows = (
                Activity.objects.filter(user=user)
                .order_by("start", "pk")
                .values_list(
                    "category_id", "start", "end", "note", "prospect_name", "origin",
                    "iga_override", "import_key",
                )
                .iterator(chunk_size=CHUNK)
            )  # fmt: skip
            for category_id, start, end, note, prospect, origin, override, key in rows:
                if category_id not in names:
                    names.update(Category.objects.filter(user=user).values_list("pk", "name"))
                entry = {
                    "category": names[category_id],
                    "start": _instant(start),
                    "end": _instant(end),
                    "note": note,
                    "prospect_name": prospect,
                    "origin": origin,
                    "iga_override": override,
                    "import_key": key,
                }
                out.write(("," if count else "") + "\n" + _dump(entry))
                count += 1
        categories = [
            {
                "name": c.name,
                "tier": c.tier,
                "color": c.color,
                "archived": c.archived,
                "position": c.position,
            }
            for c in Category.objects.filter(user=user).order_by("position", "name")
        ]
        profile = {"email": user.email}
        for field in PROFILE_FIELDS:
            value = getattr(user, field)
            profile[field] = _clock(value) if isinstance(value, time) else value
        with partial.open("w", encoding="utf-8") as out:
            out.write("{\n")
            out.write(f'"format": {_dump(FORMAT)},\n"version": {VERSION},\n')
            out.write(f'"exported_at": {_dump(_instant(timezone.now()))},\n')
            out.write(f'"user": {_dump(profile)},\n"categories": [')
            out.write(",".join("\n" + _dump(c) for c in categories))
            out.write("\n],\n" + '"activities": [')
            with spool.open(encoding="utf-8") as entries:
                shutil.copyfileobj(entries, out, 1 << 20)
            out.write("\n]\n}\n")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
        spool.unlink(missing_ok=True)
    return {"categories": len(categories), "activities": count}


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


# --- reading -------------------------------------------------------------------------------------


class _Malformed(Exception):
    pass


class _Stream:
    """Just enough of an incremental JSON reader for one top-level object: keys and values
    come one at a time, and an array value can be walked element by element."""

    def __init__(self, handle: IO[str]):
        self.handle = handle
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.handle.read(1 << 20)
        if not chunk:
            self.eof = True
            return False
        self.buffer = self.buffer[self.pos :] + chunk
        self.pos = 0
        return True

    def _skip_space(self) -> None:
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buffer) or not self._fill():
                return

    def peek(self) -> str:
        self._skip_space()
        return self.buffer[self.pos] if self.pos < len(self.buffer) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = self.peek() or "the end of the file"
            raise _Malformed(f"expected {char!r} but found {found!r}")
        self.pos += 1

    def value(self) -> Any:
        self._skip_space()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError:
                if self._fill():
                    continue
                raise _Malformed("a value is cut short or is not valid JSON") from None
            # A number or word at the very end of the buffer may continue in the next chunk.
            if end == len(self.buffer) and self._fill():
                continue
            self.pos = end
            return value

    def members(self) -> Iterator[str]:
        """Keys of the top-level object; the caller reads or walks each value in between."""
        self.expect("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                raise _Malformed("object keys must be strings")
            self.expect(":")
            yield key
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("}")
            break
        if self.peek():
            raise _Malformed("there is more after the end of the export")

    def elements(self) -> Iterator[Any]:
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("]")
            return


# --- restore -------------------------------------------------------------------------------------


def _parse_instant(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise ValidationError(f"{where} must be an ISO 8601 date and time.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{where}: {value!r} is not an ISO 8601 date and time.") from None
    if parsed.tzinfo is None:
        raise ValidationError(f"{where}: {value!r} has no UTC offset.")
    return parsed.astimezone(UTC)


def _parse_clock(value: Any, where: str) -> time | None:
    if value is None:
        return None
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{where}: {value!r} is not a time like 19:00.") from None


def _text(row: dict, key: str, limit: int, where: str, *, default: str = "") -> str:
    value = row.get(key, default)
    if not isinstance(value, str):
        raise ValidationError(f"{where}: {key} must be text.")
    if len(value) > limit:
        raise ValidationError(f"{where}: {key} is longer than {limit} characters.")
    return value


def _whole(value: Any, where: str, *, low: int = 0, high: int = 2**31 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{where} must be a whole number from {low} to {high}.")
    return value


def _profile(data: Any) -> dict:
    if not isinstance(data, dict):
        raise ValidationError("The file's user must be an object.")
    unknown = set(data) - {"email", *PROFILE_FIELDS}
    if unknown:
        raise ValidationError(f"The file's user has unknown fields: {', '.join(sorted(unknown))}.")
    changes: dict[str, Any] = {}
    for field in PROFILE_FIELDS:
        if field not in data:
            continue
        where = f"user.{field}"
        value = data[field]
        if field in ("prospecting_start", "prospecting_end"):
            changes[field] = _parse_clock(value, where)
        elif field in ("name", "time_zone"):
            changes[field] = _text(data, field, 120 if field == "name" else 64, "user")
        else:
            changes[field] = _whole(value, where, high=24 * 60)
    return changes


def _categories(data: Any) -> list[dict]:
    if not isinstance(data, list):
        raise ValidationError("The file's categories must be a list.")
    seen: set[str] = set()
    rows = []
    for index, row in enumerate(data, 1):
        where = f"Category {index}"
        if not isinstance(row, dict):
            raise ValidationError(f"{where} must be an object.")
        unknown = set(row) - set(CATEGORY_FIELDS)
        if unknown:
            raise ValidationError(f"{where} has unknown fields: {', '.join(sorted(unknown))}.")
        name = " ".join(_text(row, "name", 60, where).split())
        if not name:
            raise ValidationError(f"{where} has no name.")
        if name.lower() in seen:
            raise ValidationError(f"{where}: the name {name!r} appears twice.")
        seen.add(name.lower())
        if row.get("tier") not in Tier.values:
            raise ValidationError(f"{where}: tier must be one of {', '.join(Tier.values)}.")
        color = row.get("color", activity_services.TIER_COLORS[Tier(row["tier"])])
        if not isinstance(color, str) or not _COLOR.fullmatch(color):
            raise ValidationError(f"{where}: {color!r} is not a colour like #16a34a.")
        archived = row.get("archived", False)
        if not isinstance(archived, bool):
            raise ValidationError(f"{where}: archived must be true or false.")
        position = _whole(row.get("position", index), f"{where}: position")
        rows.append(
            {
                "name": name,
                "tier": row["tier"],
                "color": color,
                "archived": archived,
                "position": position,
            }
        )
    return rows


def _activity(row: Any, index: int, categories: dict[str, int], user: User) -> Activity:
    where = f"Entry {index}"
    if not isinstance(row, dict):
        raise ValidationError(f"{where} must be an object.")
    unknown = set(row) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValidationError(f"{where} has unknown fields: {', '.join(sorted(unknown))}.")
    name = row.get("category")
    if not isinstance(name, str) or name.lower() not in categories:
        raise ValidationError(f"{where}: {name!r} is not one of the file's categories.")
    start = _parse_instant(row.get("start"), f"{where}: start")
    end = None if row.get("end") is None else _parse_instant(row["end"], f"{where}: end")
    if end is not None and end <= start:
        raise ValidationError(f"{where}: the end must be after the start.")
    origin = row.get("origin", Origin.MANUAL)
    if origin not in Origin.values:
        raise ValidationError(f"{where}: origin must be one of {', '.join(Origin.values)}.")
    override = row.get("iga_override", False)
    if not isinstance(override, bool):
        raise ValidationError(f"{where}: iga_override must be true or false.")
    key = row.get("import_key")
    if key is not None:
        key = _text(row, "import_key", 40, where)
    return Activity(
        user=user,
        category_id=categories[name.lower()],
        start=start,
        end=end,
        seconds=timekit.elapsed_seconds(start, end) if end else 0,
        note=_text(row, "note", 500, where),
        prospect_name=_text(row, "prospect_name", 120, where),
        origin=origin,
        iga_override=override,
        import_key=key,
    )


def _apply_categories(user: User, rows: list[dict]) -> dict[str, int]:
    """Makes the user's categories exactly the file's: same-named ones are reused (the
    untouched defaults of a new account), the rest created, any others removed."""
    existing = {c.name.lower(): c for c in Category.objects.filter(user=user)}
    ids = {}
    for row in rows:
        category = existing.pop(row["name"].lower(), None) or Category(user=user)
        for field, value in row.items():
            setattr(category, field, value)
        category.save()
        ids[row["name"].lower()] = category.pk
    # Nothing refers to them: restore only runs on an account without entries.
    Category.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    return ids


def restore_user(user: User, path: Path) -> dict[str, int]:
    """Loads an export into an account that has no entries yet, in one transaction.

    Raises ValidationError, writing nothing, when the account has entries, the file is not a
    Mainthing export of a known version, or any part of it is malformed. Side effects: the
    profile, categories and entries of `user`, then its day totals rebuilt.
    """
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle, transaction.atomic():
            if Activity.objects.filter(user=user).exists():
                raise ValidationError(
                    f"{user.email} already has time entries; restore only into an empty "
                    "account (create a new one with `mainthing createuser`)."
                )
            return _restore(user, _Stream(handle))
    except FileNotFoundError:
        raise ValidationError(f"There is no file {path}.") from None
    except UnicodeDecodeError:
        raise ValidationError(f"{path} is not a Mainthing export: it is not UTF-8 text.") from None
    except _Malformed as error:
        raise ValidationError(f"{path} is not valid JSON: {error}.") from None
    except IntegrityError as error:
        raise ValidationError(
            f"{path} holds entries that contradict each other ({error})."
        ) from None


def _check_header(header: dict) -> None:
    if header.get("format") != FORMAT:
        raise ValidationError(
            f"This is not a Mainthing export (format {header.get('format')!r}, "
            f"expected {FORMAT!r})."
        )
    if header.get("version") != VERSION:
        raise ValidationError(
            f"Unknown export version {header.get('version')!r}; this Mainthing reads "
            f"version {VERSION}."
        )


def _restore(user: User, stream: _Stream) -> dict[str, int]:
    header: dict[str, Any] = {}
    category_ids: dict[str, int] = {}
    buffered: list | None = None
    count = running = 0

    def insert(rows) -> None:
        nonlocal count, running
        batch: list[Activity] = []
        for row in rows:
            count += 1
            entry = _activity(row, count, category_ids, user)
            running += entry.end is None
            if running > 1:
                raise ValidationError(f"Entry {count}: only one timer can be running.")
            batch.append(entry)
            if len(batch) >= CHUNK:
                Activity.objects.bulk_create(batch)
                batch.clear()
        Activity.objects.bulk_create(batch)

    first = stream.peek()
    if not first:
        raise _Malformed("the file is empty")
    if first != "{":
        raise ValidationError("This is not a Mainthing export: it is not a JSON object.")
    seen: set[str] = set()
    for key in stream.members():
        if key not in TOP_LEVEL:
            raise ValidationError(f"The file has an unknown part {key!r}.")
        if key in seen:
            raise ValidationError(f"The file has {key!r} twice.")
        seen.add(key)
        if key != "activities":
            header[key] = stream.value()
            continue
        if stream.peek() != "[":
            raise ValidationError("The file's activities must be a list.")
        if {"format", "version", "categories"} <= seen:
            # The usual order: header and categories first, so the entries can stream in.
            _check_header(header)
            category_ids = _apply_categories(user, _categories(header["categories"]))
            insert(stream.elements())
        else:
            # An unusual key order (a hand-edited file): hold the entries until the end.
            buffered = list(stream.elements())
    _check_header(header)
    missing = [key for key in TOP_LEVEL if key not in seen and key != "exported_at"]
    if missing:
        raise ValidationError(f"The file has no {', '.join(repr(k) for k in missing)}.")
    if buffered is not None:
        category_ids = _apply_categories(user, _categories(header["categories"]))
        insert(buffered)
    account_services.update_profile(user, **_profile(header["user"]))
    activity_services.rebuild_day_totals(user)
    return {"categories": len(category_ids), "activities": count}
