"""The scorecard's charts, drawn on the server by `core.charts` as SVG: no chart library to
ship, nothing to run in the browser but the small script that shows a tapped bar's value.

Every bar carries its value as a <title> (a tooltip on hover, read by `insights.js` on tap);
the numbers are one click away as a table and a CSV (the page's <details>). Bars stretch to the
width (`stretch=True`): labels are HTML beside the chart, so their text keeps its size on a
phone. Colours are the tiers': income green, lead generation blue, busy work grey.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString

from mainthing.core import charts

HEIGHT = 100  # the view box's height; bars are scaled into it
GAP = 0.15  # the share of each slot left between bars
# A chart of one or two bars keeps a bar's width: room is made for at least this many.
MIN_SLOTS = 7


@dataclass(frozen=True)
class Bar:
    value: float
    tip: str
    css: str = "fill-income"


def _scale(values: list[float], floor: float = 0) -> float:
    return max([*values, floor]) or 1


def bars(
    items: list[Bar], *, label: str, goal: float | None = None, top: float | None = None
) -> SafeString:
    """Vertical bars, one per item (a day, a week, a month), with an optional goal line."""
    width = max(len(items), MIN_SLOTS) * 10
    ceiling = top or _scale([i.value for i in items], goal or 0) * 1.1
    bar_width = f"{10 * (1 - GAP):.2f}"
    parts = []
    for index, item in enumerate(items):
        x = f"{index * 10 + 10 * GAP / 2:.2f}"
        height = HEIGHT * item.value / ceiling
        # A year has 366 bars a chart: each is core.charts.rect's markup written out here, its
        # tip escaped once for both shapes (same output, a third of the time).
        tip = charts.title(item.tip)
        # A bar of nothing still answers a hover or a tap: an invisible hit area.
        parts.append(
            f'<rect x="{x}" y="0" width="{bar_width}" height="{HEIGHT}" class="hit">{tip}</rect>'
        )
        if height > 0:
            parts.append(
                f'<rect x="{x}" y="{HEIGHT - height:.2f}" width="{bar_width}" height="{height:.2f}"'
                f' class="{escape(item.css)}">{tip}</rect>'
            )
    if goal:
        y = f"{HEIGHT - HEIGHT * goal / ceiling:.2f}"
        parts.append(charts.line(0, width, y, y, css="goal-line"))
    return charts.svg(
        parts, view_box=f"0 0 {width} {HEIGHT}", label=label, css="chart", stretch=True
    )


def stacked(weeks: list[list[tuple[float, str, str]]], *, label: str) -> SafeString:
    """Stacked bars: each week a column of (value, css, tip) parts from the bottom up."""
    count = max(len(weeks), MIN_SLOTS)
    ceiling = _scale([sum(v for v, _, _ in parts) for parts in weeks]) * 1.05
    shapes = []
    for index, parts in enumerate(weeks):
        x, bottom = index * 10 + 10 * GAP / 2, float(HEIGHT)
        for value, css, tip in parts:
            height = HEIGHT * value / ceiling
            if height <= 0:
                continue
            bottom -= height
            shapes.append(
                charts.rect(
                    f"{x:.2f}", f"{bottom:.2f}", f"{10 * (1 - GAP):.2f}", f"{height:.2f}",
                    css=css, tip=tip,
                )
            )  # fmt: skip
    return charts.svg(
        shapes, view_box=f"0 0 {count * 10} {HEIGHT}", label=label, css="chart", stretch=True
    )


def meter(share: float, *, css: str = "fill-income", tip: str = "") -> SafeString:
    """One horizontal bar filled to `share` (0..1), for a row of an HTML list (the funnel,
    the sources): the row's text stays HTML, the bar is this."""
    width = max(0.0, min(1.0, share)) * 100
    parts = [charts.rect(0, 0, 100, 10, css="meter-track", tip=tip)]
    if width:
        parts.append(charts.rect(0, 0, f"{width:.1f}", 10, css=css, tip=tip))
    return charts.svg(parts, view_box="0 0 100 10", label=tip, css="meter", stretch=True)
