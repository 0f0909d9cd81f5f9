"""The one csv writer: no cell it writes can start a formula in a spreadsheet, and no module
writes CSV any other way."""

import csv
import io
import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mainthing.core import csvsafe

TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b"

# Text that leans on what matters: triggers, quotes, spaces, controls, and anything else.
cells = st.text(
    alphabet=st.one_of(
        st.sampled_from([*TRIGGERS, "'", " ", "\n", "\x00", "\ufeff", "\u200b", "\xa0"]),
        st.characters(codec="utf-8"),
    ),
    max_size=12,
)


def could_run(cell: str) -> bool:
    """What a spreadsheet might take for a formula: a trigger first, after leading whitespace,
    or after an invisible control/format character."""
    if not cell:
        return False
    if unicodedata.category(cell[0]) in ("Cc", "Cf"):
        return True
    return cell[0] in TRIGGERS or cell.lstrip()[:1] in tuple(TRIGGERS)


@given(cells)
@example('=HYPERLINK("http://evil","x")')
@example(" \t=1+1")
@example("'=1+1")
@example("\ufeff=1")
def test_neutralize_no_cell_can_start_a_formula(text):
    assert could_run(csvsafe.neutralize(text)) is False


@given(cells)
@example("''-2")
@example("'")
def test_restore_gives_back_the_original_text(text):
    assert csvsafe.restore(csvsafe.neutralize(text)) == text


@given(cells.filter(lambda t: not could_run(t.lstrip("'"))))
def test_neutralize_leaves_safe_text_alone(text):
    assert csvsafe.neutralize(text) == text


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+14155550132", "'+14155550132"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("  =cmd", "'  =cmd"),
        ("'=1", "''=1"),
        ("Ann Lee", "Ann Lee"),
        ("a=b", "a=b"),
        ("O'Neil", "O'Neil"),
        ("", ""),
        (None, ""),
        (date(2026, 3, 2), "2026-03-02"),
    ],
)
def test_neutralize_examples(value, cell):
    assert csvsafe.neutralize(value) == cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\uff0bSUM(A1)", "'\uff0bSUM(A1)"),
        ("\uff0d2", "'\uff0d2"),
        ("\uff20SUM(A1)", "'\uff20SUM(A1)"),
        ("\u3000\uff1d1", "'\u3000\uff1d1"),
        ("\ufe66cmd", "'\ufe66cmd"),
    ],
)
def test_neutralize_marks_the_full_width_and_small_formula_starts(value, cell):
    assert csvsafe.neutralize(value) == cell


def test_writer_neutralizes_every_cell_it_writes():
    out = io.StringIO()

    csvsafe.writer(out).writerows([["=1", "ok", 3], ["@x", None, "\uff0b1"]])

    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=1", "ok", "3"],
        ["'@x", "", "'\uff0b1"],
    ]


def test_no_module_writes_csv_but_through_the_neutralizing_writer():
    src = Path(csvsafe.__file__).parents[1]
    writers = re.compile(r"csv\.(writer|DictWriter)\b|from csv import .*(writer|DictWriter)")
    found = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if path != Path(csvsafe.__file__) and writers.search(path.read_text())
    ]
    assert found == []
