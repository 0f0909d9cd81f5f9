"""Text limits: every text field of every form has a length the browser knows and the model
holds; the services refuse longer text for the CLI and other callers; a prospect's notes hold
10,000 characters; a request body too big to be a form is answered 400 with a page that says
why; nothing is written in any of these cases."""

import importlib
import inspect
import pkgutil
from datetime import UTC, datetime

import pytest
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

import mainthing
from mainthing.accounts.models import User
from mainthing.activity.models import Activity, Category
from mainthing.bookings.models import Appointment, BookingPage
from mainthing.core import limits
from mainthing.core.forms import DayField
from mainthing.prospects import services
from mainthing.prospects.models import Event, Income, LeadSource, Prospect, Spend
from mainthing.routine.models import Block, BlockException
from tests.cli.conftest import run
from tests.factories import new_prospect

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("frozen")


def product_forms() -> list[type[forms.BaseForm]]:
    """Every form class the product defines (each `forms` module and package of each app)."""
    found = []
    for module in pkgutil.walk_packages(mainthing.__path__, "mainthing."):
        if not (module.name.endswith(".forms") or ".forms." in module.name):
            continue
        loaded = importlib.import_module(module.name)
        found += [
            cls
            for cls in vars(loaded).values()
            if inspect.isclass(cls)
            and issubclass(cls, forms.BaseForm)
            and cls.__module__ == loaded.__name__
        ]
    return found


# Text a person types: a hidden field's length is the server's check alone (browsers ignore
# maxlength there), and the form's own validation covers it.
TEXT_FIELDS = [
    (form, name, field)
    for form in product_forms()
    for name, field in form.base_fields.items()
    if isinstance(field, forms.CharField) and not field.widget.is_hidden
]


def test_the_sweep_finds_the_forms_of_every_app():
    apps = {form.__module__.split(".")[1] for form, _, _ in TEXT_FIELDS}

    assert apps == {"accounts", "activity", "bookings", "calls", "prospects", "routine"}


DATE_FIELDS = [
    (form, name, field)
    for form in product_forms()
    for name, field in form.base_fields.items()
    if isinstance(field, forms.DateField)
]


def test_every_date_field_of_every_form_takes_only_the_days_mainthing_handles():
    """A plain DateField takes 0001-01-01 and 9999-12-31, which overflow as soon as they are
    turned into instants; DayField refuses them with a message (tests/core/test_date_range.py)."""
    assert {form.__module__.split(".")[1] for form, _, _ in DATE_FIELDS} >= {
        "activity", "bookings", "insights", "prospects", "routine",
    }  # fmt: skip
    plain = [
        f"{form.__name__}.{name}" for form, name, field in DATE_FIELDS
        if not isinstance(field, DayField)
    ]  # fmt: skip
    assert plain == []


@pytest.mark.parametrize(
    ("form", "name", "field"), TEXT_FIELDS, ids=[f"{f.__name__}.{n}" for f, n, _ in TEXT_FIELDS]
)
def test_every_text_field_of_every_form_has_a_length_the_browser_knows(form, name, field):
    rendered = field.widget.render(name, "", attrs=field.widget_attrs(field.widget))

    assert field.max_length is not None
    assert f'maxlength="{field.max_length}"' in rendered


# Form fields that write a model field: the form never takes more than the model holds. (The
# phone is typed in any format and stored shorter, in E.164, so it is not listed.)
WRITES = [
    ("accounts.forms.SignUpForm", "email", User, "email"),
    ("accounts.forms.SignUpForm", "name", User, "name"),
    ("accounts.forms.LoginForm", "username", User, "email"),
    ("accounts.forms.ProfileForm", "name", User, "name"),
    ("activity.forms.StartForm", "note", Activity, "note"),
    ("activity.forms.StartForm", "prospect_name", Activity, "prospect_name"),
    ("activity.forms.EntryForm", "note", Activity, "note"),
    ("activity.forms.EntryForm", "prospect_name", Activity, "prospect_name"),
    ("activity.forms.CategoryForm", "name", Category, "name"),
    ("activity.forms.CategoryForm", "color", Category, "color"),
    ("activity.forms.CategoryEditForm", "name", Category, "name"),
    ("bookings.forms.BookForm", "prospect_name", Appointment, "prospect_name"),
    ("bookings.forms.BookForm", "note", Appointment, "note"),
    ("bookings.forms.OutcomeForm", "note", Event, "text"),
    ("calls.forms.BookedForm", "note", Appointment, "note"),
    ("calls.forms.DeclinedForm", "note", Event, "text"),
    ("bookings.forms.public.BookingForm", "name", Prospect, "name"),
    ("bookings.forms.public.BookingForm", "email", Prospect, "email"),
    ("bookings.forms.public.BookingForm", "note", Appointment, "note"),
    ("bookings.forms.public.CallbackForm", "name", Prospect, "name"),
    ("bookings.forms.public.PageSettingsForm", "slug", BookingPage, "slug"),
    ("bookings.forms.public.PageSettingsForm", "intro", BookingPage, "intro"),
    ("prospects.forms.money.SourceForm", "campaign", LeadSource, "campaign"),
    ("prospects.forms.money.SourceForm", "key", LeadSource, "key"),
    ("prospects.forms.money.SourceEditForm", "campaign", LeadSource, "campaign"),
    ("prospects.forms.money.SpendForm", "note", Spend, "note"),
    ("prospects.forms.money.IncomeForm", "note", Income, "note"),
    ("prospects.forms.prospects.ProspectForm", "name", Prospect, "name"),
    ("prospects.forms.prospects.ProspectForm", "email", Prospect, "email"),
    ("prospects.forms.prospects.ProspectForm", "social", Prospect, "social"),
    ("prospects.forms.prospects.ProspectForm", "tags", Prospect, "tags"),
    ("prospects.forms.prospects.ProspectForm", "notes", Prospect, "notes"),
    ("prospects.forms.prospects.StageForm", "note", Event, "text"),
    ("prospects.forms.prospects.NoteForm", "text", Event, "text"),
    ("routine.forms.BlockForm", "label", Block, "label"),
    ("routine.forms.ExceptionForm", "note", BlockException, "note"),
]


@pytest.mark.parametrize(("path", "name", "model", "column"), WRITES)
def test_a_form_field_takes_no_more_than_its_model_field_holds(path, name, model, column):
    module, form = path.rsplit(".", 1)
    field = getattr(importlib.import_module(f"mainthing.{module}"), form).base_fields[name]

    assert field.max_length <= model._meta.get_field(column).max_length


def test_prospect_notes_hold_ten_thousand_characters():
    assert (
        Prospect._meta.get_field("notes").max_length,
        Event._meta.get_field("text").max_length,
    ) == (10_000, 10_000)


# --- the page ----------------------------------------------------------------------------------


def test_the_prospect_form_refuses_notes_over_the_limit_and_writes_nothing(owner_client):
    response = owner_client.post(
        reverse("prospects:add"), {"name": "Ann Lee", "stage": "new", "notes": "x" * 10_001}
    )

    assert response.context["form"].errors == {
        "notes": ["Ensure this value has at most 10000 characters (it has 10001)."]
    }
    assert 'maxlength="10000"' in response.content.decode()
    assert not Prospect.objects.exists()


def test_a_four_megabyte_note_is_answered_400_with_a_page_that_says_why(owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)

    response = client.post(
        reverse("prospects:add"), {"name": "Ann Lee", "stage": "new", "notes": "x" * 4_000_000}
    )

    assert (response.status_code, "larger than Mainthing takes" in response.content.decode()) == (
        400,
        True,
    )
    assert not Prospect.objects.exists()


# --- the services, for the CLI and everything else that skips a form -----------------------------


def test_clean_contact_refuses_notes_over_the_limit(owner):
    with pytest.raises(ValidationError) as refused:
        services.clean_contact(owner, name="Ann Lee", notes="x" * 10_001)

    assert refused.value.message_dict == {
        "notes": ["Keep the notes to 10,000 characters (this is 10,001)."]
    }


def test_a_note_on_the_card_over_the_limit_is_refused_by_the_service(owner):
    ann = new_prospect(owner, "Ann Lee", at=NOW)

    with pytest.raises(
        ValidationError, match=r"Keep the note to 10,000 characters \(this is 10,001\)"
    ):
        services.add_note(ann, "x" * 10_001, now=NOW)

    assert not Event.objects.filter(kind=Event.Kind.NOTE).exists()


def test_merge_keeps_notes_that_no_longer_fit_as_a_note_in_the_history(owner):
    keep = new_prospect(owner, "Ann Lee", at=NOW, notes="a" * 6_000, allow_duplicate=True)
    other = new_prospect(owner, "Ann L.", at=NOW, notes="b" * 6_000, allow_duplicate=True)

    services.merge(keep, other, now=NOW)

    keep.refresh_from_db()
    notes = list(keep.events.filter(kind=Event.Kind.NOTE).values_list("text", flat=True))
    assert (keep.notes, notes) == ("a" * 6_000, ["b" * 6_000])


@pytest.mark.parametrize(
    "argv",
    [
        ["prospects", "add", "Ann Lee", "--note", "x" * 10_001],
        ["start", "Prospect call", "--note", "x" * 501],
        ["log", "Prospect call", "30m", "--note", "x" * 501],
        ["book", "Ann Lee", "2026-06-11 19:00", "--note", "x" * 501, "--yes"],
        ["income", "add", "5", "--note", "x" * 201],
    ],
    ids=["prospect notes", "timer note", "entry note", "call note", "income note"],
)
def test_the_cli_refuses_a_note_over_the_limit_and_writes_nothing(owner, capsys, argv):
    code, _, err = run(capsys, *argv)

    assert (code > 0, "characters (this is" in err) == (True, True)
    assert (
        Prospect.objects.count(),
        Activity.objects.count(),
        Appointment.objects.count(),
        Income.objects.count(),
    ) == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Block, {"label": "x" * 81}),
        (BlockException, {"note": "x" * 121}),
        (Spend, {"note": "x" * 201}),
    ],
)
def test_fit_refuses_text_longer_than_its_field_and_names_it(model, values):
    (name, value) = next(iter(values.items()))

    with pytest.raises(ValidationError) as refused:
        limits.fit(model, **values)

    limit = model._meta.get_field(name).max_length
    assert list(refused.value.message_dict) == [name]
    assert f"to {limit:,} characters (this is {len(value):,})" in str(refused.value)


def test_fit_gives_back_the_values_stripped_in_order():
    assert limits.fit(Activity, note="  a call ", prospect_name=" Ann ") == ("a call", "Ann")


def test_a_password_over_the_limit_is_refused_wherever_one_is_set(owner):
    with pytest.raises(ValidationError, match="Keep the password to 1,024 characters"):
        validate_password("correct horse battery staple " * 40, owner)
