"""Writing a user's whole data as an export file, streaming (see the package's docstring)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import IO, Any

from django.db.models import Prefetch
from django.utils import timezone

from mainthing.accounts.models import User
from mainthing.activity.models import Activity, Category
from mainthing.bookings.models import Appointment, Change
from mainthing.calls.models import CallAttempt
from mainthing.core import files
from mainthing.prospects.models import (
    ColumnMapping,
    Event,
    Income,
    LeadSource,
    Prospect,
    ProspectTime,
    Spend,
)
from mainthing.routine.models import Block, BlockException

from . import bookingparts, callparts
from .format import (
    CHUNK,
    FORMAT,
    PROFILE_FIELDS,
    VERSION,
)

# --- export --------------------------------------------------------------------------------------


def _instant(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _clock(value: time | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%H:%M") if not (value.second or value.microsecond) else value.isoformat()


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _write_list(out: IO[str], key: str, items: Iterable[dict], *, last: bool = False) -> None:
    out.write(f'"{key}": [')
    out.write(",".join("\n" + _dump(item) for item in items))
    out.write("\n]" + ("\n" if last else ",\n"))


def export_user(user: User, path: Path) -> dict[str, int]:
    """Writes the user's profile, categories, routine, lead sources, booking page, prospects,
    appointments (with their history), call-back requests, income, call scripts, call
    sessions (with their dials) and entries to `path`; returns how many of each it wrote.

    The file appears whole or not at all: it is written beside `path` and renamed into place.
    Entries go first to a spool, so the categories and appointments written are read after
    them and agree with every entry exported.
    """
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    spool = path.with_name(f".{path.name}.entries")
    try:
        linked = set(
            Appointment.objects.filter(user=user, activity__isnull=False).values_list(
                "activity_id", flat=True
            )
        )
        linked.update(
            ProspectTime.objects.filter(prospect__user=user).values_list("activity_id", flat=True)
        )
        linked.update(
            CallAttempt.objects.filter(user=user, activity__isnull=False).values_list(
                "activity_id", flat=True
            )
        )
        index_of: dict[int, int] = {}
        count = 0
        names: dict[int, str] = {}
        with files.open_private(spool, "w", encoding="utf-8") as out:
            rows = (
                Activity.objects.filter(user=user)
                .order_by("start", "pk")
                .values_list(
                    "pk", "category_id", "start", "end", "note", "prospect_name", "origin",
                    "iga_override", "import_key",
                )
                .iterator(chunk_size=CHUNK)
            )  # fmt: skip
            for pk, category_id, start, end, note, prospect, origin, override, key in rows:
                if category_id not in names:
                    names.update(Category.objects.filter(user=user).values_list("pk", "name"))
                if pk in linked:
                    index_of[pk] = count
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
        routine = [
            {
                "tier": b.tier,
                "label": b.label,
                "weekdays": b.weekdays,
                "start": _clock(b.start),
                "end": _clock(b.end),
                "time_zone": b.time_zone,
                "valid_from": _day(b.valid_from),
                "valid_until": _day(b.valid_until),
                "exceptions": [
                    {
                        "date": _day(e.date),
                        "skip": e.skip,
                        "start": _clock(e.start),
                        "end": _clock(e.end),
                        "note": e.note,
                    }
                    for e in b.exceptions.all()
                ],
            }
            for b in Block.objects.filter(user=user)
            .order_by("start", "pk")
            .prefetch_related(
                Prefetch("exceptions", queryset=BlockException.objects.order_by("date"))
            )
        ]
        sources = _export_sources(user)
        # Prospects are read before what points at them; a link to a prospect added later is
        # dropped, like an entry added after the spool.
        prospect_index: dict[int, int] = {}
        prospects = []
        for pk, prospect in _export_prospects(user, index_of):
            prospect_index[pk] = len(prospects)
            prospects.append(prospect)
        appointments = [
            {
                "prospect_name": a.prospect_name,
                "start": _instant(a.start),
                "end": _instant(a.end),
                "booked_start": _instant(a.booked_start),
                "booked_end": _instant(a.booked_end),
                "status": a.status,
                "made_via": a.made_via,
                "note": a.note,
                "outside_blocks": a.outside_blocks,
                "sequence": a.sequence,
                # An entry created after the export began is not in the file.
                "activity": index_of.get(a.activity_id),
                "prospect": prospect_index.get(a.prospect_id),
                "source": a.source.key if a.source_id else None,
                "prospect_time_zone": a.prospect_time_zone,
                "changes": bookingparts.export_changes(a.changes.all(), _instant),
            }
            for a in Appointment.objects.filter(user=user)
            .select_related("source")
            .prefetch_related(Prefetch("changes", queryset=Change.objects.order_by("at", "pk")))
            .order_by("start", "pk")
        ]
        appointment_index = {
            pk: n
            for n, pk in enumerate(
                Appointment.objects.filter(user=user)
                .order_by("start", "pk")
                .values_list("pk", flat=True)
            )
        }
        callbacks = bookingparts.export_callbacks(user, prospect_index, _instant)
        scripts = callparts.export_scripts(user)
        sessions = callparts.export_sessions(
            user,
            _instant,
            prospects=prospect_index,
            activities=index_of,
            appointments=appointment_index,
        )
        page = bookingparts.export_page(user)
        income = [
            {
                "date": _day(i.date),
                "amount": str(i.amount),
                "currency": i.currency,
                "kind": i.kind,
                "prospect": prospect_index.get(i.prospect_id),
                "note": i.note,
            }
            for i in Income.objects.filter(user=user).order_by("date", "pk")
        ]
        mappings = [
            {"headers_key": m.headers_key, "mapping": m.mapping}
            for m in ColumnMapping.objects.filter(user=user).order_by("headers_key")
        ]
        profile = {"email": user.email}
        profile.update((field, getattr(user, field)) for field in PROFILE_FIELDS)
        # Owner-only while written and after (os.replace keeps the mode), whatever the umask.
        with files.open_private(partial, "w", encoding="utf-8") as out:
            out.write("{\n")
            out.write(f'"format": {_dump(FORMAT)},\n"version": {VERSION},\n')
            out.write(f'"exported_at": {_dump(_instant(timezone.now()))},\n')
            out.write(f'"user": {_dump(profile)},\n')
            _write_list(out, "categories", categories)
            _write_list(out, "routine", routine)
            _write_list(out, "sources", sources)
            out.write(f'"booking_page": {_dump(page)},\n')
            _write_list(out, "prospects", prospects)
            _write_list(out, "appointments", appointments)
            _write_list(out, "callback_requests", callbacks)
            _write_list(out, "income", income)
            _write_list(out, "column_mappings", mappings)
            _write_list(out, "call_scripts", scripts)
            _write_list(out, "call_sessions", sessions)
            out.write('"activities": [')
            with spool.open(encoding="utf-8") as entries:
                shutil.copyfileobj(entries, out, 1 << 20)
            out.write("\n]\n}\n")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
        spool.unlink(missing_ok=True)
    return {
        "categories": len(categories),
        "blocks": len(routine),
        "sources": len(sources),
        "spend": sum(len(source["spend"]) for source in sources),
        "booking_page": int(page is not None),
        "prospects": len(prospects),
        "events": sum(len(p["events"]) for p in prospects),
        "time_links": sum(len(p["activities"]) for p in prospects),
        "appointments": len(appointments),
        "changes": sum(len(a["changes"]) for a in appointments),
        "callback_requests": len(callbacks),
        "income": len(income),
        "column_mappings": len(mappings),
        "call_scripts": len(scripts),
        "call_sessions": len(sessions),
        "call_attempts": sum(len(session["attempts"]) for session in sessions),
        "activities": count,
    }


def _export_sources(user: User) -> list[dict]:
    spend: dict[int, list[dict]] = {}
    for row in Spend.objects.filter(user=user).order_by("date", "pk"):
        spend.setdefault(row.source_id, []).append(
            {"date": _day(row.date), "amount": str(row.amount), "note": row.note}
        )
    return [
        {
            "category": source.category.name if source.category_id else None,
            "campaign": source.campaign,
            "key": source.key,
            "archived": source.archived,
            "spend": spend.get(source.pk, []),
        }
        for source in LeadSource.objects.filter(user=user).select_related("category").order_by("pk")
    ]


def _export_prospects(user: User, index_of: dict[int, int]) -> Iterator[tuple[int, dict]]:
    """(id, row) for each prospect, oldest first, with its history and the indexes of its
    entries in the file."""
    rows = (
        Prospect.objects.filter(user=user)
        .select_related("source")
        .order_by("created_at", "pk")
        .prefetch_related(
            Prefetch("events", queryset=Event.objects.order_by("at", "pk")),
            "time_links",
        )
        .iterator(chunk_size=2000)
    )
    for p in rows:
        events = [
            {
                "kind": e.kind,
                "at": _instant(e.at),
                "from_stage": e.from_stage,
                "to_stage": e.to_stage,
                "text": e.text,
            }
            for e in p.events.all()
        ]
        entries = sorted(
            index_of[link.activity_id]
            for link in p.time_links.all()
            if link.activity_id in index_of
        )
        yield (
            p.pk,
            {
                "name": p.name,
                "email": p.email,
                "phone": p.phone,
                "social": p.social,
                "time_zone": p.time_zone,
                "source": p.source.key,
                "stage": p.stage,
                "follow_up_on": _day(p.follow_up_on),
                "tags": p.tag_list,
                "notes": p.notes,
                "import_key": p.import_key,
                "created_at": _instant(p.created_at),
                "stage_changed_at": _instant(p.stage_changed_at),
                "last_contacted_at": _instant(p.last_contacted_at),
                "events": events,
                "activities": entries,
            },
        )
