"""The JSON shape of a time entry (the CLI's `--json`, the API)."""

from __future__ import annotations

from ninja import Schema

from mainthing.core.schemas import LocalTime


class EntrySchema(Schema):
    id: int
    category: str
    tier: str
    start: LocalTime
    end: LocalTime | None
    seconds: int
    note: str
    prospect_name: str
    iga_override: bool

    @classmethod
    def of(cls, entry, tz) -> EntrySchema:
        """`entry` with its times in `tz` (the user's zone)."""
        return cls(
            id=entry.pk,
            category=entry.category.name,
            tier=str(entry.category.tier),
            start=entry.start.astimezone(tz),
            end=entry.end.astimezone(tz) if entry.end else None,
            seconds=entry.seconds,
            note=entry.note,
            prospect_name=entry.prospect_name,
            iga_override=entry.iga_override,
        )
