"""Types the JSON shapes (`<app>/schemas.py`) share.

The shapes are django-ninja `Schema` classes, written once for the CLI's `--json` and the API.
Importing ninja costs about a tenth of a second, so the CLI imports a schemas module only when
it prints JSON.
"""

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import PlainSerializer

# A time in the reader's zone, written as Python writes it ("2026-06-10T16:00:00+01:00"):
# pydantic's own format would turn a UTC offset into "Z" and change what scripts read.
LocalTime = Annotated[datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str)]


class Page(Schema):
    """What every list's `--json` starts with: how many there are in all and where the next
    page starts (null on the last page), so a script can tell whether it saw everything. Each
    list adds its `items` (and, for income, `totals`)."""

    total: int
    offset: int
    limit: int | None  # null with --all
    next_offset: int | None
