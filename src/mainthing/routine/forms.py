from django import forms

from mainthing.accounts.forms import zone_choices
from mainthing.core.enums import Tier
from mainthing.core.forms import DayField

from .occurrences import WEEKDAY_NAMES


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


# The day picker's quick choices, as the weekday flags they tick (Monday first). The common
# routines take one tap; a one-day block takes two ("None", then the day).
DAY_PRESETS = [
    ("Mon\N{EN DASH}Sat", "1111110"),
    ("Weekdays", "1111100"),
    ("Every day", "1111111"),
    ("None", "0000000"),
]


class DayPicker(forms.CheckboxSelectMultiple):
    """The weekday boxes, with quick-choice buttons that app.js shows and wires (without
    JavaScript they stay hidden and the boxes work as they are)."""

    template_name = "routine/day_picker.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["presets"] = DAY_PRESETS
        return context


class BlockForm(forms.Form):
    """A block as the routine page adds it and its edit page changes it. `on_date` makes a
    block for one date only: that date's weekday, valid from and until that date."""

    tier = forms.ChoiceField(choices=Tier.choices, initial=Tier.INCOME)
    weekdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        widget=DayPicker,
        initial=[0, 1, 2, 3, 4, 5],
        label="Days",
        required=False,
    )
    start = forms.TimeField(widget=TimeInput)
    end = forms.TimeField(widget=TimeInput, help_text="An end before the start runs past midnight.")
    time_zone = forms.ChoiceField(choices=zone_choices)
    label = forms.CharField(max_length=80, required=False)
    on_date = DayField(
        required=False,
        label="Or on one date only",
        help_text="A one-off block, e.g. a Saturday of calls. The days above are then ignored.",
    )
    valid_from = DayField(required=False)
    valid_until = DayField(required=False)

    @classmethod
    def for_block(cls, block, data=None) -> "BlockForm":
        """The form filled from an existing block, for its edit page. Its ids are the block's
        own, so it can open inline on the routine page beside the add form."""
        one_date = block.valid_from if block.valid_from == block.valid_until else None
        initial = {
            "tier": block.tier,
            "weekdays": sorted(block.weekday_set),
            "start": block.start,
            "end": block.end,
            "time_zone": block.time_zone,
            "label": block.label,
            "on_date": one_date,
            "valid_from": None if one_date else block.valid_from,
            "valid_until": None if one_date else block.valid_until,
        }
        return cls(data, initial=initial, auto_id=f"block-{block.pk}-%s")

    def clean(self):
        data = super().clean()
        one_date = data.get("on_date")
        if one_date:
            data["weekdays"] = [one_date.weekday()]
            data["valid_from"] = data["valid_until"] = one_date
        elif "weekdays" in data and not data["weekdays"]:
            self.add_error("weekdays", "Tick at least one day, or give one date below.")
        return data

    def block_fields(self) -> dict:
        """The cleaned data as `routine.services` names its arguments."""
        data = self.cleaned_data
        return {
            "tier": data["tier"],
            "days": frozenset(data["weekdays"]),
            "start": data["start"],
            "end": data["end"],
            "zone": data["time_zone"],
            "label": data["label"],
            "valid_from": data["valid_from"],
            "valid_until": data["valid_until"],
        }


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
