"""The lead import services: reading files (encodings, delimiters, headers), the column
mapping, cleaning and checking rows, de-duplication and the all-or-nothing apply."""

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.backends.utils import CursorWrapper

from mainthing.prospects import importing, leadfiles, leadrows, services
from mainthing.prospects.models import ColumnMapping, Event, LeadSource, Prospect
from tests.factories import category

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def plan_for(
    user, path: Path, source: LeadSource | None = None, *, has_header: bool | None = None
) -> leadfiles.Plan:
    layout = leadfiles.read_layout(path, has_header=has_header)
    mapping, _ = leadfiles.suggest_mapping(user, layout)
    return leadfiles.Plan(layout, mapping, source.pk if source else None)


def run_import(
    user, path: Path, source: LeadSource | None = None, *, has_header: bool | None = None
) -> importing.Result:
    plan = plan_for(user, path, source, has_header=has_header)
    validation = importing.validate_file(user, path, plan)
    assert validation.errors == []
    return importing.apply_file(user, path, plan, now=NOW, note="Imported from leads.csv")


def snapshot(user) -> tuple:
    """Everything an import may write, to prove a failed one wrote nothing."""
    return (
        sorted(Prospect.with_staged.filter(user=user).values_list("name", "email", "phone")),
        Event.objects.filter(user=user).count(),
        LeadSource.objects.filter(user=user).count(),
    )


def prospects(user) -> list[dict]:
    return list(
        Prospect.objects.filter(user=user)
        .order_by("pk")
        .values(
            "name", "email", "email_key", "phone", "social", "time_zone", "source__key", "stage",
            "follow_up_on", "tags", "notes",
        )
    )  # fmt: skip


def add_source(user, key: str = "forum-sig", campaign: str = "Signature") -> LeadSource:
    return services.add_source(
        user, category=category(user, "Forum posts"), campaign=campaign, key=key
    )


LEADS = (
    "Name,Email,Phone,Notes\n"
    "Ann Lee,ann@example.com,(212) 555-0101,Met on the forum\n"
    "Bo Chen,bo@example.com,,\n"
)


# --- reading files -------------------------------------------------------------------------------


def test_layout_of_a_utf8_comma_file_with_a_header(tmp_path):
    layout = leadfiles.read_layout(write(tmp_path, LEADS))

    assert (layout.encoding, layout.delimiter, layout.has_header, layout.headers) == (
        "utf-8",
        ",",
        True,
        ("Name", "Email", "Phone", "Notes"),
    )
    assert layout.describe() == "UTF-8, separated by commas, the first row is the header"


def test_layout_of_a_utf8_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "Name;Email\nRenée;renee@example.com\n".encode())

    layout = leadfiles.read_layout(path)

    assert (layout.encoding, layout.delimiter, layout.headers) == (
        "utf-8-sig",
        ";",
        ("Name", "Email"),
    )


def test_a_bom_file_imports_the_first_header_without_the_mark(owner, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "Name;Email\nRenée;renee@example.com\n".encode())

    run_import(owner, path)

    assert Prospect.objects.get(user=owner).name == "Renée"


def test_a_windows_1252_file_is_read_as_such(owner, tmp_path):
    notes = "“warm” lead \u2013 café"  # curly quotes and an en dash: Windows-1252 bytes
    path = write(
        tmp_path, f"Name\tEmail\tNotes\nJosé Núñez\tjose@example.com\t{notes}\n", encoding="cp1252"
    )

    layout = leadfiles.read_layout(path)
    run_import(owner, path)

    assert (layout.encoding, layout.delimiter) == ("cp1252", "\t")
    prospect = Prospect.objects.get(user=owner)
    assert (prospect.name, prospect.notes) == ("José Núñez", notes)


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ('Name,Email,Notes\nAnn,ann@example.com,"likes tea; coffee"\n', ","),
        ("Name;Email;Notes\nAnn;ann@example.com;1,5 calls a week\n", ";"),
        ("Name\tEmail\tNotes\nAnn\tann@example.com\ta, b; c\n", "\t"),
    ],
)
def test_the_delimiter_is_found_from_the_first_lines(tmp_path, text, delimiter):
    layout = leadfiles.read_layout(write(tmp_path, text))

    assert (layout.delimiter, layout.headers) == (delimiter, ("Name", "Email", "Notes"))


def test_a_first_row_of_data_means_no_header(tmp_path):
    path = write(tmp_path, "Ann Lee,ann@example.com,+1 212 555 0101\nBo,bo@example.com,\n")

    layout = leadfiles.read_layout(path)

    assert (layout.has_header, layout.headers) == (False, ("Column 1", "Column 2", "Column 3"))
    assert leadfiles.guess_mapping(layout) == {0: "name", 1: "email", 2: "phone"}


def test_blank_lines_before_the_header_still_count_as_rows(owner, tmp_path):
    path = write(tmp_path, "\n\nName,Email\nAnn,nope\n")

    validation = importing.validate_file(owner, path, plan_for(owner, path))

    assert validation.errors == [{"row": 4, "message": "“nope” is not an email address."}]


def test_a_file_without_a_header_imports_its_first_row(owner, tmp_path):
    path = write(tmp_path, "Ann Lee,ann@example.com\nBo Chen,bo@example.com\n")

    result = run_import(owner, path)

    assert result.created == 2
    assert [p["name"] for p in prospects(owner)] == ["Ann Lee", "Bo Chen"]


NAMES = "Ann Lee\nBo Chen\nCy Diaz\n"  # a names-only list: nothing in it looks like data


def test_layout_of_a_names_only_file_takes_the_first_name_for_a_header(tmp_path):
    layout = leadfiles.read_layout(write(tmp_path, NAMES))

    assert (layout.has_header, layout.headers, layout.sample, layout.detected_header) == (
        True,
        ("Ann Lee",),
        (("Bo Chen",), ("Cy Diaz",)),
        True,
    )
    assert leadfiles.guess_mapping(layout) == {}


def test_layout_without_a_header_when_told_so_reads_the_first_row_as_data(tmp_path):
    layout = leadfiles.read_layout(write(tmp_path, NAMES), has_header=False)

    assert (layout.has_header, layout.headers, layout.sample, layout.detected_header) == (
        False,
        ("Column 1",),
        (("Ann Lee",), ("Bo Chen",), ("Cy Diaz",)),
        True,
    )
    assert layout.describe() == "UTF-8, separated by commas, no header row (as you said)"
    assert leadfiles.guess_mapping(layout) == {0: "name"}


def test_a_names_only_file_without_a_header_imports_every_name(owner, tmp_path):
    result = run_import(owner, write(tmp_path, NAMES), has_header=False)

    assert (result.created, result.existing, result.duplicates) == (3, 0, 0)
    assert [p["name"] for p in prospects(owner)] == ["Ann Lee", "Bo Chen", "Cy Diaz"]


def test_a_file_read_without_a_header_imported_again_adds_nothing(owner, tmp_path):
    path = write(tmp_path, NAMES)
    run_import(owner, path, has_header=False)
    before = snapshot(owner)

    result = run_import(owner, path, has_header=False)

    assert (result.created, result.existing, snapshot(owner)) == (0, 3, before)


def test_layout_with_a_header_when_told_so_takes_a_row_of_data_for_column_names(tmp_path):
    path = write(tmp_path, "Ann Lee,ann@example.com\nBo Chen,bo@example.com\n")

    detected = leadfiles.read_layout(path)
    told = leadfiles.read_layout(path, has_header=True)

    assert (detected.has_header, detected.headers, detected.describe()) == (
        False,
        ("Column 1", "Column 2"),
        "UTF-8, separated by commas, no header row",
    )
    assert (told.has_header, told.headers, told.sample, told.detected_header) == (
        True,
        ("Ann Lee", "ann@example.com"),
        (("Bo Chen", "bo@example.com"),),
        False,
    )
    assert (
        told.describe() == "UTF-8, separated by commas, the first row is the header (as you said)"
    )


@pytest.mark.parametrize(
    ("has_header", "errors"),
    [
        # "ann@example" is no address, so the first row passes for a header.
        (None, [{"row": 3, "message": "“cy@example” is not an email address."}]),
        (
            False,
            [
                {"row": 1, "message": "“ann@example” is not an email address."},
                {"row": 3, "message": "“cy@example” is not an email address."},
            ],
        ),
        (True, [{"row": 3, "message": "“cy@example” is not an email address."}]),
    ],
    ids=["detected", "no-header", "header"],
)
def test_row_numbers_in_errors_follow_the_header_choice(owner, tmp_path, has_header, errors):
    path = write(tmp_path, "Ann Lee,ann@example\nBo Chen,bo@example.com\nCy Diaz,cy@example\n")
    layout = leadfiles.read_layout(path, has_header=has_header)
    plan = leadfiles.Plan(layout, {0: "name", 1: "email"})

    validation = importing.validate_file(owner, path, plan)

    assert (validation.rows, validation.errors) == (3 if has_header is False else 2, errors)


def test_a_mapping_remembered_for_column_names_is_not_offered_when_the_first_row_is_data(
    owner, tmp_path
):
    source = add_source(owner)
    path = write(tmp_path, "Who,Reach me\nAnn,ann@example.com\n")
    headed = leadfiles.read_layout(path)
    leadfiles.remember_mapping(owner, headed, {0: "name", 1: "notes"}, source)

    data = leadfiles.read_layout(path, has_header=False)
    leadfiles.remember_mapping(owner, data, {0: "name"}, None)

    assert leadfiles.suggest_mapping(owner, data) == ({0: "name", 1: "email"}, None)
    assert leadfiles.suggest_mapping(owner, headed) == ({0: "name", 1: "notes"}, source)
    assert list(ColumnMapping.objects.filter(user=owner).values_list("mapping", flat=True)) == [
        {"columns": {"0": "name", "1": "notes"}, "source": "forum-sig"}
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf  \r\n\r\n", "The file is empty."),
        (
            "Name,Email\n".encode("utf-16"),
            "The file is UTF-16 text; save it as CSV UTF-8 and import it again.",
        ),
        (
            b"PK\x03\x04" + b"\x14" * 200,
            "This is a zip archive or an Excel workbook, not a CSV file; in your spreadsheet "
            "choose File → Save as → CSV UTF-8, then import that.",
        ),
        (
            b"Name,Email\nAnn \x81\x8d\x90,ann@example.com\n",
            "The file is not UTF-8 or Windows-1252 text (byte 16 can't be read in either); save "
            "it as CSV UTF-8 and import it again.",
        ),
        (
            b"name|email|phone\nAnn|ann@example.com|\n",
            "The file has one column only (its first line is “name|email|phone”): Mainthing "
            "reads columns separated by commas, semicolons or tabs. Save the file as CSV from "
            "your spreadsheet and import it again.",
        ),
    ],
    ids=["empty", "blank", "utf16", "workbook", "neither-encoding", "pipes"],
)
def test_files_that_cant_be_read_say_why(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)

    with pytest.raises(importing.FileProblem) as raised:
        leadfiles.read_layout(path)

    assert str(raised.value) == message


def test_a_first_row_longer_than_the_sample_is_refused(tmp_path):
    path = write(tmp_path, '"Name,' + "x" * 70_000 + "\nAnn\n")

    with pytest.raises(importing.FileProblem) as raised:
        leadfiles.read_layout(path)

    assert str(raised.value) == (
        "The first row is longer than 64 KB: is a quote left open, or is this not a CSV file?"
    )


def test_a_list_of_addresses_alone_imports_with_the_address_as_name(owner, tmp_path):
    path = write(tmp_path, "Email\nann@example.com\nbo@example.com\n")

    result = run_import(owner, path)

    assert result.created == 2
    assert [(p["name"], p["email"]) for p in prospects(owner)] == [
        ("ann@example.com", "ann@example.com"),
        ("bo@example.com", "bo@example.com"),
    ]


def test_ten_megabytes_of_random_junk_is_not_a_text_file(tmp_path):
    path = tmp_path / "junk.csv"
    path.write_bytes(os.urandom(10 * 1024 * 1024))

    with pytest.raises(importing.FileProblem) as raised:
        leadfiles.read_layout(path)

    assert str(raised.value) == (
        "This is not a text file (it holds binary data); export a CSV file."
    )


def test_a_nul_byte_far_into_the_file_is_found(tmp_path):
    path = tmp_path / "late-nul.csv"
    path.write_bytes(b"Name,Email\n" + b"Ann,ann@example.com\n" * 1000 + b"B\x00b,b@example.com\n")

    with pytest.raises(importing.FileProblem) as raised:
        leadfiles.read_layout(path)

    assert str(raised.value) == (
        "This is not a text file (byte 20013 is a NUL); export a CSV file."
    )


# --- the mapping ---------------------------------------------------------------------------------


def test_the_mapping_is_guessed_from_header_names(tmp_path):
    headers = (
        "Full Name,E-mail Address,Mobile,Instagram,Time zone,Lead source,Status,"
        "Follow-up date,Labels,Comments,Favourite colour,Remarks"
    )
    layout = leadfiles.read_layout(write(tmp_path, headers + "\n" + "," * 11 + "\n"))

    assert leadfiles.guess_mapping(layout) == {
        0: "name",
        1: "email",
        2: "phone",
        3: "social",
        4: "time_zone",
        5: "source",
        6: "stage",
        7: "follow_up_on",
        8: "tags",
        9: "notes",
        11: "notes",
    }


def test_the_mapping_of_an_address_book_export(tmp_path):
    headers = (
        "Given Name,Family Name,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value"
    )
    layout = leadfiles.read_layout(write(tmp_path, headers + "\n,,,,,\n"))

    assert leadfiles.guess_mapping(layout) == {
        0: "first_name",
        1: "last_name",
        3: "email",
        5: "phone",
    }


def test_a_chosen_mapping_is_remembered_for_the_same_headers(owner, tmp_path):
    source = add_source(owner)
    first = leadfiles.read_layout(write(tmp_path, "Who,Reach me,Extra\nAnn,ann@example.com,x\n"))
    leadfiles.remember_mapping(owner, first, {0: "name", 1: "email", 2: "notes"}, source)
    # Same headers, other spelling: the same set for the key.
    second = leadfiles.read_layout(
        write(tmp_path, "WHO;reach-me;extra\nBo;bo@example.com;y\n", name="second.csv")
    )

    assert leadfiles.suggest_mapping(owner, second) == ({0: "name", 1: "email", 2: "notes"}, source)
    assert ColumnMapping.objects.filter(user=owner).count() == 1


def test_a_remembered_mapping_is_only_for_its_own_headers_and_user(owner, other_user, tmp_path):
    first = leadfiles.read_layout(write(tmp_path, "Name,Reach me\nAnn,ann@example.com\n"))
    leadfiles.remember_mapping(owner, first, {0: "name", 1: "notes"}, None)
    other = leadfiles.read_layout(
        write(tmp_path, "Name,Reach me,More\nAnn,a@b.co,\n", name="o.csv")
    )

    assert leadfiles.suggest_mapping(owner, other) == ({0: "name"}, None)
    assert leadfiles.suggest_mapping(other_user, first) == ({0: "name"}, None)


def test_check_mapping_names_every_problem():
    assert leadfiles.check_mapping({0: "email", 1: "email", 2: "colour", 9: "notes"}, 3) == [
        "Unknown field colour; use one of name, first_name, last_name, email, phone, social, "
        "time_zone, source, stage, follow_up_on, tags, notes.",
        "The file has no column 10.",
        "Email can come from one column only (tags and notes can come from several).",
    ]
    assert leadfiles.check_mapping({0: "notes"}, 1) == [
        "Choose the column with the name, the email, the phone or the social handle: a "
        "prospect needs one of them."
    ]


def test_map_option_overrides_columns_by_header(tmp_path):
    layout = leadfiles.read_layout(write(tmp_path, "Who,Reach me,Cell,Misc\n,,,\n"))
    base = leadfiles.guess_mapping(layout)

    mapping = leadfiles.parse_map_option(
        "who=name, Reach Me=Email,Cell=mobile,cell=-", layout, base
    )

    assert (base, mapping) == ({2: "phone"}, {0: "name", 1: "email"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Nope=name", "The file has no column “Nope”. Its columns: “Who”, “Reach me”."),
        ("Who=colour", "“colour” is not a field. Fields: name, first_name, last_name, email, "
         "phone, social, time_zone, source, stage, follow_up_on, tags, notes (or - to ignore "
         "the column)."),
        ("Who", "Write --map parts as Header=field; “Who” has no “=”."),
    ],
)  # fmt: skip
def test_map_option_says_what_is_wrong(tmp_path, text, message):
    layout = leadfiles.read_layout(write(tmp_path, "Who,Reach me\n,\n"))

    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        leadfiles.parse_map_option(text, layout, {})

    assert str(raised.value) == message


# --- preview -------------------------------------------------------------------------------------


def test_preview_shows_the_first_rows_as_they_would_be_imported(owner, tmp_path):
    add_source(owner)
    rows = "".join(f"Lead {n},lead{n}@example.com,,,\n" for n in range(3, 9))
    path = write(
        tmp_path,
        "Name,Email,Phone,Source,Stage\n"
        "Ann Lee,ANN@example.com,212 555 0101,forum-sig,follow up\n"
        "Bo,not-an-email,,,\n" + rows,
    )

    preview = leadrows.preview(owner, path, plan_for(owner, path))

    assert preview.columns == ["Name", "Email", "Phone", "Lead source", "Stage"]
    assert [(r.number, r.cells, r.problem) for r in preview.rows] == [
        (2, ["Ann Lee", "ANN@example.com", "(212) 555-0101", "Forum posts / Signature",
             "Follow-up"], ""),
        (3, ["Bo", "not-an-email", "", "", ""], "“not-an-email” is not an email address."),
        (4, ["Lead 3", "lead3@example.com", "", "Unknown", "New"], ""),
        (5, ["Lead 4", "lead4@example.com", "", "Unknown", "New"], ""),
        (6, ["Lead 5", "lead5@example.com", "", "Unknown", "New"], ""),
    ]  # fmt: skip


# --- validation ----------------------------------------------------------------------------------


def test_validation_reports_every_bad_row_with_its_spreadsheet_number(owner, tmp_path):
    add_source(owner)
    path = write(
        tmp_path,
        "Name,Email,Phone,Source,Stage,Follow-up,Time zone\n"
        "Ann,ann@example,,,,,\n"  # row 2
        "Bo,,12,,,,\n"
        '"Cy\nwith a line break",,,nowhere,,,\n'  # row 4: a quoted line break, still one row
        "Di,,,,Maybe,,\n"
        "Ed,,,,,03/04/2026,\n"
        "Flo,,,,,next week,\n"
        "Gus,,,,,,Mars/Olympus\n"
        "Hal,too,many,columns,,,,,x\n"
        ",,,,,,\n"  # blank: skipped
        ",,,,new,,\n"  # row 11
        "Ivy,ivy@example.com,+44 20 7946 0018,forum-sig,Booked,2026-04-01,Europe/London\n",
    )
    before = snapshot(owner)

    validation = importing.validate_file(owner, path, plan_for(owner, path))

    assert validation.as_dict() == {
        "ok": False,
        "rows": 10,
        "error_count": 9,
        "errors": [
            {"row": 2, "message": "“ann@example” is not an email address."},
            {"row": 3, "message": "“12” is not a possible phone number for US."},
            {
                "row": 4,
                "message": "The source “nowhere” is not one of yours. Write a source's key or "
                "its “Category / campaign” name (your keys: forum-sig), add the source under "
                "Lead sources first, or leave the cell empty to use the default source.",
            },
            {
                "row": 5,
                "message": "The stage “Maybe” is not one of New, Contacted, Booked, Presented, "
                "Follow-up, Joined, Declined, Affiliate offered, Affiliate joined.",
            },
            {
                "row": 6,
                "message": "The follow-up date “03/04/2026” is ambiguous (day/month or "
                "month/day?); write it as YYYY-MM-DD, e.g. 2026-03-01.",
            },
            {"row": 7, "message": "The follow-up date “next week” is not a date like 2026-03-01."},
            {
                "row": 8,
                "message": "Unknown time zone 'Mars/Olympus'; use an IANA name like Europe/London.",
            },
            {
                "row": 9,
                "message": "The row has 9 columns; the file has 7. Check it is separated by "
                "commas like the rest, and that a value holding one is in quotes.",
            },
            {"row": 11, "message": "The row has no name, email, phone or social handle."},
        ],
        "new": 0,
        "existing": 0,
        "duplicates_in_file": 0,
    }
    assert snapshot(owner) == before


def test_validation_lists_the_first_errors_and_counts_them_all(owner, tmp_path):
    path = write(tmp_path, "Name,Email\n" + "Ann,nope\n" * 250)

    validation = importing.validate_file(owner, path, plan_for(owner, path))

    assert (validation.error_count, len(validation.errors), validation.errors[-1]) == (
        250,
        200,
        {"row": 201, "message": "“nope” is not an email address."},
    )


def test_a_header_without_rows_is_an_error(owner, tmp_path):
    path = write(tmp_path, "Name,Email\n\n")

    validation = importing.validate_file(owner, path, plan_for(owner, path))

    assert validation.errors == [{"row": None, "message": "The file has a header but no rows."}]


def test_validation_counts_new_known_and_repeated_rows(owner, tmp_path):
    services.add_prospect(
        owner, services.clean_contact(owner, name="Ann", email="ann@example.com"), now=NOW
    )
    path = write(
        tmp_path,
        "Name,Email,Phone\n"
        "Ann Lee,ANN@Example.com,\n"  # known by email
        "Bo,bo@example.com,212-555-0102\n"
        "Bo again,,+1 (212) 555 0102\n"  # repeats Bo's phone
        "Cy,cy@example.com,\n",
    )

    validation = importing.validate_file(owner, path, plan_for(owner, path))

    assert (validation.ok, validation.new, validation.existing, validation.duplicates) == (
        True,
        2,
        1,
        1,
    )


# --- applying ------------------------------------------------------------------------------------


def test_apply_creates_prospects_with_their_history(owner, tmp_path):
    source = add_source(owner)
    add_source(owner, key="yt", campaign="Overview video")
    path = write(
        tmp_path,
        "First name,Last name,Email,Mobile,Handle,TZ,Lead source,Stage,Follow-up,Tags,Notes,"
        "Notes 2\n"
        "Ann,Lee,Ann@Example.com,(212) 555-0101,@annlee,America/Chicago,yt,Contacted,"
        '2026-03-09,"Forum, warm",Met on the forum,Has two kids\n'
        "Bo,,bo@example.com,,,,forum posts / signature,joined,1 April 2026,,,\n"
        ",,,+44 20 7946 0018,,,,,,,,\n",
    )

    result = run_import(owner, path, source)

    assert result.as_dict() == {"ok": True, "created": 3, "existing": 0, "duplicates_in_file": 0}
    assert prospects(owner) == [
        {
            "name": "Ann Lee", "email": "Ann@Example.com", "email_key": "ann@example.com",
            "phone": "+12125550101", "social": "@annlee", "time_zone": "America/Chicago",
            "source__key": "yt", "stage": "contacted", "follow_up_on": date(2026, 3, 9),
            "tags": ",forum,warm,", "notes": "Met on the forum\nHas two kids",
        },
        {
            "name": "Bo", "email": "bo@example.com", "email_key": "bo@example.com", "phone": "",
            "social": "", "time_zone": "", "source__key": "forum-sig", "stage": "joined",
            # A prospect who joined needs no follow-up.
            "follow_up_on": None, "tags": "", "notes": "",
        },
        {
            # No name: the contact stands in.
            "name": "+44 20 7946 0018", "email": "", "email_key": "", "phone": "+442079460018",
            "social": "", "time_zone": "", "source__key": "forum-sig", "stage": "new",
            "follow_up_on": None, "tags": "", "notes": "",
        },
    ]  # fmt: skip
    assert list(
        Event.objects.filter(user=owner)
        .order_by("prospect_id")
        .values_list("prospect__name", "kind", "at", "from_stage", "to_stage", "text")
    ) == [
        ("Ann Lee", "created", NOW, "", "contacted", "Imported from leads.csv"),
        ("Bo", "created", NOW, "", "joined", "Imported from leads.csv"),
        ("+44 20 7946 0018", "created", NOW, "", "new", "Imported from leads.csv"),
    ]
    assert all(
        p.created_at == p.stage_changed_at == NOW and p.import_key
        for p in Prospect.objects.filter(user=owner)
    )


def test_rows_without_a_source_go_to_unknown_made_on_first_need(owner, tmp_path):
    path = write(tmp_path, "Name,Email\nAnn,ann@example.com\n")

    run_import(owner, path)

    assert Prospect.objects.get(user=owner).source.label == "Unknown"
    assert list(LeadSource.objects.filter(user=owner).values_list("key", flat=True)) == ["unknown"]


@pytest.mark.parametrize(
    "text",
    ["2026-03-01", "2026-03-01T18:30", "2026-03-01 18:30:00", "1 March 2026", "Mar 1, 2026",
     "01-Mar-2026", "March 1 2026", "1 mar. 2026"],
)  # fmt: skip
def test_follow_up_dates_iso_or_with_the_month_spelled_out(text):
    assert leadrows.parse_follow_up(text) == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("text", "stage"),
    [("new", "new"), ("Follow-up", "follow_up"), ("FOLLOW_UP", "follow_up"),
     ("follow up", "follow_up"), ("Affiliate offered", "affiliate_offered"),
     ("affiliate_joined", "affiliate_joined"), ("", "new")],
)  # fmt: skip
def test_stages_by_value_or_label_in_any_case(owner, tmp_path, text, stage):
    path = write(tmp_path, f"Name,Stage\nAnn,{text}\n")

    run_import(owner, path)

    assert Prospect.objects.get(user=owner).stage == stage


def test_sources_by_key_label_or_campaign_in_any_case(owner, tmp_path):
    add_source(owner)
    default = add_source(owner, key="yt", campaign="Overview video")
    path = write(
        tmp_path,
        "Name,Source\nA,FORUM-SIG\nB,Forum Posts/Signature\nC,signature\nD,Unknown\nE,\n",
    )

    run_import(owner, path, default)

    assert list(
        Prospect.objects.filter(user=owner).order_by("name").values_list("name", "source__key")
    ) == [("A", "forum-sig"), ("B", "forum-sig"), ("C", "forum-sig"), ("D", "unknown"),
          ("E", "yt")]  # fmt: skip


def test_duplicates_of_existing_prospects_are_skipped(owner, tmp_path):
    ann = services.add_prospect(
        owner,
        services.clean_contact(owner, name="Ann", email="ann@example.com", phone="212 555 0101"),
        now=NOW,
    )
    path = write(
        tmp_path,
        "Name,Email,Phone\n"
        "Ann L.,  ANN@example.COM ,\n"
        "Someone,,+1 212-555-0101\n"
        "Bo,bo@example.com,\n",
    )

    result = run_import(owner, path)

    assert (result.created, result.existing, result.duplicates) == (1, 2, 0)
    assert sorted(Prospect.objects.filter(user=owner).values_list("name", flat=True)) == [
        "Ann",
        "Bo",
    ]
    assert Prospect.objects.get(pk=ann.pk).name == "Ann"


def test_repeated_rows_in_the_file_keep_the_first(owner, tmp_path):
    path = write(
        tmp_path,
        "Name,Email,Phone,Notes\n"
        "Ann,ann@example.com,,first\n"
        "Ann Again,ANN@EXAMPLE.COM,,second\n"
        "Bo,,(212) 555-0102,first\n"
        "Bo Again,,212.555.0102,second\n"
        "Cy,,,first\n"
        "cy,,,second\n",  # no email or phone: the same fingerprint (name, contacts)
    )

    result = run_import(owner, path)

    assert (result.created, result.existing, result.duplicates) == (3, 0, 3)
    assert list(
        Prospect.objects.filter(user=owner).order_by("pk").values_list("name", "notes")
    ) == [
        ("Ann", "first"),
        ("Bo", "first"),
        ("Cy", "first"),
    ]


def test_importing_the_same_file_again_adds_nothing(owner, tmp_path):
    path = write(
        tmp_path,
        "Name,Email,Phone,Handle\nAnn,ann@example.com,,\nBo,,212 555 0102,\nCy,,,@cy\nDi,,,\n",
    )
    run_import(owner, path)
    before = snapshot(owner)

    again = run_import(owner, path)

    assert (again.created, again.existing, again.duplicates) == (0, 4, 0)
    assert snapshot(owner) == before


def test_an_imported_prospect_whose_email_changed_is_still_known_by_its_fingerprint(
    owner, tmp_path
):
    path = write(tmp_path, "Name,Phone\nBo,212 555 0102\n")
    run_import(owner, path)
    Prospect.objects.filter(user=owner).update(phone="+12125550199")

    again = run_import(owner, path)

    assert (again.created, again.existing) == (0, 1)


@pytest.mark.parametrize(
    "rows",
    [
        "Ann,ann@example\n",
        "Ann,,12\n",
        "Ann,,,Maybe\n",
        "Ann,,,,2026-13-01\n",
        "Ann,,,,,nowhere\n",
        "Ann,,,,,,x\n",
        ",,,Booked,,\n",
    ],
    ids=["email", "phone", "stage", "date", "source", "columns", "nobody"],
)
def test_apply_refuses_a_bad_row_and_writes_nothing(owner, tmp_path, rows):
    """Apply checks every row again: a file that changed after its check imports nothing."""
    path = write(
        tmp_path, "Name,Email,Phone,Stage,Follow-up,Source\nZed,zed@example.com,,,,\n" + rows
    )
    plan = plan_for(owner, path)
    before = snapshot(owner)

    with pytest.raises(ValidationError) as raised:
        importing.apply_file(owner, path, plan, now=NOW)

    assert raised.value.messages[0].startswith("Row 3: ")
    assert raised.value.messages[0].endswith(" Nothing was imported.")
    assert snapshot(owner) == before


def test_apply_is_all_or_nothing_when_the_database_fails_half_way(owner, tmp_path, monkeypatch):
    """The second chunk's history rows fail to go in, after the first chunk and the second
    chunk's prospects did: none of them stays."""
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    path = write(tmp_path, "Name,Email\n" + "".join(f"P{n},p{n}@example.com\n" for n in range(7)))
    plan = plan_for(owner, path)
    before = snapshot(owner)
    events_table = f'INSERT INTO "{Event._meta.db_table}"'
    calls = []
    original = CursorWrapper.execute

    def fail_on_the_second(self, sql, params=None):
        if sql.startswith(events_table):
            calls.append(sql)
            if len(calls) == 2:
                raise IntegrityError("disk full, say")
        return original(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", fail_on_the_second)

    with pytest.raises(ValidationError) as raised:
        importing.apply_file(owner, path, plan, now=NOW)

    assert raised.value.messages == [
        "Another change to your prospects or sources got in the way of the import; nothing was "
        "imported. Check the file again and import it."
    ]
    assert (len(calls), snapshot(owner)) == (2, before)


def test_apply_is_all_or_nothing_when_a_conflicting_row_appears_half_way(
    owner, tmp_path, monkeypatch
):
    """A prospect with a later row's fingerprint appears while the import runs (another
    import, say): the unique index stops the import, and nothing of it stays; the other
    write, committed between two chunks, does."""
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    path = write(tmp_path, "Name\nAnn\nBo\nCy\nDi\n")
    plan = plan_for(owner, path)
    unknown = services.unknown_source(owner)
    before = snapshot(owner)

    def sneak_in(done: int, total: int) -> None:
        if done == 2:
            Prospect.objects.create(
                user=owner, name="Di", source=unknown, created_at=NOW, stage_changed_at=NOW,
                import_key=leadrows.import_key("Di", "", "", ""),
            )  # fmt: skip

    with pytest.raises(ValidationError):
        importing.apply_file(owner, path, plan, now=NOW, progress=sneak_in)

    assert snapshot(owner) == ([("Di", "", "")], *before[1:])


def test_apply_reports_progress_by_chunks(owner, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    path = write(tmp_path, "Name\nAnn\nBo\nCy\nDi\nEd\n")
    seen = []

    importing.apply_file(
        owner, path, plan_for(owner, path), total=5, progress=lambda d, t: seen.append((d, t))
    )

    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_kept_rows_import_the_same_as_the_file(owner, other_user, tmp_path):
    add_source(owner)
    add_source(other_user)
    text = (
        "Name,Email,Phone,Source,Stage,Follow-up,Tags,Notes\n"
        'Ann,ann@example.com,212 555 0101,forum-sig,Booked,2026-05-01,"a, b",Note\n'
        "Bo,,+44 20 7946 0018,,,,,\n"
    )
    mine, theirs = write(tmp_path, text), write(tmp_path, text, name="theirs.csv")
    keep = tmp_path / "kept"
    plan = plan_for(owner, mine)
    importing.validate_file(owner, mine, plan, keep=keep)

    importing.apply_file(owner, mine, plan, now=NOW, checked=keep)
    run_import(other_user, theirs)

    assert keep.exists()
    assert prospects(owner) == prospects(other_user)


def test_kept_rows_are_not_used_once_the_phone_region_changed(owner, tmp_path):
    path = write(tmp_path, "Name,Phone\nAnn,020 7946 0018\n")
    keep = tmp_path / "kept"
    plan = plan_for(owner, path)
    owner.phone_region = "GB"
    owner.save()
    importing.validate_file(owner, path, plan, keep=keep)
    owner.phone_region = "US"
    owner.save()

    with pytest.raises(ValidationError) as raised:
        importing.apply_file(owner, path, plan, now=NOW, checked=keep)

    assert raised.value.messages == [
        "Row 2: “020 7946 0018” is not a possible phone number for US. Nothing was imported."
    ]


def test_no_rows_are_kept_from_a_file_with_errors(owner, tmp_path):
    path = write(tmp_path, "Name,Email\nAnn,nope\n")
    keep = tmp_path / "kept"

    importing.validate_file(owner, path, plan_for(owner, path), keep=keep)

    assert not keep.exists()


def test_the_insert_fills_every_prospect_column():
    """The import writes rows with its own INSERT; a new Prospect field must be added there."""
    fields = {f.name for f in Prospect._meta.concrete_fields} - {"id"}

    assert fields == set(importing._Writer.COLUMNS) | set(importing._Writer.NULL_COLUMNS)
