"""The JSON shape of an appointment (the CLI's `--json`, the API)."""

from __future__ import annotations

from ninja import Schema

from mainthing.core.schemas import LocalTime


class AppointmentSchema(Schema):
    id: int
    prospect: str  # the name booked under
    start: LocalTime
    end: LocalTime
    minutes: int
    status: str
    outside_blocks: bool

    @classmethod
    def of(cls, appointment, tz) -> AppointmentSchema:
        """`appointment` with its times in `tz` (the user's zone)."""
        return cls(
            id=appointment.pk,
            prospect=appointment.prospect_name,
            start=appointment.start.astimezone(tz),
            end=appointment.end.astimezone(tz),
            minutes=appointment.minutes,
            status=str(appointment.status),
            outside_blocks=appointment.outside_blocks,
        )
