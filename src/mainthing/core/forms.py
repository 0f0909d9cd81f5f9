from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates

from mainthing.core import timekit


class BoundField(forms.BoundField):
    """Every form's fields (through `FormRenderer`): a form sent back with errors keeps what the
    user had. A choice that isn't in the list (a tampered or stale value) shows the field's
    initial, the saved value, rather than no option, which browsers show as the first one
    (Africa/Abidjan) and would save next time."""

    def value(self):
        value = super().value()
        field = self.field
        if (
            self.form.is_bound
            and isinstance(field, forms.ChoiceField)
            and not isinstance(field, forms.ModelChoiceField | forms.MultipleChoiceField)
            and value not in (None, "")
            and not field.valid_value(str(value))
        ):
            return field.prepare_value(self.initial)
        return value


class FormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: Django's template renderer with our BoundField."""

    bound_field_class = BoundField


class DateInput(forms.DateInput):
    """The browser's date picker; it reads and writes ISO dates whatever the locale, and offers
    only the dates the server takes."""

    input_type = "date"

    def __init__(self, **kwargs):
        attrs = {"min": timekit.EARLIEST.isoformat(), "max": timekit.LATEST.isoformat()}
        kwargs["attrs"] = {**attrs, **(kwargs.get("attrs") or {})}
        super().__init__(format="%Y-%m-%d", **kwargs)


class DayField(forms.DateField):
    """A date in the range the product handles (`timekit.EARLIEST`..`LATEST`), picked in the
    browser's date picker. Every date field of every form is one (tests/core/test_limits.py)."""

    widget = DateInput

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None:
            try:
                timekit.check_day(day)
            except ValueError as error:
                raise ValidationError(str(error), code="out_of_range") from None
        return day


def add_service_errors(form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form: per field where it names one of the
    form's fields, at the top otherwise. Services and forms share the rules this way."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
