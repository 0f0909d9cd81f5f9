"""Income currencies are ISO 4217 codes on every path: the income page's list, the service
(and so the CLI), and nothing written for anything else."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mainthing.accounts import regions
from mainthing.prospects import services
from mainthing.prospects.models import Income
from tests.cli.conftest import run

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.mark.parametrize("code", ["DOL", "NAN", "dollars", "US1", "XXX"])
def test_add_income_refuses_a_code_that_is_not_iso_4217(owner, code):
    with pytest.raises(ValidationError) as refused:
        services.add_income(owner, on=date(2026, 6, 9), amount="10", currency=code)
    assert (refused.value.message_dict, Income.objects.count()) == (
        {"currency": [regions.CURRENCY_ERROR]},
        0,
    )


def test_add_income_takes_a_lower_case_iso_code(owner):
    income = services.add_income(owner, on=date(2026, 6, 9), amount="10", currency="eur")
    assert income.currency == "EUR"


def test_income_page_offers_currencies_by_code_and_name_with_the_users_chosen(owner, owner_client):
    owner.currency = "GBP"
    owner.save()

    page = owner_client.get(reverse("income:list")).content.decode()

    assert '<option value="GBP" selected>GBP — Pound Sterling</option>' in page
    assert '<option value="USD">USD — US Dollar</option>' in page


def test_income_page_records_the_currency_picked(owner, owner_client):
    owner_client.post(
        reverse("income:add"),
        {"date": "2026-06-09", "amount": "150", "kind": "other", "currency": "EUR"},
    )
    assert list(Income.objects.values_list("amount", "currency")) == [(Decimal("150.00"), "EUR")]


def test_income_page_refuses_an_unknown_currency_and_writes_nothing(owner, owner_client):
    response = owner_client.post(
        reverse("income:add"),
        {"date": "2026-06-09", "amount": "150", "kind": "other", "currency": "DOL"},
    )
    assert (response.status_code, response.context["form"].errors, Income.objects.count()) == (
        422,
        {"currency": [regions.CURRENCY_ERROR]},
        0,
    )


def test_cli_income_add_takes_a_currency(owner, capsys):
    code, out, _ = run(capsys, "income", "add", "150", "--currency", "eur", "--date", "2026-06-09")
    assert (code, out) == (0, "Recorded 150.00 EUR other income on 2026-06-09.\n")


def test_cli_income_add_refuses_an_unknown_currency_in_one_line(owner, capsys):
    code, out, err = run(capsys, "income", "add", "150", "--currency", "dollars")
    assert (code, out, err, Income.objects.count()) == (
        2,
        "",
        f"mainthing: {regions.CURRENCY_ERROR}\n",
        0,
    )
