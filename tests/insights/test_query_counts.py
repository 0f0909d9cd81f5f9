"""The insights pages run a fixed number of queries however much the account holds: one of each
thing against five of each (entries on many days, prospects from several sources, calls held,
missed, cancelled and booked ahead, income in two currencies, dials, call-back requests,
spend). Pinned here so a read that goes per row shows at once; their speed on the five-year
heavy account is bench/insights.py's to measure (tests never time anything)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mainthing.bookings.models import Status
from tests.factories import (
    AppointmentFactory,
    CallAttemptFactory,
    CallbackRequestFactory,
    CallSessionFactory,
    IncomeFactory,
    InsightSettingsFactory,
    LeadSourceFactory,
    ProspectFactory,
    SpendFactory,
    at,
    block,
    category,
    entry,
)

ZONE = "Europe/London"
NOW = at("2026-12-05 12:00", ZONE)  # a Saturday: the review is of 23-29 November
YEAR_PAGE_MOST = 25
LEADGEN = ("Forum posts", "Video posts", "PPC campaigns", "Social networking")


@pytest.fixture
def marketer(owner):
    """The owner (London) with a routine and a monthly income goal, so every part of both
    pages has something to read: the streak, the fill rate, the goal worked back."""
    block(owner, "19:00", "21:00")
    block(owner, "09:00", "10:00", tier="leadgen", days="Mon-Sat")
    InsightSettingsFactory(user=owner, income_goal=Decimal("3000.00"))
    return owner


def _add(user, first: int, last: int) -> None:
    """For each n in [first, last): a source and its prospects, time entries on three days,
    calls in every state, income in USD and EUR, a session of dials, a call-back request and
    spend; on a day of the reviewed week and on days spread over the year."""
    for n in range(first, last):
        reviewed = NOW - timedelta(days=7 + n % 5)  # in 23-29 November
        earlier = NOW - timedelta(days=40 + 50 * n)
        source = LeadSourceFactory(user=user, category=category(user, LEADGEN[n % 4]))
        lead = ProspectFactory(user=user, source=source, created_at=reviewed - timedelta(hours=5))
        joined = ProspectFactory(
            user=user, source=source, created_at=earlier, stage="joined", stage_changed_at=reviewed
        )
        for day in (reviewed, earlier, earlier - timedelta(days=3)):
            evening = day.replace(hour=19, minute=0)
            entry(user, "Prospect call", evening, 25)
            entry(user, LEADGEN[n % 4], day.replace(hour=9, minute=0), 45)
            entry(user, "Email inbox", evening + timedelta(minutes=40), 10)
        for k, status in enumerate((Status.COMPLETED, Status.NO_SHOW, Status.CANCELLED)):
            start = reviewed.replace(hour=19, minute=0) + timedelta(minutes=30 * k)
            AppointmentFactory(user=user, prospect=lead, start=start, status=status)
        AppointmentFactory(user=user, prospect=lead, start=NOW + timedelta(days=1 + n, hours=7))
        for currency in ("USD", "EUR"):
            IncomeFactory(user=user, prospect=joined, date=reviewed.date(), currency=currency)
        session = CallSessionFactory(
            user=user, started_at=earlier, ended_at=earlier + timedelta(minutes=30)
        )
        CallAttemptFactory(session=session, prospect=lead, outcome="talked")
        CallAttemptFactory(session=session, prospect=joined, outcome="no_answer")
        CallbackRequestFactory(user=user, source=source, created_at=reviewed)
        SpendFactory(user=user, source=source, date=earlier.date())


def test_year_page_runs_the_same_few_queries_for_a_bigger_account(
    marketer, owner_client, frozen, queries_do_not_grow
):
    def sources_shown():
        response = owner_client.get("/insights/?range=year")
        assert response.status_code == 200
        return len(response.context["card"].tables["sources"].rows)

    _add(marketer, 0, 1)
    counts = queries_do_not_grow(sources_shown, lambda: _add(marketer, 1, 5))
    assert counts.few == counts.many <= YEAR_PAGE_MOST
    assert (counts.first, counts.last) == (1, 5)


def test_review_page_runs_the_same_queries_for_a_bigger_account(
    marketer, owner_client, frozen, queries_do_not_grow
):
    def income_last_week():
        response = owner_client.get("/insights/review/")
        assert response.status_code == 200
        return response.context["review"].income["EUR"][0]

    _add(marketer, 0, 1)
    counts = queries_do_not_grow(income_last_week, lambda: _add(marketer, 1, 5))
    assert counts.few == counts.many
    assert (counts.first, counts.last) == (Decimal("10.00"), Decimal("50.00"))


@pytest.mark.parametrize("path", ["/insights/?range=year", "/insights/review/"])
def test_each_page_reads_the_settings_row_once(marketer, owner_client, frozen, path):
    """The figures (the goal worked back) and the page's two settings forms share one read."""
    with CaptureQueriesContext(connection) as captured:
        assert owner_client.get(path).status_code == 200
    reads = [q["sql"] for q in captured if "insights_insightsettings" in q["sql"]]
    assert len(reads) == 1, reads
