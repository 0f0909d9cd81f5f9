"""The one way Mainthing writes CSV: cells safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (and some strip a
leading tab or carriage return first), so a prospect or a category named `=HYPERLINK(…)` - typed
by a prospect on the booking page, or imported from a shared Toggl or Watson file - could run
code on the user's machine. Spreadsheets in East Asian locales also take the full-width forms
(U+FF1D, U+FF0B, U+FF0D, U+FF20) and the small forms (U+FE66, U+FE62, U+FE63, U+FE6B) for
the ASCII ones. Every cell goes through `neutralize`, which puts a single quote in front of a
cell that

- starts with one of those characters, a tab or a carriage return, or any other control
  character (Unicode category Cc) or invisible format character (Cf, e.g. a byte-order mark or a
  zero-width space), which some programs skip before reading the cell; or
- starts with whitespace (any, the ideographic space too) followed by one of them, since some
  programs trim leading spaces before deciding whether a cell is a formula; or
- starts with quotes that `restore` would otherwise take for our marker (so `restore` is the
  exact inverse of `neutralize`: an import of our own file gets the original text back).

The quote shows in the spreadsheet; it is the price of never running a formula. `writer()` is
the only csv writer in the product (tests/core/test_csvsafe.py keeps it so).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")
MARK = "'"
BOM = "\ufeff"


def _is_trigger(text: str) -> bool:
    """Whether a spreadsheet could read this text (with no marker before it) as a formula."""
    if not text:
        return False
    first = text[0]
    if first in FORMULA_STARTS or unicodedata.category(first) in ("Cc", "Cf"):
        return True
    rest = text.lstrip()
    return bool(rest) and rest[0] in FORMULA_STARTS


def _needs_mark(text: str) -> bool:
    # Quotes in front of a trigger are marked too: restore() strips exactly one.
    return _is_trigger(text.lstrip(MARK))


def neutralize(value: object) -> str:
    """The cell text for a value: `'` in front when a spreadsheet could run it (see above)."""
    text = "" if value is None else str(value)
    return MARK + text if _needs_mark(text) else text


def restore(cell: str) -> str:
    """The original text of a cell written by `neutralize` (its inverse)."""
    if cell.startswith(MARK) and _needs_mark(cell[1:]):
        return cell[1:]
    return cell


class SafeWriter:
    """csv.writer's writerow/writerows, with every cell neutralized first."""

    def __init__(self, out: Any):
        self._writer = csv.writer(out)

    def writerow(self, cells: Iterable[object]) -> Any:
        return self._writer.writerow([neutralize(cell) for cell in cells])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for cells in rows:
            self.writerow(cells)


def writer(out: Any) -> SafeWriter:
    """A csv writer onto OUT (a file, or anything with write()) whose cells can't run."""
    return SafeWriter(out)
