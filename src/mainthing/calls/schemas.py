"""The JSON shapes of the call queue: the next card, a dial, an outcome and a session's tally
(the CLI's `next --json` and `outcome --json`)."""

from __future__ import annotations

from ninja import Schema

from mainthing.core.schemas import LocalTime
from mainthing.prospects.schemas import SourceRef


class LinkSchema(Schema):
    kind: str  # call, text, whatsapp, email
    label: str
    url: str


class CardSchema(Schema):
    """The next person to call and why, as the queue's card shows them."""

    id: int
    name: str
    phone: str  # E.164, as stored
    phone_display: str
    email: str
    stage: str
    source: SourceRef
    kind: str  # calling, booked, follow_up, new, reask, skipped
    reason: str
    their_time: LocalTime | None  # now, in the prospect's zone (null when it is unknown)
    their_zone: str
    outside_call_hours: bool  # their time is outside 09:00-21:00
    last_note: str
    last_outcome: str
    script: str
    links: list[LinkSchema]

    @classmethod
    def of(cls, card) -> CardSchema:
        prospect = card.item.prospect
        return cls(
            id=prospect.pk,
            name=prospect.name,
            phone=prospect.phone,
            phone_display=card.phone_display,
            email=prospect.email,
            stage=str(prospect.stage),
            source=SourceRef(key=prospect.source.key, label=prospect.source.label),
            kind=card.item.kind,
            reason=card.item.reason,
            their_time=card.local_time,
            their_zone=prospect.time_zone,
            outside_call_hours=card.odd_hour,
            last_note=card.last_note,
            last_outcome=card.last_outcome,
            script=card.script,
            links=[LinkSchema(kind=k.kind, label=k.label, url=k.url) for k in card.links],
        )


class TallySchema(Schema):
    dials: int
    conversations: int
    bookings: int
    minutes: int

    @classmethod
    def of(cls, tally) -> TallySchema:
        return cls(
            dials=tally.dials,
            conversations=tally.conversations,
            bookings=tally.bookings,
            minutes=tally.minutes,
        )


class AttemptSchema(Schema):
    id: int
    prospect_id: int | None
    outcome: str
    started_at: LocalTime
    ended_at: LocalTime | None
    appointment_id: int | None

    @classmethod
    def of(cls, attempt, *, tz) -> AttemptSchema:
        return cls(
            id=attempt.pk,
            prospect_id=attempt.prospect_id,
            outcome=attempt.outcome,
            started_at=attempt.started_at.astimezone(tz),
            ended_at=attempt.ended_at.astimezone(tz) if attempt.ended_at else None,
            appointment_id=attempt.appointment_id,
        )


class OutcomeSchema(Schema):
    """What `outcome` recorded: the prospect afterwards, the call it booked, the session."""

    prospect_id: int
    outcome: str
    stage: str
    follow_up_on: str | None
    appointment_id: int | None
    appointment_start: LocalTime | None
    session: TallySchema
