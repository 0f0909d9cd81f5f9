"""Read models over the routine: occurrences for any window, and prospecting time right now.

Lookups are `<thing>_for_user(user, pk)`: the user's row or Http404 (missing or another user's).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from mainthing.accounts.models import User
from mainthing.core.enums import Tier
from mainthing.core.lookups import owned_or_404

from . import occurrences
from .models import Block, BlockException


def block_for_user(user: User, pk: int | str) -> Block:
    """The user's block or Http404."""
    return owned_or_404(Block.objects.all(), pk, user)


def exception_for_user(user: User, pk: int | str) -> BlockException:
    """An exception on one of the user's blocks or Http404."""
    return owned_or_404(BlockException.objects.all(), pk, user, owner="block__user")


def has_prospecting_blocks(user: User) -> bool:
    """Whether the user has any prospecting (`income`) block: one EXISTS query."""
    return Block.objects.filter(user=user, tier=Tier.INCOME).exists()


def specs(user: User) -> list[occurrences.BlockSpec]:
    """The user's blocks with their exceptions in one lean query (a LEFT JOIN, no model
    instances): every page with a clock on it calls this."""
    rows = (
        Block.objects.filter(user=user)
        .values_list(
            "pk",
            "tier",
            "weekdays",
            "start",
            "end",
            "time_zone",
            "label",
            "valid_from",
            "valid_until",
            "exceptions__date",
            "exceptions__skip",
            "exceptions__start",
            "exceptions__end",
        )
        .order_by("start", "pk")
    )
    blocks: dict[int, tuple] = {}
    changes: dict[int, dict] = {}
    for *block, day, skip, change_start, change_end in rows:
        blocks.setdefault(block[0], tuple(block))
        if day is not None:
            changes.setdefault(block[0], {})[day] = occurrences.Exception_(
                skip, change_start, change_end
            )
    return [
        occurrences.BlockSpec(
            id=pk,
            tier=tier,
            weekdays=frozenset(i for i, f in enumerate(weekdays) if f == "1"),
            start=start,
            end=end,
            zone=zone,
            label=label,
            valid_from=valid_from,
            valid_until=valid_until,
            exceptions=changes.get(pk, {}),
        )
        for pk, tier, weekdays, start, end, zone, label, valid_from, valid_until in blocks.values()
    ]


def occurrences_between(
    user: User,
    start: datetime,
    end: datetime,
    *,
    tier: str | None = None,
    block_specs: list[occurrences.BlockSpec] | None = None,
) -> list[occurrences.Occurrence]:
    """Occurrences overlapping [start, end), clipped to it, ordered by start."""
    chosen = block_specs if block_specs is not None else specs(user)
    if tier:
        chosen = [s for s in chosen if s.tier == tier]
    return occurrences.expand_between(chosen, start, end)


def current_block(
    user: User, now: datetime, *, block_specs: list[occurrences.BlockSpec] | None = None
) -> occurrences.Occurrence | None:
    """The unclipped occurrence running at `now`, if any."""
    chosen = block_specs if block_specs is not None else specs(user)
    day = now.date()
    for occurrence in occurrences.expand(chosen, day - timedelta(days=2), day + timedelta(days=1)):
        if occurrence.start <= now < occurrence.end:
            return occurrence
    return None


def next_block(
    user: User,
    now: datetime,
    *,
    tier: str | None = None,
    block_specs: list[occurrences.BlockSpec] | None = None,
) -> occurrences.Occurrence | None:
    """The next occurrence starting after `now` within a fortnight."""
    chosen = block_specs if block_specs is not None else specs(user)
    if tier:
        chosen = [s for s in chosen if s.tier == tier]
    day = now.date()
    for occurrence in occurrences.expand(chosen, day - timedelta(days=1), day + timedelta(days=15)):
        if occurrence.start > now:
            return occurrence
    return None


def is_prospecting_time(
    user: User, at: datetime, *, block_specs: list[occurrences.BlockSpec] | None = None
) -> bool:
    block = current_block(user, at, block_specs=block_specs)
    return block is not None and block.tier == Tier.INCOME
