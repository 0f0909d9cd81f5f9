"""Sign-up answers the same whether or not the address has an account; the mail tells which."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from mainthing.accounts.models import User
from tests.cli.conftest import run
from tests.factories import PASSWORD

# CSRF tokens differ per visitor: in forms and in the htmx headers on <body>.
CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"')


def sign_up(client: Client, email: str, capture) -> tuple:
    """Posts the sign-up form and follows the answer; returns what the visitor can observe."""
    with capture(execute=True):
        response = client.post(
            reverse("accounts:signup"),
            {"email": email, "name": "Pat", "time_zone": "Asia/Kathmandu"},
        )
    page = client.get(response["Location"])
    return (
        response.status_code,
        response["Location"],
        response.content,
        sorted(response.cookies),
        page.status_code,
        CSRF.sub(b"", page.content),
    )


def link_in(message) -> str:
    return re.search(r"http://\S+(/accounts/signup/finish/\S+/)", message.body).group(1)


def test_signup_of_a_known_email_looks_exactly_like_a_new_one(
    owner, django_capture_on_commit_callbacks
):
    known = sign_up(Client(), "OWNER@example.com", django_capture_on_commit_callbacks)
    new = sign_up(Client(), "new@example.com", django_capture_on_commit_callbacks)

    assert known == new
    assert known[:2] == (302, reverse("accounts:signup-sent"))
    assert b"Check your email" in known[5]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["owner@example.com"], "Someone tried to sign up with your email"),
        (["new@example.com"], "Finish creating your Mainthing account"),
    ]
    assert "/accounts/login/" in mail.outbox[0].body
    assert "/accounts/password/reset/" in mail.outbox[0].body
    assert User.objects.count() == 1


def test_the_mailed_link_finishes_the_account_and_signs_in(
    owner, anon_client, django_capture_on_commit_callbacks
):
    sign_up(anon_client, "new@example.com", django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    form = anon_client.get(link)
    response = anon_client.post(link, {"password": PASSWORD})

    assert "For new@example.com." in form.content.decode()
    assert (response.status_code, response["Location"]) == (302, "/")
    user = User.objects.get(email="new@example.com")
    assert (user.name, user.time_zone, user.phone_region, user.category_set.count()) == (
        "Pat",
        "Asia/Kathmandu",
        "NP",
        12,
    )
    assert anon_client.get("/").status_code == 200
    assert "mainthing_device" in response.cookies


def test_the_link_refuses_a_weak_password_and_writes_nothing(
    owner, anon_client, django_capture_on_commit_callbacks
):
    sign_up(anon_client, "new@example.com", django_capture_on_commit_callbacks)
    response = anon_client.post(link_in(mail.outbox[0]), {"password": "1234567890"})

    assert (response.status_code, response.context["form"].errors) == (
        200,
        {"password": ["This password is too common.", "This password is entirely numeric."]},
    )
    assert not User.objects.filter(email="new@example.com").exists()


def test_a_used_link_says_to_sign_in(owner, anon_client, django_capture_on_commit_callbacks):
    sign_up(anon_client, "new@example.com", django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    anon_client.post(link, {"password": PASSWORD})
    again = Client().post(link, {"password": "someone else's passphrase"})

    assert (
        again.status_code,
        "new@example.com has an account already." in again.content.decode(),
    ) == (
        200,
        True,
    )
    assert User.objects.get(email="new@example.com").check_password(PASSWORD)


@pytest.mark.parametrize("tamper", ["forged", "expired"])
def test_a_forged_or_expired_link_creates_nothing(
    owner, anon_client, django_capture_on_commit_callbacks, frozen, tamper
):
    frozen.move_to(datetime(2026, 6, 10, 9, 0, tzinfo=UTC))
    sign_up(anon_client, "new@example.com", django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    if tamper == "forged":
        link = link.replace("/finish/", "/finish/x")
    else:
        frozen.shift(timedelta(days=3, minutes=1))
    response = anon_client.post(link, {"password": PASSWORD})

    assert (response.status_code, "This link doesn" in response.content.decode()) == (400, True)
    assert not User.objects.filter(email="new@example.com").exists()


def test_a_bad_address_gets_the_same_message_known_or_not(owner, anon_client):
    response = anon_client.post(reverse("accounts:signup"), {"email": "owner@", "time_zone": "UTC"})

    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert mail.outbox == []


def test_signup_mails_to_one_address_are_limited_silently(
    owner, django_capture_on_commit_callbacks
):
    answers = [
        sign_up(
            Client(REMOTE_ADDR=f"192.0.2.{n}"),
            "owner@example.com",
            django_capture_on_commit_callbacks,
        )[:2]
        for n in range(5)
    ]

    assert answers == [(302, reverse("accounts:signup-sent"))] * 5
    assert len(mail.outbox) == 3


def test_the_first_account_is_created_and_signed_in_at_once(anon_client, db):
    response = anon_client.post(
        reverse("accounts:signup"),
        {"email": "first@example.com", "password": PASSWORD, "time_zone": "UTC"},
    )

    assert (response.status_code, response["Location"], mail.outbox) == (302, "/", [])
    assert User.objects.get().email == "first@example.com"


def test_the_cli_tells_the_operator_the_truth_about_a_known_email(owner, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, _, err = run(capsys, "createuser", "OWNER@example.com", "--tz", "UTC", "--password-stdin")

    assert (code, err) == (1, "mainthing: An account with this email already exists.\n")
