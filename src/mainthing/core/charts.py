"""The one helper that draws SVG in Python: the week grid and the fill chart today, insights'
charts next. Pages with hundreds of shapes are built as strings here rather than in template
loops, which keeps them fast.

Every text and every string attribute goes through escape() (the standard library's, which
Django's own wraps: same output, a fraction of the cost on a page of hundreds of shapes), so a
label someone typed can't break out of the markup; numbers are written as the caller formats
them. Shapes take classes, never inline styles (the CSP forbids them). Each function returns
markup for one element, so shapes nest (`link(href, rect(...))`); `svg()` wraps them and
marks the whole safe.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils.safestring import SafeString, mark_safe

# A number as the caller wants it written ("12.5", 12.5 or 12), or any text.
Value = int | float | str | None


def _attrs(pairs: Iterable[tuple[str, Value]]) -> str:
    """` name="value"` for each pair in order, leaving out None; strings escaped."""
    return "".join(
        f' {name}="{value if isinstance(value, int | float) else escape(value)}"'
        for name, value in pairs
        if value is not None
    )


def title(text: str) -> str:
    """A tooltip (and the accessible name) of the element it sits in."""
    return f"<title>{escape(text)}</title>"


def rect(
    x: Value, y: Value, width: Value, height: Value, *, css: str, rx: Value = None, tip: str = ""
) -> str:
    inner = title(tip) if tip else ""
    attrs = _attrs((("x", x), ("y", y), ("width", width), ("height", height), ("rx", rx)))
    return f"<rect{attrs}{_attrs((('class', css),))}>{inner}</rect>"


def text(x: Value, y: Value, content: str, *, css: str, anchor: str | None = None) -> str:
    attrs = _attrs((("x", x), ("y", y), ("text-anchor", anchor), ("class", css)))
    return f"<text{attrs}>{escape(content)}</text>"


def line(x1: Value, x2: Value, y1: Value, y2: Value, *, css: str, tip: str = "") -> str:
    inner = title(tip) if tip else ""
    attrs = _attrs((("x1", x1), ("x2", x2), ("y1", y1), ("y2", y2), ("class", css)))
    return f"<line{attrs}>{inner}</line>"


def link(href: str, *parts: str, css: str | None = None, label: str | None = None) -> str:
    """Shapes that lead to `href` when clicked; `label` is the link's accessible name when
    its shapes' text alone would not say where it goes."""
    attrs = _attrs((("href", href), ("class", css), ("aria-label", label)))
    return f"<a{attrs}>{''.join(parts)}</a>"


def svg(
    parts: Iterable[str],
    *,
    view_box: str,
    label: str,
    css: str | None = None,
    stretch: bool = False,
    interactive: bool = False,
) -> SafeString:
    """The chart: an image with an accessible `label` around `parts` (made by this module).
    `stretch` lets CSS size it freely (preserveAspectRatio="none"): for bars, whose labels
    are HTML beside the chart so their text keeps its CSS size instead of scaling with it.
    `interactive` charts hold links, which an image may not (screen readers would skip them):
    they are a labelled group instead."""
    attrs = _attrs(
        (
            ("class", css),
            ("viewBox", view_box),
            ("preserveAspectRatio", "none" if stretch else None),
            ("role", "group" if interactive else "img"),
            ("aria-label", label),
        )
    )
    return mark_safe(f"<svg{attrs}>{''.join(parts)}</svg>")
