"""Read models for the calendar, Today's now/next, the agenda and the fill-rate signal.

Lookups are `<thing>_for_user(user, pk)`: the user's row or Http404 (missing or another user's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.safestring import SafeString

from mainthing.accounts.models import User
from mainthing.activity import services as activity_services
from mainthing.activity.models import Activity, DayTotal
from mainthing.core import charts, timekit
from mainthing.core.enums import Tier
from mainthing.core.lookups import owned_or_404
from mainthing.core.navigation import url_pattern
from mainthing.prospects import followups
from mainthing.prospects.models import CLOSED_STAGES, Prospect, Stage
from mainthing.prospects.services import format_phone
from mainthing.routine import queries as routine_queries
from mainthing.routine.occurrences import Occurrence, merge, slots, subtract
from mainthing.routine.week import WeekGrid, week_grid

from . import fillrate
from .models import ACTIVE, DEFAULT_MINUTES, LONGEST_CALL, Appointment, CallbackRequest


def appointment_for_user(user: User, pk: int | str) -> Appointment:
    """The user's appointment (with its prospect, for tap-to-call) or Http404."""
    return owned_or_404(Appointment.objects.select_related("user", "prospect"), pk, user)


PRESCRIPTION_WINDOW_DAYS = 30


def appointments_between(user: User, start: datetime, end: datetime) -> list[Appointment]:
    """Active appointments overlapping [start, end), by start, each with its prospect's phone
    (`prospect_phone`, E.164 or empty) for tap-to-call, read in the same query. A call lasts
    at most `LONGEST_CALL`, so the index range on start is bounded."""
    return list(
        Appointment.objects.filter(
            ACTIVE, user=user, start__lt=end, start__gte=start - LONGEST_CALL
        )
        .filter(end__gt=start)
        .annotate(prospect_phone=Coalesce(F("prospect__phone"), Value("")))
        .order_by("start")
    )


def booked_intervals(
    user: User, start: datetime, end: datetime, *, exclude: int | None = None
) -> list[tuple[datetime, datetime]]:
    """(start, end) of active appointments overlapping [start, end), leaving out the one
    `exclude` names (a call being moved): no model instances, for the interval arithmetic of
    slots and fill rates."""
    rows = Appointment.objects.filter(
        ACTIVE, user=user, start__lt=end, start__gte=start - LONGEST_CALL, end__gt=start
    )
    if exclude:
        rows = rows.exclude(pk=exclude)
    return list(rows.order_by("start").values_list("start", "end"))


def free_slots(
    user: User,
    start: datetime,
    end: datetime,
    *,
    minutes: int = DEFAULT_MINUTES,
    step_minutes: int | None = None,
    now: datetime,
    blocks: list[Occurrence] | None = None,
    booked: list[tuple[datetime, datetime]] | None = None,
) -> list[tuple[datetime, datetime]]:
    """Free slots of `minutes` inside prospecting blocks in [start, end), stepped every
    `step_minutes` (the length by default), none starting before `now`."""
    if blocks is None:
        blocks = routine_queries.occurrences_between(user, start, end, tier=Tier.INCOME)
    if booked is None:
        booked = booked_intervals(user, start, end)
    windows = subtract(merge((o.start, o.end) for o in blocks if o.tier == Tier.INCOME), booked)
    return slots(windows, minutes=minutes, step_minutes=step_minutes, not_before=now)


# "Book a call" and the outcome screen offer the free slots of this many days, today included.
SLOTS_AHEAD_DAYS = 7


def free_starts_ahead(user: User, *, now: datetime, days: int = SLOTS_AHEAD_DAYS) -> list[datetime]:
    """The starts of the free 30-minute slots inside prospecting blocks from now to the end of
    the `days`th local day: what the app's booking forms offer to pick."""
    tz = timekit.zone(user.time_zone)
    today = timekit.local_date(now, tz)
    # From the day's start, not from now: blocks clipped at now would shift the slot grid.
    since, _ = timekit.local_day_bounds(today, tz)
    _, until = timekit.local_day_bounds(today + timedelta(days=days - 1), tz)
    return [start for start, _ in free_slots(user, since, until, now=now)]


@dataclass
class FillSignal:
    window: fillrate.Fill
    days: int
    threshold: int
    missing: int
    prescription: fillrate.Prescription | None
    per_day: list[tuple[date, fillrate.Fill]]

    def chart_svg(self) -> SafeString:
        """Bars of each day's fill for the fortnight, drawn by `core.charts` (on every Today).
        A day with prospecting time is an outlined column filled as far as it is booked, so an
        empty day reads as empty; a day without blocks has only a baseline. The day names and
        the numbers are HTML beside it (`chart_days`): readable text at any width."""
        parts = []
        for index, (_, fill) in enumerate(self.per_day):
            x = index * 20 + 2
            if not fill.block_seconds:
                parts.append(charts.line(x, x + 16, 53.5, 53.5, css="fill-none"))
                continue
            parts.append(charts.rect(x, 4, 16, 50, css="fill-capacity"))
            height = 50 * min(100, fill.percent) / 100
            if height:
                parts.append(
                    charts.rect(x, f"{54 - height:.1f}", 16, f"{height:.1f}", css="fill-income")
                )
        label = "Fill rate per day, next 14 days (numbers in the table below)"
        return charts.svg(parts, view_box="0 0 280 55", label=label, stretch=True)

    @property
    def chart_days(self) -> list[dict]:
        """Each day of the chart as text: its short name under the bar, and a sentence for the
        table screen readers get ("Mon 07 Dec: 1h 00m of 2h 00m booked (50%)")."""
        days = []
        for day, fill in self.per_day:
            name = f"{day:%a %d %b}"
            if fill.block_seconds:
                said = (
                    f"{timekit.format_minutes(fill.booked_seconds)} of "
                    f"{timekit.format_minutes(fill.block_seconds)} booked ({fill.percent}%)"
                )
            else:
                said = "no prospecting blocks"
            days.append({"short": f"{day:%a}"[:2], "name": name, "said": said})
        return days

    @property
    def hours_per_day(self) -> float:
        if not self.prescription:
            return 0.0
        return round(self.prescription.hours / self.days, 1)

    @property
    def below(self) -> bool:
        return self.window.block_seconds > 0 and self.window.percent < self.threshold


def horizon(user: User, now: datetime) -> tuple[datetime, datetime]:
    """From the start of today to the end of the fill-rate window or of the fortnight the
    chart shows, whichever is later: the span Today reads appointments for, once."""
    tz = timekit.zone(user.time_zone)
    today = timekit.local_date(now, tz)
    start, _ = timekit.local_day_bounds(today, tz)
    _, fortnight_end = timekit.local_day_bounds(today + timedelta(days=13), tz)
    return start, max(fortnight_end, now + timedelta(days=max(user.fill_window_days, 14)))


def fill_signal(
    user: User,
    *,
    now: datetime,
    days: int | None = None,
    block_specs: list | None = None,
    booked: list[tuple[datetime, datetime]] | None = None,
) -> FillSignal:
    """The fill rate of the next `days` (the user's window by default), per day for a
    fortnight, and how much lead generation would fill the gap, naming the lead source that
    booked the most calls per lead-gen hour. `booked` may be passed in when the caller already
    read the appointments of `horizon()`. Up to four queries."""
    days = days or user.fill_window_days
    tz = timekit.zone(user.time_zone)
    today = timekit.local_date(now, tz)
    span_start, span_end = horizon(user, now)
    window_end = now + timedelta(days=days)
    specs = block_specs if block_specs is not None else routine_queries.specs(user)
    blocks = routine_queries.occurrences_between(
        user, span_start, span_end, tier=Tier.INCOME, block_specs=specs
    )
    if booked is None:
        booked = booked_intervals(user, span_start, span_end)
    window_blocks = [
        (max(o.start, now), min(o.end, window_end))
        for o in blocks
        if o.end > now and o.start < window_end
    ]
    window = fillrate.fill(window_blocks, booked)
    per_day = fillrate.fill_per_day(
        blocks, booked, tz, [today + timedelta(days=i) for i in range(14)]
    )
    target = user.fill_threshold / 100
    missing = fillrate.missing_appointments(window, target=target, minutes=DEFAULT_MINUTES)
    prescription = None
    if missing:
        since = now - timedelta(days=PRESCRIPTION_WINDOW_DAYS)
        by_source = booked_by_source(user, since=since)
        leadgen = dict(
            DayTotal.objects.filter(
                user=user,
                day__gte=today - timedelta(days=PRESCRIPTION_WINDOW_DAYS),
                category__tier=Tier.LEADGEN,
            )
            .values("category_id")
            .annotate(s=Sum("seconds"))
            .values_list("category_id", "s")
        )
        prescription = fillrate.prescribe(
            missing,
            booked_recently=sum(n for *_, n in by_source),
            leadgen_seconds_recently=int(sum(leadgen.values())),
            best_source=fillrate.best_source(by_source, leadgen),
            days=days,
        )
    return FillSignal(window, days, user.fill_threshold, missing, prescription, per_day)


def booked_by_source(user: User, *, since: datetime) -> list[tuple[str, int | None, int]]:
    """(source label, its category id, appointments created since `since`) per lead source of
    the booked prospects, in one grouped query. Appointments without a prospect (deleted, or
    booked before prospects existed) count as "Unknown", with no category."""
    rows = (
        Appointment.objects.filter(user=user, created_at__gte=since)
        .values(
            "prospect__source_id",
            "prospect__source__campaign",
            "prospect__source__category_id",
            "prospect__source__category__name",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        (
            f"{r['prospect__source__category__name']} / {r['prospect__source__campaign']}"
            if r["prospect__source__category_id"] is not None
            else "Unknown",
            r["prospect__source__category_id"],
            r["n"],
        )
        for r in rows
    ]


# Today names this many of the week's callers; the rest are counted.
CALLBACK_NAMES = 5


@dataclass
class Callbacks:
    """This week's call-back requests, for Today: how many people asked and who."""

    people: int
    # The latest callers still on file (id, name), newest first, at most CALLBACK_NAMES.
    named: list[tuple[int, str]]

    @property
    def more(self) -> int:
        return self.people - len(self.named)


def callbacks_this_week(user: User, *, now: datetime) -> Callbacks:
    """Who asked to be called back this week (from Monday, in the user's zone) because the
    booking page had no free time: Today's sign that the calendar is too full or too short.
    One query; a person who asked twice counts once. The page's daily cap bounds the rows."""
    tz = timekit.zone(user.time_zone)
    monday, _ = timekit.local_day_bounds(timekit.week_start(timekit.local_date(now, tz)), tz)
    rows = (
        CallbackRequest.objects.filter(user=user, created_at__gte=monday)
        .order_by("-created_at", "-pk")
        .values_list("prospect_id", "prospect__name")
    )
    people: dict[int, str] = {}
    gone = 0  # requests whose prospect was deleted since: still a person who asked
    for prospect_id, name in rows:
        if prospect_id is None:
            gone += 1
        else:
            people.setdefault(prospect_id, name)
    return Callbacks(len(people) + gone, list(people.items())[:CALLBACK_NAMES])


@dataclass
class NowNext:
    current_block: Occurrence | None
    next_block: Occurrence | None
    next_appointment: Appointment | None
    agenda: list[dict]


def now_next(
    user: User,
    *,
    now: datetime,
    block_specs: list | None = None,
    upcoming_appointments: list[Appointment] | None = None,
) -> NowNext:
    """The block running now, the next block, the next call (within `horizon()`) and today's
    agenda. `upcoming_appointments` may be passed in when the caller already read the active
    appointments of `horizon()`."""
    tz = timekit.zone(user.time_zone)
    today = timekit.local_date(now, tz)
    specs = block_specs if block_specs is not None else routine_queries.specs(user)
    current = routine_queries.current_block(user, now, block_specs=specs)
    upcoming = routine_queries.next_block(user, now, block_specs=specs)
    if upcoming_appointments is None:
        upcoming_appointments = appointments_between(user, *horizon(user, now))
    next_appointment = next(
        (a for a in upcoming_appointments if a.status == "scheduled" and a.end > now), None
    )
    day_start, day_end = timekit.local_day_bounds(today, tz)
    todays = [a for a in upcoming_appointments if a.start < day_end and a.end > day_start]
    agenda = agenda_day(user, today, specs=specs, appointments=todays)
    return NowNext(current, upcoming, next_appointment, agenda)


def agenda_day(
    user: User, day: date, *, specs=None, appointments: list[Appointment] | None = None
) -> list[dict]:
    """Blocks and appointments of one local day, in time order. `appointments`, when given,
    are rows of `appointments_between` (they carry the prospect's phone)."""
    tz = timekit.zone(user.time_zone)
    start, end = timekit.local_day_bounds(day, tz)
    if appointments is None:
        appointments = appointments_between(user, start, end)
    items = [
        {"kind": "block", "start": o.start, "end": o.end, "tier": o.tier, "label": o.label}
        for o in routine_queries.occurrences_between(user, start, end, block_specs=specs)
    ]
    items += [
        {
            "kind": "appointment",
            "start": a.start,
            "end": a.end,
            "tier": Tier.INCOME,
            "label": a.prospect_name,
            "status": a.status,
            "id": a.pk,
            "prospect_id": a.prospect_id,
            "phone": a.prospect_phone,
        }
        for a in appointments
    ]
    return sorted(items, key=lambda i: (i["start"], i["kind"] != "block"))


@dataclass
class CalendarWeek:
    first: date
    grid: WeekGrid
    appointments: list[Appointment]
    free: list[tuple[datetime, datetime]]


def calendar_week(
    user: User, first: date, *, now: datetime, block_specs: list | None = None
) -> CalendarWeek:
    """A week of blocks, appointments and free prospecting slots: three queries."""
    tz = timekit.zone(user.time_zone)
    start, _ = timekit.local_day_bounds(first, tz)
    _, end = timekit.local_day_bounds(first + timedelta(days=6), tz)
    blocks = routine_queries.occurrences_between(user, start, end, block_specs=block_specs)
    booked = appointments_between(user, start, end)
    free = free_slots(
        user, start, end, now=now, blocks=blocks, booked=[(a.start, a.end) for a in booked]
    )
    book_url = reverse("bookings:book")
    # One reverse() for the pattern, not one per appointment: a busy week has dozens.
    appointment_url = url_pattern("bookings:appointment")
    grid = week_grid(
        blocks,
        first,
        tz,
        now=now,
        appointments=[
            (a.start, a.end, a.prospect_name, a.status, appointment_url.format(a.pk))
            for a in booked
        ],
        free=[(lo, hi, f"{book_url}?start={lo.astimezone(tz):%Y-%m-%dT%H:%M}") for lo, hi in free],
    )
    return CalendarWeek(first, grid, booked, free)


# At one instant a block opens before the call or free slot at its start.
DAY_ORDER = {"block": 0, "appointment": 1, "free": 2}


def calendar_day(user: User, day: date, *, week: CalendarWeek, block_specs=None) -> list[dict]:
    """The phone's day list: one local day of `week` (which holds it) as its blocks, calls
    and free slots in time order, the agenda's dicts plus {"kind": "free", "start", "end"}.
    No query of its own beyond `agenda_day`'s block expansion (none when `block_specs` is
    given): the calls and the free slots come from the week already read."""
    tz = timekit.zone(user.time_zone)
    start, end = timekit.local_day_bounds(day, tz)
    calls = [a for a in week.appointments if a.start < end and a.end > start]
    items = agenda_day(user, day, specs=block_specs, appointments=calls)
    items += [{"kind": "free", "start": lo, "end": hi} for lo, hi in week.free if start <= lo < end]
    return sorted(items, key=lambda i: (i["start"], DAY_ORDER[i["kind"]]))


@dataclass
class Conversations:
    total: int
    prescheduled: int

    @property
    def unscheduled(self) -> int:
        return self.total - self.prescheduled

    @property
    def prescheduled_percent(self) -> int | None:
        return round(100 * self.prescheduled / self.total) if self.total else None


def conversations(
    user: User, start: datetime, end: datetime, *, now: datetime | None = None
) -> Conversations:
    """Conversations (activity's one rule) started in [start, end), and how many came from a
    booked appointment (pre-scheduled) rather than an unplanned call. One query."""
    rows = (
        Activity.objects.filter(user=user, start__gte=start, start__lt=end)
        .filter(activity_services.conversation_filter(now or end))
        .aggregate(total=Count("pk"), prescheduled=Count("appointment"))
    )
    return Conversations(rows["total"], rows["prescheduled"])


# How many follow-ups Today shows to a user without prospecting blocks: two hours' worth.
NO_ROUTINE_FOLLOW_UPS = 8
# How far ahead Today looks for the next prospecting day.
FOLLOW_UP_HORIZON_DAYS = 14


@dataclass
class FollowUpRow:
    pk: int
    name: str
    phone: str  # E.164, for the tel: link
    phone_display: str
    stage: str
    follow_up_on: date
    card_url: str
    rolled_from: date | None  # the date it was set for, when that has passed
    done_url: str
    snooze_url: str

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label


@dataclass
class FollowUps:
    """Today's follow-ups: those due, as many as today's free prospecting time holds.

    `day` is the day the due ones are for: today when it has prospecting time (or the user has
    no routine), else the next prospecting day, None when there is none within a fortnight.
    `due` counts every follow-up due by `day` (by today when `day` is None); `rows` are the
    first of them, oldest first, and only when `day` is today. `next_day` is the prospecting
    day after today, where the ones that don't fit wait."""

    today: date
    day: date | None
    next_day: date | None
    due: int
    capacity: int
    rows: list[FollowUpRow]
    routine: bool

    @property
    def for_today(self) -> bool:
        return self.day == self.today

    @property
    def waiting(self) -> int:
        return self.due - len(self.rows) if self.for_today else 0


def follow_ups(
    user: User,
    *,
    now: datetime,
    block_specs: list | None = None,
    booked: list[tuple[datetime, datetime]] | None = None,
) -> FollowUps:
    """Today's follow-up list, rolled forward over the prospecting days. The routine comes
    from `block_specs` and the calls from `booked` when the caller has them; then at most two
    queries, whatever the number due."""
    tz = timekit.zone(user.time_zone)
    today = timekit.local_date(now, tz)
    day_start, day_end = timekit.local_day_bounds(today, tz)
    _, horizon_end = timekit.local_day_bounds(today + timedelta(days=FOLLOW_UP_HORIZON_DAYS), tz)
    specs = block_specs if block_specs is not None else routine_queries.specs(user)
    routine = any(spec.tier == Tier.INCOME for spec in specs)
    blocks = routine_queries.occurrences_between(
        user, day_start, horizon_end, tier=Tier.INCOME, block_specs=specs
    )
    days = {timekit.local_date(o.start, tz) for o in blocks}
    if not routine:
        day, capacity = today, NO_ROUTINE_FOLLOW_UPS
    elif not days:
        day, capacity = None, 0
    else:
        day = followups.effective_due(today, today=today, prospecting_days=days)
        capacity = 0
        if day == today:
            if booked is None:
                booked = booked_intervals(user, day_start, day_end)
            todays = [(o.start, o.end) for o in blocks if o.start < day_end]
            capacity = followups.capacity(fillrate.fill(todays, booked).free_seconds // 60)
    pending = Prospect.objects.filter(user=user, follow_up_on__lte=day or today).exclude(
        stage__in=CLOSED_STAGES
    )
    due = pending.count()
    rows = []
    if day == today and due and capacity:
        card = url_pattern("prospects:card")
        done = url_pattern("bookings:follow-up-done")
        snooze = url_pattern("bookings:follow-up-snooze")
        rows = [
            FollowUpRow(
                pk=pk,
                name=name,
                phone=phone,
                phone_display=format_phone(phone, user.phone_region),
                stage=stage,
                follow_up_on=on,
                card_url=card.format(pk),
                rolled_from=on if on < today else None,
                done_url=done.format(pk),
                snooze_url=snooze.format(pk),
            )
            for pk, name, phone, stage, on in pending.order_by("follow_up_on", "pk").values_list(
                "pk", "name", "phone", "stage", "follow_up_on"
            )[:capacity]
        ]
    next_day = followups.next_prospecting_day(today, days)
    return FollowUps(today, day, next_day, due, capacity, rows, routine)


# --- the appointment page ------------------------------------------------------------------------


def their_zone(appointment: Appointment, user: User) -> str:
    """The prospect's zone when it differs from the user's (the page then shows the call in
    both); "" when they share it or the booking named none."""
    name = appointment.prospect_time_zone
    return name if name != user.time_zone and timekit.is_zone(name) else ""
