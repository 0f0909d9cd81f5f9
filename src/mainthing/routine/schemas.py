"""The JSON shape of a weekly block (the CLI's `--json`, the API)."""

from __future__ import annotations

from datetime import date

from ninja import Schema

from mainthing.core.schemas import Page


class BlockSchema(Schema):
    id: int
    tier: str
    days: str
    start: str  # wall-clock "19:00" in the block's own zone
    end: str
    time_zone: str
    label: str
    valid_from: date | None
    valid_until: date | None

    @classmethod
    def of(cls, block) -> BlockSchema:
        return cls(
            id=block.pk,
            tier=str(block.tier),
            days=block.days_text,
            start=f"{block.start:%H:%M}",
            end=f"{block.end:%H:%M}",
            time_zone=block.time_zone,
            label=block.label,
            valid_from=block.valid_from,
            valid_until=block.valid_until,
        )


class BlockPage(Page):
    items: list[BlockSchema]
