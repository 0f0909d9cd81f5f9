"""Forms of the prospect pages. The rules live in `services`: these forms read the request and
hand the values over; `ProspectForm.clean` runs `services.clean_contact`, so the page and every
other entry point normalise contacts the same way."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from mainthing.accounts import forms as account_forms
from mainthing.core.forms import DayField

from .. import queries, services
from ..followups import QUICK_PICKS
from ..models import NOTES_MAX_LENGTH, LeadSource, Prospect, Stage


def zone_choices() -> list[tuple[str, str]]:
    return [("", "Not known"), *account_forms.zone_choices()]


CONTACT_FIELDS = ("name", "email", "phone", "social", "time_zone", "tags", "notes")


class ProspectForm(forms.Form):
    """Adding (with stage and follow-up) or editing (contacts, source, tags, notes: the stage
    and the follow-up have their own forms on the card) a prospect."""

    # Required by `services.clean_contact`, which names every bad field at once.
    name = forms.CharField(
        max_length=120, required=False, widget=forms.TextInput(attrs={"required": True})
    )
    email = forms.CharField(max_length=254, required=False, widget=forms.EmailInput)
    phone = forms.CharField(
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text="Any format; numbers without a country code are read as your region's.",
    )
    social = forms.CharField(
        label="Social handle", max_length=120, required=False, help_text="@handle or a link."
    )
    time_zone = forms.ChoiceField(label="Their time zone", choices=zone_choices, required=False)
    source = forms.TypedChoiceField(
        label="Lead source", coerce=int, empty_value=None, required=False
    )
    stage = forms.ChoiceField(choices=[(s, Stage(s).label) for s in services.allowed_stages("new")])
    follow_up_on = DayField(label="Follow up on", required=False)
    tags = forms.CharField(
        max_length=500, required=False, help_text="Separated by commas: warm, facebook group."
    )
    notes = forms.CharField(
        max_length=NOTES_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, user, prospect: Prospect | None = None, **kwargs):
        self.user = user
        self.prospect = prospect
        sources = queries.sources(user, include_archived=False)
        if prospect is not None and prospect.source.archived:
            sources.append(prospect.source)  # an archived source stays selectable where used
        self.sources = {s.pk: s for s in sources}
        if prospect is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": prospect.name,
                    "email": prospect.email,
                    "phone": services.format_phone(prospect.phone, user.phone_region),
                    "social": prospect.social,
                    "time_zone": prospect.time_zone,
                    "source": prospect.source_id,
                    "tags": ", ".join(prospect.tag_list),
                    "notes": prospect.notes,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [(s.pk, s.label) for s in sources]
        if prospect is not None:
            del self.fields["stage"]
            del self.fields["follow_up_on"]
        elif not self.initial.get("source"):
            unknown = next((s for s in sources if s.is_unknown), None)
            self.fields["source"].initial = unknown.pk if unknown else None

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in CONTACT_FIELDS):
            return data
        # Raises one ValidationError naming each bad field; the form shows it per field.
        data["contact"] = services.clean_contact(
            self.user,
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            social=data["social"],
            time_zone=data["time_zone"],
            tags=data["tags"],
            notes=data["notes"],
        )
        # None: "Unknown" for a new prospect, the same source for an edited one.
        data["source"] = self.sources.get(data.get("source"))
        return data


class ListFilterForm(forms.Form):
    """The list's search, filters and sort, read from the query string (all optional)."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, email or phone", "autocomplete": "off"}
        ),
    )
    stage = forms.ChoiceField(choices=[("", "Any stage"), *Stage.choices], required=False)
    source = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label="Source")
    tag = forms.CharField(required=False, max_length=40)
    due = forms.BooleanField(required=False, label="Follow-up due")
    sort = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in queries.SORTS.items()], required=False
    )

    def __init__(self, *args, sources: list[LeadSource], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "Any source")] + [(s.pk, s.label) for s in sources]

    def filters(self) -> queries.Filters:
        """The filters asked for; a bad value (a stale link) is dropped, not an error page."""
        self.is_valid()
        data = {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors
        }
        return queries.Filters(
            q=(data.get("q") or "").strip(),
            stage=data.get("stage") or "",
            source_id=data.get("source"),
            tag=data.get("tag") or "",
            due=bool(data.get("due")),
            sort=data.get("sort") or queries.DEFAULT_SORT,
        )


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)
    note = forms.CharField(max_length=2000, required=False)


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Note", max_length=NOTES_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class FollowUpForm(forms.Form):
    """A date, or a quick pick (days from today), or clearing the follow-up."""

    on = DayField(label="On", required=False)
    days = forms.TypedChoiceField(
        choices=[("", "")] + [(d, label) for label, d in QUICK_PICKS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    clear = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("clear") or data.get("days") or data.get("on")):
            raise ValidationError("Pick a date, a quick pick, or clear the follow-up.")
        return data


class MergeSearchForm(forms.Form):
    q = forms.CharField(
        label="Find the other prospect",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, email or phone"}),
    )
