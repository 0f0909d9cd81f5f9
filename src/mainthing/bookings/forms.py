from django import forms

from mainthing.activity.forms import LocalDateTimeField
from mainthing.activity.models import Category
from mainthing.core.enums import Tier

from .models import DEFAULT_MINUTES, MAX_MINUTES, MIN_MINUTES

LENGTH_CHOICES = [(m, f"{m} min") for m in (15, 30, 45, 60, 90, 120)]


class BookForm(forms.Form):
    prospect_name = forms.CharField(max_length=120, label="Prospect")
    start = LocalDateTimeField(label="When")
    minutes = forms.TypedChoiceField(
        choices=LENGTH_CHOICES, coerce=int, initial=DEFAULT_MINUTES, label="Length"
    )
    note = forms.CharField(max_length=500, required=False)
    allow_outside = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].tz_name = user.time_zone


class MoveForm(forms.Form):
    start = LocalDateTimeField(label="New time")
    minutes = forms.IntegerField(min_value=MIN_MINUTES, max_value=MAX_MINUTES, label="Length")
    allow_outside = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        # Shares the appointment page with CompleteForm: ids must not collide.
        kwargs.setdefault("auto_id", "move_%s")
        super().__init__(*args, **kwargs)
        self.fields["start"].tz_name = user.time_zone


class CompleteForm(forms.Form):
    start = LocalDateTimeField(label="It really started")
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60, label="and lasted (minutes)")
    category = forms.ModelChoiceField(queryset=Category.objects.none())
    allow_overlap = forms.BooleanField(
        required=False, label="Save even though it overlaps other entries"
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "complete_%s")
        super().__init__(*args, **kwargs)
        self.fields["start"].tz_name = user.time_zone
        self.fields["category"].queryset = Category.objects.filter(
            user=user, tier=Tier.INCOME, archived=False
        )
