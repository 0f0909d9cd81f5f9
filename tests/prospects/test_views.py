import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from mainthing.activity.models import Activity
from mainthing.prospects import exporting, services
from mainthing.prospects.models import Event, Prospect, Stage
from tests.factories import AppointmentFactory, category, entry, new_prospect

NOW = datetime(2026, 6, 10, 22, 30, tzinfo=UTC)  # 23:30 in London: already the 10th there
TODAY = date(2026, 6, 10)


pytestmark = pytest.mark.usefixtures("frozen")


def add(user, name="Ann Lee", *, at=NOW, **fields):
    return new_prospect(user, name, at=at, allow_duplicate=True, **fields)


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def ann(owner):
    return add(owner, "Ann Lee", email="ann@example.com", phone="415 555 0132", tags="warm")


def form_data(**fields):
    data = {
        "name": "Ann Lee",
        "email": "",
        "phone": "",
        "social": "",
        "time_zone": "",
        "source": "",
        "stage": "new",
        "follow_up_on": "",
        "tags": "",
        "notes": "",
    }
    return {**data, **fields}


# --- who may see what --------------------------------------------------------------------------

OBJECT_ROUTES = [
    ("get", "card"),
    ("get", "edit"),
    ("post", "edit"),
    ("post", "stage"),
    ("post", "note"),
    ("post", "follow-up"),
    ("get", "merge"),
    ("post", "merge"),
    ("get", "delete"),
    ("post", "delete"),
]
LIST_ROUTES = [("get", "list"), ("get", "add"), ("post", "add"), ("get", "export")]


@pytest.mark.parametrize(("method", "name"), OBJECT_ROUTES + LIST_ROUTES)
def test_every_route_sends_anonymous_to_login(anon_client, ann, method, name):
    args = [ann.pk] if (method, name) in OBJECT_ROUTES else []
    url = reverse(f"prospects:{name}", args=args)
    response = getattr(anon_client, method)(url)
    assert (response.status_code, response["Location"]) == (
        302,
        f"{reverse('accounts:login')}?next={url}",
    )


@pytest.mark.parametrize(("method", "name"), OBJECT_ROUTES)
def test_every_route_of_anothers_prospect_is_404_and_changes_nothing(
    other_client, ann, method, name
):
    before = list(Prospect.objects.values())
    data = {"stage": "contacted", "text": "hi", "days": "7", "name": "Mallory", "other": ann.pk}
    url = reverse(f"prospects:{name}", args=[ann.pk])
    response = other_client.get(url) if method == "get" else other_client.post(url, data)
    assert response.status_code == 404
    assert (list(Prospect.objects.values()), ann.events.count()) == (before, 1)


def test_merge_with_anothers_prospect_is_404(owner_client, ann, other_user):
    theirs = add(other_user, "Their Ann", email="ann@example.com")
    url = reverse("prospects:merge", args=[ann.pk])
    assert owner_client.get(url, {"other": theirs.pk}).status_code == 404
    assert owner_client.post(url, {"other": theirs.pk}).status_code == 404
    assert sorted(Prospect.objects.values_list("name", flat=True)) == ["Ann Lee", "Their Ann"]


def test_list_and_export_never_show_anothers_prospects(owner_client, ann, other_user):
    add(other_user, "Secret Person", phone="415 555 0132")
    listing = page(owner_client.get(reverse("prospects:list")))
    export = b"".join(owner_client.get(reverse("prospects:export")).streaming_content)
    assert ("Secret Person" in listing, b"Secret Person" in export) == (False, False)
    assert "Ann Lee" in listing


def test_nav_links_to_prospects_marked_current(owner_client, ann):
    html = page(owner_client.get(reverse("prospects:list")))
    assert '<a href="/prospects/" aria-current="page">Prospects</a>' in html


# --- the list ----------------------------------------------------------------------------------


def test_list_finds_a_phone_typed_in_another_format(owner_client, owner, ann):
    add(owner, "Bob Stone", phone="415 555 0199")
    html = page(owner_client.get(reverse("prospects:list"), {"q": "+1 (415) 555-0132"}))
    assert ("Ann Lee" in html, "Bob Stone" in html) == (True, False)
    assert '<a href="tel:+14155550132">(415) 555-0132</a>' in html


def test_list_filters_by_stage_tag_and_due(owner_client, owner, ann):
    add(owner, "Bob Stone", stage=Stage.CONTACTED, tags="warm", follow_up_on=TODAY)
    add(owner, "Cy Young", stage=Stage.CONTACTED, follow_up_on=TODAY + timedelta(days=1))
    url = reverse("prospects:list")
    by_stage = page(owner_client.get(url, {"stage": "contacted"}))
    by_tag = page(owner_client.get(url, {"tag": "WARM"}))
    due = page(owner_client.get(url, {"due": "on"}))
    shown = [
        [n for n in ("Ann Lee", "Bob Stone", "Cy Young") if f">{n}</a>" in html]
        for html in (by_stage, by_tag, due)
    ]
    assert shown == [["Bob Stone", "Cy Young"], ["Ann Lee", "Bob Stone"], ["Bob Stone"]]


def test_list_shows_a_missed_follow_up_as_due_not_red(owner_client, owner):
    add(owner, "Bob Stone", follow_up_on=TODAY - timedelta(days=3))
    add(owner, "Cy Young", follow_up_on=TODAY)
    html = page(owner_client.get(reverse("prospects:list"), {"sort": "name"}))
    assert '<span class="due-now">Due</span> <span class="muted">since Sun 7 Jun</span>' in html
    assert html.count('<span class="due-now">Due</span>') == 2
    assert 'class="due"' not in html


def test_list_chips_count_stages_and_keep_the_search(owner_client, owner, ann):
    add(owner, "Ann Other", stage=Stage.JOINED)
    html = page(owner_client.get(reverse("prospects:list"), {"q": "ann", "page": "1"}))
    assert '<a class="chip" href="?q=ann" aria-current="true">All <span class="count">2</span>' in (
        html
    )
    assert '<a class="chip" href="?q=ann&amp;stage=joined">Joined <span class="count">1</span>' in (
        html
    )
    # A tag on a row narrows the current search to it.
    assert '<a class="tag" href="?q=ann&amp;tag=warm">warm</a>' in html


def test_list_bad_filter_values_are_ignored(owner_client, ann):
    html = page(
        owner_client.get(reverse("prospects:list"), {"stage": "nope", "source": "x", "page": "z"})
    )
    assert ">Ann Lee</a>" in html


def test_list_htmx_request_gets_only_the_results(owner_client, ann):
    html = page(owner_client.get(reverse("prospects:list"), {"q": "Ann"}, HTTP_HX_REQUEST="true"))
    assert (html.lstrip().startswith('<div id="results">'), "<html" in html) == (True, False)


def test_list_paginates(owner_client, owner):
    for n in range(52):
        add(owner, f"Person {n:02d}", at=NOW - timedelta(minutes=n))
    first = page(owner_client.get(reverse("prospects:list")))
    second = page(owner_client.get(reverse("prospects:list"), {"page": 2}))
    assert ("Person 49" in first, "Person 50" in first) == (True, False)
    assert ("Person 50" in second, "Person 51" in second, "Person 00" in second) == (
        True,
        True,
        False,
    )
    assert '<a href="?page=2">Next →</a>' in first


@pytest.mark.parametrize(
    ("params", "expected"),
    [({}, 5), ({"q": "P", "due": "on", "sort": "name"}, 5), ({"q": "(415) 555-0102"}, 6)],
)
def test_list_query_count_does_not_grow_with_prospects(
    owner_client, owner, queries_do_not_grow, params, expected
):
    forum = services.add_source(owner, category=category(owner, "Forum posts"), campaign="Sig")

    def make(first, last):
        for n in range(first, last):
            phone = f"415 555 01{n:02d}"
            add(owner, f"P {n}", source=forum, phone=phone, tags="a, b", follow_up_on=TODAY)

    make(0, 3)
    counts = queries_do_not_grow(
        lambda: page(owner_client.get(reverse("prospects:list"), params)), lambda: make(3, 30)
    )
    # Session, user, sources, counts per stage, the page's rows; a whole phone number is
    # looked up on its own index first.
    assert (counts.few, counts.many) == (expected, expected)


def test_export_query_count_does_not_grow_with_prospects(owner_client, owner, queries_do_not_grow):
    def lines():
        return list(owner_client.get(reverse("prospects:export")).streaming_content)

    for n in range(3):
        add(owner, f"P {n}")
    counts = queries_do_not_grow(lines, lambda: [add(owner, f"P {n}") for n in range(3, 30)])
    assert (counts.few, len(counts.first), len(counts.last)) == (counts.many, 4, 31)


# --- the export --------------------------------------------------------------------------------


def test_export_streams_the_current_filter_as_neutralized_csv(owner_client, owner, ann):
    add(owner, "=cmd|' /C calc'!A0", stage=Stage.CONTACTED, tags="warm")
    add(owner, "Cold Person", tags="cold")
    response = owner_client.get(reverse("prospects:export"), {"tag": "warm", "sort": "name"})
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix(exporting.BOM), newline="")))
    assert (response["Content-Type"], response["Content-Disposition"]) == (
        "text/csv; charset=utf-8",
        'attachment; filename="prospects-2026-06-10.csv"',
    )
    assert [r[:3] + r[7:10] for r in rows] == [
        ["name", "email", "phone", "stage", "follow_up_on", "tags"],
        ["'=cmd|' /C calc'!A0", "", "", "contacted", "", "warm"],
        ["Ann Lee", "ann@example.com", "'+14155550132", "new", "", "warm"],
    ]


# --- the card ----------------------------------------------------------------------------------


def test_card_shows_contacts_stage_and_every_kind_of_history(owner_client, owner, ann):
    call = AppointmentFactory(
        user=owner, prospect=ann, start=NOW - timedelta(days=2), status="completed"
    )
    spent = entry(owner, "Prospect call", NOW - timedelta(days=2), 30, note="went well")
    services.link_time(spent, ann)
    services.change_stage(ann, Stage.PRESENTED, now=NOW - timedelta(days=1))
    services.add_note(ann, "Wants the starter pack", now=NOW - timedelta(hours=2))
    services.add_income(owner, on=TODAY, amount="99", kind="product", prospect=ann)

    html = page(owner_client.get(reverse("prospects:card", args=[ann.pk])))

    for expected in (
        '<a href="tel:+14155550132">(415) 555-0132</a>',
        '<a href="mailto:ann@example.com">ann@example.com</a>',
        f'<a href="/calendar/book/?prospect={ann.pk}" class="button primary">Book a call</a>',
        f'<a href="/calendar/appointments/{call.pk}/">Call · Completed</a>',
        f'<a href="{reverse("activity:edit-entry", args=[spent.pk])}">Prospect call · 30m</a>',
        "Stage: New → Presented",
        "Wants the starter pack",
        "Income · 99.00 USD (Product)",
        '<option value="presented" selected>Presented</option>',
    ):
        assert expected in html, expected
    # The affiliate path opens only after a "no".
    assert "affiliate_offered" not in html


def test_card_of_a_declined_prospect_offers_the_affiliate_path(owner_client, ann):
    services.change_stage(ann, Stage.DECLINED, now=NOW)
    html = page(owner_client.get(reverse("prospects:card", args=[ann.pk])))
    assert (
        '<button class="primary" name="stage" value="affiliate_offered">'
        "Offer the product / affiliate program</button>"
    ) in html


def test_card_query_count_does_not_grow_with_history(owner_client, owner, queries_do_not_grow):
    def history(prospect, n, minute):
        for k in range(n):
            begin = NOW - timedelta(days=k + 1, minutes=minute)
            AppointmentFactory(user=owner, prospect=prospect, start=begin)
            services.link_time(entry(owner, "Prospect call", begin, 20), prospect)
            services.add_note(prospect, f"note {k}", now=begin)
            services.add_income(owner, on=begin.date(), amount="5", prospect=prospect)

    ann = add(owner, "Ann Lee", tags="x")
    history(ann, 1, 0)
    counts = queries_do_not_grow(
        lambda: page(owner_client.get(reverse("prospects:card", args=[ann.pk]))),
        lambda: history(ann, 25, 30),
    )
    # Session, user, the prospect with its source, then events, calls, time, income, and the
    # income categories for "Start call timer".
    assert (counts.few, counts.many) == (8, 8)


# --- stage, notes, follow-ups ------------------------------------------------------------------


def test_stage_post_changes_stage_records_history_and_redirects(owner_client, ann):
    url = reverse("prospects:stage", args=[ann.pk])
    response = owner_client.post(url, {"stage": "contacted", "note": "left a voicemail"})
    ann.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, f"/prospects/{ann.pk}/")
    assert ann.stage == "contacted"
    assert list(ann.events.filter(kind="stage").values_list("from_stage", "to_stage", "text")) == [
        ("new", "contacted", "left a voicemail")
    ]


def test_stage_post_off_the_path_is_refused_with_a_message(owner_client, ann):
    url = reverse("prospects:stage", args=[ann.pk])
    response = owner_client.post(url, {"stage": "affiliate_joined"}, follow=True)
    ann.refresh_from_db()
    assert ann.stage == "new"
    assert "comes after Declined" in page(response)


def test_stage_post_from_htmx_answers_with_the_card_part(owner_client, ann):
    url = reverse("prospects:stage", args=[ann.pk])
    html = page(owner_client.post(url, {"stage": "booked"}, HTTP_HX_REQUEST="true"))
    assert html.lstrip().startswith('<div id="prospect" class="prospect">')
    assert ("<html" in html, "Stage: Booked." in html, "Stage: New → Booked" in html) == (
        False,
        True,
        True,
    )


def test_note_post_adds_a_note(owner_client, ann):
    owner_client.post(reverse("prospects:note", args=[ann.pk]), {"text": "  Prefers evenings "})
    assert list(ann.events.filter(kind="note").values_list("text", "at")) == [
        ("Prefers evenings", NOW)
    ]


def test_note_post_empty_changes_nothing(owner_client, ann):
    response = owner_client.post(reverse("prospects:note", args=[ann.pk]), {"text": " "})
    assert (response.status_code, ann.events.filter(kind="note").count()) == (302, 0)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"days": "2"}, date(2026, 6, 12)),
        ({"days": "7"}, date(2026, 6, 17)),
        ({"days": "30", "on": "2026-01-01"}, date(2026, 7, 10)),
        ({"on": "2026-07-01"}, date(2026, 7, 1)),
        ({"clear": "1", "on": "2026-07-01"}, None),
    ],
)
def test_follow_up_post_sets_from_the_users_today(owner_client, ann, data, expected):
    services.set_follow_up(ann, date(2026, 6, 11))
    owner_client.post(reverse("prospects:follow-up", args=[ann.pk]), data)
    ann.refresh_from_db()
    assert ann.follow_up_on == expected


def test_follow_up_on_a_joined_prospect_is_refused(owner_client, ann):
    services.change_stage(ann, Stage.JOINED, now=NOW)
    url = reverse("prospects:follow-up", args=[ann.pk])
    html = page(owner_client.post(url, {"days": "7"}, HTTP_HX_REQUEST="true"))
    ann.refresh_from_db()
    assert (ann.follow_up_on, "no follow-up needed" in html) == (None, True)


def test_follow_up_post_without_a_choice_says_so(owner_client, ann):
    url = reverse("prospects:follow-up", args=[ann.pk])
    html = page(owner_client.post(url, {}, HTTP_HX_REQUEST="true"))
    assert "Pick a date, a quick pick, or clear the follow-up." in html


# --- adding and editing ------------------------------------------------------------------------


def test_add_form_defaults_to_the_unknown_source(owner_client, owner):
    html = page(owner_client.get(reverse("prospects:add")))
    unknown = services.unknown_source(owner)
    assert f'<option value="{unknown.pk}" selected>Unknown</option>' in html


def test_add_prospect_normalizes_and_shows_the_phone_nationally(owner_client, owner):
    forum = services.add_source(owner, category=category(owner, "Forum posts"), campaign="Sig")
    response = owner_client.post(
        reverse("prospects:add"),
        form_data(
            name=" Ann  Lee ",
            email="Ann@Example.com",
            phone="+1 415.555.0132",
            time_zone="America/Chicago",
            source=forum.pk,
            stage="contacted",
            follow_up_on="2026-06-12",
            tags="Warm, forum",
            notes="Met on the forum",
        ),
    )
    made = Prospect.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/prospects/{made.pk}/")
    assert (
        made.name,
        made.email_key,
        made.phone,
        made.time_zone,
        made.source,
        made.stage,
        made.follow_up_on,
        made.tags,
        made.notes,
    ) == (
        "Ann Lee",
        "ann@example.com",
        "+14155550132",
        "America/Chicago",
        forum,
        "contacted",
        date(2026, 6, 12),
        ",warm,forum,",
        "Met on the forum",
    )
    edit = page(owner_client.get(reverse("prospects:edit", args=[made.pk])))
    assert 'value="(415) 555-0132"' in edit


def test_add_prospect_bad_fields_are_shown_and_nothing_is_added(owner_client, owner):
    html = page(
        owner_client.post(reverse("prospects:add"), form_data(email="nope", phone="12", name=""))
    )
    assert ("Give the prospect a name." in html, "is not an email address" in html) == (True, True)
    assert Prospect.objects.count() == 0


def test_add_prospect_with_anothers_source_is_refused(owner_client, owner, other_user):
    theirs = services.unknown_source(other_user)
    html = page(owner_client.post(reverse("prospects:add"), form_data(source=theirs.pk)))
    assert "Select a valid choice" in html
    assert Prospect.objects.count() == 0


def test_add_duplicate_shows_the_match_and_adds_nothing(owner_client, ann):
    html = page(
        owner_client.post(reverse("prospects:add"), form_data(name="A. Lee", phone="4155550132"))
    )
    assert f'<button class="primary" name="merge_into" value="{ann.pk}">Merge into Ann Lee' in html
    assert '<button class="secondary" name="allow_duplicate" value="1">Add anyway' in html
    assert Prospect.objects.count() == 1


def test_add_duplicate_merge_into_existing_fills_it_and_adds_no_one(owner_client, ann):
    response = owner_client.post(
        reverse("prospects:add"),
        form_data(
            name="A. Lee",
            email="ANN@example.com",
            social="@annlee",
            tags="forum",
            notes="From the webinar",
            merge_into=ann.pk,
        ),
    )
    kept = Prospect.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/prospects/{ann.pk}/")
    assert (kept.pk, kept.name, kept.social, kept.tags, kept.notes) == (
        ann.pk,
        "Ann Lee",
        "@annlee",
        ",warm,forum,",
        "From the webinar",
    )
    assert list(kept.events.filter(kind="merge").values_list("text", flat=True)) == [
        "Merged with A. Lee, ANN@example.com, @annlee, New (source: Unknown)"
    ]


def test_add_duplicate_merge_into_anothers_prospect_is_404(owner_client, other_user, ann):
    theirs = add(other_user, "Their Ann", email="ann@example.com")
    response = owner_client.post(
        reverse("prospects:add"), form_data(email="ann@example.com", merge_into=theirs.pk)
    )
    assert response.status_code == 404
    assert Prospect.objects.filter(name="Ann Lee").count() == 1


def test_add_duplicate_anyway_adds_a_second(owner_client, ann):
    owner_client.post(
        reverse("prospects:add"),
        form_data(name="Ann Twin", email="ann@example.com", allow_duplicate="1"),
    )
    assert sorted(Prospect.objects.values_list("name", flat=True)) == ["Ann Lee", "Ann Twin"]


def test_edit_saves_contacts_without_touching_stage(owner_client, ann):
    services.change_stage(ann, Stage.BOOKED, now=NOW)
    response = owner_client.post(
        reverse("prospects:edit", args=[ann.pk]),
        form_data(name="Ann Lee-Smith", phone="(415) 555-0132", source=ann.source_id, tags=""),
    )
    ann.refresh_from_db()
    assert (response.status_code, ann.name, ann.email, ann.tags, ann.stage) == (
        302,
        "Ann Lee-Smith",
        "",
        "",
        "booked",
    )


def test_edit_to_anothers_email_offers_merge_then_merges_into_this(owner_client, owner, ann):
    bob = add(owner, "Bob Stone", email="bob@example.com", social="@bob")
    AppointmentFactory(user=owner, prospect=bob, start=NOW, end=NOW + timedelta(hours=1))
    url = reverse("prospects:edit", args=[ann.pk])
    data = form_data(email="bob@example.com", source=ann.source_id)
    html = page(owner_client.post(url, data))
    assert f'name="merge_from" value="{bob.pk}">Save and merge Bob Stone into Ann Lee' in html
    ann.refresh_from_db()
    assert ann.email == "ann@example.com"

    owner_client.post(url, {**data, "merge_from": bob.pk})
    ann.refresh_from_db()
    assert (ann.email, ann.social, list(Prospect.objects.values_list("name", flat=True))) == (
        "bob@example.com",
        "@bob",
        ["Ann Lee"],
    )
    assert list(ann.appointments.values_list("prospect_name", flat=True)) == ["Bob Stone"]


def test_edit_unchanged_contacts_of_a_kept_duplicate_do_not_ask_again(owner_client, owner, ann):
    add(owner, "Ann Twin", email="ann@example.com")
    url = reverse("prospects:edit", args=[ann.pk])
    response = owner_client.post(
        url, form_data(email="ann@example.com", phone="4155550132", notes="x", source=ann.source_id)
    )
    ann.refresh_from_db()
    assert (response.status_code, ann.notes) == (302, "x")


# --- merging and deleting ----------------------------------------------------------------------


def test_merge_page_lists_duplicates_and_search_results(owner_client, owner, ann):
    twin = add(owner, "A. Lee", email="ANN@example.com")
    add(owner, "Bob Stone")
    url = reverse("prospects:merge", args=[ann.pk])
    suggested = page(owner_client.get(url))
    searched = page(owner_client.get(url, {"q": "bob"}))
    assert f'<a href="{url}?other={twin.pk}">A. Lee</a>' in suggested
    assert ("Bob Stone" in suggested, "Bob Stone" in searched, "A. Lee" in searched) == (
        False,
        True,
        False,
    )


def test_merge_confirm_shows_both_and_post_keeps_both_histories(owner_client, owner, ann):
    bob = add(owner, "Bob Stone", phone="212 555 0199", at=NOW - timedelta(days=30))
    services.add_note(bob, "Bob's old note", now=NOW - timedelta(days=20))
    services.add_income(owner, on=TODAY, amount="20", prospect=bob)
    url = reverse("prospects:merge", args=[ann.pk])

    confirm = page(owner_client.get(url, {"other": bob.pk}))
    assert ("Merge Bob Stone into Ann Lee?" in confirm, "(212) 555-0199" in confirm) == (
        True,
        True,
    )

    response = owner_client.post(url, {"other": bob.pk})
    assert (response.status_code, response["Location"]) == (302, f"/prospects/{ann.pk}/")
    ann.refresh_from_db()
    assert (ann.phone, ann.created_at, list(Prospect.objects.values_list("pk", flat=True))) == (
        "+14155550132",
        NOW - timedelta(days=30),
        [ann.pk],
    )
    assert sorted(ann.events.values_list("kind", flat=True)) == [
        "created",
        "created",
        "merge",
        "note",
    ]
    assert ann.incomes.count() == 1


def test_merge_with_itself_is_404(owner_client, ann):
    url = reverse("prospects:merge", args=[ann.pk])
    assert owner_client.get(url, {"other": ann.pk}).status_code == 404


def test_delete_confirms_then_deletes_history_but_keeps_the_call(owner_client, owner, ann):
    call = AppointmentFactory(user=owner, prospect=ann, start=NOW, end=NOW + timedelta(hours=1))
    url = reverse("prospects:delete", args=[ann.pk])
    assert "Delete Ann Lee?" in page(owner_client.get(url))
    response = owner_client.post(url)
    call.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, "/prospects/")
    assert (Prospect.objects.count(), Event.objects.count(), call.prospect_id) == (0, 0, None)


def test_card_offers_a_call_timer_linked_to_the_prospect(owner, owner_client):
    prospect = add(owner, "Ann Lee")
    page = owner_client.get(reverse("prospects:card", args=[prospect.pk])).content.decode()
    call = category(owner, "Prospect call")
    assert f'<input type="hidden" name="prospect" value="{prospect.pk}">' in page
    assert f'<option value="{call.pk}">Prospect call</option>' in page

    owner_client.post(
        reverse("activity:start-timer"), {"category": call.pk, "prospect": prospect.pk}
    )
    running = Activity.objects.get(user=owner, end__isnull=True)
    assert (running.category, running.prospect_link.prospect) == (call, prospect)
