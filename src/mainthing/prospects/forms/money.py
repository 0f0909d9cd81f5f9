"""Forms for lead sources, spend and income. Amounts are read by the services (`parse_amount`),
so the page, the CLI and the API accept the same text ("12.50", "12,50")."""

from django import forms

from mainthing.accounts.forms import CurrencyField
from mainthing.activity.models import Category
from mainthing.core.enums import Tier
from mainthing.core.forms import DayField

from ..models import IncomeKind, Prospect

# The income form's prospect chooser lists this many, the most recently active first.
PROSPECT_CHOICES = 100


class AmountField(forms.CharField):
    """Text the service turns into a positive amount with two decimals."""

    def __init__(self, **kwargs):
        super().__init__(
            max_length=20,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            **kwargs,
        )


class SourceForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), empty_label=None, label="Lead-gen category"
    )
    campaign = forms.CharField(
        max_length=120,
        help_text="The forum signature, video, ad set or group the leads come from.",
    )
    key = forms.SlugField(
        max_length=32,
        required=False,
        label="Link key",
        help_text="Booking links carry it as ?src=KEY. Left empty, it is made from the campaign.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            user=user, tier=Tier.LEADGEN, archived=False
        ).order_by("position", "pk")


class SourceEditForm(forms.Form):
    campaign = forms.CharField(max_length=120)
    key = forms.SlugField(
        max_length=32,
        label="Link key",
        help_text="Links already shared with the old key stop counting toward this source.",
    )
    archived = forms.BooleanField(
        required=False, help_text="Archived sources leave the pickers; their prospects stay."
    )


class SpendForm(forms.Form):
    date = DayField()
    amount = AmountField()
    note = forms.CharField(max_length=200, required=False)


class IncomeForm(forms.Form):
    """Income on a date, optionally from one of the user's prospects (by id). The prospect
    card posts the same fields, plus `next` to return to it (read by `core.navigation`)."""

    date = DayField()
    amount = AmountField()
    kind = forms.ChoiceField(choices=IncomeKind.choices, initial=IncomeKind.OTHER)
    currency = CurrencyField(required=False, help_text="Yours unless you pick another.")
    prospect = forms.IntegerField(
        required=False, min_value=1, label="Prospect (optional)", widget=forms.Select
    )
    note = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = user.currency
        rows = list(
            Prospect.objects.filter(user=user)
            .order_by("-updated_at", "-pk")
            .values_list("pk", "name")[:PROSPECT_CHOICES]
        )
        chosen = self["prospect"].value()
        if chosen and str(chosen).isdigit() and int(chosen) not in {pk for pk, _ in rows}:
            # A prospect from a link (?prospect=ID) that isn't among the recent ones.
            rows += list(
                Prospect.objects.filter(user=user, pk=int(chosen)).values_list("pk", "name")
            )
        rows.sort(key=lambda row: row[1].lower())
        self.fields["prospect"].widget.choices = [("", "— none —"), *rows]
