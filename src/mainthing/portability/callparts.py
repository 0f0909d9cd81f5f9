"""The call queue's parts of an export file: the user's call scripts, and the call sessions
with their dials (each pointing at its prospect, the entry it left and the call it booked, by
index)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError

from mainthing.accounts.models import User
from mainthing.bookings.models import Appointment
from mainthing.calls.models import SCRIPT_MAX_LENGTH, CallAttempt, CallSession, Outcome, Script
from mainthing.prospects.models import Stage

from .bookingparts import source_id
from .checks import _choice, _fields, _link, _list, _parse_instant, _text
from .format import ATTEMPT_FIELDS, SCRIPT_FIELDS, SESSION_FIELDS

Instant = Callable[[datetime | None], str | None]


def export_scripts(user: User) -> list[dict]:
    return [
        {"stage": s.stage, "text": s.text}
        for s in Script.objects.filter(user=user).order_by("stage")
    ]


def export_sessions(
    user: User,
    instant: Instant,
    *,
    prospects: dict[int, int],
    activities: dict[int, int],
    appointments: dict[int, int],
) -> list[dict]:
    """Sessions in order, each with its dials; a link to a row the file does not hold (added
    after the export began) is dropped, and so are skipped prospects it does not hold."""
    attempts: dict[int, list[dict]] = {}
    for a in CallAttempt.objects.filter(user=user).order_by("started_at", "pk"):
        attempts.setdefault(a.session_id, []).append(
            {
                "prospect": prospects.get(a.prospect_id),
                "outcome": a.outcome,
                "started_at": instant(a.started_at),
                "ended_at": instant(a.ended_at),
                "activity": activities.get(a.activity_id),
                "appointment": appointments.get(a.appointment_id),
                "contacted_before": instant(a.contacted_before),
            }
        )
    return [
        {
            "started_at": instant(s.started_at),
            "last_seen_at": instant(s.last_seen_at),
            "ended_at": instant(s.ended_at),
            "source": s.source.key if s.source_id else None,
            "skipped": [prospects[pk] for pk in s.skipped if pk in prospects],
            "attempts": attempts.get(s.pk, []),
        }
        for s in CallSession.objects.filter(user=user)
        .select_related("source")
        .order_by("started_at", "pk")
    ]


def _maybe_instant(row: dict, key: str, where: str) -> datetime | None:
    value = row.get(key)
    return None if value is None else _parse_instant(value, f"{where}: {key}")


def apply_scripts(user: User, data: Any) -> int:
    """Replaces the user's scripts with the file's."""
    rows, stages = [], set()
    for index, row in enumerate(_list(data, "call_scripts"), 1):
        where = f"Call script {index}"
        row = _fields(row, SCRIPT_FIELDS, where)
        stage = _choice(row, "stage", Stage.values, "", where)
        if stage in stages:
            raise ValidationError(f"{where}: the file has two scripts for {stage}.")
        stages.add(stage)
        rows.append(
            Script(user=user, stage=stage, text=_text(row, "text", SCRIPT_MAX_LENGTH, where))
        )
    Script.objects.filter(user=user).delete()
    Script.objects.bulk_create(rows)
    return len(rows)


def apply_sessions(
    user: User,
    data: Any,
    *,
    prospect_ids: list[int],
    activity_ids: Callable[[], list[int]],
    sources: dict[str, int],
) -> tuple[int, int]:
    """Creates the file's sessions and dials, linked to the restored prospects, entries (their
    ids read only when a dial links one: there may be a million) and calls; returns how many
    of each it wrote."""
    # The account had no calls before the restore, and ids only grow: file order.
    appointment_ids = list(
        Appointment.objects.filter(user=user).order_by("pk").values_list("pk", flat=True)
    )
    sessions, dials = 0, 0
    open_seen = False
    for index, row in enumerate(_list(data, "call_sessions"), 1):
        where = f"Call session {index}"
        row = _fields(row, SESSION_FIELDS, where)
        ended = _maybe_instant(row, "ended_at", where)
        if ended is None:
            if open_seen:
                raise ValidationError(f"{where}: only one call session can be open.")
            open_seen = True
        skipped = [
            _link({"prospect": value}, "prospect", prospect_ids, f"{where}: skipped")
            for value in _list(row.get("skipped", []), "skipped prospects")
        ]
        session = CallSession.objects.create(
            user=user,
            started_at=_parse_instant(row.get("started_at"), f"{where}: started_at"),
            last_seen_at=_parse_instant(row.get("last_seen_at"), f"{where}: last_seen_at"),
            ended_at=ended,
            source_id=source_id(row, "source", sources, where),
            skipped=skipped,
        )
        attempts = []
        for number, item in enumerate(_list(row.get("attempts", []), "dials"), 1):
            there = f"{where}, dial {number}"
            item = _fields(item, ATTEMPT_FIELDS, there)
            attempts.append(
                CallAttempt(
                    user=user,
                    session=session,
                    prospect_id=_link(item, "prospect", prospect_ids, there),
                    outcome=_choice(item, "outcome", [*Outcome.values, ""], "", there),
                    started_at=_parse_instant(item.get("started_at"), f"{there}: started_at"),
                    ended_at=_maybe_instant(item, "ended_at", there),
                    activity_id=(
                        None
                        if item.get("activity") is None
                        else _link(item, "activity", activity_ids(), there)
                    ),
                    appointment_id=_link(item, "appointment", appointment_ids, there),
                    contacted_before=_maybe_instant(item, "contacted_before", there),
                )
            )
        CallAttempt.objects.bulk_create(attempts)
        sessions += 1
        dials += len(attempts)
    return sessions, dials
