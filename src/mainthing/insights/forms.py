from datetime import date

from django import forms

from . import periods


class RangeForm(forms.Form):
    """The scorecard's range: a named one, or custom days (from the query string)."""

    range = forms.ChoiceField(choices=list(periods.RANGES.items()), required=False)
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

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
