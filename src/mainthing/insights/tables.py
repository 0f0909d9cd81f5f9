"""The numbers behind every chart, as tables: one value per cell, written one way for each
reader. The page's tables, the CSV downloads and the CLI's JSON all go through `plain()`, so
they can't disagree; the page adds units with `shown()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from mainthing.core import csvsafe

# Kinds of cell: how a value is rounded and shown.
TEXT, DAY, WEEK, MONTH = "text", "day", "week", "month"
COUNT, HOURS, PERCENT, RATE, MONEY, FLAG = "count", "hours", "percent", "rate", "money", "flag"
CENT = Decimal("0.01")
NO_FIGURE = "\u2013"  # an en dash: no figure (nothing to divide by), never a made-up 0
# Kinds right-aligned as numbers, their header and their cells alike.
NUMERIC = frozenset({COUNT, HOURS, PERCENT, RATE, MONEY})


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


@dataclass
class Table:
    key: str  # its name in URLs (`/insights/csv/<key>/`) and in JSON
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)

    def plain_rows(self) -> list[list]:
        return [
            [plain(v, c.kind) for v, c in zip(row, self.columns, strict=True)] for row in self.rows
        ]

    def write_csv(self, out) -> None:
        """The table as CSV into `out` (a file or a response): its column keys (the names the
        JSON gives the same cells), then `plain_rows()`, formula cells neutralized. The page's
        download and `mainthing insights --csv` both write it here."""
        writer = csvsafe.writer(out)
        writer.writerow([c.key for c in self.columns])
        for row in self.plain_rows():
            writer.writerow(["" if cell is None else cell for cell in row])

    def shown_rows(self) -> list[list[str]]:
        return [
            [shown(v, c.kind) for v, c in zip(row, self.columns, strict=True)] for row in self.rows
        ]

    def body_html(self) -> SafeString:
        """The rows as the page's <tbody> holds them: the first cell a row header, the others
        labelled with their column (a phone shows the label beside the figure), numbers
        right-aligned. Built here rather than in a template loop: a year's days are 1,700
        cells, and the loop took 40 ms a table."""
        if not self.rows:
            return mark_safe(
                f'<tr><td colspan="{len(self.columns)}" class="muted">Nothing in this range yet.'
                "</td></tr>"
            )
        labels = [
            f' data-label="{escape(c.label)}"' + (' class="num"' if c.numeric else "")
            for c in self.columns[1:]
        ]
        parts = []
        for head, *cells in self.shown_rows():
            parts.append(f'<tr><th scope="row">{escape(head)}</th>')
            for attributes, cell in zip(labels, cells, strict=True):
                parts.append(f"<td{attributes}>{escape(cell)}</td>")
            parts.append("</tr>")
        return mark_safe("".join(parts))

    def as_dicts(self) -> list[dict]:
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.plain_rows()]

    def column(self, key: str) -> list:
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]


def plain(value, kind: str):
    """A cell as the CSV and the JSON carry it: dates in ISO, hours to two decimals, percent
    as a whole number, rates to two decimals, money to the cent (as text, exact), flags as
    "yes"/"no", and None (no figure) as None."""
    if value is None:
        return None
    if kind in (DAY, WEEK):
        return value.isoformat()
    if kind == MONTH:
        return value.strftime("%Y-%m")
    if kind == HOURS:
        return round(value / 3600, 2)  # seconds in
    if kind == PERCENT:
        return round(100 * value)  # a share (0..1) in
    if kind == RATE:
        return round(value, 2)
    if kind == MONEY:
        return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))
    if kind == FLAG:
        return "yes" if value else "no"
    return value


def shown(value, kind: str) -> str:
    """A cell as the page shows it: plain() with its unit."""
    number = plain(value, kind)
    if number is None:
        return NO_FIGURE
    if kind == DAY:
        return f"{value:%a %d %b}"
    if kind == WEEK:
        return f"{value:%d %b}"
    if kind == MONTH:
        return f"{value:%b %Y}"
    if kind == HOURS:
        return f"{number:.2f} h"
    if kind == PERCENT:
        return f"{number}%"
    if kind == RATE:
        return f"{number:.2f}"
    if kind == MONEY:
        return f"{Decimal(number):,.2f}"
    return str(number)


def hours(seconds: float) -> str:
    """Seconds as the page writes hours in prose: 9.5 h."""
    return f"{seconds / 3600:.1f} h"


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def monday_label(day: date) -> str:
    return f"week of {day:%d %b}"
