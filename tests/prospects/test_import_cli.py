"""`mainthing import leads FILE`: what it prints, its exit codes, and that a refused file
changes nothing."""

import json
import os
from pathlib import Path

import pytest

from mainthing import cli
from mainthing.prospects import services
from mainthing.prospects.models import ColumnMapping, Event, LeadSource, Prospect
from tests.factories import category

LEADS = (
    "Name,Email,Mobile,Source,Favourite colour\n"
    "Ann Lee,ann@example.com,(212) 555-0101,,blue\n"
    "Bo,bo@example.com,,forum-sig,\n"
    "Ann again,ANN@example.com,,,\n"
)


def run(owner, path, *args: str) -> int:
    return cli.main(["--user", owner.email, "import", "leads", str(path), *args])


def write(tmp_path: Path, text: str, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(user) -> tuple:
    return (
        sorted(Prospect.objects.filter(user=user).values_list("name", "email", "phone")),
        Event.objects.filter(user=user).count(),
        LeadSource.objects.filter(user=user).count(),
        ColumnMapping.objects.filter(user=user).count(),
    )


@pytest.fixture
def forum(owner):
    return services.add_source(
        owner, category=category(owner, "Forum posts"), campaign="Signature", key="forum-sig"
    )


def test_import_prints_the_mapping_and_what_it_did(owner, forum, tmp_path, capsys):
    status = run(owner, write(tmp_path, LEADS))

    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert out == (
        "Reading the file: UTF-8, separated by commas, the first row is the header.\n"
        "Columns:\n"
        "  Name              → name\n"
        "  Email             → email\n"
        "  Mobile            → phone\n"
        "  Source            → source\n"
        "  Favourite colour  (ignored)\n"
        "Default source: Unknown\n"
        "Imported 2 prospects from leads.csv.\n"
        "Repeated in the file (the first one was kept): 1.\n"
    )
    assert list(
        Prospect.objects.filter(user=owner).order_by("pk").values_list("name", "source__key")
    ) == [("Ann Lee", "unknown"), ("Bo", "forum-sig")]


def test_importing_again_adds_nothing(owner, forum, tmp_path, capsys):
    path = write(tmp_path, LEADS)
    run(owner, path)
    before = snapshot(owner)
    capsys.readouterr()

    status = run(owner, path)

    assert status == 0
    assert capsys.readouterr().out.endswith(
        # The repeated row now matches a prospect the user has: it counts as known.
        "Default source: Unknown\n"
        "Nothing to import: every row of leads.csv is already in your prospects.\n"
        "Already known (same email, phone or row): 3.\n"
    )
    assert snapshot(owner) == before


def test_importing_again_as_json_says_nothing_was_created(owner, forum, tmp_path, capsys):
    path = write(tmp_path, LEADS)
    run(owner, path)
    capsys.readouterr()

    status = run(owner, path, "--json")

    out = json.loads(capsys.readouterr().out)
    assert (status, out["ok"], out["new"], out["existing"], out["created"]) == (0, True, 0, 3, 0)


def test_source_and_map_options(owner, forum, tmp_path, capsys):
    status = run(
        owner,
        write(tmp_path, LEADS),
        "--source",
        "Forum posts / Signature",
        "--map",
        "Favourite colour=notes,Mobile=-",
        "--json",
    )

    output = json.loads(capsys.readouterr().out)
    assert (status, output) == (
        0,
        {
            "ok": True,
            "created": 2,
            "existing": 0,
            "duplicates_in_file": 1,
            "rows": 3,
            "file": "leads.csv",
            "encoding": "utf-8",
            "delimiter": ",",
            "header": True,
            "columns": [
                {"column": 1, "header": "Name", "field": "name"},
                {"column": 2, "header": "Email", "field": "email"},
                {"column": 3, "header": "Mobile", "field": ""},
                {"column": 4, "header": "Source", "field": "source"},
                {"column": 5, "header": "Favourite colour", "field": "notes"},
            ],
            "source": "forum-sig",
        },
    )
    assert list(
        Prospect.objects.filter(user=owner)
        .order_by("pk")
        .values_list("name", "phone", "source__key", "notes")
    ) == [("Ann Lee", "", "forum-sig", "blue"), ("Bo", "", "forum-sig", "")]


def test_the_mapping_used_is_remembered_for_the_next_file(owner, forum, tmp_path, capsys):
    run(owner, write(tmp_path, LEADS), "--map", "Favourite colour=tags", "--source", "forum-sig")
    capsys.readouterr()

    run(owner, write(tmp_path, LEADS.replace("Ann", "Cy"), name="next.csv"))

    out = capsys.readouterr().out
    assert "  Favourite colour  → tags\n" in out
    assert "Default source: Forum posts / Signature\n" in out


NAMES = "Ann Lee\nBo Chen\nCy Diaz\n"  # a names-only list without a header line


def test_import_of_a_names_only_file_takes_the_first_name_for_a_header(owner, tmp_path, capsys):
    before = snapshot(owner)

    status = run(owner, write(tmp_path, NAMES))

    out, err = capsys.readouterr()
    assert (status, snapshot(owner)) == (1, before)
    assert out == (
        "Reading the file: UTF-8, separated by commas, the first row is the header.\n"
        "Columns:\n"
        "  Ann Lee  (ignored)\n"
        "Default source: Unknown\n"
    )
    assert err == (
        "mainthing: Choose the column with the name, the email, the phone or the social handle: "
        'a prospect needs one of them. Say which with --map, e.g. --map "Full name=name,'
        'Mobile=phone".\n'
    )


def test_import_no_header_imports_every_name(owner, tmp_path, capsys):
    status = run(owner, write(tmp_path, NAMES), "--no-header")

    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert out == (
        "Reading the file: UTF-8, separated by commas, no header row (as you said).\n"
        "Columns:\n"
        "  Column 1  → name\n"
        "Default source: Unknown\n"
        "Imported 3 prospects from leads.csv.\n"
    )
    assert list(Prospect.objects.filter(user=owner).order_by("pk").values_list("name")) == [
        ("Ann Lee",),
        ("Bo Chen",),
        ("Cy Diaz",),
    ]
    assert ColumnMapping.objects.filter(user=owner).count() == 0


def test_import_of_a_file_starting_with_data_finds_no_header(owner, tmp_path, capsys):
    status = run(owner, write(tmp_path, "Ann Lee,ann@example.com\nBo Chen,bo@example.com\n"))

    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert out == (
        "Reading the file: UTF-8, separated by commas, no header row.\n"
        "Columns:\n"
        "  Column 1  → name\n"
        "  Column 2  → email\n"
        "Default source: Unknown\n"
        "Imported 2 prospects from leads.csv.\n"
    )


def test_import_header_takes_a_first_row_of_data_for_column_names(owner, tmp_path, capsys):
    path = write(tmp_path, "Ann Lee,ann@example.com\nBo Chen,bo@example.com\n")

    status = run(owner, path, "--header", "--map", "Ann Lee=name,ann@example.com=email", "--json")

    assert (status, json.loads(capsys.readouterr().out)) == (
        0,
        {
            "ok": True,
            "created": 1,
            "existing": 0,
            "duplicates_in_file": 0,
            "rows": 1,
            "file": "leads.csv",
            "encoding": "utf-8",
            "delimiter": ",",
            "header": True,
            "columns": [
                {"column": 1, "header": "Ann Lee", "field": "name"},
                {"column": 2, "header": "ann@example.com", "field": "email"},
            ],
            "source": "unknown",
        },
    )
    assert list(Prospect.objects.filter(user=owner).values_list("name", "email")) == [
        ("Bo Chen", "bo@example.com")
    ]


@pytest.mark.parametrize(
    ("args", "text", "error"),
    [
        (
            ["--no-header"],
            "Ann Lee,ann@example\nBo Chen,bo@example.com\n",
            "  row 1: “ann@example” is not an email address.\n",
        ),
        (
            ["--header", "--map", "Ann Lee=name,ann@example.com=email"],
            "Ann Lee,ann@example.com\nBo Chen,bo@example\n",
            "  row 2: “bo@example” is not an email address.\n",
        ),
    ],
    ids=["no-header", "header"],
)
def test_row_numbers_in_errors_follow_the_header_option(owner, tmp_path, capsys, args, text, error):
    before = snapshot(owner)

    status = run(owner, write(tmp_path, text), *args)

    assert (status, snapshot(owner)) == (1, before)
    assert capsys.readouterr().err == (
        "mainthing: leads.csv has 1 error; nothing was imported.\n" + error
    )


def test_header_and_no_header_together_are_refused(owner, tmp_path, capsys):
    with pytest.raises(SystemExit) as stopped:
        run(owner, write(tmp_path, NAMES), "--header", "--no-header")

    assert stopped.value.code == 2
    assert capsys.readouterr().err.endswith(
        "error: argument --no-header: not allowed with argument --header\n"
    )
    assert Prospect.objects.filter(user=owner).count() == 0


def test_bad_rows_are_listed_and_nothing_is_imported(owner, forum, tmp_path, capsys):
    path = write(tmp_path, "Name,Email,Stage\nAnn,ann@example,\nBo,bo@example.com,Maybe\nCy,,\n")
    before = snapshot(owner)

    status = run(owner, path)

    err = capsys.readouterr().err
    assert (status, snapshot(owner)) == (1, before)
    assert err == (
        "mainthing: leads.csv has 2 errors; nothing was imported.\n"
        "  row 2: “ann@example” is not an email address.\n"
        "  row 3: The stage “Maybe” is not one of New, Contacted, Booked, Presented, Follow-up, "
        "Joined, Declined, Affiliate offered, Affiliate joined.\n"
    )


def test_bad_rows_as_json(owner, tmp_path, capsys):
    status = run(owner, write(tmp_path, "Name,Phone\nAnn,12\n"), "--json")

    output = json.loads(capsys.readouterr().out)
    assert (status, output["ok"], output["error_count"], output["errors"]) == (
        1,
        False,
        1,
        [{"row": 2, "message": "“12” is not a possible phone number for US."}],
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "leads.csv: The file is empty. Nothing was imported."),
        (
            b"Name,Email\n\xc3\x28 \x81,a@example.com\n",
            "leads.csv: The file is not UTF-8 or Windows-1252 text (byte 15 can't be read in "
            "either); save it as CSV UTF-8 and import it again. Nothing was imported.",
        ),
        (
            b"Name|Email\nAnn|ann@example.com\n",
            "leads.csv: The file has one column only (its first line is “Name|Email”): "
            "Mainthing reads columns separated by commas, semicolons or tabs. Save the file as "
            "CSV from your spreadsheet and import it again. Nothing was imported.",
        ),
        (
            "Name,Email\n".encode("utf-16"),
            "leads.csv: The file is UTF-16 text; save it as CSV UTF-8 and import it again. "
            "Nothing was imported.",
        ),
        (b"Name,Email\n", "leads.csv has 1 error; nothing was imported.\n  file: The file has a "
         "header but no rows."),
        (b"Name,Email\nAnn;ann@example.com\n", "leads.csv has 1 error; nothing was imported.\n"
         "  row 2: The row has 1 column; the file has 2. Check it is separated by commas like "
         "the rest, and that a value holding one is in quotes."),
        (b"Favourite colour,Shoe size\nblue,9\n", "No column gives"),
    ],
    ids=["empty", "encoding", "wrong-delimiter", "utf16", "header-only", "mixed-delimiters",
         "no-identity"],
)  # fmt: skip
def test_files_that_cant_be_imported_change_nothing(owner, tmp_path, capsys, content, message):
    path = tmp_path / "leads.csv"
    path.write_bytes(content)
    before = snapshot(owner)

    status = run(owner, path)

    err = capsys.readouterr().err
    assert (status, snapshot(owner)) == (1, before)
    if message == "No column gives":
        assert err == (
            "mainthing: Choose the column with the name, the email, the phone or the social "
            'handle: a prospect needs one of them. Say which with --map, e.g. --map "Full '
            'name=name,Mobile=phone".\n'
        )
    else:
        assert err == f"mainthing: {message}\n"


def test_ten_megabytes_of_junk_change_nothing(owner, tmp_path, capsys):
    path = tmp_path / "leads.csv"
    path.write_bytes(os.urandom(10 * 1024 * 1024))
    before = snapshot(owner)

    status = run(owner, path, "--json")

    assert (status, snapshot(owner)) == (1, before)
    assert json.loads(capsys.readouterr().out) == {
        "ok": False,
        "error_count": 1,
        "errors": [
            {
                "row": None,
                "message": "leads.csv: This is not a text file (it holds binary data); export a "
                "CSV file. Nothing was imported.",
            }
        ],
    }


def test_a_missing_file(owner, tmp_path, capsys):
    status = run(owner, tmp_path / "nope.csv")

    assert (status, capsys.readouterr().err) == (1, f"mainthing: No file at {tmp_path}/nope.csv.\n")


def test_an_unknown_source_names_the_users_keys(owner, forum, tmp_path, capsys):
    status = run(owner, write(tmp_path, LEADS), "--source", "fb")

    assert (status, capsys.readouterr().err) == (
        1,
        "mainthing: No lead source “fb”. Your source keys: forum-sig.\n",
    )


@pytest.mark.parametrize(
    "args",
    [["--tier", "leadgen"], ["--format", "toggl"], ["--mapping", "tiers.csv"]],
)
def test_activity_options_are_refused_for_leads(owner, tmp_path, capsys, args):
    status = run(owner, write(tmp_path, LEADS), *args)

    assert (status, capsys.readouterr().err) == (
        2,
        "mainthing: Leads come from CSV files; --format, --tier and --mapping are for "
        "activities. For leads use --source KEY and --map 'Header=field,...'.\n",
    )


@pytest.mark.parametrize(
    "args", [["--map", "x=y"], ["--source", "forum-sig"], ["--header"], ["--no-header"]]
)
def test_lead_options_are_refused_for_activities(owner, tmp_path, capsys, args):
    status = cli.main(
        ["--user", owner.email, "import", "activities", str(tmp_path / "a.csv"), *args]
    )

    assert (status, capsys.readouterr().err) == (
        2,
        "mainthing: --source, --map, --header and --no-header are for leads.\n",
    )
