"""Follow-ups on Today: only as many as the day's free prospecting time holds, missed ones
rolled to the next prospecting day (never red), one-tap Done and Snooze."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from mainthing.bookings import queries, services
from mainthing.prospects.models import Event
from tests.factories import at, block, new_prospect

ZONE = "Europe/London"
MON, TUE, WED = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)


def noon(day: date):
    return at(f"{day:%Y-%m-%d} 12:00", ZONE)


@pytest.fixture
def weekdays(owner):
    """Prospecting Mon-Fri 19:00-21:00 London: 120 minutes, room for 8 follow-ups."""
    block(owner, "19:00", "21:00", days="Mon-Fri")
    return owner


def add(user, name: str, on: date | None, stage: str = "contacted", phone: str = ""):
    week_before = noon(MON) - timedelta(days=7)
    return new_prospect(user, name, at=week_before, stage=stage, follow_up_on=on, phone=phone)


def html_of_section(page: str) -> str:
    start = page.index('id="follow-ups"')
    return page[start : page.index("</section>", start)].split(">", 1)[1]


def section(page: str) -> str:
    """The follow-ups section as text: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", html_of_section(page)).split())


def today_section(client) -> str:
    return section(client.get("/").content.decode())


WEEKEND = "No prospecting time today. Next prospecting day: Monday 9 Mar, with 1 follow-up due."


def test_follow_up_rolls_forward_day_by_day_and_never_turns_red(weekdays, owner_client, frozen):
    add(weekdays, "Ann Lee", TUE)
    seen = []
    for day in (MON, TUE, WED, date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)):
        frozen.move_to(noon(day))
        page = owner_client.get("/").content.decode()
        seen.append((f"{day:%a}", section(page)))
        # Never red: nothing is marked due, overdue or as an error.
        assert re.findall(r'class="[^"]*(?:due|danger|error)', html_of_section(page)) == []
    assert seen == [
        ("Mon", "Follow-ups No follow-ups due today."),
        ("Tue", "Follow-ups Ann Lee Contacted Done Snooze"),
        ("Wed", "Follow-ups Ann Lee Contacted from Tue 3 Mar Done Snooze"),
        ("Sat", f"Follow-ups {WEEKEND}"),
        ("Sun", f"Follow-ups {WEEKEND}"),
        ("Mon", "Follow-ups Ann Lee Contacted from Tue 3 Mar Done Snooze"),
    ]


def test_follow_ups_show_only_what_fits_the_free_prospecting_time(weekdays, owner_client, frozen):
    names = ["Ann", "Bob", "Cid", "Dee", "Eve"]
    for offset, name in enumerate(names):
        add(weekdays, name, TUE - timedelta(days=offset))  # Eve is the oldest
    add(weekdays, "Fay", WED)  # not due yet
    add(weekdays, "Gus", TUE, stage="joined")  # closed: needs no follow-up
    frozen.move_to(noon(TUE))
    # 120 minutes of prospecting, 90 of them booked: 30 free, room for 2 follow-ups.
    for minutes in (0, 30, 60):
        services.book(
            weekdays,
            prospect_name=f"Call {minutes}",
            start=at("2026-03-03 19:00", ZONE) + timedelta(minutes=minutes),
            now=noon(TUE),
        )
    text = today_section(owner_client)
    assert text == (
        "Follow-ups Eve Contacted from Fri 27 Feb Done Snooze "
        "Dee Contacted from Sat 28 Feb Done Snooze "
        "3 more wait for the next prospecting day, Wed 4 Mar."
    )


def test_follow_ups_wait_when_todays_prospecting_time_is_booked_full(
    weekdays, owner_client, frozen
):
    add(weekdays, "Ann", MON)
    add(weekdays, "Bob", TUE)
    frozen.move_to(noon(TUE))
    for minutes in range(0, 120, 30):
        services.book(
            weekdays,
            prospect_name=f"Call {minutes}",
            start=at("2026-03-03 19:00", ZONE) + timedelta(minutes=minutes),
            now=noon(TUE),
        )
    text = today_section(owner_client)
    assert text == (
        "Follow-ups Today's prospecting time is fully booked: "
        "2 follow-ups wait for the next prospecting day, Wed 4 Mar."
    )


def test_follow_ups_show_the_phone_as_a_tel_link_and_the_card(
    weekdays, owner, owner_client, frozen
):
    owner.phone_region = "GB"
    owner.save(update_fields=["phone_region"])
    ann = add(weekdays, "Ann Lee", TUE, phone="020 7946 0000")
    frozen.move_to(noon(TUE))
    page = owner_client.get("/").content.decode()
    assert '<a class="tel" href="tel:+442079460000">020 7946 0000</a>' in page
    assert f'<a href="/prospects/{ann.pk}/">Ann Lee</a>' in page


def test_follow_ups_without_a_routine_show_a_few_and_ask_for_blocks(owner, owner_client, frozen):
    for n in range(10):
        add(owner, f"P{n:02d}", TUE)
    frozen.move_to(noon(TUE))
    text = today_section(owner_client)
    rows = " ".join(f"P{n:02d} Contacted Done Snooze" for n in range(8))
    assert text == (
        f"Follow-ups {rows} 2 more wait for the next prospecting day. "
        "Set your prospecting blocks: each day then shows as many follow-ups as its free "
        "prospecting time holds."
    )


def test_done_marks_the_contact_and_clears_the_follow_up(weekdays, owner_client, frozen):
    ann = add(weekdays, "Ann", MON, stage="new")
    frozen.move_to(noon(TUE))
    response = owner_client.post(reverse("bookings:follow-up-done", args=[ann.pk]))
    ann.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, "/")
    assert (ann.follow_up_on, ann.last_contacted_at, ann.stage) == (None, noon(TUE), "contacted")


def test_snooze_moves_to_the_next_prospecting_day(weekdays, owner_client, frozen):
    ann = add(weekdays, "Ann", MON)
    moved = []
    for day in (TUE, date(2026, 3, 6)):  # Tuesday → Wednesday; Friday → Monday
        frozen.move_to(noon(day))
        owner_client.post(reverse("bookings:follow-up-snooze", args=[ann.pk]))
        ann.refresh_from_db()
        moved.append(ann.follow_up_on)
    assert moved == [WED, date(2026, 3, 9)]
    assert list(
        Event.objects.filter(prospect=ann, kind="follow_up").order_by("at").values_list("text")
    ) == [("Snoozed to Wed 04 Mar",), ("Snoozed to Mon 09 Mar",)]


def test_done_with_htmx_answers_the_section_only(weekdays, owner_client, frozen):
    ann = add(weekdays, "Ann", MON)
    add(weekdays, "Bob", TUE)
    frozen.move_to(noon(TUE))
    response = owner_client.post(
        reverse("bookings:follow-up-done", args=[ann.pk]), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert (response.status_code, body.lstrip().startswith('<section class="card follow-ups"')) == (
        200,
        True,
    )
    assert ("<html" in body, section(body)) == (False, "Follow-ups Bob Contacted Done Snooze")


def test_follow_up_buttons_on_another_users_prospect_are_404(
    weekdays, other_user, other_client, frozen
):
    theirs = add(weekdays, "Ann", MON)
    frozen.move_to(noon(TUE))
    answers = [
        other_client.post(reverse(f"bookings:follow-up-{name}", args=[theirs.pk])).status_code
        for name in ("done", "snooze")
    ]
    theirs.refresh_from_db()
    assert (answers, theirs.follow_up_on) == ([404, 404], MON)


def test_follow_up_buttons_need_login_and_a_post(weekdays, anon_client, owner_client):
    ann = add(weekdays, "Ann", MON)
    done = reverse("bookings:follow-up-done", args=[ann.pk])
    response = anon_client.post(done)
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")
    assert owner_client.get(done).status_code == 405
    ann.refresh_from_db()
    assert ann.follow_up_on == MON


def test_follow_ups_read_model_counts_and_rolls(weekdays):
    add(weekdays, "Ann", MON)
    add(weekdays, "Bob", date(2026, 3, 9))
    result = queries.follow_ups(weekdays, now=noon(date(2026, 3, 7)))
    assert (result.today, result.day, result.next_day, result.due, result.rows, result.waiting) == (
        date(2026, 3, 7),
        date(2026, 3, 9),
        date(2026, 3, 9),
        2,
        [],
        0,
    )


def test_today_query_count_does_not_grow_with_follow_ups(
    weekdays, owner_client, frozen, queries_do_not_grow
):
    add(weekdays, "P0", MON)
    frozen.move_to(noon(TUE))
    counts = queries_do_not_grow(
        lambda: owner_client.get("/").content.decode(),
        lambda: [add(weekdays, f"P{n}", MON - timedelta(days=n % 5)) for n in range(1, 40)],
    )
    assert (counts.many, "32 more wait" in counts.last) == (counts.few, True)
