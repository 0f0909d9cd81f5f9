"""Lead sources, spend and income pages: as the owner, as another user (404) and anonymous."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from mainthing.bookings.public import page_for
from mainthing.prospects import services
from mainthing.prospects.models import Income, LeadSource, Spend
from tests.factories import category, new_prospect

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("frozen")


def source(user, category_name="Forum posts", campaign="Signature", key=""):
    return services.add_source(
        user, category=category(user, category_name), campaign=campaign, key=key
    )


def prospect(user, name="Ann Lee", **fields):
    return new_prospect(user, name, at=NOW, allow_duplicate=True, **fields)


def login_url(path: str) -> str:
    return f"{reverse('accounts:login')}?next={path}"


def flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- lead sources --------------------------------------------------------------------------------


def test_sources_page_lists_each_category_with_key_link_prospects_and_spend(owner, owner_client):
    forum = source(owner, campaign="Signature on the MLM forum", key="mlm-forum")
    ads = source(owner, "PPC campaigns", "Ad set 3", key="ads3")
    services.add_spend(ads, on=date(2026, 6, 1), amount="25.50")
    services.add_spend(ads, on=date(2026, 6, 2), amount="4.50")
    prospect(owner, "Ann", source=forum)
    prospect(owner, "Bob", source=forum)
    prospect(owner, "Cy")  # Unknown

    response = owner_client.get(reverse("prospects:sources"))

    page = response.content.decode()
    assert response.status_code == 200
    assert [g.category.name for g in response.context["groups"]] == [
        "Forum posts",
        "Video posts",
        "PPC campaigns",
        "Social networking",
    ]
    rows = {
        s.key: (s.label, s.prospect_count, s.spend_total)
        for g in response.context["groups"]
        for s in g.sources
    }
    assert rows == {
        "mlm-forum": ("Forum posts / Signature on the MLM forum", 2, Decimal("0.00")),
        "ads3": ("PPC campaigns / Ad set 3", 0, Decimal("30.00")),
    }
    assert [(s.key, s.prospect_count) for s in response.context["loose"]] == [("unknown", 1)]
    assert "/?src=mlm-forum</textarea>" in page
    assert "30.00 USD" in page


def test_sources_page_adds_a_source_with_a_key_made_from_the_campaign(owner, owner_client):
    response = owner_client.post(
        reverse("prospects:sources"),
        {"category": category(owner, "Video posts").pk, "campaign": "YouTube channel", "key": ""},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("prospects:sources"))
    made = LeadSource.objects.get(user=owner)
    assert (made.label, made.key) == ("Video posts / YouTube channel", "youtube-channel")


def test_sources_page_refuses_a_key_in_use_and_writes_nothing(owner, owner_client):
    source(owner, key="sig")

    response = owner_client.post(
        reverse("prospects:sources"),
        {"category": category(owner, "Video posts").pk, "campaign": "Channel", "key": "SIG"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "key": ["The key “sig” is already used by another source."]
    }
    assert LeadSource.objects.filter(user=owner).count() == 1


def test_sources_page_refuses_another_users_or_a_busy_work_category(
    owner, owner_client, other_user
):
    for chosen in (category(other_user, "Forum posts"), category(owner, "Organizing")):
        response = owner_client.post(
            reverse("prospects:sources"), {"category": chosen.pk, "campaign": "Mine now"}
        )
        assert response.context["form"].errors == {
            "category": ["Select a valid choice. That choice is not one of the available choices."]
        }
    assert not LeadSource.objects.exists()


def test_sources_page_requires_login(anon_client, db):
    path = reverse("prospects:sources")

    response = anon_client.get(path)

    assert (response.status_code, response["Location"]) == (302, login_url(path))


def test_sources_page_query_count_does_not_grow_with_sources(
    owner, owner_client, queries_do_not_grow
):
    source(owner, key="one")
    page_for(owner)  # the booking page the links point at is made on first use

    def add_sources():
        for n in range(8):
            made = source(owner, "PPC campaigns", f"Ad set {n}")
            services.add_spend(made, on=date(2026, 6, 1), amount="10")
            prospect(owner, f"Lead {n}", source=made)

    counts = queries_do_not_grow(
        lambda: owner_client.get(reverse("prospects:sources")).status_code, add_sources
    )

    assert (counts.few, counts.first, counts.last) == (counts.many, 200, 200)


def test_edit_source_page_shows_its_spend_and_prospect_count(owner, owner_client):
    ads = source(owner, "PPC campaigns", "Ad set 3", key="ads3")
    services.add_spend(ads, on=date(2026, 6, 1), amount="12.5", note="Daily budget")
    prospect(owner, source=ads)

    response = owner_client.get(reverse("prospects:edit-source", args=[ads.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert (response.context["spend_total"], response.context["prospect_count"]) == (
        Decimal("12.50"),
        1,
    )
    assert "Daily budget" in page
    assert "/?src=ads3</textarea>" in page


def test_edit_source_renames_changes_the_key_and_archives(owner, owner_client):
    ads = source(owner, "PPC campaigns", "Ad set 3", key="ads3")

    response = owner_client.post(
        reverse("prospects:edit-source", args=[ads.pk]),
        {"campaign": "Ad set 3 (old)", "key": "ads3-old", "archived": "on"},
    )

    assert (response.status_code, response["Location"]) == (302, reverse("prospects:sources"))
    ads.refresh_from_db()
    assert (ads.campaign, ads.key, ads.archived) == ("Ad set 3 (old)", "ads3-old", True)


def test_edit_source_refuses_a_key_of_another_source(owner, owner_client):
    source(owner, key="sig")
    ads = source(owner, "PPC campaigns", "Ad set 3", key="ads3")

    response = owner_client.post(
        reverse("prospects:edit-source", args=[ads.pk]), {"campaign": "Ad set 3", "key": "sig"}
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "key": ["The key “sig” is already used by another source."]
    }
    ads.refresh_from_db()
    assert ads.key == "ads3"


def test_edit_source_leaves_unknown_as_it_is(owner, owner_client):
    unknown = services.unknown_source(owner)

    response = owner_client.post(
        reverse("prospects:edit-source", args=[unknown.pk]), {"campaign": "Mine", "key": "mine"}
    )

    assert response.status_code == 422
    assert "The Unknown source can&#x27;t be changed." in response.content.decode()
    unknown.refresh_from_db()
    assert (unknown.campaign, unknown.key) == ("Unknown", "unknown")


def test_edit_source_of_another_user_is_not_found(other_user, owner_client):
    theirs = source(other_user, key="theirs")
    path = reverse("prospects:edit-source", args=[theirs.pk])

    got = owner_client.get(path)
    posted = owner_client.post(path, {"campaign": "Mine", "key": "mine"})

    assert (got.status_code, posted.status_code) == (404, 404)
    theirs.refresh_from_db()
    assert theirs.key == "theirs"


def test_edit_source_requires_login(owner, anon_client):
    path = reverse("prospects:edit-source", args=[source(owner).pk])

    response = anon_client.get(path)

    assert (response.status_code, response["Location"]) == (302, login_url(path))


def test_add_spend_records_an_amount_on_a_date(owner, owner_client):
    ads = source(owner, "PPC campaigns", "Ad set 3")

    response = owner_client.post(
        reverse("prospects:add-spend", args=[ads.pk]),
        {"date": "2026-06-09", "amount": "19,90", "note": "Boost"},
    )

    assert response["Location"] == reverse("prospects:edit-source", args=[ads.pk])
    assert list(Spend.objects.filter(source=ads).values_list("date", "amount", "note")) == [
        (date(2026, 6, 9), Decimal("19.90"), "Boost")
    ]


def test_add_spend_refuses_a_bad_amount_and_writes_nothing(owner, owner_client):
    ads = source(owner, "PPC campaigns", "Ad set 3")

    response = owner_client.post(
        reverse("prospects:add-spend", args=[ads.pk]), {"date": "2026-06-09", "amount": "0"}
    )

    assert response.status_code == 422
    assert response.context["spend_form"].errors == {"amount": ["An amount is more than 0."]}
    assert not Spend.objects.exists()


def test_add_spend_to_another_users_source_is_not_found(other_user, owner_client):
    theirs = source(other_user)

    response = owner_client.post(
        reverse("prospects:add-spend", args=[theirs.pk]), {"date": "2026-06-09", "amount": "5"}
    )

    assert response.status_code == 404
    assert not Spend.objects.exists()


def test_add_spend_requires_login(owner, anon_client):
    path = reverse("prospects:add-spend", args=[source(owner).pk])

    response = anon_client.post(path, {"date": "2026-06-09", "amount": "5"})

    assert (response.status_code, response["Location"]) == (302, login_url(path))
    assert not Spend.objects.exists()


def test_delete_spend_removes_it(owner, owner_client):
    ads = source(owner, "PPC campaigns", "Ad set 3")
    spend = services.add_spend(ads, on=date(2026, 6, 1), amount="5")

    response = owner_client.post(reverse("prospects:delete-spend", args=[spend.pk]))

    assert response["Location"] == reverse("prospects:edit-source", args=[ads.pk])
    assert not Spend.objects.exists()


def test_delete_spend_with_htmx_answers_the_spend_list(owner, owner_client):
    ads = source(owner, "PPC campaigns", "Ad set 3")
    spend = services.add_spend(ads, on=date(2026, 6, 1), amount="5")
    services.add_spend(ads, on=date(2026, 6, 2), amount="7")

    response = owner_client.post(
        reverse("prospects:delete-spend", args=[spend.pk]), headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="spend-list">')
    assert '<th class="num">7.00 USD</th>' in page


def test_delete_spend_of_another_user_is_not_found(other_user, owner_client):
    spend = services.add_spend(source(other_user), on=date(2026, 6, 1), amount="5")

    response = owner_client.post(reverse("prospects:delete-spend", args=[spend.pk]))

    assert response.status_code == 404
    assert Spend.objects.count() == 1


def test_delete_spend_requires_login(owner, anon_client):
    spend = services.add_spend(source(owner), on=date(2026, 6, 1), amount="5")
    path = reverse("prospects:delete-spend", args=[spend.pk])

    response = anon_client.post(path)

    assert (response.status_code, response["Location"]) == (302, login_url(path))
    assert Spend.objects.count() == 1


# --- income --------------------------------------------------------------------------------------


def income(user, on, amount, kind="other", **fields):
    return services.add_income(user, on=on, amount=amount, kind=kind, **fields)


def test_income_page_groups_the_year_by_month_with_totals_per_kind_and_currency(
    owner, owner_client
):
    ann = prospect(owner, "Ann Lee")
    income(owner, date(2026, 5, 3), "199", "enrollment", prospect=ann)
    income(owner, date(2026, 5, 20), "47", "affiliate")
    income(owner, date(2026, 5, 21), "10", "affiliate", currency="EUR")
    income(owner, date(2026, 6, 1), "89", "product", note="Tried it")
    income(owner, date(2025, 12, 31), "1", "other")

    response = owner_client.get(reverse("income:list"))

    year = response.context["income"]
    assert response.status_code == 200
    assert (year.year, year.years) == (2026, [2026, 2025])
    assert [(m.month, [i.amount for i in m.entries]) for m in year.months] == [
        (date(2026, 6, 1), [Decimal("89.00")]),
        (date(2026, 5, 1), [Decimal("10.00"), Decimal("47.00"), Decimal("199.00")]),
    ]
    assert year.months[1].by_kind == [
        ("Enrollment", "USD", Decimal("199.00")),
        ("Affiliate", "EUR", Decimal("10.00")),
        ("Affiliate", "USD", Decimal("47.00")),
    ]
    assert year.totals == [("EUR", Decimal("10.00")), ("USD", Decimal("335.00"))]
    page = response.content.decode()
    assert f'<a href="{reverse("prospects:card", args=[ann.pk])}">Ann Lee</a>' in page
    assert 'href="/income/?year=2025"' in page


def test_income_page_shows_another_year(owner, owner_client):
    income(owner, date(2025, 12, 31), "1", "other")

    response = owner_client.get(reverse("income:list"), {"year": "2025"})

    assert [i.date for i in response.context["income"].entries] == [date(2025, 12, 31)]


def test_income_page_query_count_does_not_grow_with_entries(
    owner, owner_client, queries_do_not_grow
):
    income(owner, date(2026, 6, 1), "5")

    def add_entries():
        for n in range(10):
            income(owner, date(2026, 1 + n % 6, 1), "5", prospect=prospect(owner, f"Lead {n}"))

    counts = queries_do_not_grow(
        lambda: owner_client.get(reverse("income:list")).status_code, add_entries
    )

    assert (counts.few, counts.first, counts.last) == (counts.many, 200, 200)


def test_income_page_offers_the_prospect_from_the_link(owner, owner_client):
    ann = prospect(owner, "Ann Lee")

    response = owner_client.get(reverse("income:list"), {"prospect": ann.pk})

    form = response.context["form"]
    assert (form["prospect"].value(), form.fields["prospect"].widget.choices) == (
        ann.pk,
        [("", "— none —"), (ann.pk, "Ann Lee")],
    )


def test_income_page_with_another_users_prospect_is_not_found(other_user, owner_client):
    theirs = prospect(other_user, "Zed")

    response = owner_client.get(reverse("income:list"), {"prospect": theirs.pk})

    assert response.status_code == 404


def test_income_page_requires_login(anon_client, db):
    path = reverse("income:list")

    response = anon_client.get(path)

    assert (response.status_code, response["Location"]) == (302, login_url(path))


def test_add_income_from_the_page_records_it_in_the_users_currency(owner, owner_client):
    owner.currency = "GBP"
    owner.save()
    ann = prospect(owner, "Ann Lee")

    response = owner_client.post(
        reverse("income:add"),
        {"date": "2026-06-09", "amount": "150", "kind": "enrollment", "prospect": ann.pk},
    )

    assert response["Location"] == f"{reverse('income:list')}?year=2026"
    assert list(
        Income.objects.values_list("date", "amount", "currency", "kind", "prospect", "note")
    ) == [(date(2026, 6, 9), Decimal("150.00"), "GBP", "enrollment", ann.pk, "")]


def test_add_income_from_the_card_returns_to_it(owner, owner_client):
    ann = prospect(owner, "Ann Lee")
    card = reverse("prospects:card", args=[ann.pk])

    response = owner_client.post(
        reverse("income:add"),
        {
            "date": "2026-06-10",
            "amount": "47",
            "kind": "affiliate",
            "note": "First sale",
            "prospect": ann.pk,
            "next": card,
        },
    )

    assert (response.status_code, response["Location"]) == (302, card)
    assert flashes(response) == ["Recorded 47.00 USD affiliate from Ann Lee."]
    assert Income.objects.get().prospect == ann


def test_add_income_never_follows_a_next_to_another_site(owner, owner_client):
    response = owner_client.post(
        reverse("income:add"),
        {"date": "2026-06-10", "amount": "5", "kind": "other", "next": "https://evil.example/"},
    )

    assert response["Location"] == f"{reverse('income:list')}?year=2026"


def test_add_income_refuses_a_bad_amount_and_writes_nothing(owner, owner_client):
    response = owner_client.post(
        reverse("income:add"), {"date": "2026-06-10", "amount": "lots", "kind": "other"}
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {"amount": ["“lots” is not an amount."]}
    assert not Income.objects.exists()


def test_add_income_from_the_card_with_a_bad_amount_goes_back_with_the_reason(owner, owner_client):
    card = reverse("prospects:card", args=[prospect(owner).pk])

    response = owner_client.post(
        reverse("income:add"),
        {"date": "2026-06-10", "amount": "-5", "kind": "other", "next": card},
    )

    assert (response.status_code, response["Location"]) == (302, card)
    assert flashes(response) == ["Income not recorded. Amount: An amount is more than 0."]
    assert not Income.objects.exists()


def test_add_income_with_another_users_prospect_is_not_found(other_user, owner_client):
    theirs = prospect(other_user, "Zed")

    response = owner_client.post(
        reverse("income:add"),
        {"date": "2026-06-10", "amount": "5", "kind": "other", "prospect": theirs.pk},
    )

    assert response.status_code == 404
    assert not Income.objects.exists()


def test_add_income_requires_login(anon_client, db):
    path = reverse("income:add")

    response = anon_client.post(path, {"date": "2026-06-10", "amount": "5", "kind": "other"})

    assert (response.status_code, response["Location"]) == (302, login_url(path))
    assert not Income.objects.exists()


def test_delete_income_removes_it(owner, owner_client):
    entry = income(owner, date(2025, 3, 1), "5")

    response = owner_client.post(reverse("income:delete", args=[entry.pk]))

    assert response["Location"] == f"{reverse('income:list')}?year=2025"
    assert not Income.objects.exists()


def test_delete_income_with_htmx_answers_the_months(owner, owner_client):
    entry = income(owner, date(2026, 3, 1), "5")
    income(owner, date(2026, 4, 1), "7")

    response = owner_client.post(
        reverse("income:delete", args=[entry.pk]), headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="income-months">')
    assert ("7.00 USD" in page, "5.00 USD" in page) == (True, False)


def test_delete_income_of_another_user_is_not_found(other_user, owner_client):
    entry = income(other_user, date(2026, 3, 1), "5")

    response = owner_client.post(reverse("income:delete", args=[entry.pk]))

    assert response.status_code == 404
    assert Income.objects.count() == 1


def test_delete_income_requires_login(owner, anon_client):
    path = reverse("income:delete", args=[income(owner, date(2026, 3, 1), "5").pk])

    response = anon_client.post(path)

    assert (response.status_code, response["Location"]) == (302, login_url(path))
    assert Income.objects.count() == 1


def test_nav_links_to_income_and_marks_it_current_there(owner_client):
    page = owner_client.get(reverse("income:list")).content.decode()

    assert '<a href="/income/" aria-current="page">Income</a>' in page
