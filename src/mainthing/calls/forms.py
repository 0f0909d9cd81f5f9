"""The call queue's forms. "Talked" reuses the bookings' outcome form (stage, note, next
step); the others are small: a free slot, the "no" with or without the affiliate offer,
how much later, the source to put first, and the scripts."""

from __future__ import annotations

from datetime import date, datetime

from django import forms

from mainthing.bookings.forms import (
    FreeSlotField,
    OutcomeForm,
    parse_slot,
    radios_by_day,
    slot_choices,
)
from mainthing.bookings.models import DEFAULT_MINUTES
from mainthing.prospects.models import LeadSource, Stage

from .models import SCRIPT_MAX_LENGTH

__all__ = ["BookedForm", "DeclinedForm", "LaterForm", "OutcomeForm", "ScriptsForm", "SourceForm"]

LATER_CHOICES = [(1, "In 1 hour"), (2, "In 2 hours"), (3, "In 3 hours")]


class BookedForm(forms.Form):
    """The next call, in one of the free slots of the prospecting blocks ahead."""

    slot = FreeSlotField(widget=forms.RadioSelect, label="Free time")
    note = forms.CharField(max_length=500, required=False)
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, slots: list[datetime], tz, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices, self.slot_days = slot_choices(slots, tz)
        self.fields["slot"].error_messages["required"] = "Pick one of the free times."

    def slot_groups(self) -> list[tuple[date, list]]:
        return radios_by_day(self["slot"], self.slot_days)[1]

    def clean(self):
        data = super().clean()
        if data.get("slot"):
            data["book_at"] = parse_slot(data["slot"])
        data["minutes"] = DEFAULT_MINUTES
        return data


class DeclinedForm(forms.Form):
    note = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    offer = forms.TypedChoiceField(
        choices=[("1", "Offered"), ("0", "Not now")],
        coerce=lambda v: v == "1",
        required=False,
        empty_value=False,
    )


class LaterForm(forms.Form):
    hours = forms.TypedChoiceField(choices=LATER_CHOICES, coerce=int, initial=2, label="When")


class SourceForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=LeadSource.objects.none(),
        required=False,
        empty_label="Any source",
        label="New leads first from",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        field.queryset = LeadSource.objects.filter(
            user=user, archived=False, category__isnull=False
        ).select_related("category")
        field.label_from_instance = lambda s: s.label


class ScriptsForm(forms.Form):
    """One text per stage; a text left as the starter (or emptied) keeps the starter."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.starters = {}
        for row in rows:
            self.fields[row.stage] = forms.CharField(
                label=row.label,
                required=False,
                max_length=SCRIPT_MAX_LENGTH,
                initial=row.text,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            if row.is_starter:
                self.starters[row.stage] = row.text

    def texts(self) -> dict[str, str]:
        """{stage: text} to save; "" for the stages that keep (or go back to) the starter."""
        out = {}
        for stage in Stage.values:
            text = (self.cleaned_data.get(stage) or "").strip()
            same = " ".join(text.split()) == " ".join(self.starters.get(stage, "").split())
            out[stage] = "" if same else text
        return out
