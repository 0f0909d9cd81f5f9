"""Routine rules: blocks may not overlap, exceptions change one date, templates start you off."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from mainthing.accounts import services as account_services
from mainthing.accounts.models import User
from mainthing.core import limits, timekit
from mainthing.core.enums import Tier

from . import occurrences
from .models import Block, BlockException

# How far ahead a new block is checked against the others: a year covers every DST pairing of
# two zones and every weekday combination.
OVERLAP_HORIZON_DAYS = 371

# The discipline's starting day: lead gen first thing, prospecting at lunch and in the evening.
STARTER_TEMPLATE = [
    (Tier.LEADGEN, "Mon-Sat", time(9, 0), time(10, 0), "Lead generation"),
    (Tier.INCOME, "Mon-Sat", time(12, 0), time(13, 0), "Prospecting: lunch calls"),
    (Tier.INCOME, "Mon-Sat", time(19, 0), time(21, 0), "Prospecting: evening calls"),
]


def _weekdays_text(days: frozenset[int]) -> str:
    return "".join("1" if i in days else "0" for i in range(7))


def _check_no_overlap(user: User, candidate: Block, *, today: date) -> None:
    others = list(
        Block.objects.filter(user=user).exclude(pk=candidate.pk).prefetch_related("exceptions")
    )
    if not others:
        return
    first = max(today - timedelta(days=1), candidate.valid_from or today)
    last = first + timedelta(days=OVERLAP_HORIZON_DAYS)
    if candidate.valid_until:
        last = min(last, candidate.valid_until)
    mine = occurrences.expand([candidate.spec()], first, last)
    theirs = occurrences.expand(
        [b.spec(list(b.exceptions.all())) for b in others],
        first - timedelta(days=1),
        last + timedelta(days=1),
    )
    j = 0
    for occurrence in mine:
        while j < len(theirs) and theirs[j].end <= occurrence.start:
            j += 1
        k = j
        while k < len(theirs) and theirs[k].start < occurrence.end:
            if timekit.overlaps(occurrence.start, occurrence.end, theirs[k].start, theirs[k].end):
                clash = next(b for b in others if b.pk == theirs[k].block_id)
                raise ValidationError(
                    f"This overlaps {clash.described} on {occurrence.local_date:%A %d %b %Y}."
                    " Blocks may not overlap: change the hours or the days."
                )
            k += 1


def _read_days(days: str | frozenset[int] | set[int]) -> frozenset[int]:
    try:
        return occurrences.parse_days(days) if isinstance(days, str) else frozenset(days)
    except ValueError as error:
        raise ValidationError(str(error)) from None


def _read_zone(name: str) -> str:
    try:
        return timekit.zone(name).key
    except ValueError as error:
        raise ValidationError(str(error)) from None


def _check_fields(block: Block) -> None:
    """What every block must hold, added or edited: a tier, a day, a length, an ordered range."""
    if block.tier not in Tier.values:
        raise ValidationError(f"Tier must be one of {', '.join(Tier.values)}.")
    if not block.weekday_set:
        raise ValidationError("Name at least one day, e.g. Mon-Fri.")
    if block.start == block.end:
        raise ValidationError("A block needs a start and a different end.")
    if block.valid_from and block.valid_until and block.valid_until < block.valid_from:
        raise ValidationError("'Valid until' must be on or after 'valid from'.")


def add_block(
    user: User,
    *,
    tier: str,
    days: str | frozenset[int],
    start: time,
    end: time,
    zone: str | None = None,
    label: str = "",
    valid_from: date | None = None,
    valid_until: date | None = None,
    today: date,
) -> Block:
    """Creates a weekly block after checking it against the user's other blocks.

    `days` is text like "Mon-Sat" or a set of weekday numbers (0 = Monday). Raises
    ValidationError, writing nothing, when the block is malformed or overlaps another.
    """
    (label,) = limits.fit(Block, label=label)
    block = Block(
        user=user,
        tier=tier,
        weekdays=_weekdays_text(_read_days(days)),
        start=start,
        end=end,
        time_zone=_read_zone(zone or user.time_zone),
        label=label,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    _check_fields(block)
    with transaction.atomic():
        # Serialise a user's routine edits so two requests can't add overlapping blocks.
        account_services.lock_user(user.pk)
        _check_no_overlap(user, block, today=today)
        block.save()
    return block


def _bump_sequence(block: Block) -> None:
    # An UPDATE with F() so concurrent edits each count; calendar feeds read it as SEQUENCE.
    Block.objects.filter(pk=block.pk).update(sequence=F("sequence") + 1)
    block.refresh_from_db(fields=["sequence"])


BLOCK_FIELDS = (
    "tier",
    "weekdays",
    "start",
    "end",
    "time_zone",
    "label",
    "valid_from",
    "valid_until",
)


def update_block(block: Block, *, today: date, **changes) -> Block:
    """Changes a block in place: the same row, so its exceptions, its calendar-feed events and
    everything linked to it stay. Checked like a new block (fields, then overlap with the
    others); a refused change writes nothing and leaves `block` as it was. Bumps the block's
    sequence, so calendar clients replace its events."""
    allowed = {"tier", "days", "start", "end", "zone", "label", "valid_from", "valid_until"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"Unknown block fields: {', '.join(sorted(unknown))}.")
    before = {name: getattr(block, name) for name in BLOCK_FIELDS}
    try:
        if "days" in changes:
            block.weekdays = _weekdays_text(_read_days(changes.pop("days")))
        if "zone" in changes:
            block.time_zone = _read_zone(changes.pop("zone"))
        if "label" in changes:
            (changes["label"],) = limits.fit(Block, label=changes["label"])
        for key, value in changes.items():
            setattr(block, key, value)
        _check_fields(block)
        with transaction.atomic():
            account_services.lock_user(block.user_id)
            _check_no_overlap(block.user, block, today=today)
            # Counted in SQL: saving a stale in-memory number could make the sequence go back.
            block.sequence = F("sequence") + 1
            block.save()
    except ValidationError:
        for name, value in before.items():
            setattr(block, name, value)
        raise
    block.refresh_from_db(fields=["sequence"])
    return block


def remove_block(block: Block) -> None:
    block.delete()


def set_exception(
    block: Block,
    *,
    day: date,
    skip: bool = True,
    start: time | None = None,
    end: time | None = None,
    note: str = "",
    today: date,
) -> BlockException:
    """Skips the block on `day`, or gives it other hours that day (replacing any earlier
    exception for that date). Bumps the block's sequence."""
    if not skip and (start is None or end is None or start == end):
        raise ValidationError("Other hours need a start and a different end.")
    (note,) = limits.fit(BlockException, note=note)
    with transaction.atomic():
        exception, _ = BlockException.objects.update_or_create(
            block=block,
            date=day,
            defaults={
                "skip": skip,
                "start": None if skip else start,
                "end": None if skip else end,
                "note": note,
            },
        )
        if not skip:
            _check_exception_fits(block, exception)
        _bump_sequence(block)
    return exception


def _check_exception_fits(block: Block, exception: BlockException) -> None:
    changed = block.spec(list(block.exceptions.all()))
    mine = occurrences.block_on(changed, exception.date)
    if mine is None:
        return
    others = list(
        Block.objects.filter(user_id=block.user_id)
        .exclude(pk=block.pk)
        .prefetch_related("exceptions")
    )
    theirs = occurrences.expand(
        [b.spec(list(b.exceptions.all())) for b in others],
        exception.date - timedelta(days=1),
        exception.date + timedelta(days=1),
    )
    for other in theirs:
        if timekit.overlaps(mine.start, mine.end, other.start, other.end):
            clash = next(b for b in others if b.pk == other.block_id)
            raise ValidationError(
                f"Those hours overlap {clash.described} on {exception.date:%A %d %b %Y}."
            )


def remove_exception(exception: BlockException) -> None:
    """Deletes the exception and bumps its block's sequence."""
    with transaction.atomic():
        Block.objects.filter(pk=exception.block_id).update(sequence=F("sequence") + 1)
        exception.delete()


def apply_starter_template(user: User, *, today: date) -> list[Block]:
    """Adds the discipline's starting routine, skipping any block that would overlap."""
    made = []
    for tier, days, start, end, label in STARTER_TEMPLATE:
        try:
            made.append(
                add_block(
                    user, tier=tier, days=days, start=start, end=end, label=label, today=today
                )
            )
        except ValidationError:
            continue
    return made


def now_local_date(user: User, now: datetime) -> date:
    return timekit.local_date(now, timekit.zone(user.time_zone))
