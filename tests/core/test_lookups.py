"""Every `<thing>_for_user` lookup: the owner gets the row; another user, a missing id, an id
that is not a number and a signed-out visitor all get Http404, never another user's row."""

from datetime import UTC, date, datetime, time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from mainthing.activity import queries as activity_queries
from mainthing.activity.models import ImportJob
from mainthing.bookings import queries as booking_queries
from mainthing.bookings import services as booking_services
from mainthing.core.lookups import MAX_ID
from mainthing.prospects import queries as prospect_queries
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import LeadImport
from mainthing.routine import queries as routine_queries
from mainthing.routine import services as routine_services
from tests.factories import at, block, category, entry

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


def _source(user):
    return prospect_services.add_source(
        user, category=category(user, "Forum posts"), campaign="Signature"
    )


def _prospect(user):
    return prospect_services.add_prospect(user, prospect_services.Contact(name="Ann"), now=NOW)


def _appointment(user):
    block(user, "18:00", "21:00")
    return booking_services.book(user, prospect_name="Ann", start=at("2026-06-11 19:00"), now=NOW)


def _exception(user):
    routine_block = routine_services.add_block(
        user, tier="income", days="daily", start=time(18), end=time(21), today=date(2026, 6, 10)
    )
    return routine_services.set_exception(
        routine_block, day=date(2026, 6, 12), today=date(2026, 6, 10)
    )


# (lookup, a function that makes one row for the user it is given)
LOOKUPS = {
    "entry": (
        activity_queries.entry_for_user,
        lambda u: entry(u, "Prospect call", at("2026-06-10 09:00"), 30),
    ),
    "category": (activity_queries.category_for_user, lambda u: category(u, "Forum posts")),
    "import job": (
        activity_queries.import_job_for_user,
        lambda u: ImportJob.objects.create(user=u, format="csv", filename="a.csv", path="x"),
    ),
    "prospect": (prospect_queries.prospect_for_user, _prospect),
    "source": (prospect_queries.source_for_user, _source),
    "spend": (
        prospect_queries.spend_for_user,
        lambda u: prospect_services.add_spend(_source(u), on=date(2026, 6, 1), amount="10"),
    ),
    "income": (
        prospect_queries.income_for_user,
        lambda u: prospect_services.add_income(u, on=date(2026, 6, 1), amount="50"),
    ),
    "lead import": (
        prospect_queries.lead_import_for_user,
        lambda u: LeadImport.objects.create(user=u, filename="leads.csv", path="x"),
    ),
    "block": (routine_queries.block_for_user, lambda u: block(u, "18:00", "21:00")),
    "block exception": (routine_queries.exception_for_user, _exception),
    "appointment": (booking_queries.appointment_for_user, _appointment),
}
CASES = pytest.mark.parametrize(("lookup", "make"), list(LOOKUPS.values()), ids=list(LOOKUPS))


@CASES
def test_lookup_gives_the_owner_their_row(owner, lookup, make):
    row = make(owner)
    found = lookup(owner, row.pk)
    assert (type(found), found.pk) == (type(row), row.pk)


@CASES
def test_lookup_gives_the_owner_their_row_for_an_id_typed_as_text(owner, lookup, make):
    row = make(owner)
    assert lookup(owner, str(row.pk)).pk == row.pk


@CASES
def test_lookup_answers_404_for_another_users_row(owner, other_user, lookup, make):
    row = make(owner)
    with pytest.raises(Http404):
        lookup(other_user, row.pk)


@CASES
def test_lookup_answers_404_for_a_missing_row(owner, lookup, make):
    row = make(owner)
    with pytest.raises(Http404):
        lookup(owner, row.pk + 1000)


@pytest.mark.parametrize("pk", ["", "abc", "1.5", "-1", "²", str(MAX_ID + 1), None])
@CASES
def test_lookup_answers_404_for_an_id_that_is_not_one(owner, lookup, make, pk):
    make(owner)
    with pytest.raises(Http404):
        lookup(owner, pk)


@CASES
def test_lookup_answers_404_to_a_signed_out_visitor(owner, lookup, make):
    row = make(owner)
    with pytest.raises(Http404):
        lookup(AnonymousUser(), row.pk)
