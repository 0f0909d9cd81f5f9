"""The ledger's rules: categories, the timer, manual entries, the IGA question and day totals.

These functions are the only code that writes activity rows. Each keeps `DayTotal` in step
with the entries inside the same transaction, so reports never disagree with the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from mainthing.accounts import services as account_services
from mainthing.accounts.models import User
from mainthing.core import limits, timekit
from mainthing.core.enums import Tier
from mainthing.routine import queries as routine_queries

from .models import LONG_ENTRY_SECONDS, Activity, Category, DayTotal, Origin

# A start that comes this soon after the running timer's start replaces that timer instead of
# stopping it: a double click, two tabs or a corrected choice must not leave a sliver of an
# entry (nor, with the one-second minimum, two entries overlapping each other).
REPLACE_WITHIN_SECONDS = 10

IGA_QUESTION = "It's your prospecting time. Is this income-generating activity?"
NUDGE_QUESTION = "You've been on busy work for a while. Is this income-generating activity?"

DEFAULT_CATEGORIES: dict[str, list[tuple[str, str]]] = {
    Tier.INCOME: [
        ("Prospect call", "#16a34a"),
        ("Follow-up call", "#22c55e"),
        ("Three-way call", "#15803d"),
        ("Presentation", "#4ade80"),
    ],
    Tier.LEADGEN: [
        ("Forum posts", "#2563eb"),
        ("Video posts", "#3b82f6"),
        ("PPC campaigns", "#1d4ed8"),
        ("Social networking", "#60a5fa"),
    ],
    Tier.OTHER: [
        ("Organizing", "#9ca3af"),
        ("Reading sales letters", "#6b7280"),
        ("Web searches", "#a8a29e"),
        ("Email inbox", "#78716c"),
    ],
}
TIER_COLORS = {Tier.INCOME: "#16a34a", Tier.LEADGEN: "#2563eb", Tier.OTHER: "#9ca3af"}


class IgaQuestion(Exception):
    """Raised instead of starting busy work in prospecting time; the caller asks the user."""

    def __init__(self, category: Category, income_categories: list[Category]):
        super().__init__(IGA_QUESTION)
        self.category = category
        self.income_categories = income_categories


class OverlapError(ValidationError):
    """An entry would overlap others; the caller may confirm and save anyway."""

    def __init__(self, overlapping: list[Activity]):
        self.overlapping = overlapping
        listing = ", ".join(f"{a.category.name} {a.start:%Y-%m-%d %H:%M}" for a in overlapping[:3])
        more = f" and {len(overlapping) - 3} more" if len(overlapping) > 3 else ""
        super().__init__(
            f"This overlaps {len(overlapping)} other entr{'y' if len(overlapping) == 1 else 'ies'}"
            f" ({listing}{more}). Confirm to save it anyway."
        )


# --- categories --------------------------------------------------------------------------------


def set_up_default_categories(user: User) -> list[Category]:
    """Gives a new user the starting categories of the discipline. Idempotent."""
    if Category.objects.filter(user=user).exists():
        return list(Category.objects.filter(user=user))
    rows = []
    position = 0
    for tier, entries in DEFAULT_CATEGORIES.items():
        for name, color in entries:
            rows.append(Category(user=user, tier=tier, name=name, color=color, position=position))
            position += 1
    return Category.objects.bulk_create(rows)


def _clean_category_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "A category needs a name."})
    if len(name) > 60:
        raise ValidationError({"name": "Keep category names to 60 characters."})
    return name


def _check_color(color: str) -> str:
    if len(color) != 7 or not color.startswith("#"):
        raise ValidationError({"color": "Pick a colour like #16a34a."})
    try:
        int(color[1:], 16)
    except ValueError:
        raise ValidationError({"color": "Pick a colour like #16a34a."}) from None
    return color.lower()


def add_category(
    user: User,
    *,
    name: str,
    tier: str,
    color: str | None = None,
    import_batch: int | None = None,
) -> Category:
    """Creates a category at the end of the user's list. Names are unique per user. An
    import passes its batch, so the category appears with the import's entries."""
    name = _clean_category_name(name)
    if tier not in Tier.values:
        raise ValidationError({"tier": f"Tier must be one of {', '.join(Tier.values)}."})
    if Category.objects.filter(user=user, name__iexact=name).exists():
        raise ValidationError({"name": f"You already have a category called {name!r}."})
    last = (
        Category.objects.filter(user=user)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    return Category.objects.create(
        user=user,
        name=name,
        tier=tier,
        color=_check_color(color) if color else TIER_COLORS[Tier(tier)],
        position=(last or 0) + 1,
        import_batch=import_batch,
    )


def update_category(
    category: Category,
    *,
    name: str | None = None,
    color: str | None = None,
    archived: bool | None = None,
) -> Category:
    """Renames, recolours or (un)archives. The tier never changes: history stays truthful."""
    if name is not None:
        name = _clean_category_name(name)
        clash = Category.objects.filter(user_id=category.user_id, name__iexact=name).exclude(
            pk=category.pk
        )
        if clash.exists():
            raise ValidationError({"name": f"You already have a category called {name!r}."})
        category.name = name
    if color is not None:
        category.color = _check_color(color)
    if archived is not None:
        category.archived = archived
    category.save()
    return category


def income_categories(user: User) -> list[Category]:
    return list(Category.objects.filter(user=user, tier=Tier.INCOME, archived=False))


# --- day totals --------------------------------------------------------------------------------


# What a DayTotal row holds, in the order of DayTotals' lists.
COUNTERS = ("seconds", "entries", "conversations", "prescheduled", "overrides", "override_seconds")


class DayTotals:
    """The one rule for what an entry adds to the day totals, kept as {(day, category_id):
    [one count per COUNTERS]}: its real elapsed seconds split at each local midnight of `tz`
    (an override's in override_seconds too), and on the day it starts one entry, and one
    conversation (`is_conversation`'s rule), pre-scheduled conversation (a completed
    appointment's entry) or IGA override when it is one. Used by every write of entries: the
    services, the importers, restore and `rebuild_day_totals`."""

    def __init__(self, tz):
        self.tz = tz
        self.pairs: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])

    def add(
        self,
        start,
        end,
        category_id: int,
        *,
        tier: str,
        origin: str,
        seconds: int,
        override: bool = False,
        sign: int = 1,
        parts=None,
    ) -> None:
        """Counts a stopped entry of `tier` (its category's), `origin` and `seconds` in
        (sign=1) or out (sign=-1). `parts`, when the caller has already split the entry, is
        [(day, seconds), ...] in order."""
        if parts is None:
            parts = timekit.split_by_local_day(start, end, self.tz)
        conversation = _conversation(tier, origin, seconds)
        prescheduled = conversation and origin == Origin.APPOINTMENT
        pairs = self.pairs
        for index, (day, part) in enumerate(parts):
            total = pairs[(day, category_id)]
            total[0] += sign * part
            if override:
                total[5] += sign * part
            if index == 0:
                total[1] += sign
                total[2] += sign * conversation
                total[3] += sign * prescheduled
                total[4] += sign * override

    def merge(self, other: DayTotals) -> None:
        for pair, counts in other.pairs.items():
            self.pairs[pair] = [a + b for a, b in zip(self.pairs[pair], counts, strict=True)]

    def __bool__(self) -> bool:
        return bool(self.pairs)


def _count(entries: list[Activity], *, tz, sign: int) -> None:
    """Adds (sign=1) or removes (sign=-1) stopped entries of one user from the day totals, by
    every field as given (an edit takes out the row as it was before, with its category)."""
    totals = DayTotals(tz)
    for entry in entries:
        if entry.end is not None:
            totals.add(
                entry.start, entry.end, entry.category_id, tier=entry.category.tier,
                origin=entry.origin, seconds=entry.seconds, override=entry.iga_override, sign=sign,
            )  # fmt: skip
    for (day, category_id), counts in totals.pairs.items():
        user_id = entries[0].user_id
        changes = dict(zip(COUNTERS, counts, strict=True))
        updated = DayTotal.objects.filter(user_id=user_id, day=day, category_id=category_id).update(
            **{field: F(field) + change for field, change in changes.items()}
        )
        if not updated:
            DayTotal.objects.create(user_id=user_id, day=day, category_id=category_id, **changes)


def add_to_day_totals(user: User, totals: dict[tuple, list[int]]) -> None:
    """Merges precomputed DayTotals.pairs into the day totals (imports, restore, rebuild)."""
    existing = {
        (t.day, t.category_id): t
        for t in DayTotal.objects.filter(user=user, day__in={day for day, _ in totals})
    }
    new_rows, changed = [], []
    for (day, category_id), counts in totals.items():
        row = existing.get((day, category_id))
        if row is None:
            changes = dict(zip(COUNTERS, counts, strict=True))
            new_rows.append(DayTotal(user=user, day=day, category_id=category_id, **changes))
        else:
            for field, count in zip(COUNTERS, counts, strict=True):
                setattr(row, field, getattr(row, field) + count)
            changed.append(row)
    DayTotal.objects.bulk_create(new_rows, batch_size=2000)
    DayTotal.objects.bulk_update(changed, COUNTERS, batch_size=2000)


@transaction.atomic
def rebuild_day_totals(user: User) -> int:
    """Recomputes every day total from the entries (after a time-zone change or a restore)."""
    tz = timekit.zone(user.time_zone)
    DayTotal.objects.filter(user=user).delete()
    totals = DayTotals(tz)
    # The few categories' tiers, read once, spare a join over every entry.
    tiers = dict(Category.with_staged.filter(user=user).values_list("pk", "tier"))
    rows = (
        Activity.objects.filter(user=user, end__isnull=False)
        .values_list("start", "end", "category_id", "origin", "seconds", "iga_override")
        .iterator(chunk_size=5000)
    )
    for start, end, category_id, origin, seconds, override in rows:
        totals.add(
            start, end, category_id, tier=tiers[category_id], origin=origin, seconds=seconds,
            override=override,
        )  # fmt: skip
    add_to_day_totals(user, totals.pairs)
    return len(totals.pairs)


@transaction.atomic
def save_profile(user: User, **changes) -> User:
    """Saves profile fields by `accounts.services.update_profile`'s rules and, when the time
    zone changed, recounts every day total in the same transaction (local days move with the
    zone; instants never do). Raises ValidationError and writes nothing for a bad field."""
    user, zone_changed = account_services.update_profile(user, **changes)
    if zone_changed:
        rebuild_day_totals(user)
    return user


# --- the IGA question ----------------------------------------------------------------------------


def is_prospecting_time(user: User, at: datetime, *, block_specs: list | None = None) -> bool:
    """Whether `at` falls inside one of the user's prospecting (income) blocks."""
    return routine_queries.is_prospecting_time(user, at, block_specs=block_specs)


def asks_iga_question(user: User, category: Category, at: datetime) -> bool:
    return category.tier != Tier.INCOME and is_prospecting_time(user, at)


def nudge_due(user: User, running: Activity | None, now: datetime) -> bool:
    """Busy work has run past the user's nudge interval: time to ask again."""
    if running is None or running.category.tier == Tier.INCOME:
        return False
    return now - running.start >= timedelta(minutes=user.nudge_minutes)


# --- conversations -------------------------------------------------------------------------------

# What counts as a conversation (the discipline's unit of IGA): an income entry of at least two
# minutes, or a completed appointment's entry (the user confirmed the call was held, whatever
# its length). A few seconds on "Prospect call" is a misclick or an unanswered dial, not a talk.
CONVERSATION_MIN_SECONDS = 120


def conversation_filter(now: datetime) -> Q:
    """The conversation rule as a filter on Activity (a running timer counts once it has run
    CONVERSATION_MIN_SECONDS by `now`). The one rule: `is_conversation` is its twin in Python."""
    long_enough = Q(seconds__gte=CONVERSATION_MIN_SECONDS) | Q(
        end__isnull=True, start__lte=now - timedelta(seconds=CONVERSATION_MIN_SECONDS)
    )
    return Q(category__tier=Tier.INCOME) & (long_enough | Q(origin=Origin.APPOINTMENT))


def is_conversation(entry: Activity, *, now: datetime) -> bool:
    """`conversation_filter` for an entry already in memory (with its category)."""
    seconds = entry.seconds if entry.end is not None else timekit.elapsed_seconds(entry.start, now)
    return _conversation(entry.category.tier, entry.origin, seconds)


def _conversation(tier: str, origin: str, seconds: int) -> bool:
    if tier != Tier.INCOME:
        return False
    return origin == Origin.APPOINTMENT or seconds >= CONVERSATION_MIN_SECONDS


# --- the timer ---------------------------------------------------------------------------------


def running_entry(user: User) -> Activity | None:
    return Activity.objects.select_related("category").filter(user=user, end__isnull=True).first()


def _stop(entry: Activity, now: datetime, tz) -> Activity:
    # A timer started "in the future" by a clock skew still ends after it starts.
    entry.end = max(now, entry.start + timedelta(seconds=1))
    entry.seconds = timekit.elapsed_seconds(entry.start, entry.end)
    entry.save(update_fields=["end", "seconds", "updated_at"])
    _count([entry], tz=tz, sign=1)
    return entry


def start_timer(
    user: User,
    category: Category,
    *,
    now: datetime,
    note: str = "",
    prospect_name: str = "",
    override: bool = False,
) -> Activity:
    """Starts a timer on `category`, stopping the running one at the same instant; a timer
    started less than REPLACE_WITHIN_SECONDS earlier is replaced (it takes the new category,
    note and prospect, and keeps its start) rather than left as a sliver.

    Raises IgaQuestion for busy work in prospecting time unless `override` is set, in which
    case the entry records that the user chose to start it anyway.
    """
    if category.user_id != user.pk:
        raise ValidationError("That category belongs to someone else.")
    if category.archived:
        raise ValidationError(f"{category.name!r} is archived; restore it to track time on it.")
    note, prospect_name = limits.fit(Activity, note=note, prospect_name=prospect_name)
    asked = asks_iga_question(user, category, now)
    if asked and not override:
        raise IgaQuestion(category, income_categories(user))
    tz = timekit.zone(user.time_zone)
    try:
        with transaction.atomic():
            # Serialise this user's starts: locking the running entry is not enough, as a
            # waiter would then find no running entry and insert a second one.
            account_services.lock_user(user.pk)
            running = Activity.objects.select_for_update().select_related("category")
            current = running.filter(user=user, end__isnull=True).first()
            if current is not None and now - current.start < timedelta(
                seconds=REPLACE_WITHIN_SECONDS
            ):
                # Keeps the earlier start: those seconds were spent on what the user meant.
                current.category = category
                current.note = note
                current.prospect_name = prospect_name
                current.iga_override = asked
                current.save(
                    update_fields=[
                        "category",
                        "note",
                        "prospect_name",
                        "iga_override",
                        "updated_at",
                    ]
                )
                return current
            if current is not None:
                _stop(current, now, tz)
            return Activity.objects.create(
                user=user,
                category=category,
                start=now,
                note=note,
                prospect_name=prospect_name,
                origin=Origin.TIMER,
                iga_override=asked,
            )
    except IntegrityError:
        # Another request started a timer between our read and our insert.
        raise ValidationError("Another timer was started at the same moment; try again.") from None


# A stop sent later (pressed offline, queued by the phone) carries the instant it was pressed.
# The phone's clock may run a little ahead of ours; more than this is a wrong clock, not skew.
STOP_AT_SKEW = timedelta(minutes=2)
# Older than this, a queued stop is no longer a timer's end but a forgotten one: the user
# stops it now and edits the entry instead.
STOP_AT_MAX_AGE = timedelta(hours=24)


def _stop_instant(entry: Activity, at: datetime, now: datetime, tz) -> datetime:
    """The checked end for a stop pressed at `at`: a little ahead of `now` counts as now."""
    if at > now + STOP_AT_SKEW:
        raise ValidationError(
            {"at": "That stop time is in the future. Check the clock on your phone or computer."}
        )
    if at < now - STOP_AT_MAX_AGE:
        raise ValidationError(
            {
                "at": "That stop was pressed more than 24 hours ago, so it was not applied. "
                "Stop the timer now and correct the entry's end in the log."
            }
        )
    if at < entry.start:
        started = entry.start.astimezone(tz)
        raise ValidationError(
            {"at": f"That stop time is before the timer started ({started:%H:%M}): not applied."}
        )
    return min(at, now)


def stop_timer(
    user: User, *, now: datetime, at: datetime | None = None, entry_id: int | None = None
) -> Activity | None:
    """Stops the running timer, if any, and returns the finished entry.

    `at` is when the user pressed stop, for a stop sent later (pressed offline); it must lie
    between the entry's start and `now` (give or take STOP_AT_SKEW), and within
    STOP_AT_MAX_AGE, else ValidationError and nothing changes. `entry_id` names the timer the
    user saw running: when that one is no longer running (the same stop sent twice, or a stop
    from a stale page after another timer started) nothing is stopped and None is returned.
    """
    with transaction.atomic():
        running = Activity.objects.select_for_update().select_related("category")
        current = running.filter(user=user, end__isnull=True).first()
        if current is None or (entry_id is not None and current.pk != entry_id):
            return None
        tz = timekit.zone(user.time_zone)
        end = now if at is None else _stop_instant(current, at, now, tz)
        return _stop(current, end, tz)


# --- manual entries ------------------------------------------------------------------------------


def find_overlaps(
    user: User, start: datetime, end: datetime, *, exclude_id: int | None = None
) -> list[Activity]:
    """Stopped or running entries sharing an instant with [start, end)."""
    recent = Q(start__lt=end, start__gte=start - timedelta(seconds=LONG_ENTRY_SECONDS))
    long_ones = Q(start__lt=end, seconds__gt=LONG_ENTRY_SECONDS)
    found: dict[int, Activity] = {}
    for condition in (recent, long_ones):
        rows = Activity.objects.select_related("category").filter(condition, user=user)
        for entry in rows:
            entry_end = entry.end or max(end, start) + timedelta(days=3650)
            if entry.pk != exclude_id and timekit.overlaps(start, end, entry.start, entry_end):
                found[entry.pk] = entry
    return sorted(found.values(), key=lambda a: a.start)


def _validate_span(start: datetime, end: datetime, now: datetime) -> None:
    if end <= start:
        raise ValidationError({"end": "The end must be after the start."})
    # "Now" counts up to the end of the current minute, so 14:37 is fine at 14:37:10.
    latest = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if end > latest:
        raise ValidationError({"end": "An entry can't end in the future."})
    if timekit.elapsed_seconds(start, end) > LONG_ENTRY_SECONDS:
        raise ValidationError({"end": "A single entry can't be longer than 24 hours."})


def add_entry(
    user: User,
    category: Category,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    note: str = "",
    prospect_name: str = "",
    allow_overlap: bool = False,
    origin: str = Origin.MANUAL,
) -> Activity:
    """Records finished work. Refuses overlaps with OverlapError unless `allow_overlap`."""
    if category.user_id != user.pk:
        raise ValidationError("That category belongs to someone else.")
    _validate_span(start, end, now)
    note, prospect_name = limits.fit(Activity, note=note, prospect_name=prospect_name)
    if not allow_overlap:
        clashes = find_overlaps(user, start, end)
        if clashes:
            raise OverlapError(clashes)
    with transaction.atomic():
        entry = Activity.objects.create(
            user=user,
            category=category,
            start=start,
            end=end,
            seconds=timekit.elapsed_seconds(start, end),
            note=note,
            prospect_name=prospect_name,
            origin=origin,
        )
        _count([entry], tz=timekit.zone(user.time_zone), sign=1)
    return entry


def update_entry(
    entry: Activity,
    *,
    category: Category,
    start: datetime,
    end: datetime | None,
    now: datetime,
    note: str = "",
    prospect_name: str = "",
    allow_overlap: bool = False,
) -> Activity:
    """Edits an entry; a running one may change its start, note and category but keeps running."""
    user = entry.user
    if category.user_id != user.pk:
        raise ValidationError("That category belongs to someone else.")
    if end is None and not entry.is_running:
        raise ValidationError({"end": "A finished entry needs an end."})
    if end is not None:
        _validate_span(start, end, now)
    elif start > now:
        raise ValidationError({"start": "A running timer can't start in the future."})
    note, prospect_name = limits.fit(Activity, note=note, prospect_name=prospect_name)
    if not allow_overlap:
        clashes = find_overlaps(user, start, end or now, exclude_id=entry.pk)
        if clashes:
            raise OverlapError(clashes)
    tz = timekit.zone(user.time_zone)
    with transaction.atomic():
        before = Activity.objects.select_for_update().select_related("category").get(pk=entry.pk)
        _count([before], tz=tz, sign=-1)
        entry.category = category
        entry.start = start
        entry.end = end
        entry.seconds = timekit.elapsed_seconds(start, end) if end else 0
        entry.note = note
        entry.prospect_name = prospect_name
        entry.save()
        _count([entry], tz=tz, sign=1)
    return entry


def delete_entry(entry: Activity) -> None:
    with transaction.atomic():
        before = Activity.objects.select_for_update().select_related("category").get(pk=entry.pk)
        _count([before], tz=timekit.zone(entry.user.time_zone), sign=-1)
        before.delete()
