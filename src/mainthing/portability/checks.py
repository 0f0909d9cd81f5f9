"""Reading the values of an export file: every value checked, with a message that says where
the file is wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from mainthing.activity import services as activity_services
from mainthing.activity.models import Origin
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.prospects import services as prospect_services

from .format import (
    _COLOR,
    ACTIVITY_FIELDS,
    CATEGORY_FIELDS,
    PROFILE_FIELDS,
)

# --- checking values -----------------------------------------------------------------------------


def _fields(row: Any, allowed: tuple[str, ...], where: str) -> dict:
    if not isinstance(row, dict):
        raise ValidationError(f"{where} must be an object.")
    unknown = set(row) - set(allowed)
    if unknown:
        raise ValidationError(f"{where} has unknown fields: {', '.join(sorted(unknown))}.")
    return row


def _parse_instant(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise ValidationError(f"{where} must be an ISO 8601 date and time.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{where}: {value!r} is not an ISO 8601 date and time.") from None
    if parsed.tzinfo is None:
        raise ValidationError(f"{where}: {value!r} has no UTC offset.")
    return _in_range(parsed, where).astimezone(UTC)


def _parse_clock(value: Any, where: str) -> time | None:
    if value is None:
        return None
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{where}: {value!r} is not a time like 19:00.") from None


def _parse_day(value: Any, where: str) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{where}: {value!r} is not a date like 2026-12-01.") from None
    return _in_range(day, where)


def _in_range(day, where: str):
    try:
        return timekit.check_day(day)
    except ValueError as error:
        raise ValidationError(f"{where}: {error}") from None


def _text(row: dict, key: str, limit: int, where: str, *, default: str = "") -> str:
    value = row.get(key, default)
    if not isinstance(value, str):
        raise ValidationError(f"{where}: {key} must be text.")
    if len(value) > limit:
        raise ValidationError(f"{where}: {key} is longer than {limit} characters.")
    return value


def _flag(row: dict, key: str, where: str, *, default: bool = False) -> bool:
    value = row.get(key, default)
    if not isinstance(value, bool):
        raise ValidationError(f"{where}: {key} must be true or false.")
    return value


def _whole(value: Any, where: str, *, low: int = 0, high: int = 2**31 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{where} must be a whole number from {low} to {high}.")
    return value


def _choice(row: dict, key: str, choices: list[str], default: str, where: str) -> str:
    value = row.get(key, default)
    if value not in choices:
        raise ValidationError(f"{where}: {key} must be one of {', '.join(choices)}.")
    return value


TEXT_PROFILE_FIELDS = {"name": 120, "time_zone": 64, "phone_region": 2, "currency": 3}


def _profile(data: Any) -> dict:
    data = _fields(data, ("email", *PROFILE_FIELDS), "The file's user")
    changes: dict[str, Any] = {}
    for field in PROFILE_FIELDS:
        if field not in data:
            continue
        if field in TEXT_PROFILE_FIELDS:
            changes[field] = _text(data, field, TEXT_PROFILE_FIELDS[field], "user")
        else:
            changes[field] = _whole(data[field], f"user.{field}", high=24 * 60)
    return changes


def _categories(data: Any) -> list[dict]:
    if not isinstance(data, list):
        raise ValidationError("The file's categories must be a list.")
    seen: set[str] = set()
    rows = []
    for index, row in enumerate(data, 1):
        where = f"Category {index}"
        row = _fields(row, CATEGORY_FIELDS, where)
        name = " ".join(_text(row, "name", 60, where).split())
        if not name:
            raise ValidationError(f"{where} has no name.")
        if name.lower() in seen:
            raise ValidationError(f"{where}: the name {name!r} appears twice.")
        seen.add(name.lower())
        tier = _choice(row, "tier", Tier.values, "", where)
        color = row.get("color", activity_services.TIER_COLORS[Tier(tier)])
        if not isinstance(color, str) or not _COLOR.fullmatch(color):
            raise ValidationError(f"{where}: {color!r} is not a colour like #16a34a.")
        rows.append(
            {
                "name": name,
                "tier": tier,
                "color": color,
                "archived": _flag(row, "archived", where),
                "position": _whole(row.get("position", index), f"{where}: position"),
            }
        )
    return rows


def _activity(row: Any, index: int, categories: dict[str, int]) -> tuple:
    """A checked entry as (category_id, start, end, seconds, note, prospect_name, origin,
    iga_override, import_key): the columns `EntryWriter` inserts."""
    where = f"Entry {index}"
    row = _fields(row, ACTIVITY_FIELDS, where)
    name = row.get("category")
    if not isinstance(name, str) or name.lower() not in categories:
        raise ValidationError(f"{where}: {name!r} is not one of the file's categories.")
    start = _parse_instant(row.get("start"), f"{where}: start")
    end = None if row.get("end") is None else _parse_instant(row["end"], f"{where}: end")
    if end is not None and end <= start:
        raise ValidationError(f"{where}: the end must be after the start.")
    key = row.get("import_key")
    return (
        categories[name.lower()],
        start,
        end,
        timekit.elapsed_seconds(start, end) if end else 0,
        _text(row, "note", 500, where),
        _text(row, "prospect_name", 120, where),
        _choice(row, "origin", Origin.values, Origin.MANUAL, where),
        _flag(row, "iga_override", where),
        None if key is None else _text(row, "import_key", 40, where),
    )


def _link(row: dict, key: str, ids: list[int], where: str) -> int | None:
    """The id behind an index into another list of the file (None stays None)."""
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(ids):
        raise ValidationError(f"{where}: {key} must be the index of one of the file's {key}s.")
    return ids[value]


def _list(data: Any, what: str) -> list:
    if not isinstance(data, list):
        raise ValidationError(f"The file's {what} must be a list.")
    return data


def _amount(row: dict, where: str) -> Decimal:
    value = row.get("amount")
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValidationError(f'{where}: amount must be a decimal number like "12.50".')
    try:
        return prospect_services.parse_amount(str(value))
    except ValidationError as error:
        raise ValidationError(f"{where}: {' '.join(error.messages)}") from None
