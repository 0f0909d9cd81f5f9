"""The JSON shapes of the public booking endpoints (documented in docs/api.md).

Text limits are the booking form's own (`bookings.forms.public.BookingForm`), so the page and the
API refuse the same lengths; everything else is checked by `bookings.public`, which both share.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.core.validators import ProhibitNullCharactersValidator
from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError

from mainthing.bookings.forms.public import BookingForm
from mainthing.core.schemas import LocalTime


def _no_null(value: str) -> str:
    # PostgreSQL can't store a NUL and would fail the whole request; Django's form fields
    # refuse it with this same message, so the page and the API say the same.
    if "\x00" in value:
        raise PydanticCustomError("null_character", str(ProhibitNullCharactersValidator.message))
    return value


# Text as a person or a form sends it: anything but NUL characters.
Text = Annotated[str, AfterValidator(_no_null)]


def _limit(name: str) -> int:
    return BookingForm.base_fields[name].max_length


ZONE_MAX_LENGTH = 64  # the longest IANA names are about 32 characters
LONGEST_CALL = 24 * 60


class SlotsQuery(Schema):
    tz: Text = Field(
        max_length=ZONE_MAX_LENGTH,
        description="The visitor's IANA time zone; slots are given, and days read, in it.",
        examples=["Europe/London"],
    )
    # `from` is a Python keyword: the field is `first` and the query parameter `from`.
    first: date | None = Field(
        None, alias="from", description="The first local date (in `tz`); default today."
    )
    last: date | None = Field(
        None,
        alias="to",
        description="The last local date (in `tz`), included; default the page's horizon.",
    )
    minutes: int | None = Field(
        None, ge=1, le=LONGEST_CALL, description="Call length; default the page's first."
    )


class SlotOut(Schema):
    start: LocalTime
    end: LocalTime


class SlotsOut(Schema):
    tz: str
    slots: list[SlotOut]


class BookingIn(Schema):
    start: AwareDatetime = Field(
        description="A slot's start as the slots endpoint gives it (with its UTC offset).",
        examples=["2026-06-11T19:00:00+01:00"],
    )
    minutes: int = Field(ge=1, le=LONGEST_CALL, examples=[30])
    name: Text = Field(max_length=_limit("name"))
    email: Text = Field(max_length=_limit("email"))
    phone: Text = Field("", max_length=_limit("phone"))
    note: Text = Field("", max_length=BookingForm.base_fields["note"].max_length)
    tz: Text = Field(max_length=ZONE_MAX_LENGTH, examples=["Europe/London"])
    src: Text = Field("", max_length=_limit("src"), description="A lead source's key.")
    idempotency_key: Text = Field(
        "",
        max_length=BookingForm.base_fields["idempotency_key"].max_length,
        description="Send the same key again and you get the first booking, not a second.",
    )


class BookingOut(Schema):
    id: int
    start: LocalTime
    end: LocalTime
    minutes: int
    status: str
    tz: str
    manage_url: str = Field(description="The prospect's page to see, move or cancel the call.")


class ErrorOut(Schema):
    detail: str


class InvalidOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class TakenOut(Schema):
    detail: str
    slots: list[SlotOut] = Field(
        description="Times still free from that day on (empty when the page is closed)."
    )


class LimitedOut(Schema):
    detail: str
    retry_after: int = Field(description="Seconds to wait; also in the Retry-After header.")
