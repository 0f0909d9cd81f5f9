from datetime import UTC, date, datetime, timedelta

import pytest

from mainthing.bookings.models import Appointment
from mainthing.core import timekit
from mainthing.prospects import queries, services
from mainthing.prospects.models import Prospect, Stage
from tests.factories import AppointmentFactory, ImportBatchFactory, category, entry, new_prospect

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
LONDON = timekit.zone("Europe/London")


def add(user, name="Ann Lee", *, at=NOW, **fields):
    return new_prospect(user, name, at=at, allow_duplicate=True, **fields)


def names(rows) -> list[str]:
    return [p.name for p in rows]


def listed(user, **filters) -> list[str]:
    return names(queries.filtered(user, queries.Filters(**filters), today=TODAY).order_by("pk"))


@pytest.fixture
def forum(owner):
    return services.add_source(owner, category=category(owner, "Forum posts"), campaign="Sig")


# --- search ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["(415) 555-0132", "415.555.0132", "+1 415 555 0132", "4155550132"]
)
def test_search_whole_phone_in_any_format_is_an_exact_e164_match(owner, typed):
    add(owner, "Ann Lee", phone="415 555 0132")
    add(owner, "Bob Stone", phone="415 555 0133")
    assert queries.search_condition(typed, region="US") == queries.Q(phone="+14155550132")
    assert listed(owner, q=typed) == ["Ann Lee"]


def test_search_part_of_a_number_matches_the_digits(owner):
    add(owner, "Ann Lee", phone="415 555 0132")
    add(owner, "Bob Stone", phone="212 555 0199")
    add(owner, "Cy Young", phone="415 555 7777")
    assert listed(owner, q="555-01") == ["Ann Lee", "Bob Stone"]
    assert listed(owner, q="(415)") == ["Ann Lee", "Cy Young"]


def test_search_local_part_of_a_number_is_not_read_as_a_whole_number(owner):
    add(owner, "Ann Lee", phone="415 555 0132")
    add(owner, "Bob Stone", phone="415 555 0199")
    assert queries.search_condition("555-0132", region="US") == queries.Q(phone__contains="5550132")
    assert listed(owner, q="555-0132") == ["Ann Lee"]


def test_search_national_part_with_trunk_zero_matches_e164(owner):
    add(owner, "Ann Lee", phone="+44 20 7946 0018")
    add(owner, "Bob Stone", phone="+44 161 496 0000")
    assert listed(owner, q="020 7946") == ["Ann Lee"]


def test_search_name_fragment_ignores_case(owner):
    add(owner, "Ann Lee")
    add(owner, "Leah Hart")
    add(owner, "Bob Stone")
    assert listed(owner, q="LEE") == ["Ann Lee"]
    assert listed(owner, q="le") == ["Ann Lee", "Leah Hart"]


def test_search_whole_email_is_an_exact_key_match(owner):
    add(owner, "Ann Lee", email="Ann@Example.com")
    add(owner, "Annie Lee", email="ann@example.com.au")
    assert queries.search_condition(" ANN@example.com ", region="US") == queries.Q(
        email_key="ann@example.com"
    )
    assert listed(owner, q="ANN@example.com") == ["Ann Lee"]


def test_search_email_fragment_matches_part_of_the_address(owner):
    add(owner, "Ann Lee", email="ann@example.com")
    add(owner, "Bob Stone", email="bob@other.org")
    assert listed(owner, q="EXAMPLE.c") == ["Ann Lee"]
    assert listed(owner, q="ann@exa") == ["Ann Lee"]


def test_search_never_finds_another_users_prospect(owner, other_user):
    add(other_user, "Ann Lee", phone="415 555 0132", email="ann@example.com")
    assert (listed(owner, q="Ann"), listed(owner, q="(415) 555-0132")) == ([], [])


# --- filters -----------------------------------------------------------------------------------


def test_filter_by_stage_source_and_tag(owner, forum):
    add(owner, "Ann Lee", stage=Stage.CONTACTED, source=forum, tags="Hot Lead, forum")
    add(owner, "Bob Stone", stage=Stage.CONTACTED, tags="hot")
    add(owner, "Cy Young", source=forum, tags="hot lead")
    assert listed(owner, stage=Stage.CONTACTED) == ["Ann Lee", "Bob Stone"]
    assert listed(owner, source_id=forum.pk) == ["Ann Lee", "Cy Young"]
    # A whole tag, not a part of one: "hot" is not "hot lead".
    assert listed(owner, tag=" HOT   lead ") == ["Ann Lee", "Cy Young"]
    assert listed(owner, tag="hot") == ["Bob Stone"]


def test_filter_due_is_the_users_today_or_earlier(owner):
    add(owner, "Yesterday", follow_up_on=TODAY - timedelta(days=1))
    add(owner, "Today", follow_up_on=TODAY)
    add(owner, "Tomorrow", follow_up_on=TODAY + timedelta(days=1))
    add(owner, "Never")
    assert listed(owner, due=True) == ["Yesterday", "Today"]


# --- sorting -----------------------------------------------------------------------------------


@pytest.fixture
def three(owner):
    ann = add(owner, "ann Lee", at=NOW - timedelta(days=3), stage=Stage.BOOKED)
    bob = add(owner, "Bob Stone", at=NOW - timedelta(days=1), stage=Stage.NEW)
    cy = add(owner, "Cy Young", at=NOW - timedelta(days=2), stage=Stage.DECLINED)
    Prospect.objects.filter(pk=ann.pk).update(
        follow_up_on=TODAY + timedelta(days=5), last_contacted_at=NOW - timedelta(hours=1)
    )
    Prospect.objects.filter(pk=cy.pk).update(
        follow_up_on=TODAY, last_contacted_at=NOW - timedelta(days=9)
    )
    return ann, bob, cy


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("created", ["Bob Stone", "Cy Young", "ann Lee"]),
        ("name", ["ann Lee", "Bob Stone", "Cy Young"]),
        ("contacted", ["ann Lee", "Cy Young", "Bob Stone"]),
        ("follow_up", ["Cy Young", "ann Lee", "Bob Stone"]),
        ("stage", ["Bob Stone", "ann Lee", "Cy Young"]),
        ("no such sort", ["Bob Stone", "Cy Young", "ann Lee"]),
    ],
)
def test_sort_orders_the_list(owner, three, sort, expected):
    assert names(queries.ordered(Prospect.objects.filter(user=owner), sort)) == expected


# --- the list page's read model ----------------------------------------------------------------


def test_stage_counts_follow_the_other_filters_not_the_stage(owner):
    add(owner, "Ann Lee", stage=Stage.CONTACTED, tags="warm")
    add(owner, "Bob Stone", stage=Stage.CONTACTED)
    add(owner, "Cy Young", stage=Stage.JOINED, tags="warm")
    counts = queries.stage_counts(
        owner, queries.Filters(tag="warm", stage=Stage.JOINED), today=TODAY
    )
    assert counts == {**dict.fromkeys(Stage.values, 0), "contacted": 1, "joined": 1}


def test_stage_counts_of_the_whole_list_leave_out_unpublished_imports(owner, other_user):
    add(owner, "Ann Lee", stage=Stage.CONTACTED)
    add(owner, "Bob Stone", stage=Stage.NEW)
    add(other_user, "Not Mine", stage=Stage.NEW)
    writing = ImportBatchFactory(user=owner, kind="leads")
    published = ImportBatchFactory(user=owner, kind="leads", state="published")
    for name, batch in [("Half Imported", writing), ("Imported", published)]:
        Prospect.objects.filter(pk=add(owner, name, stage=Stage.NEW).pk).update(
            import_batch=batch.pk
        )
    counts = queries.stage_counts(owner, queries.Filters(), today=TODAY)
    # The unnarrowed list counts from the index and takes the hidden rows off; a narrowed one
    # goes through the default manager: both leave the batch being written out.
    by_source = queries.stage_counts(
        owner, queries.Filters(source_id=services.unknown_source(owner).pk), today=TODAY
    )
    expected = {**dict.fromkeys(Stage.values, 0), "contacted": 1, "new": 2}
    assert (counts, by_source) == (expected, expected)


def test_prospect_list_unnarrowed_is_two_queries_whatever_the_rows(owner, queries_do_not_grow):
    def rows():
        listing = queries.prospect_list(owner, queries.Filters(), today=TODAY)
        return [(r.prospect.name, r.prospect.source.label) for r in listing.rows], listing.chips

    def add_rows():
        for n, stage in enumerate(Stage.values * 6):
            add(owner, f"P{n}", stage=stage, at=NOW + timedelta(minutes=n))

    add(owner, "First", stage=Stage.NEW)
    counts = queries_do_not_grow(rows, add_rows)
    assert (counts.few, counts.many, len(counts.last[0]), counts.last[1][0]) == (
        2,
        2,
        50,
        queries.Chip("", "All", 1 + 6 * len(Stage.values), True),
    )


def test_prospect_list_pages_chips_and_national_phones(owner):
    for n in range(5):
        add(owner, f"Person {n}", at=NOW + timedelta(minutes=n), phone=f"415 555 010{n}")
    add(owner, "Joined One", at=NOW - timedelta(days=1), stage=Stage.JOINED)
    listing = queries.prospect_list(
        owner, queries.Filters(stage=Stage.NEW), today=TODAY, page=2, per_page=2
    )
    assert [(r.prospect.name, r.phone) for r in listing.rows] == [
        ("Person 2", "(415) 555-0102"),
        ("Person 1", "(415) 555-0101"),
    ]
    assert (listing.total, listing.page.paginator.num_pages, listing.page.number) == (5, 3, 2)
    assert listing.chips == [
        queries.Chip("", "All", 6, False),
        queries.Chip("new", "New", 5, True),
        queries.Chip("joined", "Joined", 1, False),
    ]


def test_prospect_list_page_past_the_end_shows_the_last(owner):
    for n in range(3):
        add(owner, f"Person {n}", at=NOW + timedelta(minutes=n))
    listing = queries.prospect_list(owner, queries.Filters(), today=TODAY, page=9, per_page=2)
    assert (listing.page.number, [r.prospect.name for r in listing.rows]) == (2, ["Person 0"])


def test_prospect_list_queries_do_not_grow_with_rows(owner, forum, queries_do_not_grow):
    def rows():
        listing = queries.prospect_list(owner, queries.Filters(tag="t"), today=TODAY)
        return [(r.prospect.source.label, r.phone) for r in listing.rows]

    def add_rows(first, last):
        for n in range(first, last):
            add(owner, f"P{n}", source=forum, tags="t", phone=f"415 555 01{n:02d}")

    add_rows(0, 3)
    counts = queries_do_not_grow(rows, lambda: add_rows(3, 30))
    assert (counts.few, counts.many, len(counts.first), len(counts.last)) == (2, 2, 3, 30)


def test_merge_candidates_without_search_are_the_duplicates(owner):
    ann = add(owner, "Ann Lee", email="ann@example.com")
    twin = add(owner, "Ann L.", email="ANN@example.com")
    add(owner, "Ann Other")
    assert queries.merge_candidates(owner, ann, "") == [twin]
    assert names(queries.merge_candidates(owner, ann, "ann")) == ["Ann Other", "Ann L."]


# --- the timeline ------------------------------------------------------------------------------


def history(
    owner, prospect, *, calls: int, entries: int, notes: int, incomes: int, days_ago: int = 60
):
    start = NOW - timedelta(days=days_ago)
    for n in range(calls):
        begin = start + timedelta(days=n, hours=prospect.pk % 12)  # calls never overlap
        AppointmentFactory(user=owner, prospect=prospect, start=begin, status="completed")
    for n in range(entries):
        done = entry(owner, "Prospect call", start + timedelta(days=n, hours=2), 25)
        services.link_time(done, prospect)
    for n in range(notes):
        services.add_note(prospect, f"note {n}", now=start + timedelta(days=n, hours=3))
    for n in range(incomes):
        services.add_income(
            owner, on=(start + timedelta(days=n)).date(), amount="10", prospect=prospect
        )


def test_timeline_merges_every_kind_newest_first(owner):
    ann = add(owner, "Ann Lee", at=NOW - timedelta(days=10))
    call_at = NOW - timedelta(days=5)
    AppointmentFactory(user=owner, prospect=ann, start=call_at, note="Zoom")
    done = entry(owner, "Prospect call", NOW - timedelta(days=4), 25, note="good talk")
    services.link_time(done, ann)
    services.change_stage(ann, Stage.PRESENTED, now=NOW - timedelta(days=3), note="liked it")
    services.add_note(ann, "Call back after payday", now=NOW - timedelta(days=2))
    paid = services.add_income(
        owner,
        on=date(2026, 2, 22),
        amount="49.50",
        kind="product",
        prospect=ann,
        note="starter kit",
    )

    items = queries.timeline(ann, tz=LONDON).items

    assert [(i.at, i.kind, i.title, i.detail, i.pk) for i in items] == [
        (NOW - timedelta(days=2), "event-note", "Note", "Call back after payday", None),
        (NOW - timedelta(days=3), "event-stage", "Stage: New → Presented", "liked it", None),
        (NOW - timedelta(days=4), "activity", "Prospect call · 25m", "good talk", done.pk),
        (call_at, "appointment", "Call · Scheduled", "Zoom", Appointment.objects.get().pk),
        (
            datetime(2026, 2, 22, 0, 0, tzinfo=UTC),  # London midnight in February is UTC
            "income",
            "Income · 49.50 USD (Product)",
            "starter kit",
            paid.pk,
        ),
        (NOW - timedelta(days=10), "event-created", "Added as New", "", None),
    ]


def test_timeline_keeps_the_newest_up_to_the_limit(owner):
    ann = add(owner, "Ann Lee", at=NOW - timedelta(days=90))
    history(owner, ann, calls=3, entries=3, notes=3, incomes=3)
    whole = queries.timeline(ann, tz=LONDON, limit=None)
    cut = queries.timeline(ann, tz=LONDON, limit=5)
    assert (len(whole.items), whole.truncated) == (13, False)
    assert (cut.items, cut.truncated) == (whole.items[:5], True)


def test_timeline_queries_do_not_grow_with_history(owner, queries_do_not_grow):
    ann = add(owner, "Ann Lee", at=NOW - timedelta(days=100))
    history(owner, ann, calls=1, entries=1, notes=1, incomes=1, days_ago=90)
    counts = queries_do_not_grow(
        lambda: queries.timeline(ann, tz=LONDON, limit=None).items,
        lambda: history(owner, ann, calls=20, entries=20, notes=20, incomes=20),
    )
    assert (counts.few, counts.many, len(counts.first), len(counts.last)) == (4, 4, 5, 85)
