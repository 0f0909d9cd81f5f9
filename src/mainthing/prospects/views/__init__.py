"""Prospect pages, one module per area: prospects (list, card, edits, merge, export),
importing (the lead CSV import) and money (lead sources, spend, income)."""

from datetime import date

from django.utils import timezone

from mainthing.routine.services import now_local_date


def local_today(user) -> date:
    """The request user's date now, in their own zone."""
    return now_local_date(user, timezone.now())
