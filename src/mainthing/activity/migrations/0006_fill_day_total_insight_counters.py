"""Fills the insight counters 0005 added to the day totals, from the entries already there.

Counted as `activity.services.DayTotals` counts them: conversations, the pre-scheduled ones
among them and IGA overrides on the local day an entry starts, an override's seconds split at
each local midnight, in the user's zone. The rules are copied here, not imported, so this
migration does later what it does today. It reads only the entries that count (conversations
and overrides, a small share of a ledger), streamed, one user at a time.
"""

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import migrations
from django.db.models import Q

CONVERSATION_MIN_SECONDS = 120
FIELDS = ("conversations", "prescheduled", "overrides", "override_seconds")
DAYS_PER_QUERY = 500  # well under SQLite's limit on query parameters


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        # A zone the tz database no longer knows: UTC days rather than a failed upgrade.
        return ZoneInfo("UTC")


def _midnight(day, tz) -> datetime:
    # fold=0 maps a midnight that a DST change skips onto the end of the gap: the day's start.
    return datetime.combine(day, time(0)).replace(tzinfo=tz).astimezone(UTC)


def _split(start: datetime, end: datetime, tz) -> list[tuple]:
    """Real seconds of [start, end) on each local day (core.timekit.split_by_local_day)."""
    parts, counted, cursor = [], 0, start
    day = start.astimezone(tz).date()
    while cursor < end:
        piece_end = min(end, _midnight(day + timedelta(days=1), tz))
        upto = int((piece_end - start).total_seconds())
        if upto > counted:
            parts.append((day, upto - counted))
            counted = upto
        cursor = piece_end
        day += timedelta(days=1)
    return parts


def fill_counters(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Activity = apps.get_model("activity", "Activity")
    DayTotal = apps.get_model("activity", "DayTotal")
    ImportBatch = apps.get_model("core", "ImportBatch")
    # Rows of an unpublished import are counted when it is published, not here.
    hidden = ImportBatch.objects.exclude(state="published").values("pk")
    conversation = Q(category__tier="income") & (
        Q(seconds__gte=CONVERSATION_MIN_SECONDS) | Q(origin="appointment")
    )
    counting = Q(end__isnull=False) & (conversation | Q(iga_override=True))
    users = User.objects.order_by("pk").values_list("pk", "time_zone")
    for user_id, zone_name in users.iterator(chunk_size=2000):
        tz = _zone(zone_name)
        counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        rows = (
            Activity.objects.filter(counting, user_id=user_id)
            .exclude(import_batch__in=hidden)
            .order_by()
            .values_list(
                "start", "end", "category_id", "category__tier", "origin", "seconds", "iga_override"
            )
            .iterator(chunk_size=5000)
        )
        for start, end, category_id, tier, origin, seconds, override in rows:
            first = counts[(start.astimezone(tz).date(), category_id)]
            if tier == "income" and (
                origin == "appointment" or seconds >= CONVERSATION_MIN_SECONDS
            ):
                first[0] += 1
                first[1] += origin == "appointment"
            if override:
                first[2] += 1
                for day, part in _split(start, end, tz):
                    counts[(day, category_id)][3] += part
        user_totals = DayTotal.objects.filter(user_id=user_id)
        # From zero, so running this again (after a reverse) counts nothing twice.
        user_totals.filter(
            Q(conversations__gt=0) | Q(prescheduled__gt=0) | Q(overrides__gt=0)
            | Q(override_seconds__gt=0)
        ).update(conversations=0, prescheduled=0, overrides=0, override_seconds=0)  # fmt: skip
        days = sorted({day for day, _ in counts})
        changed = []
        for index in range(0, len(days), DAYS_PER_QUERY):
            for row in user_totals.filter(day__in=days[index : index + DAYS_PER_QUERY]):
                found = counts.pop((row.day, row.category_id), None)
                if found is not None:
                    for field, value in zip(FIELDS, found, strict=True):
                        setattr(row, field, value)
                    changed.append(row)
        DayTotal.objects.bulk_update(changed, FIELDS, batch_size=2000)
        # A day total the services never wrote (a ledger changed behind their back) gets its
        # counters here; its seconds and entries stay as they were, at nothing.
        DayTotal.objects.bulk_create(
            [
                DayTotal(
                    user_id=user_id,
                    day=day,
                    category_id=category_id,
                    **dict(zip(FIELDS, found, strict=True)),
                )
                for (day, category_id), found in counts.items()
            ],
            batch_size=2000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0005_day_total_insight_counters"),
        ("core", "0002_import_batch"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill_counters, migrations.RunPython.noop)]
