"""The insights settings' forms and their POST-only views: the income goal and the weekly
review email. Saved through the services and back to the page that sent them, with a message;
a mistake is a message too, and saves nothing. Signed out, a login; a GET, 405."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from mainthing.insights import services
from mainthing.insights.forms import GoalForm, ReviewEmailForm
from mainthing.insights.models import InsightSettings
from mainthing.insights.views.settings import forms_for
from tests.factories import at

NOW = at("2026-06-10 15:00", "Europe/London")  # a Wednesday
GOAL, REVIEW_EMAIL = reverse("insights:goal"), reverse("insights:review-email")

pytestmark = pytest.mark.usefixtures("frozen")


def said(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def saved(user) -> tuple:
    row = InsightSettings.objects.filter(user=user).first()
    if row is None:
        return None
    return (
        row.income_goal,
        row.income_per_join,
        row.review_weekday,
        row.review_hour,
        row.review_due_at,
    )


# --- the goal ------------------------------------------------------------------------------------


def test_posting_a_goal_saves_it_and_goes_back_to_the_page_that_sent_it(owner, owner_client):
    response = owner_client.post(
        GOAL, {"income_goal": "3000", "income_per_join": "250.50", "next": "/insights/?range=year"}
    )

    assert (response.status_code, response["Location"], said(response)) == (
        302,
        "/insights/?range=year",
        [("success", "Goal saved: 3,000.00 USD a month.")],
    )
    assert saved(owner) == (Decimal("3000.00"), Decimal("250.50"), None, 8, None)


def test_a_goal_without_next_goes_back_to_the_scorecard(owner, owner_client):
    response = owner_client.post(GOAL, {"income_goal": "3000", "income_per_join": ""})

    assert (response.status_code, response["Location"]) == (302, "/insights/")


def test_a_next_on_another_site_is_ignored(owner, owner_client):
    response = owner_client.post(GOAL, {"income_goal": "3000", "next": "//evil.example/"})

    assert (response.status_code, response["Location"]) == (302, "/insights/")


def test_an_empty_goal_clears_it(owner, owner_client):
    services.save_goal(owner, income_goal="3000", income_per_join="250")

    response = owner_client.post(GOAL, {"income_goal": "", "income_per_join": ""})

    assert (said(response), saved(owner)) == (
        [("success", "Goal cleared.")],
        (None, None, None, 8, None),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"income_goal": "0"},
            "Goal not saved. Monthly income goal (USD): "
            "Give an amount above zero, or leave it empty for none.",
        ),
        (
            {"income_goal": "12.345"},
            "Goal not saved. Monthly income goal (USD): "
            "Ensure that there are no more than 2 decimal places.",
        ),
        (
            {"income_goal": "lots"},
            "Goal not saved. Monthly income goal (USD): Enter a number.",
        ),
        (
            {"income_per_join": "-5"},
            "Goal not saved. What one join earns you (USD): "
            "Give an amount above zero, or leave it empty for none.",
        ),
    ],
)
def test_a_bad_goal_is_said_in_a_message_and_saves_nothing(owner, owner_client, data, message):
    response = owner_client.post(GOAL, {**data, "next": "/insights/"})

    assert (response.status_code, response["Location"], said(response)) == (
        302,
        "/insights/",
        [("error", message)],
    )
    assert saved(owner) is None


# --- the review email ----------------------------------------------------------------------------


def test_posting_a_day_and_hour_turns_the_email_on_for_the_next_one(owner, owner_client):
    response = owner_client.post(REVIEW_EMAIL, {"weekday": "0", "hour": "8"})

    assert (response.status_code, response["Location"], said(response)) == (
        302,
        "/insights/review/",
        [("success", "The weekly review email comes every Monday at 08:00 (Europe/London).")],
    )
    # Monday 15 June 2026, 08:00 BST.
    assert saved(owner) == (None, None, 0, 8, datetime(2026, 6, 15, 7, tzinfo=UTC))


def test_posting_off_turns_the_email_off(owner, owner_client):
    services.save_review_schedule(owner, weekday=0, hour=8, now=NOW)

    response = owner_client.post(REVIEW_EMAIL, {"weekday": "", "hour": "8", "next": "/insights/"})

    assert (response["Location"], said(response), saved(owner)) == (
        "/insights/",
        [("success", "The weekly review email is off.")],
        (None, None, None, 8, None),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"weekday": "7", "hour": "8"},
            "Weekly review email not saved. Send me the weekly review on: "
            "Select a valid choice. 7 is not one of the available choices.",
        ),
        (
            {"weekday": "0", "hour": "24"},
            "Weekly review email not saved. At: "
            "Select a valid choice. 24 is not one of the available choices.",
        ),
        ({"weekday": "0"}, "Weekly review email not saved. At: This field is required."),
    ],
)
def test_a_bad_day_or_hour_is_said_in_a_message_and_saves_nothing(
    owner, owner_client, data, message
):
    response = owner_client.post(REVIEW_EMAIL, data)

    assert (response["Location"], said(response)) == ("/insights/review/", [("error", message)])
    assert saved(owner) is None


# --- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [GOAL, REVIEW_EMAIL])
def test_a_get_is_refused_with_405(owner_client, url):
    response = owner_client.get(url)

    assert (response.status_code, response["Allow"]) == (405, "POST")


@pytest.mark.parametrize("url", [GOAL, REVIEW_EMAIL])
def test_signed_out_a_post_goes_to_login_and_saves_nothing(db, anon_client, url):
    response = anon_client.post(url, {"income_goal": "3000", "weekday": "0", "hour": "8"})

    assert (response.status_code, response["Location"]) == (
        302,
        f"{reverse('accounts:login')}?next={url}",
    )
    assert not InsightSettings.objects.exists()


def test_a_post_changes_only_the_senders_own_settings(owner, other_user, other_client):
    services.save_goal(owner, income_goal="3000", income_per_join=None)

    other_client.post(GOAL, {"income_goal": "5"})
    other_client.post(REVIEW_EMAIL, {"weekday": "4", "hour": "18"})

    assert (saved(owner), saved(other_user)[:4]) == (
        (Decimal("3000.00"), None, None, 8, None),
        (Decimal("5.00"), None, 4, 18),
    )


def test_csrf_is_required(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(GOAL, {"income_goal": "3000"})

    assert (response.status_code, saved(owner)) == (403, None)


# --- the forms, as the pages include them ------------------------------------------------------


def test_forms_for_shows_the_saved_values_and_the_profiles_currency(owner):
    owner.currency = "EUR"
    services.save_goal(owner, income_goal="3000", income_per_join="250")
    services.save_review_schedule(owner, weekday=4, hour=18, now=NOW)

    found = forms_for(owner)

    goal, email = found["goal_form"], found["review_email_form"]
    assert (
        goal["income_goal"].value(),
        goal["income_per_join"].value(),
        goal.fields["income_goal"].label,
        email["weekday"].value(),
        email["hour"].value(),
    ) == (Decimal("3000.00"), Decimal("250.00"), "Monthly income goal (EUR)", "4", "18")


def test_forms_for_a_user_without_settings_shows_no_goal_and_the_email_off(owner):
    found = forms_for(owner)

    assert (
        found["goal_form"]["income_goal"].value(),
        found["review_email_form"]["weekday"].value(),
        found["review_email_form"]["hour"].value(),
        InsightSettings.objects.exists(),
    ) == (None, "", "8", False)


def test_the_hours_read_as_a_24_hour_clock_and_off_is_a_day_choice(owner):
    form = ReviewEmailForm(user=owner)

    assert (
        form.fields["weekday"].choices[:2],
        form.fields["hour"].choices[0],
        form.fields["hour"].choices[-1],
        len(form.fields["hour"].choices),
    ) == ([("", "Off"), ("0", "Monday")], ("0", "00:00"), ("23", "23:00"), 24)


def test_the_goal_form_takes_what_the_service_takes(owner):
    form = GoalForm({"income_goal": "9999999999.99", "income_per_join": ""}, user=owner)

    assert form.is_valid(), form.errors
    assert services.save_goal(owner, **form.cleaned_data).income_goal == Decimal("9999999999.99")


def test_the_partials_post_to_their_views_with_the_page_and_their_section_as_next(owner):
    request = RequestFactory().get("/insights/review/?week=2026-06-08")
    request.user = owner

    goal_html = render_to_string("insights/goal_form.html", forms_for(owner), request=request)
    email_html = render_to_string(
        "insights/review_email_form.html", forms_for(owner), request=request
    )

    assert (
        f'action="{GOAL}"' in goal_html,
        f'action="{REVIEW_EMAIL}"' in email_html,
        'id="review-email"' in email_html,
        '<input type="hidden" name="next" value="/insights/review/?week=2026-06-08#email">'
        in email_html,
        'name="csrfmiddlewaretoken"' in goal_html,
        'name="income_goal"' in goal_html,
        '<option value="8" selected>08:00</option>' in email_html,
        '<option value="" selected>Off</option>' in email_html,
    ) == (True,) * 8
