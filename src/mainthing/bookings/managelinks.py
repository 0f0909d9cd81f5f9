"""Secret links (`/booking/<token>/`) that let a prospect see, move or cancel their booking.

Each email that carries a link gets a token of its own (`core.tokens`: 256 bits, only the
SHA-256 kept), so a reminder can carry a working link though no raw token is ever stored.
"""

from __future__ import annotations

from datetime import datetime

from mainthing.core import tokens

from .models import Appointment, ManageLink


def issue(appointment: Appointment, *, now: datetime) -> str:
    """A new raw token for the appointment's manage page; only its hash is stored."""
    raw = tokens.make_token()
    ManageLink.objects.create(
        appointment=appointment, token_hash=tokens.hash_token(raw), created_at=now
    )
    return raw


def appointment_for(raw: str | None) -> Appointment | None:
    """The appointment behind a manage link's token, or None (no such token, or nonsense)."""
    if not tokens.is_well_formed(raw):
        return None
    link = (
        ManageLink.objects.select_related("appointment__user", "appointment__prospect")
        .filter(token_hash=tokens.hash_token(raw))
        .first()
    )
    return link.appointment if link else None
