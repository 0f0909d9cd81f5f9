"""Read models of the call queue: who to call next and why, the card shown for them, the
session's tally, and the user's scripts.

The queue, in order:
1. a call booked now: a scheduled appointment running now or starting within BOOKED_SOON;
2. follow-ups due today or earlier (oldest date first);
3. new leads never contacted, oldest first (those of the session's chosen source first);
4. declined prospects due a re-ask on the affiliate/product path: they said no REASK_AFTER_DAYS
   or more ago and nobody has called them since.
Joined prospects never appear. Prospects dialled in this session, put off until later today,
or skipped are left out; the skipped come back at the end, in the order they were skipped.
The prospect of a dial still waiting for its outcome stays first (kind "calling").

Every part is one index range read with a LIMIT, so the queue costs the same number of
queries for 60 prospects as for 25,000 (tests/calls/test_queries.py counts them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q
from django.urls import reverse

from mainthing.accounts.models import User
from mainthing.bookings.models import Appointment, Status
from mainthing.core import timekit
from mainthing.core.lookups import owned_or_404
from mainthing.prospects.models import CLOSED_STAGES, Event, LeadSource, Prospect, Stage
from mainthing.prospects.services import format_phone

from .models import (
    CONVERSATIONS,
    IDLE_MINUTES,
    CallAttempt,
    CallSession,
    Outcome,
    Postponement,
    Script,
)
from .scripts import STARTERS

# A booked call this close ahead comes first: time to call, or to get ready.
BOOKED_SOON = timedelta(minutes=10)
# The longest booked call (bookings' MAX_MINUTES): bounds the "running now" range on start.
LONGEST_BOOKED = timedelta(minutes=120)
# A "no" is asked again after this long: long enough not to push, soon enough to be
# remembered. The re-ask is the affiliate/product offer, made once.
REASK_AFTER_DAYS = 14
# The prospect's day for calls, in their own zone: outside it the card says so.
CALL_HOURS = (9, 21)
UPCOMING = 5


class Kind:
    CALLING = "calling"
    BOOKED = "booked"
    FOLLOW_UP = "follow_up"
    NEW = "new"
    REASK = "reask"
    SKIPPED = "skipped"


@dataclass
class QueueItem:
    prospect: Prospect
    kind: str
    reason: str
    appointment: Appointment | None = None


def session_for_user(user: User, pk: int | str) -> CallSession:
    return owned_or_404(CallSession.objects.all(), pk, user)


def open_session(user: User, *, now: datetime) -> CallSession | None:
    """The session going on: open and not idle for IDLE_MINUTES."""
    return CallSession.objects.filter(
        user=user,
        ended_at__isnull=True,
        last_seen_at__gt=now - timedelta(minutes=IDLE_MINUTES),
    ).first()


def _ago(then: date, today: date) -> str:
    days = (today - then).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 14:
        return f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    return f"on {then:%d %b %Y}"


def _day_name(day: date, today: date) -> str:
    if day == today:
        return "today"
    if today - day < timedelta(days=7):
        return f"{day:%a}"
    return f"{day.day} {day:%b}"


def _follow_up_reason(prospect: Prospect, today: date) -> str:
    if prospect.follow_up_on == today:
        return "follow-up due today"
    return f"follow-up from {_day_name(prospect.follow_up_on, today)}"


def _new_reason(prospect: Prospect, today: date, tz) -> str:
    return (
        f"new lead from {prospect.source.label}, "
        f"{_ago(timekit.local_date(prospect.created_at, tz), today)}"
    )


def _reask_reason(prospect: Prospect, today: date, tz) -> str:
    said = _ago(timekit.local_date(prospect.stage_changed_at, tz), today)
    return f"said no {said}: offer the product or affiliate path"


def _booked_reason(appointment: Appointment, now: datetime, tz) -> str:
    at = appointment.start.astimezone(tz)
    if appointment.start <= now:
        return f"booked call, started {at:%H:%M}"
    return f"booked call at {at:%H:%M}"


def _reason(prospect: Prospect, *, today: date, tz, now: datetime) -> tuple[str, str]:
    """Why a skipped prospect is in the queue, read from the row alone."""
    if prospect.follow_up_on is not None and prospect.follow_up_on <= today:
        return Kind.FOLLOW_UP, _follow_up_reason(prospect, today)
    if prospect.stage == Stage.NEW and prospect.last_contacted_at is None:
        return Kind.NEW, _new_reason(prospect, today, tz)
    if prospect.stage == Stage.DECLINED:
        return Kind.REASK, _reask_reason(prospect, today, tz)
    return Kind.SKIPPED, "skipped earlier"


def _prospects(user: User):
    return Prospect.objects.filter(user=user).select_related("source__category")


def queue(
    user: User,
    *,
    now: datetime,
    limit: int = UPCOMING + 1,
    session: CallSession | bool | None = True,
) -> list[QueueItem]:
    """The first `limit` people to call, in the queue's order, each with the reason.
    `session`: the session going on (True: look it up; None or False: none)."""
    if session is True:
        session = open_session(user, now=now)
    tz = timekit.zone(user.time_zone)
    today = timekit.local_date(now, tz)
    left_out: set[int] = set(
        Postponement.objects.filter(user=user, until__gt=now).values_list("prospect_id", flat=True)
    )
    skipped: list[int] = []
    current: int | None = None
    if session:
        dialled = list(
            session.attempts.exclude(prospect=None)
            .order_by("started_at", "pk")
            .values_list("prospect_id", "outcome", "started_at")
        )
        left_out |= {pk for pk, _, _ in dialled}
        # The last dial still waiting for its outcome stays on the card until it gets one.
        if dialled and not dialled[-1][1]:
            current, since = dialled[-1][0], dialled[-1][2]
        skipped = [pk for pk in session.skipped if pk not in left_out]
        left_out |= set(skipped)
    items: list[QueueItem] = []
    seen: set[int] = set()

    def take(rows, kind: str, reason) -> None:
        for row in rows:
            prospect = row.prospect if isinstance(row, Appointment) else row
            if prospect.pk in seen or len(items) >= limit:
                continue
            seen.add(prospect.pk)
            items.append(
                QueueItem(
                    prospect,
                    kind,
                    reason(row),
                    row if isinstance(row, Appointment) else None,
                )
            )

    if current is not None:
        prospect = _prospects(user).exclude(stage__in=CLOSED_STAGES).filter(pk=current).first()
        if prospect is not None:
            take([prospect], Kind.CALLING, lambda p: f"called at {since.astimezone(tz):%H:%M}")
    booked = (
        Appointment.objects.filter(
            user=user,
            status=Status.SCHEDULED,
            prospect__isnull=False,
            start__gte=now - LONGEST_BOOKED,
            start__lte=now + BOOKED_SOON,
            end__gt=now,
        )
        .exclude(prospect_id__in=left_out)
        .select_related("prospect__source__category")
        .order_by("start")[:limit]
    )
    take(booked, Kind.BOOKED, lambda a: _booked_reason(a, now, tz))
    open_ = _prospects(user).exclude(stage__in=CLOSED_STAGES).exclude(pk__in=left_out)
    if len(items) < limit:
        rows = open_.filter(follow_up_on__lte=today).order_by("follow_up_on", "pk")
        take(rows[:limit], Kind.FOLLOW_UP, lambda p: _follow_up_reason(p, today))
    new = open_.filter(stage=Stage.NEW, last_contacted_at__isnull=True, follow_up_on__isnull=True)
    first_source = session.source_id if session else None
    if first_source and len(items) < limit:
        rows = new.filter(source_id=first_source).order_by("created_at", "pk")
        take(rows[:limit], Kind.NEW, lambda p: _new_reason(p, today, tz))
        new = new.exclude(source_id=first_source)
    if len(items) < limit:
        rows = new.order_by("created_at", "pk")
        take(rows[:limit], Kind.NEW, lambda p: _new_reason(p, today, tz))
    if len(items) < limit:
        rows = (
            open_.filter(
                stage=Stage.DECLINED,
                follow_up_on__isnull=True,
                stage_changed_at__lte=now - timedelta(days=REASK_AFTER_DAYS),
            )
            .filter(
                Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lte=F("stage_changed_at"))
            )
            .order_by("stage_changed_at", "pk")
        )
        take(rows[:limit], Kind.REASK, lambda p: _reask_reason(p, today, tz))
    if skipped and len(items) < limit:
        order = {pk: i for i, pk in enumerate(skipped)}
        rows = _prospects(user).exclude(stage__in=CLOSED_STAGES).filter(pk__in=skipped)
        for prospect in sorted(rows, key=lambda p: order[p.pk]):
            _kind, why = _reason(prospect, today=today, tz=tz, now=now)
            take([prospect], Kind.SKIPPED, lambda p, why=why: f"skipped earlier: {why}")
    return items


# --- the card ------------------------------------------------------------------------------------


@dataclass
class Link:
    kind: str  # call, text, whatsapp, email
    label: str
    url: str


@dataclass
class Card:
    """Everything the queue shows for one person."""

    item: QueueItem
    local_time: datetime | None
    odd_hour: bool
    phone_display: str
    links: list[Link]
    last_note: str
    last_outcome: str
    script: str
    script_is_starter: bool
    calling: CallAttempt | None

    @property
    def prospect(self) -> Prospect:
        return self.item.prospect

    @property
    def reason(self) -> str:
        return self.item.reason

    @property
    def stage_label(self) -> str:
        return Stage(self.prospect.stage).label


def contact_links(prospect: Prospect, *, region: str) -> list[Link]:
    """Call, text, WhatsApp and email, for the contacts the prospect has."""
    links = []
    if prospect.phone:
        digits = "".join(c for c in prospect.phone if c.isdigit())
        links += [
            Link("call", "Call", f"tel:{prospect.phone}"),
            Link("text", "Text", f"sms:{prospect.phone}"),
            Link("whatsapp", "WhatsApp", f"https://wa.me/{digits}"),
        ]
    if prospect.email:
        links.append(Link("email", "Email", f"mailto:{prospect.email}"))
    return links


def their_time(prospect: Prospect, now: datetime) -> tuple[datetime | None, bool]:
    """The prospect's wall-clock time now (None when their zone is unknown), and whether it is
    outside CALL_HOURS for them."""
    if not timekit.is_zone(prospect.time_zone):
        return None, False
    local = now.astimezone(timekit.zone(prospect.time_zone))
    return local, not (CALL_HOURS[0] <= local.hour < CALL_HOURS[1])


def script_text(user: User, stage: str, own: str | None, *, source: str = "") -> tuple[str, bool]:
    """The script for a stage with the user's name filled in: theirs, else the starter."""
    if own:
        return own, False
    text = STARTERS.get(stage, "")
    return text.replace("{me}", user.name or "me").replace("{source}", source or "what we do"), True


def _outcome_line(attempt: CallAttempt | None, tz) -> str:
    if attempt is None:
        return ""
    return f"{Outcome(attempt.outcome).label}, {attempt.started_at.astimezone(tz):%a %d %b}"


def card_for(user: User, item: QueueItem, *, now: datetime, session=None) -> Card:
    """The card of one queue item: four queries (note, outcome, script, the dial going on)."""
    prospect = item.prospect
    tz = timekit.zone(user.time_zone)
    local, odd = their_time(prospect, now)
    note = (
        Event.objects.filter(prospect=prospect, kind=Event.Kind.NOTE)
        .order_by("-at", "-pk")
        .values_list("text", flat=True)
        .first()
    ) or prospect.notes
    last = (
        CallAttempt.objects.filter(prospect=prospect)
        .exclude(outcome="")
        .order_by("-started_at", "-pk")
        .first()
    )
    own = Script.objects.filter(user=user, stage=prospect.stage).values_list("text", flat=True)
    source = prospect.source.campaign if not prospect.source.is_unknown else ""
    script, starter = script_text(user, prospect.stage, own.first(), source=source)
    calling = None
    if session:
        calling = (
            session.attempts.filter(prospect=prospect, outcome="", ended_at__isnull=True)
            .order_by("-started_at")
            .first()
        )
    return Card(
        item=item,
        local_time=local,
        odd_hour=odd,
        phone_display=format_phone(prospect.phone, user.phone_region),
        links=contact_links(prospect, region=user.phone_region),
        last_note=note[:500],
        last_outcome=_outcome_line(last, tz),
        script=script.replace("{first_name}", prospect.first_name),
        script_is_starter=starter,
        calling=calling,
    )


def next_card(
    user: User, *, now: datetime, session: CallSession | bool | None = True
) -> Card | None:
    """The next person to call, with everything their card shows; None when nobody is due."""
    if session is True:
        session = open_session(user, now=now)
    items = queue(user, now=now, limit=1, session=session)
    return card_for(user, items[0], now=now, session=session) if items else None


# --- the session's tally -------------------------------------------------------------------------


@dataclass
class Tally:
    dials: int = 0
    conversations: int = 0
    bookings: int = 0
    minutes: int = 0

    @property
    def per_hour(self) -> float | None:
        """Conversations per hour of the session."""
        return round(self.conversations * 60 / self.minutes, 1) if self.minutes else None


def tally(session: CallSession | None, *, now: datetime) -> Tally:
    """Dials, conversations (answered: talked, booked or declined), bookings and the session's
    real elapsed minutes. One query."""
    if session is None:
        return Tally()
    counts = session.attempts.aggregate(
        dials=Count("pk"),
        conversations=Count("pk", filter=Q(outcome__in=CONVERSATIONS)),
        bookings=Count("pk", filter=Q(outcome=Outcome.BOOKED)),
    )
    end = session.ended_at or max(now, session.last_seen_at)
    return Tally(**counts, minutes=timekit.elapsed_seconds(session.started_at, end) // 60)


# --- the page ------------------------------------------------------------------------------------


@dataclass
class CallPage:
    card: Card | None
    upcoming: list[QueueItem]
    tally: Tally
    session: CallSession | None
    sources: list[LeadSource] = field(default_factory=list)


def call_page(user: User, *, now: datetime, upcoming: int = UPCOMING) -> CallPage:
    """The queue page: the next card, the few after it, the tally and the sources to put
    first. A fixed number of queries, whatever the number of prospects."""
    session = open_session(user, now=now)
    items = queue(user, now=now, limit=upcoming + 1, session=session)
    card = card_for(user, items[0], now=now, session=session) if items else None
    sources = list(
        LeadSource.objects.filter(user=user, archived=False, category__isnull=False)
        .select_related("category")
        .order_by("category__position", "campaign")
    )
    return CallPage(card, items[1:], tally(session, now=now), session, sources)


# --- scripts -------------------------------------------------------------------------------------


@dataclass
class ScriptRow:
    stage: str
    label: str
    text: str
    is_starter: bool


def scripts(user: User) -> list[ScriptRow]:
    """A script per stage: the user's own, else the starter."""
    own = dict(Script.objects.filter(user=user).values_list("stage", "text"))
    rows = []
    for stage in Stage:
        text, starter = script_text(user, stage, own.get(stage))
        rows.append(ScriptRow(stage, stage.label, text, starter))
    return rows


def queue_url() -> str:
    return reverse("calls:queue")
