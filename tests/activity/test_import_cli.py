"""`mainthing import activities FILE`: exit codes and what it prints."""

import json
from pathlib import Path

from mainthing import cli
from mainthing.activity.models import Activity
from tests.factories import category

SAMPLES = Path(__file__).parent / "samples"


def run(owner, *args: str) -> int:
    return cli.main(["--user", owner.email, "import", "activities", *map(str, args)])


def test_import_with_a_tier_for_new_categories(owner, capsys):
    status = run(owner, SAMPLES / "watson-frames.json", "--format", "watson", "--tier", "leadgen")

    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert out == "Imported 4 entries from watson-frames.json.\nNew category: webinars (leadgen).\n"
    assert category(owner, "webinars").tier == "leadgen"


def test_the_files_own_tier_column_needs_no_flag(owner, capsys):
    status = run(owner, SAMPLES / "mainthing.csv")

    assert status == 0
    assert capsys.readouterr().out == (
        "Imported 6 entries from mainthing.csv.\nNew category: Webinars (leadgen).\n"
    )


def test_reimporting_the_same_file_adds_nothing(owner, capsys):
    run(owner, SAMPLES / "mainthing.csv")
    capsys.readouterr()

    status = run(owner, SAMPLES / "mainthing.csv")

    assert status == 0
    assert capsys.readouterr().out == (
        "Nothing to import: every entry of mainthing.csv is already in your log.\n"
    )
    assert Activity.objects.filter(user=owner).count() == 6


def test_reimporting_as_json_says_nothing_was_created(owner, capsys):
    run(owner, SAMPLES / "mainthing.csv")
    capsys.readouterr()

    status = run(owner, SAMPLES / "mainthing.csv", "--json")

    assert (status, json.loads(capsys.readouterr().out)) == (
        0,
        {"ok": True, "created": 0, "skipped": 6, "new_categories": [], "rows": 6},
    )


def test_new_categories_without_a_tier_stop_with_what_to_pass(owner, capsys):
    status = run(owner, SAMPLES / "toggl-detailed.csv", "--format", "toggl")

    out, err = capsys.readouterr()
    assert (status, out) == (1, "")
    assert err == (
        "mainthing: The file names categories you don't have yet: '(no project)', 'Webinars'. "
        "Say which tier they go in: --tier income|leadgen|other for all of them, or --mapping "
        'FILE with lines category,tier (e.g. "Forum posts,leadgen").\n'
    )
    assert not Activity.objects.filter(user=owner).exists()


def test_a_mapping_file_gives_each_new_category_its_tier(owner, capsys, tmp_path):
    mapping = tmp_path / "tiers.csv"
    mapping.write_text("category,tier\nWebinars,leadgen\n(no project),other\n")

    status = run(owner, SAMPLES / "toggl-detailed.csv", "--format", "toggl", "--mapping", mapping)

    assert status == 0
    assert capsys.readouterr().out == (
        "Imported 5 entries from toggl-detailed.csv.\n"
        "New category: (no project) (other).\n"
        "New category: Webinars (leadgen).\n"
    )


def test_the_mapping_wins_over_tier(owner, capsys, tmp_path):
    mapping = tmp_path / "tiers.csv"
    mapping.write_text("webinars,income\n")

    run(
        owner,
        SAMPLES / "toggl-detailed.csv",
        "--format",
        "toggl",
        "--mapping",
        mapping,
        "--tier",
        "other",
    )

    assert (category(owner, "Webinars").tier, category(owner, "(no project)").tier) == (
        "income",
        "other",
    )


def test_a_bad_mapping_file_is_refused(owner, capsys, tmp_path):
    mapping = tmp_path / "tiers.csv"
    mapping.write_text("Webinars,leadgen\nDesk,busywork\n")

    status = run(owner, SAMPLES / "toggl-detailed.csv", "--format", "toggl", "--mapping", mapping)

    assert status == 1
    assert capsys.readouterr().err == (
        "mainthing: tiers.csv line 2: the tier 'busywork' is not one of income, leadgen, other.\n"
    )


def test_errors_are_printed_per_row_and_nothing_is_imported(owner, capsys):
    status = run(owner, SAMPLES / "mainthing-errors.csv", "--tier", "other")

    out, err = capsys.readouterr()
    assert (status, out) == (1, "")
    assert err.splitlines()[:3] == [
        "mainthing: mainthing-errors.csv has 8 errors; nothing was imported.",
        "  row 3: The end is not after the start.",
        "  row 4: The entry is longer than 24 hours.",
    ]
    assert len(err.splitlines()) == 9
    assert not Activity.objects.filter(user=owner).exists()


def test_a_long_error_list_says_how_many_more(owner, capsys, tmp_path):
    path = tmp_path / "bad.csv"
    bad = "2026-03-02T10:00:00+00:00,2026-03-02T09:00:00+00:00,Organizing\n"
    path.write_text("start,end,category\n" + bad * 205)

    status = run(owner, path)

    lines = capsys.readouterr().err.splitlines()
    assert status == 1
    assert (len(lines), lines[-1]) == (202, "  … and 5 more.")


def test_a_file_level_problem_is_printed(owner, capsys):
    status = run(owner, SAMPLES / "junk.bin")

    assert status == 1
    assert capsys.readouterr().err == (
        "mainthing: junk.bin has 1 error; nothing was imported.\n"
        "  file: This is not a text file (it holds binary data).\n"
    )


def test_a_missing_file_is_refused(owner, capsys, tmp_path):
    status = run(owner, tmp_path / "nope.csv")

    assert status == 1
    assert capsys.readouterr().err == f"mainthing: No file at {tmp_path / 'nope.csv'}.\n"


def test_json_output_of_an_import(owner, capsys):
    status = run(owner, SAMPLES / "mainthing.csv", "--json")

    assert status == 0
    assert json.loads(capsys.readouterr().out) == {
        "ok": True,
        "rows": 6,
        "created": 6,
        "skipped": 0,
        "new_categories": [{"name": "Webinars", "tier": "leadgen"}],
    }


def test_json_output_of_a_bad_file(owner, capsys):
    status = run(owner, SAMPLES / "empty.csv", "--json")

    assert status == 1
    assert json.loads(capsys.readouterr().out) == {
        "ok": False,
        "rows": 0,
        "error_count": 1,
        "errors": [{"row": None, "message": "The file is empty."}],
        "new_categories": [],
    }


def test_json_output_when_tiers_are_missing(owner, capsys):
    status = run(owner, SAMPLES / "watson-frames.json", "--format", "watson", "--json")

    data = json.loads(capsys.readouterr().out)
    assert status == 1
    assert (data["ok"], data["missing_tiers"]) == (False, ["webinars"])
