"""Writing the parts of an export file other than its entries (routine, appointments, lead
sources and spend, prospects with their history, income, column mappings): checked row by row,
written in the transaction that publishes a restore (`restoring`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from mainthing.accounts.models import User
from mainthing.activity.models import Activity, Category
from mainthing.bookings.models import Appointment, Change, MadeVia, Status
from mainthing.core.enums import Tier
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import (
    ColumnMapping,
    Event,
    Income,
    IncomeKind,
    LeadSource,
    Prospect,
    ProspectTime,
    Spend,
    Stage,
)
from mainthing.routine import services as routine_services
from mainthing.routine.models import Block

from . import bookingparts
from .checks import (
    _amount,
    _choice,
    _fields,
    _flag,
    _link,
    _list,
    _parse_clock,
    _parse_day,
    _parse_instant,
    _text,
    _whole,
)
from .format import (
    _CURRENCY,
    _KEY,
    _WEEKDAYS,
    APPOINTMENT_FIELDS,
    BLOCK_FIELDS,
    CHUNK,
    EVENT_FIELDS,
    EXCEPTION_FIELDS,
    INCOME_FIELDS,
    MAPPING_FIELDS,
    PROSPECT_FIELDS,
    SOURCE_FIELDS,
    SPEND_FIELDS,
)

if TYPE_CHECKING:
    from .restoring import EntryWriter


def apply_routine(user: User, data: Any) -> int:
    """Replaces the user's blocks with the file's, through the routine's own checks."""
    if not isinstance(data, list):
        raise ValidationError("The file's routine must be a list.")
    Block.objects.filter(user=user).delete()
    today = routine_services.now_local_date(user, timezone.now())
    for index, row in enumerate(data, 1):
        where = f"Block {index}"
        row = _fields(row, BLOCK_FIELDS, where)
        weekdays = row.get("weekdays")
        if not isinstance(weekdays, str) or not _WEEKDAYS.fullmatch(weekdays):
            raise ValidationError(f"{where}: weekdays must be seven 0/1 flags from Monday.")
        start = _parse_clock(row.get("start"), f"{where}: start")
        end = _parse_clock(row.get("end"), f"{where}: end")
        if start is None or end is None:
            raise ValidationError(f"{where} needs a start and an end.")
        try:
            block = routine_services.add_block(
                user,
                tier=_choice(row, "tier", Tier.values, "", where),
                days=frozenset(i for i, flag in enumerate(weekdays) if flag == "1"),
                start=start,
                end=end,
                zone=_text(row, "time_zone", 64, where),
                label=_text(row, "label", 80, where),
                valid_from=_parse_day(row.get("valid_from"), f"{where}: valid_from"),
                valid_until=_parse_day(row.get("valid_until"), f"{where}: valid_until"),
                today=today,
            )
            exceptions = row.get("exceptions", [])
            if not isinstance(exceptions, list):
                raise ValidationError("exceptions must be a list.")
            for item in exceptions:
                item = _fields(item, EXCEPTION_FIELDS, "an exception")
                day = _parse_day(item.get("date"), "date")
                if day is None:
                    raise ValidationError("an exception has no date.")
                routine_services.set_exception(
                    block,
                    day=day,
                    skip=_flag(item, "skip", "an exception", default=True),
                    start=_parse_clock(item.get("start"), "start"),
                    end=_parse_clock(item.get("end"), "end"),
                    note=_text(item, "note", 120, "an exception"),
                    today=today,
                )
        except ValidationError as error:
            raise ValidationError(f"{where}: {' '.join(error.messages)}") from None
    return len(data)


def apply_appointments(
    user: User,
    data: Any,
    writer: EntryWriter,
    prospect_ids: list[int],
    sources: dict[str, int],
) -> tuple[int, int]:
    """Creates the file's appointments with their history, linking completed ones to their
    restored entries and each to its restored prospect and source; returns how many
    appointments and changes it wrote."""
    if not isinstance(data, list):
        raise ValidationError("The file's appointments must be a list.")
    rows, linked, histories = [], {}, []
    for index, row in enumerate(data, 1):
        where = f"Appointment {index}"
        row = _fields(row, APPOINTMENT_FIELDS, where)
        start = _parse_instant(row.get("start"), f"{where}: start")
        end = _parse_instant(row.get("end"), f"{where}: end")
        if end <= start:
            raise ValidationError(f"{where}: the end must be after the start.")
        booked = [
            _parse_instant(row[key], f"{where}: {key}") if row.get(key) is not None else None
            for key in ("booked_start", "booked_end")
        ]
        if (booked[0] is None) != (booked[1] is None) or (booked[0] and booked[1] <= booked[0]):
            raise ValidationError(
                f"{where}: give both booked_start and booked_end, end after start."
            )
        entry = row.get("activity")
        if entry is not None:
            known = isinstance(entry, int) and not isinstance(entry, bool)
            if not known or not 0 <= entry < writer.count or entry in linked.values():
                raise ValidationError(
                    f"{where}: activity must be the index of an entry no other appointment has."
                )
            linked[index] = entry
        histories.append(bookingparts.changes_for(row.get("changes", []), where))
        rows.append(
            Appointment(
                user=user,
                prospect_id=_link(row, "prospect", prospect_ids, where),
                prospect_name=_text(row, "prospect_name", 120, where),
                start=start,
                end=end,
                booked_start=booked[0],
                booked_end=booked[1],
                status=_choice(row, "status", Status.values, Status.SCHEDULED, where),
                made_via=_choice(row, "made_via", MadeVia.values, MadeVia.MANUAL, where),
                note=_text(row, "note", 500, where),
                outside_blocks=_flag(row, "outside_blocks", where),
                sequence=_whole(row.get("sequence", 0), f"{where}: sequence"),
                source_id=bookingparts.source_id(row, "source", sources, where),
                prospect_time_zone=bookingparts.zone_of(row, where),
            )
        )
    if linked:
        ids = writer.ids()
        for index, entry in linked.items():
            rows[index - 1].activity_id = ids[entry]
        _completed_at_real_time(rows)
    Appointment.objects.bulk_create(rows)
    changes, dated = [], []
    for appointment, history in zip(rows, histories, strict=True):
        for change in history:
            change.appointment = appointment
            changes.append(change)
        # When a call was booked counts (the page's daily cap, the fill rate's bookings of the
        # last 30 days): its history says, where the restore's own clock would not.
        booked = [change.at for change in history if change.kind == Change.Kind.BOOKED]
        if booked:
            appointment.created_at = min(booked)
            dated.append(appointment)
    Change.objects.bulk_create(changes)
    Appointment.objects.bulk_update(dated, ["created_at"], batch_size=CHUNK)
    return len(rows), len(changes)


def _completed_at_real_time(rows: list[Appointment]) -> None:
    """A completed call in a file written before calls kept their real time sits at its booked
    time with no booked_start: it moves to its entry's time, the booked time kept beside it, as
    bookings migration 0008 moved the calls already in the database."""
    stale = {
        row.activity_id: row
        for row in rows
        if row.status == Status.COMPLETED and row.activity_id and row.booked_start is None
    }
    # The restored entries are in the restore's batch, not yet published.
    entries = Activity.with_staged.filter(pk__in=stale).values_list("pk", "start", "end")
    for pk, start, end in entries:
        call = stale[pk]
        if (start, end) != (call.start, call.end):
            call.booked_start, call.booked_end = call.start, call.end
            call.start, call.end = start, end


def apply_sources(user: User, data: Any, category_ids: dict[str, int]) -> dict[str, int]:
    """Makes the user's lead sources and spend exactly the file's; returns source ids by
    lower-case key. Only lead-gen categories hold sources; one source (Unknown) has none."""
    leadgen = set(
        Category.objects.filter(user=user, tier=Tier.LEADGEN).values_list("pk", flat=True)
    )
    # None of them has prospects: restore only runs on an account without any.
    LeadSource.objects.filter(user=user).delete()
    sources, spends = [], []
    keys: set[str] = set()
    names: set[tuple[int | None, str]] = set()
    for index, row in enumerate(_list(data, "sources"), 1):
        where = f"Source {index}"
        row = _fields(row, SOURCE_FIELDS, where)
        category = row.get("category")
        if category is None:
            category_id = None
        elif isinstance(category, str) and category_ids.get(category.lower()) in leadgen:
            category_id = category_ids[category.lower()]
        else:
            raise ValidationError(
                f"{where}: {category!r} is not one of the file's lead-gen categories."
            )
        campaign = " ".join(_text(row, "campaign", 120, where).split())
        key = _text(row, "key", 32, where)
        if not campaign or not _KEY.fullmatch(key):
            raise ValidationError(f"{where} needs a campaign and a key of letters, digits and -.")
        if key.lower() in keys:
            raise ValidationError(f"{where}: the key {key!r} appears twice.")
        if (category_id, campaign.lower()) in names:
            raise ValidationError(
                f"{where}: {campaign!r} appears twice"
                + (" in one category." if category_id else " without a category.")
            )
        keys.add(key.lower())
        names.add((category_id, campaign.lower()))
        source = LeadSource(
            user=user,
            category_id=category_id,
            campaign=campaign,
            key=key,
            archived=_flag(row, "archived", where),
        )
        sources.append(source)
        for number, item in enumerate(_list(row.get("spend", []), f"{where} spend"), 1):
            item = _fields(item, SPEND_FIELDS, f"{where}, spend {number}")
            if category_id is None:
                raise ValidationError(f"{where}: spend belongs to a named source, not to Unknown.")
            day = _parse_day(item.get("date"), f"{where}, spend {number}: date")
            if day is None:
                raise ValidationError(f"{where}, spend {number} has no date.")
            spends.append(
                (
                    source,
                    Spend(
                        user=user,
                        date=day,
                        amount=_amount(item, f"{where}, spend {number}"),
                        note=_text(item, "note", 200, f"{where}, spend {number}"),
                    ),
                )
            )
    if sum(s.category_id is None for s in sources) > 1:
        raise ValidationError("The file has more than one source without a category.")
    LeadSource.objects.bulk_create(sources)
    for source, spend in spends:
        spend.source = source
    Spend.objects.bulk_create(spend for _, spend in spends)
    return {s.key.lower(): s.pk for s in sources}


def prospect_row(
    user: User, row: Any, where: str, sources: dict[str, int], writer: EntryWriter
) -> tuple[Prospect, list[Event], list[int]]:
    """A checked prospect, its events and the indexes of its entries."""
    row = _fields(row, PROSPECT_FIELDS, where)
    name = " ".join(_text(row, "name", 120, where).split())
    if not name:
        raise ValidationError(f"{where} has no name.")
    tags = row.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValidationError(f"{where}: tags must be a list of words.")
    try:
        email = prospect_services.clean_email(_text(row, "email", 254, where))
        phone = prospect_services.parse_phone(_text(row, "phone", 20, where), user.phone_region)
        zone = prospect_services.clean_zone(_text(row, "time_zone", 64, where))
        tag_text = prospect_services.clean_tags(tags)
    except ValidationError as error:
        raise ValidationError(f"{where}: {' '.join(error.messages)}") from None
    if len(tag_text) > Prospect._meta.get_field("tags").max_length:
        raise ValidationError(f"{where}: the tags are too long.")
    key = row.get("source")
    if not isinstance(key, str) or key.lower() not in sources:
        raise ValidationError(f"{where}: source {key!r} is not one of the file's sources.")
    import_key = row.get("import_key")
    created = _parse_instant(row.get("created_at"), f"{where}: created_at")
    contacted = row.get("last_contacted_at")
    prospect = Prospect(
        user=user,
        name=name,
        email=email,
        email_key=prospect_services.email_key(email),
        phone=phone,
        social=_text(row, "social", 120, where),
        time_zone=zone,
        source_id=sources[key.lower()],
        stage=_choice(row, "stage", Stage.values, Stage.NEW, where),
        follow_up_on=_parse_day(row.get("follow_up_on"), f"{where}: follow_up_on"),
        tags=tag_text,
        notes=_text(row, "notes", 100_000, where),
        import_key=None if import_key is None else _text(row, "import_key", 40, where),
        created_at=created,
        stage_changed_at=_parse_instant(
            row.get("stage_changed_at", row.get("created_at")), f"{where}: stage_changed_at"
        ),
        last_contacted_at=(
            None if contacted is None else _parse_instant(contacted, f"{where}: last_contacted_at")
        ),
    )
    events = []
    for number, item in enumerate(_list(row.get("events", []), f"{where} events"), 1):
        at = f"{where}, event {number}"
        item = _fields(item, EVENT_FIELDS, at)
        events.append(
            Event(
                user=user,
                kind=_choice(item, "kind", Event.Kind.values, "", at),
                at=_parse_instant(item.get("at"), f"{at}: at"),
                from_stage=_choice(item, "from_stage", ["", *Stage.values], "", at),
                to_stage=_choice(item, "to_stage", ["", *Stage.values], "", at),
                text=_text(item, "text", 100_000, at),
            )
        )
    entries = _list(row.get("activities", []), f"{where} activities")
    for entry in entries:
        if isinstance(entry, bool) or not isinstance(entry, int) or not 0 <= entry < writer.count:
            raise ValidationError(f"{where}: activities must be indexes of the file's entries.")
    return prospect, events, entries


def apply_prospects(
    user: User, data: Any, sources: dict[str, int], writer: EntryWriter
) -> tuple[list[int], int, int]:
    """Creates the file's prospects with their history and links to their entries; returns
    the new ids in file order and how many events and links it wrote."""
    checked = [
        prospect_row(user, row, f"Prospect {index}", sources, writer)
        for index, row in enumerate(_list(data, "prospects"), 1)
    ]
    linked = [entry for _, _, entries in checked for entry in entries]
    if len(linked) != len(set(linked)):
        raise ValidationError("An entry is linked to two prospects; each entry has one at most.")
    prospects = Prospect.objects.bulk_create(p for p, _, _ in checked)
    events, links = [], []
    ids = writer.ids() if linked else []
    for prospect, (_, prospect_events, entries) in zip(prospects, checked, strict=True):
        for event in prospect_events:
            event.prospect = prospect
            events.append(event)
        links += [ProspectTime(prospect=prospect, activity_id=ids[entry]) for entry in entries]
    Event.objects.bulk_create(events)
    ProspectTime.objects.bulk_create(links)
    return [p.pk for p in prospects], len(events), len(links)


def apply_income(user: User, data: Any, prospect_ids: list[int]) -> int:
    rows = []
    for index, row in enumerate(_list(data, "income"), 1):
        where = f"Income {index}"
        row = _fields(row, INCOME_FIELDS, where)
        day = _parse_day(row.get("date"), f"{where}: date")
        currency = row.get("currency")
        if day is None:
            raise ValidationError(f"{where} has no date.")
        if not isinstance(currency, str) or not _CURRENCY.fullmatch(currency):
            raise ValidationError(f"{where}: currency must be three capital letters, like USD.")
        rows.append(
            Income(
                user=user,
                date=day,
                amount=_amount(row, where),
                currency=currency,
                kind=_choice(row, "kind", IncomeKind.values, IncomeKind.OTHER, where),
                prospect_id=_link(row, "prospect", prospect_ids, where),
                note=_text(row, "note", 200, where),
            )
        )
    Income.objects.bulk_create(rows)
    return len(rows)


def apply_column_mappings(user: User, data: Any) -> int:
    ColumnMapping.objects.filter(user=user).delete()
    rows, seen = [], set()
    for index, row in enumerate(_list(data, "column_mappings"), 1):
        where = f"Column mapping {index}"
        row = _fields(row, MAPPING_FIELDS, where)
        key = _text(row, "headers_key", 64, where)
        mapping = row.get("mapping")
        if not key or key in seen:
            raise ValidationError(f"{where} needs a headers_key of its own.")
        if not isinstance(mapping, dict):
            raise ValidationError(f"{where}: mapping must be an object.")
        seen.add(key)
        rows.append(ColumnMapping(user=user, headers_key=key, mapping=mapping))
    ColumnMapping.objects.bulk_create(rows)
    return len(rows)
