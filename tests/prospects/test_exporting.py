import csv
import io
from datetime import UTC, date, datetime

from hypothesis import example, given

from mainthing.core import csvsafe, timekit
from mainthing.prospects import exporting, services
from mainthing.prospects.models import LeadSource, Prospect
from tests.core.test_csvsafe import cells, could_run
from tests.factories import category

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def read(lines) -> list[list[str]]:
    text = "".join(lines)
    assert text.startswith(csvsafe.BOM)
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
    assert [csvsafe.restore(cells[k]) for k in ("name", "social", "notes")] == [
        name,
        social,
        notes,
    ]
    assert not any(could_run(cell) for cell in row)
