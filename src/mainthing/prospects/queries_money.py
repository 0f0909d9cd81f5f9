"""Read models for money: lead sources with their prospect counts and spend, and income by month.

The lead-sources page, the income page and the CLI read through these. Each is a fixed number
of queries, whatever the number of sources, prospects or entries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from mainthing.accounts.models import User
from mainthing.activity.models import Category
from mainthing.core.enums import Tier

from .models import Income, IncomeKind, LeadSource, Prospect, Spend

ZERO = Decimal("0.00")


def sources(user: User) -> list[LeadSource]:
    """The user's lead sources, each with `prospect_count` and `spend_total` (two subqueries
    in one statement), named sources first in category order, Unknown last."""
    prospects = (
        Prospect.objects.filter(source=OuterRef("pk"))
        .order_by()
        .values("source")
        .annotate(n=Count("pk"))
        .values("n")
    )
    spend = (
        Spend.objects.filter(source=OuterRef("pk"))
        .order_by()
        .values("source")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=14, decimal_places=2)
    rows = (
        LeadSource.objects.filter(user=user)
        .select_related("category")
        .annotate(
            prospect_count=Coalesce(Subquery(prospects), 0),
            spend_total=Coalesce(
                Subquery(spend, output_field=money), Value(ZERO), output_field=money
            ),
        )
    )
    rows = list(rows)
    for source in rows:
        # SQLite hands sums back without their scale ("30" for 25.50 + 4.50).
        source.spend_total = Decimal(source.spend_total).quantize(ZERO)
    return sorted(
        rows,
        key=lambda s: (
            s.category is None,
            s.category.position if s.category else 0,
            s.archived,
            s.campaign.lower(),
        ),
    )


@dataclass
class CategorySources:
    category: Category
    sources: list[LeadSource]


def sources_by_category(user: User) -> tuple[list[CategorySources], list[LeadSource]]:
    """Every lead-gen category (archived ones only when they have sources) with its sources,
    and the sources without a category (Unknown). Two queries."""
    rows = sources(user)
    grouped: dict[int, list[LeadSource]] = defaultdict(list)
    loose = []
    for source in rows:
        if source.category_id is None:
            loose.append(source)
        else:
            grouped[source.category_id].append(source)
    categories = Category.objects.filter(user=user, tier=Tier.LEADGEN).order_by("position", "pk")
    groups = [
        CategorySources(c, grouped.get(c.pk, []))
        for c in categories
        if not c.archived or grouped.get(c.pk)
    ]
    return groups, loose


def kind_totals(entries: list[Income]) -> list[tuple[str, str, Decimal]]:
    """(kind label, currency, total) for the entries, in the order of IncomeKind."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for income in entries:
        sums[(income.kind, income.currency)] += income.amount
    order = {kind: index for index, kind in enumerate(IncomeKind.values)}
    return [
        (IncomeKind(kind).label, currency, total)
        for (kind, currency), total in sorted(sums.items(), key=lambda i: (order[i[0][0]], i[0][1]))
    ]


def currency_totals(entries: list[Income]) -> list[tuple[str, Decimal]]:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for income in entries:
        sums[income.currency] += income.amount
    return sorted(sums.items())


class _Totals:
    """The totals of a span's `entries`, per kind and currency and per currency."""

    entries: list[Income]

    @property
    def by_kind(self) -> list[tuple[str, str, Decimal]]:
        return kind_totals(self.entries)

    @property
    def totals(self) -> list[tuple[str, Decimal]]:
        return currency_totals(self.entries)


@dataclass
class IncomeMonth(_Totals):
    month: date  # the first of the month
    entries: list[Income] = field(default_factory=list)


@dataclass
class IncomeYear(_Totals):
    year: int
    months: list[IncomeMonth]
    entries: list[Income]
    years: list[int]  # every year with income, newest first


def income_year(user: User, year: int) -> IncomeYear:
    """One year's income entries (with their prospects) by month, newest first. Two queries."""
    entries = list(
        Income.objects.filter(user=user, date__year=year)
        .select_related("prospect")
        .order_by("-date", "-pk")
    )
    months: dict[date, IncomeMonth] = {}
    for income in entries:
        first = income.date.replace(day=1)
        months.setdefault(first, IncomeMonth(first)).entries.append(income)
    years = sorted(
        {d.year for d in Income.objects.filter(user=user).dates("date", "year")} | {year},
        reverse=True,
    )
    return IncomeYear(year=year, months=list(months.values()), entries=entries, years=years)
