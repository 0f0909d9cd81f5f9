"""Every form sent back with errors opens with the error summary (core/error_summary.html):
first thing inside the form, role="alert", linking to each field in error, whose input is
aria-invalid and described by its own message."""

import re
from datetime import timedelta

import pytest
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms import BaseForm, DecimalField, FloatField, IntegerField, NumberInput
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ActivityFactory,
    AppointmentFactory,
    CategoryFactory,
    LeadSourceFactory,
    ProspectFactory,
)

pytestmark = pytest.mark.usefixtures("frozen")

SUMMARY_FIRST = re.compile(
    r'<form method="post"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"[^>]*>\s*'
    r'<div class="error-summary" role="alert" tabindex="-1" data-error-summary>\s*'
    r"<h2>There is a problem</h2>"
)


def owner_pages(owner) -> dict[str, tuple[str, dict]]:
    """(url, a POST with a mistake) for every page whose form the owner sends."""
    prospect = ProspectFactory(user=owner)
    leadgen = CategoryFactory(user=owner, name="Sweep leads", tier="leadgen")
    source = LeadSourceFactory(user=owner, category=leadgen)
    start = timezone.now() + timedelta(days=1)
    appointment = AppointmentFactory(user=owner, prospect=prospect, start=start)
    entry = ActivityFactory(user=owner, category=CategoryFactory(user=owner, name="Sweep calls"))
    return {
        "profile": (reverse("accounts:profile"), {"nudge_minutes": "0"}),
        "password change": (reverse("accounts:password-change"), {"old_password": "x"}),
        "routine": (reverse("routine:edit"), {"start": "9"}),
        "add entry": (reverse("activity:add-entry"), {"start": "soon"}),
        "edit entry": (reverse("activity:edit-entry", args=[entry.pk]), {"start": "soon"}),
        "categories": (reverse("activity:categories"), {"name": ""}),
        "time import": (reverse("activity:import"), {"format": "csv"}),
        "add prospect": (reverse("prospects:add"), {"email": "not an address"}),
        "edit prospect": (reverse("prospects:edit", args=[prospect.pk]), {"name": ""}),
        "lead import": (reverse("prospects:import"), {"file": ""}),
        "sources": (reverse("prospects:sources"), {"campaign": ""}),
        "edit source": (reverse("prospects:edit-source", args=[source.pk]), {"key": "a b"}),
        "add spend": (reverse("prospects:add-spend", args=[source.pk]), {"amount": "x"}),
        "income": (reverse("income:add"), {"amount": "x"}),
        "book": (reverse("bookings:book"), {"start": "soon"}),
        "complete": (reverse("bookings:complete", args=[appointment.pk]), {"minutes": "0"}),
        "move": (reverse("bookings:move", args=[appointment.pk]), {"start": "soon"}),
        "outcome": (reverse("bookings:outcome", args=[prospect.pk]), {"stage": "nope"}),
    }


@pytest.mark.parametrize(
    "page",
    [
        "profile",
        "password change",
        "routine",
        "add entry",
        "edit entry",
        "categories",
        "time import",
        "add prospect",
        "edit prospect",
        "lead import",
        "sources",
        "edit source",
        "add spend",
        "income",
        "book",
        "complete",
        "move",
        "outcome",
    ],
)
def test_a_form_with_errors_opens_with_the_error_summary(owner, owner_client, page):
    url, data = owner_pages(owner)[page]

    html = owner_client.post(url, data).content.decode()

    assert SUMMARY_FIRST.search(html) is not None, html[:3000]


NO_NAME = "Choose the column with the name, the email, the phone or the social handle"


def test_the_lead_import_columns_with_a_mistake_open_with_the_summary_once(owner, owner_client):
    from mainthing.prospects.models import LeadImport
    from tests.prospects.test_import_views import job_url, mapping_post, upload

    upload(owner_client)
    job = LeadImport.objects.get(user=owner)

    html = owner_client.post(job_url(job), mapping_post(**{"col-3": "notes"})).content.decode()

    assert SUMMARY_FIRST.search(html) is not None, html[:3000]
    assert html.count(NO_NAME) == 1


def test_the_lead_import_preview_says_the_mistake_itself_when_htmx_swaps_it_in(owner, owner_client):
    from mainthing.prospects.models import LeadImport
    from tests.prospects.test_import_views import job_url, upload

    upload(owner_client)
    job = LeadImport.objects.get(user=owner)

    html = owner_client.post(
        job_url(job),
        {"action": "preview", "has_header": "on", "col-3": "notes", "source": ""},
        headers={"HX-Request": "true"},
    ).content.decode()

    assert html.lstrip().startswith('<div id="lead-preview">')
    assert html.count(NO_NAME) == 1


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("accounts:signup", {"email": "nope"}),
        ("accounts:login", {"username": "a@example.com", "password": "wrong"}),
        ("accounts:password-reset", {"email": "nope"}),
    ],
)
def test_a_signed_out_form_with_errors_opens_with_the_error_summary(db, anon_client, name, data):
    html = anon_client.post(reverse(name), data).content.decode()

    assert SUMMARY_FIRST.search(html) is not None, html[:3000]


def test_the_summary_links_each_field_whose_input_is_invalid_and_described(owner_client):
    html = owner_client.post(reverse("accounts:profile"), {"nudge_minutes": "0"}).content.decode()

    summary = html[html.index('<div class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    nudge = re.search(r'<input type="number" name="nudge_minutes"[^>]*>', html).group(0)
    assert (
        '<li><a href="#id_nudge_minutes">'
        "Ask again after this many minutes of busy work: Ask again after 5 to 240 minutes."
        "</a></li>" in summary,
        'aria-invalid="true"' in nudge,
        'aria-describedby="id_nudge_minutes_helptext id_nudge_minutes_error"' in nudge,
        '<span class="error" id="id_nudge_minutes_error">'
        "<small>Ask again after 5 to 240 minutes.</small></span>" in html,
    ) == (True, True, True, True)


# --- the browser's limits are the server's -------------------------------------------------------


def every_form_class() -> list[type]:
    """Every form class the apps define (importing their forms modules first)."""
    import importlib
    import pkgutil

    import mainthing

    for module in pkgutil.walk_packages(mainthing.__path__, "mainthing."):
        if ".forms" in module.name:
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted(
        {c for c in subclasses(BaseForm) if c.__module__.startswith("mainthing.")},
        key=lambda c: f"{c.__module__}.{c.__name__}",
    )


def validator_limits(field) -> tuple:
    low = [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
    high = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
    return (max(low) if low else None, min(high) if high else None)


def test_every_number_field_renders_the_servers_min_and_max():
    checked, wrong = [], []
    for form_class in every_form_class():
        for name, field in form_class.base_fields.items():
            if not isinstance(field, IntegerField | DecimalField | FloatField):
                continue
            if field.widget.is_hidden or not isinstance(field.widget, NumberInput):
                continue
            checked.append(f"{form_class.__name__}.{name}")
            shown = (field.widget.attrs.get("min"), field.widget.attrs.get("max"))
            if shown != validator_limits(field):
                wrong.append((f"{form_class.__name__}.{name}", shown, validator_limits(field)))

    assert wrong == []
    assert "ProfileForm.nudge_minutes" in checked
