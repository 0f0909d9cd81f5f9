"""Restoring an export file into an empty account, its entries in chunks of a hidden import
batch (see the package's docstring)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from mainthing.accounts import services as account_services
from mainthing.accounts.models import User
from mainthing.activity import services as activity_services
from mainthing.activity.models import Activity, Category
from mainthing.activity.services import DayTotals
from mainthing.bookings.models import Appointment, CallbackRequest
from mainthing.core import jsonstream, timekit
from mainthing.core.bulk import BulkInsert
from mainthing.core.importing import BatchWriter, discard, open_batch, publish
from mainthing.core.models import ImportBatch
from mainthing.prospects.models import (
    Income,
    Prospect,
    Spend,
)

from .bookingparts import apply_callbacks, apply_page
from .callparts import apply_scripts, apply_sessions
from .checks import (
    _activity,
    _categories,
    _profile,
)
from .format import (
    CHUNK,
    FORMAT,
    READABLE,
    REQUIRED,
    TOP_LEVEL,
)
from .parts import (
    apply_appointments,
    apply_column_mappings,
    apply_income,
    apply_prospects,
    apply_routine,
    apply_sources,
)

# --- writing -------------------------------------------------------------------------------------


class EntryWriter:
    """Inserts checked entries in chunks of the restore's import batch (`core.bulk`), each in
    its own short transaction, and adds up the day totals they make for when it is published.
    """

    FIELDS = (
        "user", "category", "start", "end", "seconds", "note", "prospect_name", "origin",
        "iga_override", "import_key", "created_at", "updated_at", "import_batch",
    )  # fmt: skip

    def __init__(self, user: User, batch: BatchWriter):
        self.bulk = BulkInsert(Activity, self.FIELDS)
        self.batch = batch
        self.user_id = user.pk
        self.stamp = self.bulk.adapt(timezone.now())
        self.count = 0
        self.totals = DayTotals(timekit.zone(user.time_zone))
        self.tiers: dict[int, str] = {}  # category id: tier, set with the categories
        self._ids: list[int] | None = None

    def write(self, entries: list[tuple]) -> None:
        adapt, stamp, user_id = self.bulk.adapt, self.stamp, self.user_id
        batch_id = self.batch.batch.pk
        rows = [
            (user_id, category, adapt(start), adapt(end), *rest, stamp, stamp, batch_id)
            for category, start, end, *rest in entries
        ]
        with self.batch.chunk():
            self.bulk.insert(rows)
        tiers = self.tiers
        for category, start, end, seconds, _, _, origin, override, _ in entries:
            if end is not None:
                self.totals.add(
                    start, end, category, tier=tiers[category], origin=origin, seconds=seconds,
                    override=override,
                )  # fmt: skip
        self.count += len(rows)

    def ids(self) -> list[int]:
        """The new entries' ids in file order: the account had none, and ids only grow. Read
        once, after the last entry is written."""
        if self._ids is None:
            self._ids = list(
                Activity.with_staged.filter(user_id=self.user_id)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        return self._ids


class _Categories:
    """Makes the user's categories exactly the file's: same-named ones are reused (the
    untouched defaults of a new account), the rest created, any others removed. New ones are
    created at once in the restore's batch (hidden until it is published), so entries can
    point at them; the changes to existing ones wait for the publishing transaction."""

    def __init__(self, user: User, rows: list[dict], batch: BatchWriter):
        existing = {c.name.lower(): c for c in Category.objects.filter(user=user)}
        self.ids: dict[str, int] = {}
        self.tiers: dict[int, str] = {}
        self.updated: list[Category] = []
        with batch.chunk():
            for row in rows:
                category = existing.pop(row["name"].lower(), None)
                if category is None:
                    category = Category(user=user, import_batch=batch.batch.pk, **row)
                    category.save()
                else:
                    for field, value in row.items():
                        setattr(category, field, value)
                    self.updated.append(category)
                self.ids[row["name"].lower()] = category.pk
                self.tiers[category.pk] = row["tier"]
        self.removed = [c.pk for c in existing.values()]

    def apply(self) -> None:
        for category in self.updated:
            category.save()
        # Nothing refers to them: restore only runs on an account without entries.
        Category.objects.filter(pk__in=self.removed).delete()


# --- restore -------------------------------------------------------------------------------------


class Restored(dict):
    """How many of each part a restore wrote, and `notes`: what it had to change on the way
    (a booking page address taken by another account here)."""

    def __init__(self, notes: list[str], counts: dict[str, int]):
        super().__init__(counts)
        self.notes = notes


def restore_user(user: User, path: Path) -> Restored:
    """Loads an export into an account that has no entries, appointments, prospects, income,
    spend or call-back requests yet, and returns how many of each part it restored (with
    notes on what it had to change).

    The entries (the bulk of a file) go in as committed chunks of an import batch, hidden until
    everything else is written with them in one short publishing transaction
    (`core.importing`), so a restore never holds the write lock for long and nobody sees part
    of it. Raises ValidationError, leaving nothing visible (the batch's rows are deleted), when
    the account has any of those, the file is not a Mainthing export of a known version, or any
    part of it is malformed.
    Side effects: the profile, categories, routine, lead sources and spend, booking page,
    prospects with their history, appointments with theirs, call-back requests, income, column
    mappings, call scripts, call sessions with their dials and entries of `user` (its lead
    sources, column mappings and scripts replaced, its page updated), with their day totals.
    """
    path = Path(path)
    if (
        Activity.objects.filter(user=user).exists()
        or Appointment.objects.filter(user=user).exists()
        or Prospect.objects.filter(user=user).exists()
        or Income.objects.filter(user=user).exists()
        or Spend.objects.filter(user=user).exists()
        or CallbackRequest.objects.filter(user=user).exists()
    ):
        raise ValidationError(
            f"{user.email} already has time entries, appointments, prospects, income, "
            "spend or call-back requests; restore only into an empty account (create a new "
            "one with `mainthing createuser`)."
        )
    batch = None
    try:
        with path.open("rb") as handle:
            first = jsonstream.first_character(handle)
            if not first:
                raise jsonstream.BrokenJson("the file is empty")
            if first != "{":
                raise ValidationError("This is not a Mainthing export: it is not a JSON object.")
            batch = open_batch(user, "restore")
            return _restore(user, jsonstream.ObjectReader(handle), batch)
    except FileNotFoundError:
        raise ValidationError(f"There is no file {path}.") from None
    except jsonstream.BrokenJson as error:
        raise ValidationError(f"{path} is not valid JSON: {error}.") from None
    except IntegrityError as error:
        raise ValidationError(
            f"{path} holds entries that contradict each other ({error})."
        ) from None
    finally:
        if batch is not None and batch.state != ImportBatch.State.PUBLISHED:
            discard(batch)


def _check_header(header: dict) -> None:
    if header.get("format") != FORMAT:
        raise ValidationError(
            f"This is not a Mainthing export (format {header.get('format')!r}, "
            f"expected {FORMAT!r})."
        )
    if header.get("version") not in READABLE:
        raise ValidationError(
            f"Unknown export version {header.get('version')!r}; this Mainthing reads "
            f"versions {', '.join(map(str, READABLE))}."
        )


def _restore(user: User, reader: jsonstream.ObjectReader, batch: ImportBatch) -> dict[str, int]:
    header: dict[str, Any] = {}
    categories: _Categories | None = None
    buffered: list | None = None
    chunks = BatchWriter(batch)
    writer = EntryWriter(user, chunks)

    def insert(rows: Iterable) -> None:
        ids = categories.ids
        entries: list[tuple] = []
        running = 0
        for row in rows:
            number = writer.count + len(entries) + 1
            entry = _activity(row, number, ids)
            running += entry[2] is None
            if running > 1:
                raise ValidationError(f"Entry {number}: only one timer can be running.")
            entries.append(entry)
            if len(entries) >= CHUNK:
                writer.write(entries)
                entries.clear()
        writer.write(entries)

    def prepare() -> None:
        nonlocal categories
        _check_header(header)
        # Day totals are counted in the zone the file's profile brings, when it says.
        # (A zone the profile can't take is refused with the profile, when it is written.)
        try:
            zone = timekit.zone(_profile(header.get("user", {})).get("time_zone") or "")
        except ValueError:
            zone = timekit.zone(user.time_zone)
        writer.totals = DayTotals(zone)
        categories = _Categories(user, _categories(header["categories"]), chunks)
        writer.tiers = categories.tiers

    seen: set[str] = set()
    for key in reader.members():
        if key not in TOP_LEVEL:
            raise ValidationError(f"The file has an unknown part {key!r}.")
        if key in seen:
            raise ValidationError(f"The file has {key!r} twice.")
        seen.add(key)
        if key != "activities":
            header[key] = reader.value()
            continue
        if not reader.peek_is_array():
            raise ValidationError("The file's activities must be a list.")
        if {"format", "version", "categories", "user"} <= seen:
            # The usual order: header and categories first, so the entries can stream in.
            prepare()
            insert(reader.items())
        else:
            # An unusual key order (a hand-edited file): hold the entries until the end.
            buffered = list(reader.items())
    _check_header(header)
    missing = [key for key in REQUIRED if key not in seen]
    if missing:
        raise ValidationError(f"The file has no {', '.join(repr(k) for k in missing)}.")
    if buffered is not None:
        prepare()
        insert(buffered)
    counts: dict[str, int] = {}
    notes: list[str] = []

    def rest() -> None:
        """Everything but the entries, written with the publishing of the batch."""
        categories.apply()
        account_services.update_profile(user, **_profile(header["user"]))
        counts["blocks"] = apply_routine(user, header.get("routine", []))
        # Version 1 files have none of these parts; they restore as empty.
        sources = apply_sources(user, header.get("sources", []), categories.ids)
        prospect_ids, counts["events"], counts["time_links"] = apply_prospects(
            user, header.get("prospects", []), sources, writer
        )
        # Version 1 and 2 files have no page, history or call-back requests either.
        note = apply_page(user, header.get("booking_page"), sources)
        if note:
            notes.append(note)
        counts["appointments"], counts["changes"] = apply_appointments(
            user, header.get("appointments", []), writer, prospect_ids, sources
        )
        counts["callback_requests"] = apply_callbacks(
            user, header.get("callback_requests", []), prospect_ids, sources
        )
        counts["booking_page"] = int(header.get("booking_page") is not None)
        counts["income"] = apply_income(user, header.get("income", []), prospect_ids)
        counts["column_mappings"] = apply_column_mappings(user, header.get("column_mappings", []))
        # Version 1 to 3 files have no call queue parts.
        counts["call_scripts"] = apply_scripts(user, header.get("call_scripts", []))
        counts["call_sessions"], counts["call_attempts"] = apply_sessions(
            user,
            header.get("call_sessions", []),
            prospect_ids=prospect_ids,
            activity_ids=writer.ids,
            sources=sources,
        )
        activity_services.add_to_day_totals(user, writer.totals.pairs)
        counts.update(sources=len(sources), prospects=len(prospect_ids))

    publish(batch, also=rest, rows=writer.count)
    return Restored(
        notes,
        {
            "categories": len(categories.ids),
            "blocks": counts["blocks"],
            "sources": counts["sources"],
            "spend": Spend.objects.filter(user=user).count(),
            "booking_page": counts["booking_page"],
            "prospects": counts["prospects"],
            "events": counts["events"],
            "time_links": counts["time_links"],
            "appointments": counts["appointments"],
            "changes": counts["changes"],
            "callback_requests": counts["callback_requests"],
            "income": counts["income"],
            "column_mappings": counts["column_mappings"],
            "call_scripts": counts["call_scripts"],
            "call_sessions": counts["call_sessions"],
            "call_attempts": counts["call_attempts"],
            "activities": writer.count,
        },
    )
