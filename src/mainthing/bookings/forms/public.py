"""The booking page's forms and how it shows times: in the visitor's zone, on their clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms

from ..models import BookingPage, PhoneQuestion

# Languages and regions whose clocks read 12-hour ("2:30 pm"); the rest get "14:30". Used
# when the browser hasn't said (no JavaScript): from the first language it accepts.
TWELVE_HOUR_REGIONS = frozenset({"US", "CA", "AU", "NZ", "IN", "PH", "PK", "BD", "EG", "SA", "MY"})
TWELVE_HOUR_LANGUAGES = frozenset({"en", "hi", "ar", "bn", "ur", "ko"})
TWELVE_HOUR_EXCEPTIONS = frozenset({"en-GB", "en-IE", "en-ZA"})


def hour12_for(choice: str | None, accept_language: str) -> bool:
    """Whether to show 12-hour times: the visitor's choice (`h=12|24`, which booking.js sets
    from the browser's locale), else their browser's first language."""
    if choice in ("12", "24"):
        return choice == "12"
    first = accept_language.split(",")[0].split(";")[0].strip()
    if not first:
        return False
    language, _, region = first.partition("-")
    if f"{language.lower()}-{region.upper()}" in TWELVE_HOUR_EXCEPTIONS:
        return False
    return region.upper() in TWELVE_HOUR_REGIONS or (
        not region and language.lower() in TWELVE_HOUR_LANGUAGES
    )


def time_label(instant: datetime, zone: ZoneInfo, h12: bool) -> str:
    local = instant.astimezone(zone)
    if h12:
        return f"{local.hour % 12 or 12}:{local:%M} {'am' if local.hour < 12 else 'pm'}"
    return f"{local:%H:%M}"


def parse_start(text: str | None) -> datetime | None:
    """A slot's start as the page's links carry it (an ISO instant with its offset), or None."""
    if not text or len(text) > 40:
        return None
    try:
        start = datetime.fromisoformat(text.replace(" ", "+"))
    except ValueError:
        return None
    return start if start.tzinfo is not None else None


class _VisitorForm(forms.Form):
    """Fields every public form carries: the visitor's choices, the honeypot and the stamp."""

    tz = forms.CharField(widget=forms.HiddenInput, required=False)
    h = forms.CharField(widget=forms.HiddenInput, required=False)
    src = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)
    shown = forms.CharField(widget=forms.HiddenInput, required=False)
    # The honeypot (abuse.HONEYPOT_FIELD): people never see it (the template hides it from
    # screens and screen readers alike).
    website = forms.CharField(
        label="Leave this empty", required=False, max_length=200, widget=forms.TextInput(attrs={
            "tabindex": "-1", "autocomplete": "off",
        }),
    )  # fmt: skip
    name = forms.CharField(
        label="Your name",
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.CharField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    def __init__(self, *args, page: BookingPage, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        if page.phone_question == PhoneQuestion.OFF:
            del self.fields["phone"]
        elif page.phone_question == PhoneQuestion.REQUIRED:
            self.fields["phone"].required = True
        else:
            self.fields["phone"].label = "Phone (optional)"


class BookingForm(_VisitorForm):
    start = forms.CharField(widget=forms.HiddenInput)
    minutes = forms.IntegerField(widget=forms.HiddenInput)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    note = forms.CharField(
        label="Anything you'd like to talk about? (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, page: BookingPage, **kwargs):
        super().__init__(*args, page=page, **kwargs)
        if not page.ask_note:
            del self.fields["note"]


class CallbackForm(_VisitorForm):
    """Name and a way to be reached: an email or a phone, at least one."""

    def __init__(self, *args, page: BookingPage, **kwargs):
        super().__init__(*args, page=page, **kwargs)
        self.fields["email"].required = False
        self.fields["email"].label = "Email"
        if "phone" in self.fields:
            self.fields["phone"].required = False
            self.fields["phone"].label = "Phone"


# --- the user's settings of their page ------------------------------------------------------------

LENGTH_CHOICES = [(n, f"{n} min") for n in (15, 20, 30, 45, 60, 90)]
STEP_CHOICES = [(n, f"every {n} min") for n in (10, 15, 20, 30, 60)]
NOTICE_CHOICES = [
    (0, "none"), (60, "1 hour"), (120, "2 hours"), (240, "4 hours"), (720, "12 hours"),
    (1440, "1 day"), (2880, "2 days"),
]  # fmt: skip
BUFFER_CHOICES = [(n, f"{n} min" if n else "none") for n in (0, 5, 10, 15, 30)]
CUTOFF_CHOICES = [
    (0, "until the call starts"), (60, "1 hour before"), (120, "2 hours before"),
    (240, "4 hours before"), (1440, "1 day before"),
]  # fmt: skip
REMINDER_CHOICES = [
    (10080, "1 week"),
    (1440, "1 day"),
    (120, "2 hours"),
    (60, "1 hour"),
    (15, "15 min"),
]
USER_REMINDER_CHOICES = [
    ("", "none"),
    (15, "15 min before"),
    (30, "30 min before"),
    (60, "1 hour before"),
]


class PageSettingsForm(forms.Form):
    slug = forms.CharField(
        label="Address", max_length=40, help_text="Letters, digits and dashes: /book/<address>/"
    )
    enabled = forms.BooleanField(label="Take bookings on this page", required=False)
    intro = forms.CharField(
        label="Intro",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A line or two your prospects read above the times.",
    )
    lengths = forms.TypedMultipleChoiceField(
        label="Call lengths offered",
        choices=LENGTH_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    step_minutes = forms.TypedChoiceField(label="Start times", choices=STEP_CHOICES, coerce=int)
    notice_minutes = forms.TypedChoiceField(
        label="Minimum notice", choices=NOTICE_CHOICES, coerce=int
    )
    horizon_days = forms.IntegerField(label="Days ahead to offer", min_value=1, max_value=60)
    buffer_minutes = forms.TypedChoiceField(
        label="Buffer between calls", choices=BUFFER_CHOICES, coerce=int
    )
    max_per_day = forms.IntegerField(
        label="Most bookings a day", required=False, min_value=1, max_value=50,
        help_text="Empty: as many as your prospecting blocks hold.",
    )  # fmt: skip
    phone_question = forms.ChoiceField(
        label="Ask for a phone number",
        choices=PhoneQuestion.choices,
        widget=forms.RadioSelect,
    )
    ask_note = forms.BooleanField(label="Ask what they'd like to talk about", required=False)
    cutoff_minutes = forms.TypedChoiceField(
        label="Prospects may move or cancel", choices=CUTOFF_CHOICES, coerce=int
    )
    reminders = forms.TypedMultipleChoiceField(
        label="Remind the prospect before the call",
        choices=REMINDER_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    remind_user_minutes = forms.TypedChoiceField(
        label="Remind me", choices=USER_REMINDER_CHOICES, coerce=int, empty_value=None,
        required=False,
    )  # fmt: skip
    default_source = forms.ModelChoiceField(
        label="Lead source of bookings without a source in the link",
        queryset=None,
        required=False,
        empty_label="Unknown",
    )
    daily_cap = forms.IntegerField(
        label="Most bookings the page takes in 24 hours", min_value=1, max_value=500,
        help_text="A flood of fake bookings stops here.",
    )  # fmt: skip

    def __init__(self, *args, page: BookingPage, **kwargs):
        from mainthing.prospects.models import LeadSource

        from ..pagesettings import settings_of

        initial = settings_of(page)
        initial["default_source"] = page.default_source_id
        initial["remind_user_minutes"] = page.remind_user_minutes or ""
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["default_source"].queryset = LeadSource.objects.filter(
            user_id=page.user_id, archived=False, category__isnull=False
        ).order_by("campaign")
