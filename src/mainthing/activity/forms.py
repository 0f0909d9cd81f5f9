from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError

from mainthing.core import timekit
from mainthing.core.enums import Tier

from .models import Category


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class LocalDateTimeField(forms.Field):
    """A wall-clock time typed in the user's zone, cleaned to a UTC instant.

    Times a DST gap skips are refused with a message; repeated times take the earlier instant.
    """

    widget = DateTimeLocalInput

    def __init__(self, *, tz_name: str = "UTC", **kwargs):
        self.tz_name = tz_name
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value
        try:
            naive = datetime.fromisoformat(str(value).strip().replace(" ", "T"))
        except ValueError:
            raise ValidationError("Enter a date and time like 2026-12-01 19:00.") from None
        if naive.tzinfo is not None:
            return naive
        try:
            return timekit.localize(
                naive.replace(second=0, microsecond=0), timekit.zone(self.tz_name)
            )
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def prepare_value(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(timekit.zone(self.tz_name)).strftime("%Y-%m-%dT%H:%M")
        return value


class UserCategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({Tier(obj.tier).label})"


class StartForm(forms.Form):
    category = forms.ModelChoiceField(queryset=Category.objects.none())
    note = forms.CharField(max_length=500, required=False)
    prospect_name = forms.CharField(max_length=120, required=False, label="Prospect")
    override = forms.BooleanField(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(user=user, archived=False)


class EntryForm(forms.Form):
    category = UserCategoryField(queryset=Category.objects.none())
    start = LocalDateTimeField()
    end = LocalDateTimeField(required=False, help_text="Leave empty only for a running timer.")
    note = forms.CharField(max_length=500, required=False)
    prospect_name = forms.CharField(max_length=120, required=False, label="Prospect")
    allow_overlap = forms.BooleanField(
        required=False, label="Save even though it overlaps other entries"
    )

    def __init__(self, *args, user, running: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(user=user)
        for name in ("start", "end"):
            self.fields[name].tz_name = user.time_zone
        self.fields["end"].required = not running


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=60)
    tier = forms.ChoiceField(choices=Tier.choices)
    color = forms.CharField(
        max_length=7, required=False, widget=forms.TextInput(attrs={"type": "color"})
    )


class CategoryEditForm(forms.Form):
    name = forms.CharField(max_length=60)
    color = forms.CharField(max_length=7, widget=forms.TextInput(attrs={"type": "color"}))
    archived = forms.BooleanField(required=False)


class LogFilterForm(forms.Form):
    week = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tier = forms.ChoiceField(choices=[("", "All tiers"), *Tier.choices], required=False)
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, empty_label="All categories"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(user=user)
