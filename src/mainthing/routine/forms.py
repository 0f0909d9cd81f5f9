from django import forms

from mainthing.accounts.forms import zone_choices
from mainthing.core.enums import Tier
from mainthing.core.forms import DayField

from .occurrences import WEEKDAY_NAMES


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class BlockForm(forms.Form):
    tier = forms.ChoiceField(choices=Tier.choices, initial=Tier.INCOME)
    weekdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4, 5],
        label="Days",
    )
    start = forms.TimeField(widget=TimeInput)
    end = forms.TimeField(widget=TimeInput, help_text="An end before the start runs past midnight.")
    time_zone = forms.ChoiceField(choices=zone_choices)
    label = forms.CharField(max_length=80, required=False)
    valid_from = DayField(required=False)
    valid_until = DayField(required=False)


class ExceptionForm(forms.Form):
    """Printed once per block on the routine page, so it renders without ids (its inputs sit
    inside their labels)."""

    date = DayField()
    skip = forms.BooleanField(required=False, initial=True, label="Skip the block that day")
    start = forms.TimeField(required=False, widget=TimeInput, label="or other hours: from")
    end = forms.TimeField(required=False, widget=TimeInput, label="to")
    note = forms.CharField(max_length=120, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", False)
        super().__init__(*args, **kwargs)
