"""The JSON shapes of the call queue: the next card, a dial and a session's tally (the CLI's
`next --json` and `outcome --json`)."""

from __future__ import annotations

from ninja import Schema

from mainthing.core.schemas import LocalTime


class LinkSchema(Schema):
    kind: str  # call, text, whatsapp, email
    url: str


class CardSchema(Schema):
    id: int  # the prospect's
    name: str
    kind: str  # calling, booked, follow_up, new, reask, skipped
    reason: str
    stage: str
    source: str
    phone: str  # E.164
    phone_display: str
    email: str
    their_time: LocalTime | None  # in the prospect's zone; null when it is unknown
    outside_call_hours: bool
    last_note: str
    last_outcome: str
    script: str
    links: list[LinkSchema]

    @classmethod
    def of(cls, card) -> CardSchema:
        p = card.prospect
        return cls(
            id=p.pk,
            name=p.name,
            kind=card.item.kind,
            reason=card.reason,
            stage=str(p.stage),
            source=p.source.label,
            phone=p.phone,
            phone_display=card.phone_display,
            email=p.email,
            their_time=card.local_time,
            outside_call_hours=card.odd_hour,
            last_note=card.last_note,
            last_outcome=card.last_outcome,
            script=card.script,
            links=[LinkSchema(kind=link.kind, url=link.url) for link in card.links],
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
