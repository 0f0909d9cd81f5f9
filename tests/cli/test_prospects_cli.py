"""`mainthing prospects|sources|income`, and `book` and `start` with prospects: exit codes,
what they print and what they write."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mainthing import cli
from mainthing.activity import services as activity_services
from mainthing.activity.models import Activity
from mainthing.bookings import services as bookings
from mainthing.bookings.models import Appointment
from mainthing.prospects import services
from mainthing.prospects.models import (
    Income,
    IncomeKind,
    LeadSource,
    Prospect,
    ProspectTime,
    Stage,
)
from tests.cli.conftest import NOW, run
from tests.factories import block, category

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def owner(owner):
    owner.phone_region = "GB"
    owner.save()
    return owner


def source(user, category_name="Forum posts", campaign="Signature", key="sig"):
    return services.add_source(
        user, category=category(user, category_name), campaign=campaign, key=key
    )


def prospect(user, name, *, at=NOW, **fields):
    contact = {k: fields.pop(k) for k in ("email", "phone", "tags") if k in fields}
    return services.add_prospect(
        user, services.clean_contact(user, name=name, **contact), now=at, **fields
    )


# --- prospects add -------------------------------------------------------------------------------


def test_prospects_add_stores_canonical_contacts_and_says_what_it_added(owner, capsys):
    source(owner)

    code, out, err = run(
        capsys, "prospects", "add", "Ann  Lee", "--email", "Ann@Example.com",
        "--phone", "020 7946 0123", "--social", "@annlee", "--source", "SIG",
        "--tz", "Europe/Paris", "--stage", "contacted", "--follow-up", "tomorrow",
        "--tags", "Warm, spouse", "--note", "Met on the forum",
    )  # fmt: skip

    ann = Prospect.objects.get()
    assert (code, out, err) == (0, f"Added #{ann.pk} Ann Lee (Forum posts / Signature).\n", "")
    assert (
        ann.name, ann.email, ann.email_key, ann.phone, ann.social, ann.time_zone, ann.stage,
        ann.follow_up_on, ann.tag_list, ann.notes, ann.source.key,
    ) == (
        "Ann Lee", "Ann@Example.com", "ann@example.com", "+442079460123", "@annlee",
        "Europe/Paris", "contacted", date(2026, 6, 11), ["warm", "spouse"],
        "Met on the forum", "sig",
    )  # fmt: skip


def test_prospects_add_json_prints_the_prospect(owner, capsys):
    code, out, _ = run(capsys, "prospects", "add", "Bob", "--phone", "+1 312 555 0142", "--json")

    bob = Prospect.objects.get()
    assert (code, json.loads(out)) == (
        0,
        {
            "id": bob.pk,
            "name": "Bob",
            "email": "",
            "phone": "+13125550142",
            "phone_display": "+1 312-555-0142",
            "social": "",
            "time_zone": "",
            "stage": "new",
            "source": {"key": "unknown", "label": "Unknown"},
            "follow_up_on": None,
            "tags": [],
            "notes": "",
            "created_at": "2026-06-10T16:00:00+01:00",
            "last_contacted_at": None,
        },
    )


def test_prospects_add_with_a_duplicate_lists_the_matches_and_writes_nothing(owner, capsys):
    ann = prospect(owner, "Ann Lee", email="ann@x.com", phone="020 7946 0123")

    code, out, err = run(capsys, "prospects", "add", "Annie", "--email", "ANN@x.com")

    assert (code, out) == (1, "")
    assert err == (
        "mainthing: You already have Ann Lee with the same email or phone.\n"
        f"#{ann.pk} Ann Lee, ann@x.com, 020 7946 0123"
        " — merge with the web card or pass --allow-duplicate\n"
    )
    assert Prospect.objects.count() == 1


def test_prospects_add_allows_a_duplicate_when_asked(owner, capsys):
    prospect(owner, "Ann Lee", email="ann@x.com")

    code, _, _ = run(
        capsys, "prospects", "add", "Annie", "--email", "ann@x.com", "--allow-duplicate"
    )

    assert code == 0
    assert sorted(Prospect.objects.values_list("name", flat=True)) == ["Ann Lee", "Annie"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--phone", "call me"], "mainthing: “call me” is not a phone number.\n"),
        (["--email", "ann@"], "mainthing: “ann@” is not an email address.\n"),
        (
            ["--tz", "Mars/Base"],
            "mainthing: Unknown time zone 'Mars/Base'; use an IANA name like Europe/London.\n",
        ),
        (
            ["--source", "nope"],
            "mainthing: No lead source with the key 'nope'. Yours: none yet "
            "(mainthing sources list).\n",
        ),
        (
            ["--follow-up", "next week"],
            "mainthing: --follow-up 'next week' is not a date; write YYYY-MM-DD, today or "
            "tomorrow.\n",
        ),
    ],
)
def test_prospects_add_with_bad_input_exits_2_and_writes_nothing(owner, capsys, argv, message):
    code, out, err = run(capsys, "prospects", "add", "Ann", *argv)

    assert (code, out, err) == (2, "", message)
    assert not Prospect.objects.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["prospects", "add"],
            "mainthing prospects add: error: the following arguments are required: name",
        ),
        (
            ["sources", "add", "Forum posts"],
            "mainthing sources add: error: the following arguments are required: campaign",
        ),
        (
            ["income", "add"],
            "mainthing income add: error: the following arguments are required: amount",
        ),
    ],
)
def test_an_action_without_what_it_needs_is_a_usage_error(owner, capsys, argv, message):
    code, out, err = run(capsys, *argv)

    assert (code, out, err.splitlines()[-1]) == (2, "", message)
    assert (Prospect.objects.count(), Income.objects.count()) == (0, 0)


def test_prospects_add_with_an_unknown_stage_is_a_usage_error(owner, capsys):
    code, out, err = run(capsys, "prospects", "add", "Ann", "--stage", "rich")

    assert (code, out) == (2, "")
    assert "argument --stage: invalid choice: 'rich'" in err
    assert not Prospect.objects.exists()


def test_the_clis_stage_and_income_kind_choices_are_the_models():
    assert (tuple(Stage.values), tuple(IncomeKind.values)) == (cli.STAGES, cli.INCOME_KINDS)


# --- prospects list ------------------------------------------------------------------------------


@pytest.fixture
def listed(owner):
    sig = source(owner)
    ann = prospect(owner, "Ann Lee", phone="020 7946 0123", source=sig, at=NOW - timedelta(days=3))
    bob = prospect(owner, "Bob Stone", email="bob@x.com", at=NOW - timedelta(days=2))
    cy = prospect(owner, "Cy Young", phone="+1 312 555 0142", at=NOW - timedelta(days=1))
    services.set_follow_up(ann, date(2026, 6, 8))  # missed: due today
    services.set_follow_up(bob, date(2026, 6, 10))
    services.set_follow_up(cy, date(2026, 6, 11))
    services.change_stage(cy, "contacted", now=NOW)
    return ann, bob, cy


def ids(out: str) -> list[int]:
    return [p["id"] for p in json.loads(out)["items"]]


def test_prospects_list_prints_a_table_newest_first(listed, capsys):
    code, out, _ = run(capsys, "prospects", "list")

    lines = [line.split("│")[1:-1] for line in out.splitlines() if line.startswith("│")]
    assert code == 0
    assert [[cell.strip() for cell in row] for row in lines] == [
        [str(listed[2].pk), "Cy Young", "+1 312-555-0142", "Contacted", "Unknown", "2026-06-11"],
        [str(listed[1].pk), "Bob Stone", "", "New", "Unknown", "2026-06-10"],
        [str(listed[0].pk), "Ann Lee", "020 7946 0123", "New", "Forum posts /", "2026-06-08"],
        ["", "", "", "", "Signature", ""],
    ]


def test_prospects_list_filters_by_stage_source_due_search_and_limit(listed, capsys):
    ann, bob, cy = listed

    def listing(*argv):
        code, out, _ = run(capsys, "prospects", "list", *argv, "--json")
        assert code == 0
        return ids(out)

    assert listing("--stage", "contacted") == [cy.pk]
    assert listing("--source", "sig") == [ann.pk]
    assert listing("--due") == [ann.pk, bob.pk]
    assert listing("--search", "020 7946 0123") == [ann.pk]
    assert listing("--search", "BOB@x.com") == [bob.pk]
    assert listing("--search", "young") == [cy.pk]
    assert listing("--limit", "2") == [cy.pk, bob.pk]


def test_prospects_list_with_nothing_to_show_says_so(owner, capsys):
    assert run(capsys, "prospects")[1] == (
        "No prospects yet. Add one: mainthing prospects add NAME --email …\n"
    )
    prospect(owner, "Ann")
    assert run(capsys, "prospects", "list", "--due")[1] == "No prospects match.\n"


def test_prospects_list_refuses_an_unknown_source_key(owner, capsys):
    code, _, err = run(capsys, "prospects", "list", "--source", "nope")

    assert (code, err) == (
        2,
        "mainthing: No lead source with the key 'nope'. Yours: none yet "
        "(mainthing sources list).\n",
    )


# --- prospects show ------------------------------------------------------------------------------


@pytest.fixture
def history(owner):
    """Ann with a stage change, a note, a held call (linked time), a booked call and income."""
    block(owner, "09:00", "21:00")
    ann = prospect(
        owner, "Ann Lee", email="ann@x.com", phone="020 7946 0123", tags="warm",
        source=source(owner), at=NOW - timedelta(days=2),
    )  # fmt: skip
    services.set_follow_up(ann, date(2026, 6, 12))
    ann.notes = "Prefers evenings"
    ann.save()
    call = bookings.book(
        owner, prospect=ann, start=NOW - timedelta(days=1), now=NOW - timedelta(days=2)
    )
    bookings.complete(call, now=NOW - timedelta(hours=20))
    services.add_note(ann, "Wants the numbers", now=NOW - timedelta(hours=1))
    bookings.book(owner, prospect=ann, start=NOW + timedelta(days=1), now=NOW)
    services.add_income(owner, on=date(2026, 6, 10), amount="150", kind="enrollment", prospect=ann)
    return ann


def test_prospects_show_prints_contacts_and_the_whole_history(history, capsys):
    code, out, _ = run(capsys, "prospects", "show", f"#{history.pk}")

    assert code == 0
    assert out == (
        f"#{history.pk} Ann Lee\n"
        "Stage:     Booked\n"
        "Source:    Forum posts / Signature\n"
        "Email:     ann@x.com\n"
        "Phone:     020 7946 0123\n"
        "Follow-up: 2026-06-12\n"
        "Tags:      warm\n"
        "Notes:\n"
        "  Prefers evenings\n"
        "History:\n"
        "  2026-06-08 16:00  Added as New\n"
        "  2026-06-08 16:00  Stage: New → Booked\n"
        "  2026-06-09 16:00  Prospect call · 30m\n"
        "  2026-06-09 16:00  Call · Completed\n"
        "  2026-06-10 15:00  Note: Wants the numbers\n"
        "  2026-06-10        Income · 150.00 USD (Enrollment)\n"
        "  2026-06-11 16:00  Call · Scheduled\n"
    )


def test_prospects_show_json_has_the_timeline(history, capsys):
    code, out, _ = run(capsys, "prospects", "show", str(history.pk), "--json")

    data = json.loads(out)
    assert (code, data["name"], data["stage"]) == (0, "Ann Lee", "booked")
    assert [(item["kind"], item["at"]) for item in data["timeline"]] == [
        ("event-created", "2026-06-08T16:00:00+01:00"),
        ("event-stage", "2026-06-08T16:00:00+01:00"),
        ("activity", "2026-06-09T16:00:00+01:00"),
        ("appointment", "2026-06-09T16:00:00+01:00"),
        ("event-note", "2026-06-10T15:00:00+01:00"),
        ("income", "2026-06-10"),
        ("appointment", "2026-06-11T16:00:00+01:00"),
    ]
    assert data["timeline"][4] == {
        "at": "2026-06-10T15:00:00+01:00",
        "kind": "event-note",
        "title": "Note",
        "detail": "Wants the numbers",
        "id": None,
    }


def test_prospects_show_reads_the_history_in_a_fixed_number_of_queries(history, capsys):
    with CaptureQueriesContext(connection) as few:
        run(capsys, "prospects", "show", str(history.pk))
    for n in range(5):
        services.add_note(history, f"Note {n}", now=NOW)
        services.add_income(history.user, on=date(2026, 6, n + 1), amount="5", prospect=history)
        entry = activity_services.add_entry(
            history.user, category(history.user, "Follow-up call"),
            start=NOW - timedelta(days=10 + n), end=NOW - timedelta(days=10 + n, minutes=-15),
            now=NOW,
        )  # fmt: skip
        services.link_time(entry, history)

    with CaptureQueriesContext(connection) as many:
        code, out, _ = run(capsys, "prospects", "show", str(history.pk))

    assert code == 0
    assert out.count("Note ") == 5
    assert len(many) == len(few)


def test_prospects_show_of_a_prospect_that_is_not_yours_exits_1(owner, other_user, capsys):
    theirs = prospect(other_user, "Zed")

    code, out, err = run(capsys, "--user", "owner@example.com", "prospects", "show", str(theirs.pk))

    assert (code, out, err) == (
        1,
        "",
        f"mainthing: You have no prospect #{theirs.pk}; see mainthing prospects list.\n",
    )


def test_prospects_show_needs_an_id(owner, capsys):
    assert run(capsys, "prospects", "show", "Ann")[0:3:2] == (
        2,
        "mainthing: 'Ann' is not a prospect ID; write it like 12 or #12.\n",
    )


# --- book and start ------------------------------------------------------------------------------


def test_book_by_id_books_that_prospect(owner, capsys):
    block(owner, "19:00", "21:00")
    ann = prospect(owner, "Ann Lee")

    code, out, err = run(capsys, "book", f"#{ann.pk}", "2026-06-10 19:30")

    assert (code, out, err) == (
        0,
        "Booked Ann Lee on Wed 10 Jun 2026 at 19:30 for 30 min (Europe/London).\n",
        "",
    )
    call = Appointment.objects.get()
    ann.refresh_from_db()
    assert (call.prospect, call.prospect_name, ann.stage) == (ann, "Ann Lee", "booked")


def test_book_by_a_name_that_fits_one_prospect_uses_them(owner, capsys):
    block(owner, "19:00", "21:00")
    ann = prospect(owner, "Ann Lee")

    code, out, _ = run(capsys, "book", "ann lee", "2026-06-10 19:30", "--json")

    assert (code, json.loads(out)["prospect_id"], json.loads(out)["prospect_created"]) == (
        0,
        ann.pk,
        False,
    )
    assert Prospect.objects.count() == 1


def test_book_by_a_new_name_adds_the_prospect_from_unknown(owner, capsys):
    block(owner, "19:00", "21:00")

    code, out, err = run(capsys, "book", "Dee Fox", "2026-06-10 19:30")

    dee = Prospect.objects.get()
    assert (code, out) == (
        0,
        "Booked Dee Fox on Wed 10 Jun 2026 at 19:30 for 30 min (Europe/London).\n",
    )
    assert err == f"Added Dee Fox as prospect #{dee.pk} (source Unknown).\n"
    assert (dee.source.key, dee.stage, Appointment.objects.get().prospect) == (
        "unknown",
        "booked",
        dee,
    )


def test_book_by_a_name_several_prospects_share_lists_them_and_books_nothing(owner, capsys):
    block(owner, "19:00", "21:00")
    first, second = prospect(owner, "Ann"), prospect(owner, "ann")

    code, out, err = run(capsys, "book", "Ann", "2026-06-10 19:30")

    assert (code, out) == (2, "")
    assert err == (
        "mainthing: 2 prospects fit “Ann”:\n"
        f"  #{first.pk}  Ann  (New)\n"
        f"  #{second.pk}  ann  (New)\n"
        "Book one by its ID (mainthing book '#ID' WHEN), or add a new one with "
        "mainthing prospects add and book its ID; nothing was booked.\n"
    )
    assert Prospect.objects.count() == 2
    assert not Appointment.objects.exists()


def test_book_by_an_email_or_phone_books_its_prospect(owner, capsys):
    block(owner, "19:00", "21:00")
    maria = prospect(owner, "Maria Lopez", email="maria@example.com", phone="+447700900123")

    assert run(capsys, "book", "MARIA@example.com", "2026-06-10 19:30")[0] == 0
    assert run(capsys, "book", "07700 900123", "2026-06-10 20:00")[0] == 0

    assert list(Appointment.objects.values_list("prospect", flat=True)) == [maria.pk, maria.pk]
    assert Prospect.objects.count() == 1


def test_book_finds_an_imported_lead_by_email_or_phone_written_another_way(owner, capsys, tmp_path):
    block(owner, "19:00", "21:00")
    leads = tmp_path / "leads.csv"
    leads.write_text("name,email,phone\nMaria Lopez,Maria.Lopez@Example.com,07700 900123\n")
    assert run(capsys, "import", "leads", str(leads))[0] == 0

    assert run(capsys, "book", "maria.lopez@EXAMPLE.COM", "2026-06-10 19:30")[:2] == (
        0,
        "Booked Maria Lopez on Wed 10 Jun 2026 at 19:30 for 30 min (Europe/London).\n",
    )
    assert run(capsys, "book", "+44 7700-900123", "2026-06-10 20:00")[0] == 0

    maria = Prospect.objects.get()
    assert (maria.name, maria.stage, maria.appointments.count()) == ("Maria Lopez", "booked", 2)


def test_book_a_taken_slot_leaves_no_new_prospect_behind(owner, capsys):
    block(owner, "19:00", "21:00")
    run(capsys, "book", "Ann Lee", "2026-06-10 19:30")

    code, _, err = run(capsys, "book", "Bob", "2026-06-10 19:30")

    assert code == 1
    assert "That time is already booked" in err
    assert list(Prospect.objects.values_list("name", flat=True)) == ["Ann Lee"]


def test_book_an_id_you_do_not_have_exits_1(owner, capsys):
    code, _, err = run(capsys, "book", "#99", "2026-06-10 19:30")

    assert (code, err) == (
        1,
        "mainthing: You have no prospect #99; see mainthing prospects list.\n",
    )
    assert not Appointment.objects.exists()


def test_start_with_a_prospect_id_links_the_time_to_them(owner, capsys):
    ann = prospect(owner, "Ann Lee")

    code, out, _ = run(capsys, "start", "Prospect call", "--prospect", str(ann.pk))

    running = Activity.objects.get()
    assert (code, out) == (0, f"Started Prospect call with #{ann.pk} Ann Lee at 16:00.\n")
    assert (running.prospect_name, running.prospect_link.prospect) == ("Ann Lee", ann)
    ann.refresh_from_db()
    assert ann.last_contacted_at == NOW


def test_start_with_a_name_no_prospect_has_keeps_it_as_text(owner, capsys):
    code, out, _ = run(capsys, "start", "Prospect call", "--prospect", "Someone", "--json")

    assert (code, json.loads(out)["prospect_name"], json.loads(out)["prospect"]) == (
        0,
        "Someone",
        None,
    )
    assert not ProspectTime.objects.exists()


def test_start_with_a_prospect_you_do_not_have_starts_nothing(owner, other_user, capsys):
    theirs = prospect(other_user, "Zed")

    code, _, err = run(
        capsys,
        "--user",
        "owner@example.com",
        "start",
        "Prospect call",
        "--prospect",
        f"#{theirs.pk}",
    )

    assert (code, err) == (
        1,
        f"mainthing: You have no prospect #{theirs.pk}; see mainthing prospects list.\n",
    )
    assert not Activity.objects.exists()


def test_start_busy_work_refused_by_the_question_links_nothing(owner, capsys):
    block(owner, "15:00", "17:00")
    ann = prospect(owner, "Ann Lee")

    code, _, _ = run(capsys, "start", "Organizing", "--prospect", str(ann.pk))

    assert code == 1
    assert (Activity.objects.exists(), ProspectTime.objects.exists()) == (False, False)


# --- sources -------------------------------------------------------------------------------------


def test_sources_add_and_list(owner, capsys):
    code, out, _ = run(capsys, "sources", "add", "ppc", "Ad set 3")
    assert (code, out) == (
        0,
        "Added PPC campaigns / Ad set 3 with the key ad-set-3: add ?src=ad-set-3 to your booking "
        "link.\n",
    )
    ads = LeadSource.objects.get()
    services.add_spend(ads, on=date(2026, 6, 1), amount="12.5")
    prospect(owner, "Ann", source=ads)
    prospect(owner, "Bob")

    code, out, _ = run(capsys, "sources", "--json")

    assert (code, json.loads(out)) == (
        0,
        {"total": 2, "offset": 0, "limit": 50, "next_offset": None, "items": [
            {"id": ads.pk, "key": "ad-set-3", "category": "PPC campaigns", "campaign": "Ad set 3",
             "label": "PPC campaigns / Ad set 3", "archived": False, "prospects": 1,
             "spend": "12.50"},
            {"id": services.unknown_source(owner).pk, "key": "unknown", "category": None,
             "campaign": "Unknown", "label": "Unknown", "archived": False, "prospects": 1,
             "spend": "0.00"},
        ]},
    )  # fmt: skip
    assert "?src=ad-set-3" in run(capsys, "sources", "list")[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["Organizing", "Desk"],
            "mainthing: A lead source belongs to one of your lead-gen categories.\n",
        ),
        (
            ["Forum posts", "Other", "--key", "sig"],
            "mainthing: The key “sig” is already used by another source.\n",
        ),
    ],
)
def test_sources_add_with_bad_input_exits_2(owner, capsys, argv, message):
    source(owner)

    code, _, err = run(capsys, "sources", "add", *argv)

    assert (code, err) == (2, message)
    assert LeadSource.objects.count() == 1


# --- income --------------------------------------------------------------------------------------


def test_income_add_records_it_today_in_the_users_currency(owner, capsys):
    ann = prospect(owner, "Ann Lee")

    code, out, _ = run(
        capsys, "income", "add", "150", "--kind", "enrollment", "--prospect", f"#{ann.pk}",
        "--note", "Starter pack",
    )  # fmt: skip

    assert (code, out) == (
        0,
        "Recorded 150.00 USD enrollment income from Ann Lee on 2026-06-10.\n",
    )
    assert list(
        Income.objects.values_list("date", "amount", "currency", "kind", "prospect", "note")
    ) == [(date(2026, 6, 10), Decimal("150.00"), "USD", "enrollment", ann.pk, "Starter pack")]


def test_income_list_json_has_items_and_totals_per_currency(owner, capsys):
    run(capsys, "income", "add", "47", "--kind", "affiliate", "--date", "2026-06-01")
    services.add_income(owner, on=date(2026, 6, 2), amount="10", currency="EUR")

    code, out, _ = run(capsys, "income", "list", "--json")

    data = json.loads(out)
    assert code == 0
    assert [(e["date"], e["amount"], e["currency"], e["kind"]) for e in data["items"]] == [
        ("2026-06-02", "10.00", "EUR", "other"),
        ("2026-06-01", "47.00", "USD", "affiliate"),
    ]
    assert data["totals"] == {"EUR": "10.00", "USD": "47.00"}


def test_income_list_table_ends_with_totals(owner, capsys):
    run(capsys, "income", "add", "47", "--kind", "affiliate")
    run(capsys, "income", "add", "3")

    out = run(capsys, "income")[1]

    rows = [[c.strip() for c in line.split("│")[2:5]] for line in out.splitlines() if "│" in line]
    assert rows == [
        ["2026-06-10", "Other", "3.00 USD"],
        ["2026-06-10", "Affiliate", "47.00 USD"],
        ["", "Affiliate", "47.00 USD"],
        ["", "Other", "3.00 USD"],
        ["total", "", "50.00 USD"],
    ]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["0"], 2, "mainthing: An amount is more than 0.\n"),
        (["lots"], 2, "mainthing: “lots” is not an amount.\n"),
        (["5", "--date", "someday"], 2, "mainthing: --date 'someday' is not a date; write "
         "YYYY-MM-DD, today or tomorrow.\n"),
        (["5", "--prospect", "#99"], 1, "mainthing: You have no prospect #99; see mainthing "
         "prospects list.\n"),
    ],
)  # fmt: skip
def test_income_add_with_bad_input_writes_nothing(owner, capsys, argv, code, message):
    assert run(capsys, "income", "add", *argv)[0:3:2] == (code, message)
    assert not Income.objects.exists()
