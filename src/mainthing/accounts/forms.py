from django import forms
from django.contrib.auth.forms import AuthenticationForm

from mainthing.core import timekit
from mainthing.core.limits import PASSWORD_MAX_LENGTH

from . import regions
from .models import User
from .services import PROFILE_RANGES


def zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in timekit.zone_names()]


EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length


class SignUpForm(forms.Form):
    """A later sign-up: the password is chosen behind the link in the mail."""

    email = forms.EmailField(max_length=EMAIL_MAX_LENGTH)
    name = forms.CharField(max_length=120, required=False, label="Your name")
    time_zone = forms.ChoiceField(
        choices=zone_choices,
        initial="UTC",
        help_text="Guessed from your browser; change it if it's wrong.",
    )


class FirstAccountForm(SignUpForm):
    """The install's first account, made and signed in at once."""

    password = forms.CharField(
        widget=forms.PasswordInput, min_length=10, max_length=PASSWORD_MAX_LENGTH, strip=False
    )
    field_order = ["email", "name", "password", "time_zone"]


class ChoosePasswordForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autofocus": True}),
        min_length=10,
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        label="Choose a password",
    )


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password don't match an account.",
    }


def _profile_formfield(db_field, **kwargs):
    """Numbers within the service's ranges, so the page's min/max are the server's."""
    if db_field.name in PROFILE_RANGES:
        low, high, message = PROFILE_RANGES[db_field.name]
        kwargs.update(
            min_value=low,
            max_value=high,
            error_messages={"min_value": message, "max_value": message},
        )
    return db_field.formfield(**kwargs)


class CurrencyField(forms.ChoiceField):
    """An ISO 4217 code from a list ("USD — US Dollar")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid_choice": regions.CURRENCY_ERROR})
        super().__init__(choices=regions.currency_choices, **kwargs)


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=zone_choices)
    phone_region = forms.ChoiceField(
        choices=regions.region_choices,
        label="Phone region",
        help_text="Phone numbers typed without a country code are read as numbers of this region.",
    )
    currency = CurrencyField(help_text="The currency of new income entries.")

    class Meta:
        model = User
        fields = [
            "name",
            "time_zone",
            "phone_region",
            "currency",
            "goal_iga_minutes",
            "goal_conversations",
            "nudge_minutes",
            "fill_threshold",
            "fill_window_days",
        ]
        help_texts = {
            "nudge_minutes": "While busy work runs longer than this, Mainthing asks again.",
        }
        formfield_callback = _profile_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved = self.instance.currency
        if saved and not regions.is_currency(saved):
            # A code saved before the list existed stays visible until the user picks a real one.
            self.fields["currency"].choices = [
                (saved, f"{saved} — not an ISO 4217 code: pick another"),
                *self.fields["currency"].choices,
            ]
            self.fields["currency"].validators.append(_refuse_unknown_currency)


def _refuse_unknown_currency(value: str) -> None:
    if not regions.is_currency(value):
        raise forms.ValidationError(regions.CURRENCY_ERROR)


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(max_length=EMAIL_MAX_LENGTH)
