import csv
import io
import unicodedata
from datetime import UTC, date, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from mainthing.core import timekit
from mainthing.prospects import exporting, services
from mainthing.prospects.models import LeadSource, Prospect
from tests.factories import category

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
TRIGGERS = "=+-@\t\r"

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
    assert could_run(exporting.neutralize(text)) is False


@given(cells)
@example("''-2")
@example("'")
def test_restore_gives_back_the_original_text(text):
    assert exporting.restore(exporting.neutralize(text)) == text


@given(cells.filter(lambda t: not could_run(t.lstrip("'"))))
def test_neutralize_leaves_safe_text_alone(text):
    assert exporting.neutralize(text) == text


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
    assert exporting.neutralize(value) == cell


def read(lines) -> list[list[str]]:
    text = "".join(lines)
    assert text.startswith(exporting.BOM)
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_stream_writes_header_and_neutralized_rows_in_the_users_zone(owner):
    source = services.add_source(
        owner, category=category(owner, "Forum posts"), campaign="=Signature", key="sig"
    )
    contact = services.clean_contact(
        owner,
        name='=HYPERLINK("http://x","win")',
        email="ann@example.com",
        phone="(415) 555-0132",
        social="@annlee",
        time_zone="America/Chicago",
        tags="hot, -cold",
        notes="line one\nline two, with comma",
    )
    prospect = services.add_prospect(
        owner, contact, now=NOW, source=source, follow_up_on=date(2026, 3, 9)
    )
    Prospect.objects.filter(pk=prospect.pk).update(last_contacted_at=NOW)
    rows = Prospect.objects.select_related("source__category")

    table = read(exporting.stream(rows, tz=timekit.zone("Europe/London")))

    assert table == [
        list(exporting.COLUMNS),
        [
            '\'=HYPERLINK("http://x","win")',
            "ann@example.com",
            "'+14155550132",
            "'@annlee",
            "America/Chicago",
            "Forum posts / =Signature",
            "sig",
            "new",
            "2026-03-09",
            "hot, -cold",
            "line one\nline two, with comma",
            "2026-03-02T18:00+00:00",
            "2026-03-02T18:00+00:00",
        ],
    ]


@given(name=cells, social=cells, notes=cells)
@example(name="-1", social="'+x", notes="\r\n=A1")
def test_stream_round_trips_every_text_through_a_csv_reader(name, social, notes):
    unknown = LeadSource(category=None, campaign="Unknown", key="unknown")
    prospect = Prospect(
        name=name, social=social, notes=notes, source=unknown, created_at=NOW, stage="new"
    )
    header, row = read(exporting.stream([prospect], tz=timekit.zone("UTC")))
    cells = dict(zip(header, row, strict=True))
    assert [exporting.restore(cells[k]) for k in ("name", "social", "notes")] == [
        name,
        social,
        notes,
    ]
    assert not any(could_run(cell) for cell in row)
