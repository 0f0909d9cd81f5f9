"""Which lead generation pays: the yield of each lead source and lead-gen category, the funnel
of the leads a range brought, and income against the hours that earned it. Tables only; the
reads are in `reads`.

Leads are counted by the range they were added in (a cohort): what the leads of March became,
whenever they became it. Hours and spend belong to the range they were spent in. Lead-gen time
is logged per category, not per campaign, so hours (and per-hour figures) are per category.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from mainthing.accounts.models import User
from mainthing.core.enums import Tier
from mainthing.prospects.models import IncomeKind

from . import figures, periods, reads
from .tables import HOURS, MONEY, MONTH, PERCENT, RATE, TEXT, Column, Table

# Per-unit-of-spend figures are per this much money: "leads per 100 USD" reads better than
# 0.04 leads per dollar.
SPEND_UNIT = 100


def money_text(amounts: dict[str, Decimal]) -> str:
    """Amounts in several currencies, side by side, never added: "450.00 USD; 20.00 EUR"."""
    return "; ".join(f"{amounts[c]:.2f} {c}" for c in sorted(amounts) if amounts[c])


def _per(count: int, amount: Decimal | None) -> float | None:
    return count * SPEND_UNIT / float(amount) if amount else None


def _per_hour(count: int, seconds: int) -> float | None:
    return count * 3600 / seconds if seconds else None


def lead_yield(
    user: User,
    leadgen: dict[int, tuple[str, int]],
    start: datetime,
    end: datetime,
    chosen,
    *,
    funnel_source: int | None = None,
):
    """(sources table, categories table, funnel table, funnel figures, funnel choices) for the
    leads added in [start, end) and the lead generation (`reads.leadgen_time`) and spend of the
    range. The funnel is of every source's leads, or of `funnel_source`'s (one of the user's
    sources) when given; the figures are always of every source."""
    sources = reads.sources(user)
    cohort = reads.cohort(user, start, end)
    spend = reads.spend(user, chosen.first, chosen.last)
    unit = f"{SPEND_UNIT} {user.currency}"
    counts = ("leads", "booked", "held", "joined", "declined", "affiliate")
    source_table = Table(
        "sources",
        "Lead sources: what their leads became",
        [
            Column("source", "Source", TEXT),
            Column("leads", "Leads"),
            Column("booked", "Booked"),
            Column("held", "Held"),
            Column("joined", "Joined"),
            Column("declined", "Said no"),
            Column("affiliate", "Affiliate joined"),
            Column("income", "Income", TEXT),
            Column("spend", f"Spend ({user.currency})", MONEY),
            Column("leads_per_spend", f"Leads per {unit}", RATE),
            Column("booked_per_spend", f"Bookings per {unit}", RATE),
        ],
    )
    per_category: dict[int | None, dict] = defaultdict(
        lambda: {**dict.fromkeys(counts, 0), "spend": Decimal(0), "income": {}}
    )
    shown = sorted(
        (pk for pk in sources if cohort.leads.get(pk) or spend.get(pk)),
        key=lambda pk: (-cohort.leads.get(pk, 0), sources[pk][0].lower()),
    )
    for pk in shown:
        label, category_id, _ = sources[pk]
        row = {k: getattr(cohort, k).get(pk, 0) for k in counts}
        money = spend.get(pk)
        income = cohort.income.get(pk, {})
        source_table.rows.append(
            [label, *row.values(), money_text(income), money,
             _per(row["leads"], money), _per(row["booked"], money)]
        )  # fmt: skip
        group = per_category[category_id]
        for key in counts:
            group[key] += row[key]
        group["spend"] += money or 0
        for currency, amount in income.items():
            group["income"][currency] = group["income"].get(currency, 0) + amount

    category_table = Table(
        "categories",
        "Lead-gen categories: hours and what they brought",
        [
            Column("category", "Category", TEXT),
            Column("hours", "Time", HOURS),
            Column("leads", "Leads"),
            Column("booked", "Booked"),
            Column("held", "Held"),
            Column("joined", "Joined"),
            Column("affiliate", "Affiliate joined"),
            Column("leads_per_hour", "Leads per hour", RATE),
            Column("booked_per_hour", "Bookings per hour", RATE),
            Column("spend", f"Spend ({user.currency})", MONEY),
            Column("leads_per_spend", f"Leads per {unit}", RATE),
            Column("booked_per_spend", f"Bookings per {unit}", RATE),
            Column("income", "Income", TEXT),
        ],
    )
    seconds = {pk: spent for pk, (_, spent) in leadgen.items()}
    # A source's category is named even in a range with no time logged on it.
    names = {pk: name for _, pk, name in sources.values() if pk} | {
        pk: name for pk, (name, _) in leadgen.items()
    }
    every = sorted(
        set(seconds) | {c for c in per_category if c is not None},
        key=lambda c: names.get(c, "").lower(),
    )
    for category_id in [*every, None]:
        if category_id is None and None not in per_category:
            continue
        group = per_category[category_id]
        time = seconds.get(category_id, 0)
        money = group["spend"] or None
        category_table.rows.append(
            [names.get(category_id, "Unknown") if category_id else "Unknown", time,
             group["leads"], group["booked"], group["held"], group["joined"], group["affiliate"],
             _per_hour(group["leads"], time), _per_hour(group["booked"], time),
             money, _per(group["leads"], money), _per(group["booked"], money),
             money_text(group["income"])]
        )  # fmt: skip

    total = {k: sum(getattr(cohort, k).values()) for k in counts}
    chosen_source = funnel_source if funnel_source in sources else None
    steps = (
        total
        if chosen_source is None
        else {k: getattr(cohort, k).get(chosen_source, 0) for k in counts}
    )
    funnel = Table(
        "funnel",
        "The funnel of the range's leads"
        + (f": {sources[chosen_source][0]}" if chosen_source is not None else ""),
        [
            Column("step", "Step", TEXT),
            Column("people", "People"),
            Column("of_leads", "Of leads", PERCENT),
        ],
    )
    for step, key in (
        ("Leads", "leads"),
        ("Booked a call", "booked"),
        ("Held a call", "held"),
        ("Joined", "joined"),
        ("Said no", "declined"),
        ("Joined as affiliate", "affiliate"),
    ):
        funnel.rows.append([step, steps[key], figures.share(steps[key], steps["leads"])])
    choices = [(pk, sources[pk][0]) for pk in shown]
    return source_table, category_table, funnel, total, (choices, chosen_source)


def income_tables(user: User, totals: dict, first: date, last: date) -> tuple[Table, Table]:
    """Income per month against IGA and lead-gen hours (a row per currency: amounts in
    different currencies are never added), and income per kind."""
    rows = reads.income(user, first, last)
    by_month: dict[date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_kind: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for day, currency, kind, amount in rows:
        by_month[day.replace(day=1)][currency] += amount
        by_kind[(kind, currency)] += amount
    hours: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, total in totals.items():
        month = hours[day.replace(day=1)]
        month[Tier.INCOME] += total.seconds.get(Tier.INCOME, 0)
        month[Tier.LEADGEN] += total.seconds.get(Tier.LEADGEN, 0)
    months = Table(
        "income",
        "Income per month, per hour of work",
        [
            Column("month", "Month", MONTH),
            Column("currency", "Currency", TEXT),
            Column("income", "Income", MONEY),
            Column("iga_hours", "IGA time", HOURS),
            Column("leadgen_hours", "Lead-gen time", HOURS),
            Column("per_iga_hour", "Per IGA hour", MONEY),
            Column("per_leadgen_hour", "Per lead-gen hour", MONEY),
        ],
    )
    for month in periods.months(first, last):
        amounts = by_month.get(month) or {user.currency: Decimal(0)}
        iga, leadgen = hours[month][Tier.INCOME], hours[month][Tier.LEADGEN]
        for currency in sorted(amounts):
            amount = amounts[currency]
            months.rows.append(
                [month, currency, amount, iga, leadgen, _money_per_hour(amount, iga),
                 _money_per_hour(amount, leadgen)]
            )  # fmt: skip
    kinds = Table(
        "income_kinds",
        "Income by kind",
        [
            Column("kind", "Kind", TEXT),
            Column("currency", "Currency", TEXT),
            Column("amount", "Amount", MONEY),
        ],
    )
    order = {kind: index for index, kind in enumerate(IncomeKind.values)}
    for (kind, currency), amount in sorted(
        by_kind.items(), key=lambda i: (order[i[0][0]], i[0][1])
    ):
        kinds.rows.append([IncomeKind(kind).label, currency, amount])
    return months, kinds


def _money_per_hour(amount: Decimal, seconds: int) -> Decimal | None:
    if not seconds:
        return None
    return (amount * 3600 / seconds).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
