import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from mainthing import onboarding
from mainthing.accounts import regions, services
from mainthing.accounts.forms import ProfileForm
from mainthing.accounts.models import User
from mainthing.activity.models import DayTotal
from tests.factories import PASSWORD, UserFactory


def test_first_visit_without_accounts_offers_to_create_one(anon_client, db):
    response = anon_client.get(reverse("accounts:login"))
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:signup"))
    page = anon_client.get(reverse("accounts:signup")).content.decode()
    assert "There's no account here yet. Create the first one" in page


def test_signup_creates_the_account_with_defaults_and_signs_in(anon_client, db):
    response = anon_client.post(
        reverse("accounts:signup"),
        {
            "email": "New@Example.com",
            "password": PASSWORD,
            "time_zone": "Asia/Kathmandu",
            "name": "Ann",
        },
    )
    assert (response.status_code, response["Location"]) == (302, "/")
    user = User.objects.get()
    assert (user.email, user.time_zone, user.name) == ("new@example.com", "Asia/Kathmandu", "Ann")
    assert user.category_set.count() == 12
    assert anon_client.get("/").status_code == 200


def test_signup_refuses_a_weak_password_and_writes_nothing(anon_client, db):
    response = anon_client.post(
        reverse("accounts:signup"),
        {"email": "new@example.com", "password": "1234567890", "time_zone": "UTC"},
    )
    assert "This password is too common." in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = onboarding.create_account(email="a@example.com", password=PASSWORD, time_zone="UTC")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_new_account_starts_with_categories_and_the_unknown_source(db):
    user = onboarding.create_account(email="a@example.com", password=PASSWORD)
    assert (
        user.category_set.count(),
        list(user.leadsource_set.values_list("key", "campaign")),
    ) == (
        12,
        [("unknown", "Unknown")],
    )


def test_create_user_refuses_an_unknown_time_zone(db):
    with pytest.raises(ValidationError, match="Unknown time zone 'Mars/Base'"):
        services.create_user(email="a@example.com", password=PASSWORD, time_zone="Mars/Base")
    assert not User.objects.exists()


def test_login_with_email_and_password(owner, anon_client):
    response = anon_client.post(
        reverse("accounts:login"), {"username": "owner@example.com", "password": PASSWORD}
    )
    assert (response.status_code, response["Location"]) == (302, "/")


def test_failed_login_says_the_same_for_unknown_and_known_emails(owner, anon_client):
    known = anon_client.post(
        reverse("accounts:login"), {"username": "owner@example.com", "password": "wrong-pass-1"}
    )
    unknown = anon_client.post(
        reverse("accounts:login"), {"username": "nobody@example.com", "password": "wrong-pass-1"}
    )
    message = "That email and password don&#x27;t match an account."
    assert message in known.content.decode()
    assert message in unknown.content.decode()


def test_login_is_rate_limited_per_email_with_retry_after(owner, anon_client):
    for _ in range(10):
        anon_client.post(
            reverse("accounts:login"), {"username": "owner@example.com", "password": "wrong-pass-1"}
        )
    response = anon_client.post(
        reverse("accounts:login"), {"username": "owner@example.com", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_signup_is_rate_limited_per_ip(anon_client, db):
    for n in range(5):
        anon_client.post(
            reverse("accounts:signup"),
            {"email": f"u{n}@example.com", "password": PASSWORD, "time_zone": "UTC"},
        )
    response = anon_client.post(
        reverse("accounts:signup"),
        {"email": "late@example.com", "password": PASSWORD, "time_zone": "UTC"},
    )
    assert response.status_code == 429
    assert "Retry-After" in response
    assert not User.objects.filter(email="late@example.com").exists()


def test_rate_limits_can_be_switched_off_for_load_tests(owner, anon_client, settings):
    settings.RATE_LIMITS = False
    for _ in range(15):
        response = anon_client.post(
            reverse("accounts:login"), {"username": "owner@example.com", "password": "wrong-pass-1"}
        )
    assert response.status_code == 200


def test_password_reset_mails_a_link_that_sets_a_new_password(
    owner, anon_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = anon_client.post(
            reverse("accounts:password-reset"), {"email": "owner@example.com"}
        )
    assert response["Location"] == reverse("accounts:password-reset-sent")
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]
    assert mail.outbox[0].subject == "Reset your Mainthing password"
    link = re.search(r"http://\S+/accounts/password/reset/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1] if "8000" in link else "/" + link.split("/", 3)[3]
    form_page = anon_client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    anon_client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    owner.refresh_from_db()
    assert owner.check_password("a brand new passphrase")


def test_password_reset_for_an_unknown_email_answers_the_same_and_sends_nothing(anon_client, db):
    response = anon_client.post(reverse("accounts:password-reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("accounts:password-reset-sent")
    assert mail.outbox == []


def test_password_reset_goes_through_the_task_queue(
    owner, anon_client, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        anon_client.post(reverse("accounts:password-reset"), {"email": "owner@example.com"})
    # Queued for the worker, not sent inline; the queue holds the user id, never the link.
    queued = DBTaskResult.objects.get()
    assert (queued.task_path, queued.args_kwargs["args"]) == (
        "mainthing.accounts.tasks.send_password_reset",
        [owner.pk],
    )
    assert mail.outbox == []


def test_profile_saves_goals_zone_and_fill_settings(owner, owner_client):
    response = owner_client.post(
        reverse("accounts:profile"),
        {
            "name": "Ann",
            "time_zone": "Australia/Lord_Howe",
            "goal_iga_minutes": 90,
            "goal_conversations": 6,
            "nudge_minutes": 20,
            "fill_threshold": 80,
            "fill_window_days": 5,
            "phone_region": "GB",
            "currency": "GBP",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (
        owner.time_zone,
        owner.goal_iga_minutes,
        owner.nudge_minutes,
        owner.fill_threshold,
        owner.fill_window_days,
    ) == ("Australia/Lord_Howe", 90, 20, 80, 5)


def test_profile_refuses_a_fill_window_beyond_two_weeks(owner, owner_client):
    response = owner_client.post(
        reverse("accounts:profile"),
        {
            "name": "",
            "time_zone": "UTC",
            "goal_iga_minutes": 90,
            "goal_conversations": 6,
            "nudge_minutes": 25,
            "fill_threshold": 70,
            "fill_window_days": 30,
            "phone_region": "GB",
            "currency": "GBP",
        },
    )
    assert "Look 1 to 14 days ahead." in response.content.decode()
    owner.refresh_from_db()
    assert owner.fill_window_days == 3


def test_changing_time_zone_recounts_local_days(owner, owner_client):
    from datetime import UTC, date, datetime

    from tests.factories import entry

    entry(owner, "Forum posts", datetime(2026, 6, 1, 23, 30, tzinfo=UTC), 60)
    owner_client.post(
        reverse("accounts:profile"),
        {
            "name": "",
            "time_zone": "Asia/Kolkata",
            "goal_iga_minutes": 120,
            "goal_conversations": 4,
            "nudge_minutes": 25,
            "fill_threshold": 70,
            "fill_window_days": 3,
            "phone_region": "GB",
            "currency": "GBP",
        },
    )
    days = set(DayTotal.objects.filter(user=owner, seconds__gt=0).values_list("day", flat=True))
    assert days == {date(2026, 6, 2)}


def test_profile_requires_login(anon_client, db):
    assert anon_client.get(reverse("accounts:profile")).status_code == 302


def test_users_email_is_unique_regardless_of_case(db):
    UserFactory(email="ann@example.com")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ANN@example.com")


def profile_data(**changes) -> dict:
    return {
        "name": "Ann",
        "time_zone": "Europe/London",
        "phone_region": "GB",
        "currency": "GBP",
        "goal_iga_minutes": 120,
        "goal_conversations": 4,
        "nudge_minutes": 25,
        "fill_threshold": 70,
        "fill_window_days": 3,
        **changes,
    }


def test_profile_saves_the_phone_region_and_currency(owner, owner_client):
    response = owner_client.post(
        reverse("accounts:profile"), profile_data(phone_region="NP", currency="EUR")
    )

    assert (response.status_code, response["Location"]) == (302, reverse("accounts:profile"))
    owner.refresh_from_db()
    assert (owner.phone_region, owner.currency) == ("NP", "EUR")


def test_profile_offers_every_phone_region_by_name(owner, owner_client):
    page = owner_client.get(reverse("accounts:profile")).content.decode()

    assert '<option value="GB">Britain (UK) (+44)</option>' in page
    assert '<option value="US" selected>United States (+1)</option>' in page


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"phone_region": "XX"},
            {"phone_region": ["Select a valid choice. XX is not one of the available choices."]},
        ),
        ({"currency": "US1"}, {"currency": [regions.CURRENCY_ERROR]}),
        ({"currency": "dollars"}, {"currency": [regions.CURRENCY_ERROR]}),
        ({"currency": "DOL"}, {"currency": [regions.CURRENCY_ERROR]}),
        ({"currency": "NAN"}, {"currency": [regions.CURRENCY_ERROR]}),
    ],
)
def test_profile_refuses_a_bad_phone_region_or_currency(owner, owner_client, changes, errors):
    response = owner_client.post(reverse("accounts:profile"), profile_data(**changes))

    assert (response.status_code, response.context["form"].errors) == (200, errors)
    owner.refresh_from_db()
    assert (owner.phone_region, owner.currency) == ("US", "USD")


def test_profile_offers_currencies_by_code_and_name(owner, owner_client):
    page = owner_client.get(reverse("accounts:profile")).content.decode()

    assert '<option value="USD" selected>USD — US Dollar</option>' in page
    assert '<option value="EUR">EUR — Euro</option>' in page


def test_update_profile_refuses_a_code_that_is_not_iso_4217(owner):
    with pytest.raises(ValidationError) as refused:
        services.update_profile(owner, currency="dollars")
    assert refused.value.message_dict == {"currency": [regions.CURRENCY_ERROR]}
    owner.refresh_from_db()
    assert owner.currency == "USD"


def test_profile_shows_a_saved_unknown_currency_and_asks_for_a_real_one(owner, owner_client):
    User.objects.filter(pk=owner.pk).update(currency="DOL")

    page = owner_client.get(reverse("accounts:profile")).content.decode()
    response = owner_client.post(reverse("accounts:profile"), profile_data(currency="DOL"))

    assert '<option value="DOL" selected>DOL — not an ISO 4217 code: pick another</option>' in page
    assert (response.status_code, response.context["form"].errors) == (
        200,
        {"currency": [regions.CURRENCY_ERROR]},
    )


def test_profile_nudge_field_has_the_servers_limits(owner, owner_client):
    page = owner_client.get(reverse("accounts:profile")).content.decode()
    form = ProfileForm(instance=owner)

    limits = {
        name: (form[name].field.widget.attrs["min"], form[name].field.widget.attrs["max"])
        for name in services.PROFILE_RANGES
    }
    assert limits == {name: (low, high) for name, (low, high, _) in services.PROFILE_RANGES.items()}
    assert 'name="nudge_minutes" value="25" min="5" max="240"' in page


def test_profile_refuses_a_nudge_of_zero_with_the_services_message(owner, owner_client):
    response = owner_client.post(reverse("accounts:profile"), profile_data(nudge_minutes=0))

    assert (response.status_code, response.context["form"].errors) == (
        200,
        {"nudge_minutes": ["Ask again after 5 to 240 minutes."]},
    )


@pytest.mark.parametrize(
    ("sent", "shown"),
    [("Mars/Olympus", "America/New_York"), ("Asia/Tokyo", "Asia/Tokyo")],
)
def test_profile_with_errors_keeps_the_zone_sent_if_valid_else_the_saved_one(
    owner, owner_client, sent, shown
):
    User.objects.filter(pk=owner.pk).update(time_zone="America/New_York")

    response = owner_client.post(
        reverse("accounts:profile"), profile_data(time_zone=sent, nudge_minutes=0)
    )

    page = response.content.decode()
    selected = re.findall(r'<option value="([^"]+)" selected>', page)
    assert (response.status_code, selected[0]) == (200, shown)


def test_update_profile_refuses_a_region_phonenumbers_cannot_read(owner):
    with pytest.raises(ValidationError, match="Pick a phone region from the list"):
        services.update_profile(owner, phone_region="ZZ")


@pytest.mark.parametrize(
    ("zone", "region"),
    [("Asia/Kathmandu", "NP"), ("Europe/London", "GB"), ("America/Chicago", "US"), ("UTC", "US")],
)
def test_signup_guesses_the_phone_region_from_the_time_zone(anon_client, db, zone, region):
    anon_client.post(
        reverse("accounts:signup"),
        {"email": "new@example.com", "password": PASSWORD, "time_zone": zone},
    )

    assert User.objects.get().phone_region == region
