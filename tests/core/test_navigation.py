"""`next`: every view that takes one goes only to a path on this site, whatever it is sent,
never answers 500, and writes what it was asked to exactly once."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from mainthing.prospects.models import Income
from tests.factories import PASSWORD, IncomeFactory, new_prospect

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("frozen")

MALFORMED_NEXT = [
    "abc",  # a bare word: redirect() would look it up as a view name
    "income:list",
    "today",
    "",
    " ",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "http://evil.example",
    "https://evil.example/",
    "https:/evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "mailto:a@evil.example",
    "%2F%2Fevil.example",
    "evil.example",
    "\x00",
    "/\x00",
    "/\t/evil.example",
    "/\n/evil.example",
    " /prospects/",
    "?next=/",
    "#top",
    "/" + "a" * 5000,
    "a" * 5000,
]


def client_for(user) -> Client:
    # A 500 comes back as a response here, so the sweep can say which value caused it.
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.mark.parametrize("target", MALFORMED_NEXT)
def test_add_income_with_a_malformed_next_records_it_once_and_goes_to_the_income_page(
    owner, target
):
    prospect = new_prospect(owner, "Ann Lee", at=NOW)
    payload = {"date": "2026-06-10", "amount": "47", "kind": "other", "prospect": prospect.pk}

    response = client_for(owner).post(reverse("income:add"), {**payload, "next": target})

    assert (response.status_code, response["Location"]) == (302, "/income/?year=2026")
    assert list(Income.objects.values_list("amount", "prospect")) == [
        (Decimal("47.00"), prospect.pk)
    ]


@pytest.mark.parametrize("target", MALFORMED_NEXT)
def test_refused_income_with_a_malformed_next_writes_nothing_and_shows_the_form(owner, target):
    response = client_for(owner).post(
        reverse("income:add"),
        {"date": "2026-06-10", "amount": "-5", "kind": "other", "next": target},
    )

    assert (response.status_code, response.context["form"].errors["amount"]) == (
        422,
        ["An amount is more than 0."],
    )
    assert not Income.objects.exists()


@pytest.mark.parametrize("target", MALFORMED_NEXT)
def test_delete_income_with_a_malformed_next_goes_to_the_income_page(owner, target):
    income = IncomeFactory(user=owner, date=date(2026, 6, 10))

    response = client_for(owner).post(reverse("income:delete", args=[income.pk]), {"next": target})

    assert (response.status_code, response["Location"]) == (302, "/income/?year=2026")
    assert not Income.objects.exists()


@pytest.mark.parametrize("target", MALFORMED_NEXT)
def test_login_with_a_malformed_next_goes_to_today(owner, target):
    response = Client(raise_request_exception=False).post(
        reverse("accounts:login"),
        {"username": "owner@example.com", "password": PASSWORD, "next": target},
    )

    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize("target", MALFORMED_NEXT)
def test_sign_out_with_a_malformed_next_goes_to_the_sign_in_page(owner, target):
    response = client_for(owner).post(reverse("accounts:logout"), {"next": target})

    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login"))


def test_sign_out_follows_a_next_that_is_a_path_here(owner):
    response = client_for(owner).post(reverse("accounts:logout"), {"next": "/income/"})

    assert (response.status_code, response["Location"]) == (302, "/income/")


def test_add_income_follows_a_next_that_is_a_path_here(owner):
    card = reverse("prospects:card", args=[new_prospect(owner, "Ann Lee", at=NOW).pk])

    response = client_for(owner).post(
        reverse("income:add"),
        {"date": "2026-06-10", "amount": "5", "kind": "other", "next": f"{card}?tab=money"},
    )

    assert (response.status_code, response["Location"]) == (302, f"{card}?tab=money")


def test_login_follows_a_next_in_the_query_string(owner):
    response = Client().post(
        f"{reverse('accounts:login')}?next=/prospects/",
        {"username": "owner@example.com", "password": PASSWORD},
    )

    assert (response.status_code, response["Location"]) == (302, "/prospects/")
