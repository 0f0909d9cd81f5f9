from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError

from mainthing.core import importing as framework
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.core.forms import DayField

from .models import Category, ImportJob


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        attrs = {"min": f"{timekit.EARLIEST}T00:00", "max": f"{timekit.LATEST}T23:59"}
        kwargs["attrs"] = {**attrs, **(kwargs.get("attrs") or {})}
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
        try:
            timekit.check_day(naive)
        except ValueError as error:
            raise ValidationError(str(error), code="out_of_range") from None
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
    # A prospect's id: the view fetches it owner-scoped (the ledger sits below prospects, so
    # this form can't name their model).
    prospect = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    override = forms.BooleanField(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(user=user, archived=False)


class InstantField(forms.Field):
    """An instant sent by the page's script (`Date.toISOString()`): ISO 8601 with its offset.
    A wall-clock time without one is refused: whose clock it read is unknown."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            instant = datetime.fromisoformat(str(value).strip())
            timekit.check_day(instant.date())
        except ValueError:
            raise ValidationError("That stop time is not a date and time we can read.") from None
        if instant.tzinfo is None:
            raise ValidationError("That stop time has no time zone.")
        return instant


class StopForm(forms.Form):
    """What the Stop button sends: the timer it stops and, from the page's script, the instant
    it was pressed (a stop pressed offline is sent later). Both optional: a plain post stops
    whatever runs, now."""

    entry = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    at = InstantField(required=False, widget=forms.HiddenInput)


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
    week = DayField(required=False)
    tier = forms.ChoiceField(choices=[("", "All tiers"), *Tier.choices], required=False)
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, empty_label="All categories"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(user=user)


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="UTF-8 text, up to 50 MB. Bigger files: mainthing import activities FILE."
    )
    format = forms.ChoiceField(choices=ImportJob.Format.choices, initial=ImportJob.Format.CSV)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > framework.MAX_UPLOAD_BYTES:
            size = upload.size / (1024 * 1024)
            limit = framework.MAX_UPLOAD_BYTES // (1024 * 1024)
            raise ValidationError(
                f"The file is {size:.1f} MB; the limit here is {limit} MB. Import bigger files "
                "from a terminal: mainthing import activities FILE."
            )
        return upload


class ImportTiersForm(forms.Form):
    """A tier for each category the file would create: `tier-0`, `tier-1`, … in the order of
    the job's new categories, preset to the tier the file proposes, else busy work."""

    def __init__(self, *args, new_categories: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.new_categories = new_categories
        for index, new in enumerate(new_categories):
            self.fields[f"tier-{index}"] = forms.ChoiceField(
                choices=Tier.choices, initial=new.get("tier") or Tier.OTHER, label=new["name"]
            )

    def rows(self) -> list[tuple[dict, forms.BoundField]]:
        return [(new, self[f"tier-{index}"]) for index, new in enumerate(self.new_categories)]

    def tier_map(self) -> dict[str, str]:
        return {
            new["name"]: self.cleaned_data[f"tier-{index}"]
            for index, new in enumerate(self.new_categories)
        }
