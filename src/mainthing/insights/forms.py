"""The insights settings' forms: the income goal and the weekly review email's schedule. The
services (`save_goal`, `save_review_schedule`) check the same rules for every other caller."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms

from mainthing.accounts.models import User
from mainthing.core.forms import DayField

from . import periods, services
from .models import InsightSettings

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
OFF = ""


def _amount_field() -> forms.DecimalField:
    return forms.DecimalField(
        required=False,
        min_value=Decimal("0.01"),
        max_value=services.LARGEST_AMOUNT,
        max_digits=services.AMOUNT_DIGITS,
        decimal_places=services.AMOUNT_PLACES,
        error_messages={"min_value": "Give an amount above zero, or leave it empty for none."},
    )


class GoalForm(forms.Form):
    income_goal = _amount_field()
    income_per_join = _amount_field()

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        currency = user.currency
        goal, per_join = self.fields["income_goal"], self.fields["income_per_join"]
        goal.label = f"Monthly income goal ({currency})"
        goal.help_text = f"In your profile's currency, {currency}. Leave it empty for no goal."
        per_join.label = f"What one join earns you ({currency})"
        per_join.help_text = (
            "Until you have joins with income recorded, the goal is worked back from this."
        )

    @staticmethod
    def initial_for(row: InsightSettings) -> dict:
        return {"income_goal": row.income_goal, "income_per_join": row.income_per_join}


class ReviewEmailForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label="Send me the weekly review on",
        choices=[(OFF, "Off"), *((str(n), name) for n, name in enumerate(WEEKDAYS))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    hour = forms.TypedChoiceField(
        label="At",
        choices=[(str(h), f"{h:02d}:00") for h in range(24)],
        coerce=int,
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hour"].help_text = f"Your time ({user.time_zone}, from your profile)."

    @staticmethod
    def initial_for(row: InsightSettings) -> dict:
        weekday = row.review_weekday
        return {"weekday": OFF if weekday is None else str(weekday), "hour": str(row.review_hour)}


class RangeForm(forms.Form):
    """The scorecard's range: a named one, or custom days (from the query string)."""

    range = forms.ChoiceField(choices=list(periods.RANGES.items()), required=False)
    start = DayField(label="From", required=False)
    end = DayField(label="To", required=False)

    def chosen(self, today: date) -> periods.Range:
        """The range asked for, or the default one when the form has errors (shown beside)."""
        if not self.is_valid():
            return periods.resolve(periods.DEFAULT_RANGE, today)
        data = self.cleaned_data
        key = data["range"] or ("custom" if data["start"] or data["end"] else periods.DEFAULT_RANGE)
        try:
            return periods.resolve(key, today, first=data["start"], last=data["end"])
        except ValueError as error:
            self.add_error(None, str(error))
            return periods.resolve(periods.DEFAULT_RANGE, today)
