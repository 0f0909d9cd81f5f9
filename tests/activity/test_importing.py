"""The import services: the three formats, per-row validation, de-duplication, day totals and
all-or-nothing application."""

import hashlib
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mainthing.activity import importing, readers, services
from mainthing.activity.models import Activity, Category, DayTotal, Origin
from mainthing.cli import imports as cli_imports
from mainthing.core import jsonstream
from tests.factories import UserFactory, category

SAMPLES = Path(__file__).parent / "samples"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def sample(name: str) -> Path:
    return SAMPLES / name


def write(tmp_path: Path, text: str, name: str = "import.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(user) -> tuple:
    """Everything an import may write, to prove a failed one wrote nothing."""
    return (
        sorted(
            Activity.with_staged.filter(user=user).values_list("start", "end", "category__name")
        ),
        sorted(Category.with_staged.filter(user=user).values_list("name", "tier")),
        sorted(DayTotal.objects.filter(user=user).values_list("day", "category_id", "seconds")),
    )


def day_totals(user) -> dict[tuple[date, str], tuple[int, int]]:
    return {
        (t.day, t.category.name): (t.seconds, t.entries)
        for t in DayTotal.objects.filter(user=user).select_related("category")
    }


def apply(user, path: Path, fmt: str = "csv", **tier_map: str) -> importing.Result:
    return importing.apply_file(user, path, fmt, tier_map=tier_map, now=NOW)


# --- Mainthing CSV -------------------------------------------------------------------------------


def test_mainthing_csv_validates_clean_and_proposes_its_new_category(owner):
    validation = importing.validate_file(owner, sample("mainthing.csv"), "csv", now=NOW)

    assert validation.as_dict() == {
        "ok": True,
        "rows": 6,
        "error_count": 0,
        "errors": [],
        "new_categories": [{"name": "Webinars", "tier": "leadgen", "rows": 1}],
    }


def test_validating_writes_nothing(owner):
    before = snapshot(owner)

    importing.validate_file(owner, sample("mainthing.csv"), "csv", now=NOW)

    assert snapshot(owner) == before


def test_mainthing_csv_import_creates_entries_with_origin_import(owner):
    result = apply(owner, sample("mainthing.csv"), Webinars="leadgen")

    assert (result.created, result.skipped) == (6, 0)
    assert result.new_categories == [{"name": "Webinars", "tier": "leadgen"}]
    entry = Activity.objects.get(user=owner, category__name="Webinars")
    assert (entry.start, entry.end, entry.seconds, entry.note, entry.origin) == (
        datetime(2026, 3, 3, 23, 30, tzinfo=UTC),
        datetime(2026, 3, 4, 0, 30, tzinfo=UTC),
        3600,
        'Late webinar, "Q&A" ran over',
        Origin.IMPORT,
    )
    assert category(owner, "Webinars").tier == "leadgen"


def test_imported_rows_read_back_like_rows_the_orm_writes(owner):
    # The rows go in through one prepared INSERT, not the ORM: every column must read back.
    apply(owner, sample("mainthing.csv"), Webinars="leadgen")

    entry = Activity.objects.get(user=owner, category__name="Prospect call")
    assert (entry.prospect_name, entry.iga_override, entry.is_running) == ("", False, False)
    assert entry.created_at == entry.updated_at
    assert entry.created_at.tzinfo is not None
    assert list(
        Activity.objects.filter(
            user=owner, start__gte=datetime(2026, 3, 2, 19, 0, tzinfo=UTC), end__lte=NOW
        )
        .order_by("start")
        .values_list("category__name", flat=True)[:2]
    ) == ["Prospect call", "Forum posts"]


def test_offsets_other_than_utc_are_converted(owner):
    apply(owner, sample("mainthing.csv"), Webinars="leadgen")

    entry = Activity.objects.get(user=owner, category__name="Three-way call")
    assert (entry.start, entry.end) == (
        datetime(2026, 3, 5, 15, 0, tzinfo=UTC),
        datetime(2026, 3, 5, 16, 0, tzinfo=UTC),
    )


def test_import_key_is_sha1_of_utc_times_lowercased_category_and_note(owner):
    apply(owner, sample("mainthing.csv"), Webinars="leadgen")

    entry = Activity.objects.get(user=owner, category__name="Prospect call")
    canonical = (
        "2026-03-02 19:00:00\x1f2026-03-02 19:45:00\x1fprospect call"
        "\x1fCalled Dana, booked a presentation"
    )
    assert entry.import_key == hashlib.sha1(canonical.encode()).hexdigest()


def test_reimporting_same_file_adds_nothing(owner):
    apply(owner, sample("mainthing.csv"), Webinars="leadgen")
    before = snapshot(owner)

    result = apply(owner, sample("mainthing.csv"), Webinars="leadgen")

    assert (result.created, result.skipped, result.new_categories) == (0, 6, [])
    assert snapshot(owner) == before


def test_reimporting_a_longer_file_adds_only_the_new_rows(owner, tmp_path):
    apply(owner, sample("mainthing.csv"), Webinars="leadgen")
    longer = sample("mainthing.csv").read_text() + (
        "2026-03-06T09:00:00+00:00,2026-03-06T09:30:00+00:00,Video posts,,New one\n"
    )

    result = apply(owner, write(tmp_path, longer))

    assert (result.created, result.skipped) == (1, 6)
    assert Activity.objects.filter(user=owner).count() == 7
    assert day_totals(owner)[(date(2026, 3, 6), "Video posts")] == (1800, 1)


def test_repeated_rows_in_one_file_are_imported_once(owner, tmp_path):
    row = "2026-03-02T19:00:00+00:00,2026-03-02T19:45:00+00:00,Prospect call,,Same\n"
    path = write(tmp_path, "start,end,category,tier,note\n" + row * 3)

    result = apply(owner, path)

    assert (result.created, result.skipped) == (1, 2)
    assert day_totals(owner) == {(date(2026, 3, 2), "Prospect call"): (2700, 1)}


def test_rows_repeated_across_chunks_are_imported_once(owner, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    rows = [
        "2026-03-02T19:00:00+00:00,2026-03-02T19:45:00+00:00,Prospect call,,A",
        "2026-03-02T20:00:00+00:00,2026-03-02T20:15:00+00:00,Prospect call,,B",
        "2026-03-02T21:00:00+00:00,2026-03-02T21:10:00+00:00,Prospect call,,C",
        "2026-03-02T19:00:00+00:00,2026-03-02T19:45:00+00:00,Prospect call,,A",
        "2026-03-02T22:00:00+00:00,2026-03-02T22:05:00+00:00,Prospect call,,D",
    ]
    path = write(tmp_path, "start,end,category,tier,note\n" + "\n".join(rows) + "\n")

    result = apply(owner, path)

    assert (result.created, result.skipped) == (4, 1)
    assert sorted(Activity.objects.filter(user=owner).values_list("note", flat=True)) == [
        "A",
        "B",
        "C",
        "D",
    ]
    assert day_totals(owner) == {(date(2026, 3, 2), "Prospect call"): (2700 + 900 + 600 + 300, 4)}


def test_same_times_with_another_note_is_another_entry(owner, tmp_path):
    path = write(
        tmp_path,
        "start,end,category,tier,note\n"
        "2026-03-02T19:00:00+00:00,2026-03-02T19:45:00+00:00,Prospect call,,Sam\n"
        "2026-03-02T19:00:00+00:00,2026-03-02T19:45:00+00:00,Prospect call,,Alex\n",
    )

    assert apply(owner, path).created == 2


def test_day_totals_split_entries_across_midnight_and_dst(owner):
    apply(owner, sample("mainthing.csv"), Webinars="leadgen")

    totals = day_totals(owner)
    # 23:30-00:30 GMT: half an hour on each day, counted as one entry on the first.
    assert totals[(date(2026, 3, 3), "Webinars")] == (1800, 1)
    assert totals[(date(2026, 3, 4), "Webinars")] == (1800, 0)
    # 23:30 GMT to 03:00 BST across the spring-forward night is 2.5 real hours.
    assert totals[(date(2026, 3, 28), "Organizing")] == (1800, 1)
    assert totals[(date(2026, 3, 29), "Organizing")] == (7200, 0)
    assert Activity.objects.get(user=owner, category__name="Organizing").seconds == 9000


def test_day_totals_of_an_import_match_a_rebuild(owner):
    apply(owner, sample("mainthing.csv"), Webinars="leadgen")
    imported = day_totals(owner)

    services.rebuild_day_totals(owner)

    assert day_totals(owner) == imported


def test_day_totals_add_to_existing_ones(owner, tmp_path):
    services.add_entry(
        owner,
        category(owner, "Prospect call"),
        start=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        end=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        now=NOW,
    )

    apply(owner, sample("mainthing.csv"), Webinars="leadgen")

    assert day_totals(owner)[(date(2026, 3, 2), "Prospect call")] == (1800 + 2700, 2)


def test_utf8_with_bom_is_read(owner, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + sample("mainthing.csv").read_bytes())

    validation = importing.validate_file(owner, path, "csv", now=NOW)

    assert (validation.ok, validation.rows) == (True, 6)


def test_columns_may_come_in_any_order_and_tier_and_note_may_be_missing(owner, tmp_path):
    path = write(
        tmp_path,
        "Category,End,Start\nForum posts,2026-03-02T10:00:00+00:00,2026-03-02T09:00:00+00:00\n",
    )

    result = apply(owner, path)

    entry = Activity.objects.get(user=owner)
    assert (result.created, entry.category.name, entry.seconds, entry.note) == (
        1,
        "Forum posts",
        3600,
        "",
    )


def test_category_names_match_case_and_spacing_insensitively(owner, tmp_path):
    path = write(
        tmp_path,
        "start,end,category\n"
        "2026-03-02T09:00:00+00:00,2026-03-02T10:00:00+00:00,  forum   POSTS \n",
    )

    validation = importing.validate_file(owner, path, "csv", now=NOW)
    apply(owner, path)

    assert validation.new_categories == []
    assert Activity.objects.get(user=owner).category == category(owner, "Forum posts")


def test_long_notes_are_cut_to_500_characters(owner, tmp_path):
    path = write(
        tmp_path,
        f"start,end,category,note\n2026-03-02T09:00:00+00:00,2026-03-02T10:00:00+00:00,"
        f"Organizing,{'x' * 600}\n",
    )

    apply(owner, path)

    assert Activity.objects.get(user=owner).note == "x" * 500


# --- validation errors ---------------------------------------------------------------------------


def test_errors_are_listed_per_row(owner):
    validation = importing.validate_file(owner, sample("mainthing-errors.csv"), "csv", now=NOW)

    assert (validation.ok, validation.rows, validation.error_count) == (False, 9, 8)
    assert validation.errors == [
        {"row": 3, "message": "The end is not after the start."},
        {"row": 4, "message": "The entry is longer than 24 hours."},
        {
            "row": 5,
            "message": "The start '2026-03-02 10:00' has no UTC offset; write it like "
            "2026-03-01T09:00:00+01:00.",
        },
        {
            "row": 6,
            "message": "The start 'yesterday' is not an ISO 8601 time like "
            "2026-03-01T09:00:00+01:00.",
        },
        {"row": 7, "message": "The category is empty."},
        {"row": 8, "message": "The tier 'urgent' is not one of income, leadgen, other."},
        {
            "row": 9,
            "message": "'Prospect call' is in the income tier in your account; "
            "the row says leadgen.",
        },
        {"row": 10, "message": "The row has 3 columns; the header has 5."},
    ]


def test_entries_ending_in_the_future_are_refused(owner, tmp_path):
    path = write(
        tmp_path,
        "start,end,category\n2026-11-27T11:00:00+00:00,2026-11-27T13:00:00+00:00,Organizing\n",
    )

    validation = importing.validate_file(owner, path, "csv", now=NOW)

    assert validation.errors == [{"row": 2, "message": "The entry ends in the future."}]


def test_new_category_with_two_tiers_is_a_row_error(owner, tmp_path):
    path = write(
        tmp_path,
        "start,end,category,tier\n"
        "2026-03-02T09:00:00+00:00,2026-03-02T10:00:00+00:00,Webinars,\n"
        "2026-03-02T11:00:00+00:00,2026-03-02T12:00:00+00:00,Webinars,leadgen\n"
        "2026-03-02T13:00:00+00:00,2026-03-02T14:00:00+00:00,Webinars,income\n",
    )

    validation = importing.validate_file(owner, path, "csv", now=NOW)

    assert validation.errors == [
        {"row": 4, "message": "'Webinars' is leadgen on an earlier row; this row says income."}
    ]
    assert validation.new_categories == [{"name": "Webinars", "tier": "leadgen", "rows": 3}]


def test_error_list_is_capped_but_every_error_is_counted(owner, tmp_path):
    bad = "2026-03-02T10:00:00+00:00,2026-03-02T09:00:00+00:00,Organizing\n"
    path = write(tmp_path, "start,end,category\n" + bad * 250)

    validation = importing.validate_file(owner, path, "csv", now=NOW)

    assert (len(validation.errors), validation.error_count, validation.rows) == (200, 250, 250)
    assert validation.errors[-1] == {"row": 201, "message": "The end is not after the start."}


def test_blank_lines_are_skipped(owner, tmp_path):
    path = write(
        tmp_path,
        "start,end,category\n\n2026-03-02T09:00:00+00:00,2026-03-02T10:00:00+00:00,Organizing\n\n",
    )

    validation = importing.validate_file(owner, path, "csv", now=NOW)

    assert (validation.ok, validation.rows) == (True, 1)


@pytest.mark.parametrize(
    ("name", "fmt", "message"),
    [
        ("empty.csv", "csv", "The file is empty."),
        ("junk.bin", "csv", "This is not a text file (it holds binary data)."),
        ("junk.bin", "watson", "This is not a text file (it holds binary data)."),
        (
            "latin1.csv",
            "csv",
            "The file is not UTF-8 text (byte 85 can't be read); save it as UTF-8 "
            "(in Excel: CSV UTF-8) and import it again.",
        ),
        (
            "toggl-detailed.csv",
            "csv",
            "This is not a Mainthing CSV: its first line must be the header "
            "start,end,category,tier,note (it is 'User,Email,Client,Project,Task,Description,"
            "Billable,Start date,Start time,End da…'). It looks like a "
            "Toggl Track export: import it with the Toggl format.",
        ),
        (
            "mainthing.csv",
            "toggl",
            "This is not a Toggl Track detailed CSV export: it has no Project, Start date, "
            "Start time, End date or End time column (its first line is "
            "'start,end,category,tier,note'). It looks like a Mainthing CSV: import it with the "
            "Mainthing CSV format.",
        ),
        (
            "mainthing.csv",
            "watson",
            "This is not a Watson frames file: it must be a JSON list of frames. It looks like a "
            "Mainthing CSV: import it with the Mainthing CSV format.",
        ),
        (
            "watson-frames.json",
            "csv",
            "This is not a Mainthing CSV: its first line must be the header "
            "start,end,category,tier,note (it is '['). It looks like JSON: a Watson frames file "
            "is imported with the Watson format.",
        ),
        (
            "watson-broken.json",
            "watson",
            "The JSON is broken at frame 2: the file ends in the middle of a value.",
        ),
    ],
)
def test_unreadable_files_get_one_clear_message(owner, name, fmt, message):
    validation = importing.validate_file(owner, sample(name), fmt, now=NOW)

    assert validation.ok is False
    assert validation.errors[-1] == {"row": None, "message": message}


def test_header_without_rows_is_an_error(owner, tmp_path):
    path = write(tmp_path, "start,end,category,tier,note\n")

    validation = importing.validate_file(owner, path, "csv", now=NOW)

    assert validation.errors == [{"row": None, "message": "The file has no entries."}]


def test_text_that_stops_being_utf8_is_an_error(owner, tmp_path):
    good = "2026-03-02T09:00:00+00:00,2026-03-02T10:00:00+00:00,Organizing\n" * 2000
    path = tmp_path / "late.csv"
    path.write_bytes(b"start,end,category\n" + good.encode() + b"Caf\xe9,x,y\n")

    validation = importing.validate_file(owner, path, "csv", now=NOW)

    assert validation.errors[-1]["row"] is None
    assert validation.errors[-1]["message"].startswith("The file stops being UTF-8 text after row")


def test_missing_file_is_an_error(owner, tmp_path):
    validation = importing.validate_file(owner, tmp_path / "nope.csv", "csv", now=NOW)

    assert validation.errors == [
        {"row": None, "message": "Can't read the file: No such file or directory."}
    ]


# --- all or nothing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("mainthing-errors.csv", "csv"),
        ("empty.csv", "csv"),
        ("junk.bin", "csv"),
        ("latin1.csv", "csv"),
        ("toggl-detailed.csv", "csv"),
        ("watson-broken.json", "watson"),
    ],
)
def test_every_bad_file_leaves_the_database_unchanged(owner, name, fmt):
    before = snapshot(owner)

    with pytest.raises(ValidationError) as raised:
        apply(owner, sample(name), fmt, Webinars="leadgen")

    assert raised.value.messages[0].endswith("Nothing was imported.")
    assert snapshot(owner) == before


def test_an_error_after_some_chunks_leaves_the_database_unchanged(owner, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    good = "".join(
        f"2026-03-0{day}T09:00:00+00:00,2026-03-0{day}T10:00:00+00:00,Webinars,leadgen,\n"
        for day in range(1, 8)
    )
    path = write(tmp_path, "start,end,category,tier,note\n" + good + "junk,junk,Organizing,,\n")
    before = snapshot(owner)

    with pytest.raises(ValidationError) as raised:
        apply(owner, path, Webinars="leadgen")

    assert raised.value.messages == [
        "Row 9: The start 'junk' is not an ISO 8601 time like 2026-03-01T09:00:00+01:00. "
        "Nothing was imported."
    ]
    assert snapshot(owner) == before


def test_a_crash_while_writing_leaves_the_database_unchanged(owner, monkeypatch):
    def crash(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing._Writer, "add_day_totals", crash)
    before = snapshot(owner)

    with pytest.raises(RuntimeError):
        apply(owner, sample("mainthing.csv"), Webinars="leadgen")

    assert snapshot(owner) == before


# --- tiers of new categories ---------------------------------------------------------------------


def test_tier_map_decides_the_tier_of_new_categories(owner):
    apply(owner, sample("mainthing.csv"), webinars="income")

    assert category(owner, "Webinars").tier == "income"


def test_a_new_category_without_a_tier_is_refused(owner):
    before = snapshot(owner)

    with pytest.raises(ValidationError) as raised:
        apply(owner, sample("mainthing.csv"))

    assert raised.value.messages == ["Row 5: no tier was chosen for the new category 'Webinars'."]
    assert snapshot(owner) == before


def test_an_unknown_tier_in_the_map_is_refused(owner):
    with pytest.raises(ValidationError) as raised:
        apply(owner, sample("mainthing.csv"), Webinars="urgent")

    assert raised.value.messages == [
        "The tier 'urgent' for 'Webinars' is not one of income, leadgen, other."
    ]


def test_resolve_tiers_prefers_mapping_then_file_then_default():
    new = [
        {"name": "Webinars", "tier": "leadgen", "rows": 1},
        {"name": "Calls", "tier": None, "rows": 1},
        {"name": "Desk", "tier": None, "rows": 1},
    ]

    tier_map, missing = cli_imports.resolve_tiers(new, mapping={"webinars": "income"}, default=None)
    with_default, none_missing = cli_imports.resolve_tiers(new, mapping={}, default="other")

    assert (tier_map, missing) == ({"Webinars": "income"}, ["Calls", "Desk"])
    assert (with_default, none_missing) == (
        {"Webinars": "leadgen", "Calls": "other", "Desk": "other"},
        [],
    )


# --- Watson --------------------------------------------------------------------------------------


def test_watson_frames_become_entries_with_tags_in_the_note(owner):
    validation = importing.validate_file(owner, sample("watson-frames.json"), "watson", now=NOW)
    result = apply(owner, sample("watson-frames.json"), "watson", webinars="leadgen")

    assert validation.new_categories == [{"name": "webinars", "tier": None, "rows": 1}]
    assert (result.created, result.skipped) == (4, 0)
    rows = Activity.objects.filter(user=owner).order_by("start")
    assert [(a.category.name, a.start, a.seconds, a.note) for a in rows] == [
        ("Forum posts", datetime(2026, 3, 2, 8, 30, tzinfo=UTC), 2700, "signature, business-forum"),
        ("Prospect call", datetime(2026, 3, 2, 19, 0, tzinfo=UTC), 2400, ""),
        ("webinars", datetime(2026, 3, 3, 23, 15, tzinfo=UTC), 5400, "late"),
        ("Email inbox", datetime(2026, 3, 4, 10, 0, tzinfo=UTC), 1500, "admin"),
    ]
    assert day_totals(owner)[(date(2026, 3, 4), "webinars")] == (2700, 0)


def test_reimporting_watson_frames_adds_nothing(owner):
    apply(owner, sample("watson-frames.json"), "watson", webinars="leadgen")

    result = apply(owner, sample("watson-frames.json"), "watson", webinars="leadgen")

    assert (result.created, result.skipped) == (0, 4)


def test_watson_log_json_objects_are_read_too(owner, tmp_path):
    path = write(
        tmp_path,
        '[{"id": "ab12", "project": "Forum posts", "start": "2026-03-02T09:00:00+01:00",'
        ' "stop": "2026-03-02T09:30:00+01:00", "tags": ["signature"]}]',
        "log.json",
    )

    apply(owner, path, "watson")

    entry = Activity.objects.get(user=owner)
    assert (entry.start, entry.seconds, entry.note) == (
        datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        1800,
        "signature",
    )


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("[1772440200, 1772442900]", "A frame needs at least a start, a stop and a project."),
        ('["soon", 1772442900, "x"]', "The start 'soon' is not a Unix timestamp."),
        ('[1772442900, 1772440200, "x"]', "The end is not after the start."),
        ("[1772440200, 1772442900, 42]", "The project 42 is not text."),
        ('[1772440200, 1772442900, "x", "id", "tag"]', "The tags must be a list of words."),
        ('"frame"', "A frame must be a list [start, stop, project, id, tags, updated_at]."),
    ],
)
def test_bad_watson_frames_are_row_errors(owner, tmp_path, frame, message):
    path = write(tmp_path, f"[{frame}]", "frames.json")

    validation = importing.validate_file(owner, path, "watson", now=NOW)

    assert validation.errors == [{"row": 1, "message": message}]


def test_watson_file_read_in_small_pieces_gives_the_same_frames(owner, tmp_path, monkeypatch):
    monkeypatch.setattr(jsonstream, "READ_SIZE", 7)
    frames = ",\n".join(
        f'[{1772440200 + i * 3600}, {1772440200 + i * 3600 + 1800}, "Forum posts", "id{i}", '
        f'["t{i}"], 0]'
        for i in range(300)
    )
    path = write(tmp_path, f"[\n{frames}\n]\n", "frames.json")

    validation = importing.validate_file(owner, path, "watson", now=NOW)
    result = apply(owner, path, "watson")

    assert (validation.ok, validation.rows, result.created) == (True, 300, 300)
    assert Activity.objects.get(user=owner, note="t299").seconds == 1800


def test_empty_watson_list_has_no_entries(owner, tmp_path):
    validation = importing.validate_file(owner, write(tmp_path, "[]", "f.json"), "watson", now=NOW)

    assert validation.errors == [{"row": None, "message": "The file has no entries."}]


# --- Toggl ---------------------------------------------------------------------------------------


def test_toggl_export_reads_wall_clock_times_in_the_users_zone(owner):
    result = apply(
        owner,
        sample("toggl-detailed.csv"),
        "toggl",
        webinars="leadgen",
        **{"(no project)": "other"},
    )

    assert (result.created, result.skipped) == (5, 0)
    rows = Activity.objects.filter(user=owner).order_by("start")
    assert [(a.category.name, a.start, a.seconds, a.note) for a in rows] == [
        (
            "Prospect call",
            datetime(2026, 3, 2, 19, 0, tzinfo=UTC),
            2700,
            "Call with Sam from the forum",
        ),
        (
            "Video posts",
            datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
            5400,
            "Recorded the opportunity overview (youtube, overview)",
        ),
        ("(no project)", datetime(2026, 3, 3, 14, 0, tzinfo=UTC), 1200, "Sorting the desk"),
        ("Webinars", datetime(2026, 3, 3, 23, 30, tzinfo=UTC), 3600, "Evening webinar"),
        # 01:30 BST to 01:15 GMT on the fall-back night: the Duration column picks the reading.
        (
            "Organizing",
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            2700,
            "Filing on the fall-back night",
        ),
    ]


def test_toggl_times_follow_the_importing_users_zone(owner, other_user, tmp_path):
    path = write(
        tmp_path,
        "Project,Description,Start date,Start time,End date,End time\n"
        "Prospect call,,2026-03-02,19:00:00,2026-03-02,19:45:00\n",
    )

    apply(owner, path, "toggl")
    apply(other_user, path, "toggl")

    # Europe/London is on GMT in March; America/New_York on EST.
    assert Activity.objects.get(user=owner).start == datetime(2026, 3, 2, 19, 0, tzinfo=UTC)
    assert Activity.objects.get(user=other_user).start == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)


def test_toggl_proposes_no_tier_for_its_projects(owner):
    validation = importing.validate_file(owner, sample("toggl-detailed.csv"), "toggl", now=NOW)

    assert validation.new_categories == [
        {"name": "(no project)", "tier": None, "rows": 1},
        {"name": "Webinars", "tier": None, "rows": 1},
    ]


def test_toggl_time_skipped_by_dst_is_a_row_error(owner, tmp_path):
    path = write(
        tmp_path,
        "Project,Description,Start date,Start time,End date,End time,Duration\n"
        "Organizing,,2026-03-29,01:30:00,2026-03-29,02:30:00,00:30:00\n",
    )

    validation = importing.validate_file(owner, path, "toggl", now=NOW)

    assert validation.errors == [
        {
            "row": 2,
            "message": "The start 2026-03-29 01:30 does not exist in Europe/London: the clocks "
            "skip it for daylight saving time.",
        }
    ]


def test_toggl_stop_columns_and_bad_dates(owner, tmp_path):
    path = write(
        tmp_path,
        "Project,Description,Start date,Start time,Stop date,Stop time\n"
        "Organizing,,2026-03-02,09:00:00,2026-03-02,09:30:00\n"
        "Organizing,,02/03/2026,09:00:00,2026-03-02,09:30:00\n"
        "Organizing,,2026-03-02,9am,2026-03-02,09:30:00\n",
    )

    validation = importing.validate_file(owner, path, "toggl", now=NOW)

    assert validation.errors == [
        {"row": 3, "message": "The start date '02/03/2026' is not a date like 2026-03-01."},
        {"row": 4, "message": "The start time '9am' is not a time like 09:30:00."},
    ]


# --- progress ------------------------------------------------------------------------------------


def test_progress_is_reported_by_bytes_then_by_rows(owner, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_SIZE", 2)
    path = tmp_path / "m.csv"
    shutil.copy(sample("mainthing.csv"), path)
    checked, applied = [], []

    validation = importing.validate_file(
        owner, path, "csv", now=NOW, progress=lambda done, size: checked.append((done, size))
    )
    importing.apply_file(
        owner,
        path,
        "csv",
        tier_map={"Webinars": "leadgen"},
        total=validation.rows,
        now=NOW,
        progress=lambda done, total: applied.append((done, total)),
    )

    size = path.stat().st_size
    assert checked[-1] == (size, size)
    assert all(done <= size for done, _ in checked)
    assert applied == [(2, 6), (4, 6), (6, 6), (6, 6)]


# --- properties ----------------------------------------------------------------------------------

ZONES = ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 10, 31), timezones=st.just(UTC)
)


@given(
    start=st.datetimes(min_value=datetime(1900, 1, 1), timezones=st.just(UTC)),
    end=st.datetimes(min_value=datetime(1900, 1, 1), timezones=st.just(UTC)),
)
def test_cached_utc_texts_match_the_plain_ones(start, end):
    start_text, end_text, start_ts, end_ts = readers.UtcTexts().pair(start, end)

    assert (start_text, end_text) == (readers.utc_text(start), readers.utc_text(end))
    if start_ts is not None:
        assert (start_ts, end_ts) == (int(start.timestamp()), int(end.timestamp()))


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    zone=st.sampled_from(ZONES),
    entries=st.lists(
        st.tuples(
            instants,
            st.integers(min_value=1, max_value=24 * 3600),
            st.sampled_from(["Prospect call", "Forum posts", "Webinars"]),
            st.sampled_from(["", "a note"]),
        ),
        min_size=1,
        max_size=30,
    ),
    chunk=st.integers(min_value=1, max_value=7),
)
def test_imported_day_totals_always_match_a_rebuild(tmp_path, monkeypatch, zone, entries, chunk):
    monkeypatch.setattr(importing, "CHUNK_SIZE", chunk)
    user = UserFactory(time_zone=zone)
    lines = [
        f"{start.isoformat()},{(start + timedelta(seconds=length)).isoformat()},{name},,{note}"
        for start, length, name, note in entries
    ]
    path = write(tmp_path, "start,end,category,tier,note\n" + "\n".join(lines) + "\n")

    first = importing.apply_file(user, path, "csv", tier_map={"webinars": "leadgen"}, now=NOW)
    imported = day_totals(user)
    again = importing.apply_file(user, path, "csv", tier_map={"webinars": "leadgen"}, now=NOW)
    services.rebuild_day_totals(user)

    distinct = len({(s, n, c, note) for s, n, c, note in entries})
    assert (first.created, first.skipped) == (distinct, len(entries) - distinct)
    assert (again.created, again.skipped) == (0, len(entries))
    assert day_totals(user) == imported
