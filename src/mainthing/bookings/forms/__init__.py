from datetime import date, datetime

from django import forms

from mainthing.activity.forms import LocalDateTimeField
from mainthing.activity.models import Category
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.core.forms import DayField
from mainthing.prospects import followups
from mainthing.prospects.models import LeadSource, Prospect, Stage
from mainthing.prospects.services import allowed_stages

from ..models import DEFAULT_MINUTES, MAX_MINUTES, MIN_MINUTES

LENGTH_CHOICES = [(m, f"{m} min") for m in (15, 30, 45, 60, 90, 120)]


class SourceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class FreeSlotField(forms.ChoiceField):
    """One of the free slots offered, as an ISO instant. Any well-formed instant is accepted:
    a slot taken since the form was shown is refused by the booking itself (409), and the same
    form sent twice finds its booking by its idempotency key."""

    def valid_value(self, value):
        return parse_slot(str(value)) is not None


def slot_choices(
    slots: list[datetime], tz, *, prefix: str = ""
) -> tuple[list[tuple[str, str]], dict[str, date]]:
    """Free slots (UTC starts) as radio choices labelled with their local time ("19:30"), and
    each choice's local date, for `radios_by_day`. The booking, outcome and call-queue forms
    offer slots this one way."""
    choices, days = [], {}
    for start in slots:
        local = start.astimezone(tz)
        value = f"{prefix}{start.isoformat()}"
        days[value] = local.date()
        choices.append((value, f"{local:%H:%M}"))
    return choices, days


def radios_by_day(radios, slot_days: dict[str, date]) -> tuple[list, list[tuple[date, list]]]:
    """The radios of a field, for a template: those of other choices, and the free slots'
    grouped by their day."""
    fixed, days = [], {}
    for radio in radios:
        value = str(radio.data["value"])
        if value in slot_days:
            days.setdefault(slot_days[value], []).append(radio)
        else:
            fixed.append(radio)
    return fixed, list(days.items())


class BookForm(forms.Form):
    """Books a call. With a prospect (`?prospect=<id>`) the call is theirs and the name and
    source fields go. Otherwise the prospect field finds one of the user's prospects as they
    type (`prospect_id`, set by picking a suggestion); booking a name that is already a
    prospect's asks first (`match`), and a new prospect is made only when chosen
    (`new_prospect`) or when nobody has that name, email or phone.

    The time is one of the free slots inside prospecting blocks (`slot`), or another one typed
    in `start`. `idempotency_key` makes a double submit book once."""

    prospect_name = forms.CharField(
        max_length=120,
        label="Prospect",
        help_text="Type a name, email or phone: your prospects are suggested as you type.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    prospect_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    new_prospect = forms.BooleanField(required=False, widget=forms.HiddenInput)
    match = forms.ChoiceField(required=False, widget=forms.RadioSelect, label="Which prospect?")
    source = SourceField(
        queryset=LeadSource.objects.none(),
        required=False,
        empty_label="Unknown",
        label="Lead source",
        help_text="Where a new prospect came from.",
    )
    slot = FreeSlotField(required=False, widget=forms.RadioSelect, label="Free time")
    start = LocalDateTimeField(
        label="When", required=False, help_text="Or type any time; a free time above wins."
    )
    minutes = forms.TypedChoiceField(
        choices=LENGTH_CHOICES, coerce=int, initial=DEFAULT_MINUTES, label="Length"
    )
    note = forms.CharField(max_length=500, required=False)
    allow_outside = forms.BooleanField(required=False, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        user,
        prospect: Prospect | None = None,
        slots: list[datetime] = (),
        matches: list[Prospect] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        tz = timekit.zone(user.time_zone)
        self.fields["start"].tz_name = user.time_zone
        if prospect is not None:
            for name in ("prospect_name", "prospect_id", "new_prospect", "match", "source"):
                del self.fields[name]
        else:
            # "Unknown" is the empty choice: picking it needs no row, so a GET writes nothing.
            self.fields["source"].queryset = LeadSource.objects.filter(
                user=user, archived=False, category__isnull=False
            ).select_related("category")
            typed = " ".join(str(self.data.get("prospect_name", "")).split())
            self.question = _which_question(matches, typed, user) if matches else ""
            self.fields["match"].choices = [
                (f"prospect:{p.pk}", f"Book with {_match_label(p, user)}") for p in matches
            ] + ([(MATCH_NEW, f"Add a new prospect named “{typed}”")] if matches else [])
        self.fields["slot"].choices, self.slot_days = slot_choices(slots, tz)

    def slot_groups(self) -> list[tuple[date, list]]:
        """The free-slot radios by day, for the template."""
        return radios_by_day(self["slot"], self.slot_days)[1]

    def clean(self):
        data = super().clean()
        slot = data.get("slot")
        if slot:
            data["start"] = parse_slot(slot)
        elif data.get("start") is None and "start" not in self.errors:
            self.add_error("start", "Pick one of the free times, or type when.")
        return data


MATCH_NEW = "new"


def _which_question(matches: list[Prospect], typed: str, user) -> str:
    """What the form asks when the prospect typed may be one the user already has."""
    if len(matches) == 1:
        return (
            f"You already have {_match_label(matches[0], user)}. "
            "Book with them, or add a new prospect with the same name?"
        )
    return (
        f"You already have {len(matches)} prospects that fit “{typed}”. "
        "Book with one of them, or add a new prospect?"
    )


def _match_label(prospect: Prospect, user) -> str:
    from mainthing.prospects.services import format_phone

    contact = prospect.email or format_phone(prospect.phone, user.phone_region)
    said = ", ".join(x for x in (contact, Stage(prospect.stage).label) if x)
    return f"{prospect.name} ({said})" if said else prospect.name


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
    # No empty choice: a held call is income time, and the first income category (normally
    # "Prospect call") is what the service would pick anyway.
    category = forms.ModelChoiceField(queryset=Category.objects.none(), empty_label=None)
    allow_overlap = forms.BooleanField(
        required=False, label="Save even though it overlaps other entries"
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "complete_%s")
        super().__init__(*args, **kwargs)
        self.fields["start"].tz_name = user.time_zone
        self.fields["category"].queryset = Category.objects.filter(
            user=user, tier=Tier.INCOME, archived=False
        ).order_by("position", "name")


NEXT_NONE = "none"
NEXT_DATE = "date"
SLOT_PREFIX = "slot:"


class NextStepField(forms.ChoiceField):
    """The next step after a call: nothing, a quick pick (days from today), a date, or a slot
    (`slot:<ISO instant>`). Any well-formed slot is accepted, not only those offered: one taken
    since the form was shown is refused by the booking itself, which answers 409."""

    def valid_value(self, value):
        if str(value).startswith(SLOT_PREFIX):
            return parse_slot(str(value)) is not None
        return super().valid_value(value)


def day_label(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def parse_slot(value: str) -> datetime | None:
    try:
        start = timekit.check_day(datetime.fromisoformat(value.removeprefix(SLOT_PREFIX)))
    except ValueError:
        return None
    return start if start.tzinfo is not None else None


class OutcomeForm(forms.Form):
    """What came of a call, on one screen: stage, note and the next step. Cleaned data gains
    `follow_up` (a date or None) and `book_at` (an instant or None)."""

    stage = forms.ChoiceField(widget=forms.RadioSelect, label="Where do they stand now?")
    offer_affiliate = forms.BooleanField(
        required=False,
        label="They said no to the opportunity, and I offered the affiliate/product path",
    )
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_step = NextStepField(widget=forms.RadioSelect, initial=NEXT_NONE, label="Next step")
    follow_up_on = DayField(required=False, label="Follow up on")

    def __init__(
        self,
        *args,
        prospect: Prospect,
        today: date,
        slots: list[datetime],
        tz,
        **kwargs,
    ):
        kwargs.setdefault("initial", {}).setdefault("stage", prospect.stage)
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["stage"].choices = [(s, Stage(s).label) for s in allowed_stages(prospect.stage)]
        picks = [
            (str(days), f"In {label} ({day_label(followups.quick_pick(today, days))})")
            for label, days in followups.QUICK_PICKS
        ]
        free, self.slot_days = slot_choices(slots, tz, prefix=SLOT_PREFIX)
        self.fields["next_step"].choices = [
            (NEXT_NONE, "Nothing planned"),
            *picks,
            (NEXT_DATE, "On a date"),
            *free,
        ]

    def step_groups(self) -> dict:
        """The next-step radios for the template: the fixed ones, then the free slots by day."""
        fixed, days = radios_by_day(self["next_step"], self.slot_days)
        return {"fixed": fixed, "days": days}

    def clean(self):
        data = super().clean()
        step = data.get("next_step")
        on = data.get("follow_up_on")
        data["follow_up"], data["book_at"] = None, None
        if step is None:
            return data
        if step == NEXT_NONE and on:
            step = NEXT_DATE  # a date typed without picking its radio means that date
        if step == NEXT_DATE:
            if on is None:
                self.add_error("follow_up_on", "Pick the day to follow up.")
            elif on < self.today:
                self.add_error("follow_up_on", "That day has passed; pick today or later.")
            else:
                data["follow_up"] = on
        elif step.startswith(SLOT_PREFIX):
            data["book_at"] = parse_slot(step)
        elif step != NEXT_NONE:
            data["follow_up"] = followups.quick_pick(self.today, int(step))
        if data.get("offer_affiliate") and data.get("stage") != Stage.DECLINED:
            self.add_error(
                "offer_affiliate", "The affiliate or product offer follows a “no”: pick Declined."
            )
        return data
