"""The private calendar feed: valid iCalendar line by line, private, stable, revocable."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import reverse
from icalendar import Calendar

from mainthing.bookings import feeds, services
from mainthing.bookings.models import FeedToken
from mainthing.routine import services as routine_services
from tests.factories import UserFactory, block

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)
EVENING = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)  # 19:00 in London (BST)
TODAY = date(2026, 6, 10)


@pytest.fixture
def evenings(owner):
    return block(owner, "19:00", "21:00")


@pytest.fixture
def token(owner):
    return feeds.rotate_feed_token(owner)


def url(raw: str) -> str:
    return f"/feeds/{raw}.ics"


def book(user, name: str, start: datetime, **fields):
    return services.book(
        user,
        prospect_name=name,
        start=start,
        now=start - timedelta(hours=1),
        allow_outside=True,
        **fields,
    )


def checked_lines(body: bytes) -> list[str]:
    """The content lines after checking the raw form RFC 5545 asks for; unfolded."""
    assert body.endswith(b"\r\n")
    physical = body.split(b"\r\n")[:-1]
    assert [line for line in physical if b"\r" in line or b"\n" in line] == []
    assert [line for line in physical if len(line) > 75] == []
    # Folding never splits a multi-octet character: each physical line is valid UTF-8 alone.
    for line in physical:
        line.decode("utf-8")
    unfolded: list[bytes] = []
    for line in physical:
        if line[:1] in (b" ", b"\t"):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    return [line.decode("utf-8") for line in unfolded]


def name_of(line: str) -> str:
    return re.split(r"[;:]", line, maxsplit=1)[0]


def events(body: bytes) -> dict[str, dict]:
    """VEVENTs by UID, parsed by icalendar."""
    calendar = Calendar.from_ical(body)
    return {
        str(e["UID"]): {
            "summary": str(e["SUMMARY"]),
            "start": e.start,
            "end": e.end,
            "sequence": int(e["SEQUENCE"]),
            "transp": str(e["TRANSP"]),
            "status": str(e["STATUS"]),
            "description": str(e.get("DESCRIPTION", "")),
        }
        for e in calendar.walk("VEVENT")
    }


def test_feed_is_valid_icalendar_line_by_line(owner, token, anon_client, frozen):
    routine_services.add_block(
        owner,
        tier="income",
        days="daily",
        start=time(19),
        end=time(21),
        label="Évening calls — the people who asked for details, every one of them ✓✓✓",
        today=TODAY,
    )
    book(owner, "Ann Lee", EVENING)
    body = anon_client.get(url(token)).content

    lines = checked_lines(body)
    names = [name_of(line) for line in lines]
    assert (names[0], names[-1]) == ("BEGIN", "END")
    assert (names.count("VERSION"), names.count("PRODID")) == (1, 1)
    assert ("VERSION:2.0", f"PRODID:{feeds.PRODID}") == (lines[1], lines[2])
    times = [line for line in lines if name_of(line) in ("DTSTART", "DTEND", "DTSTAMP")]
    assert [t for t in times if not re.fullmatch(r"[A-Z]+:\d{8}T\d{6}Z", t)] == []
    assert "TZID" not in body.decode()
    assert "VTIMEZONE" not in names
    assert {line for line in lines if name_of(line) in ("REFRESH-INTERVAL", "X-PUBLISHED-TTL")} == {
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    }
    assert "X-WR-CALNAME:Mainthing" in lines
    assert "METHOD:PUBLISH" in lines
    # One calendar UID plus one per event, each event wrapped in BEGIN/END.
    assert names.count("BEGIN") == names.count("END") == names.count("UID")


def test_feed_folds_long_lines_and_keeps_the_text_whole(owner, token, anon_client, frozen):
    label = "Évening calls — the people who asked for details, every one of them ✓✓✓"
    routine_services.add_block(
        owner, tier="income", days="daily", start=time(19), end=time(21), label=label, today=TODAY
    )
    body = anon_client.get(url(token)).content
    assert b"\r\n " in body
    summaries = {e["summary"] for e in events(body).values()}
    assert summaries == {label}


def test_feed_holds_blocks_and_appointments_in_its_window(
    owner, evenings, token, anon_client, frozen
):
    ann = book(owner, "Ann Lee", EVENING)
    # The window runs from the local day 14 days back to the local day 8 weeks ahead.
    book(owner, "Too Old", datetime(2026, 5, 26, 18, 0, tzinfo=UTC))
    old = book(owner, "Still Shown", datetime(2026, 5, 27, 18, 0, tzinfo=UTC))
    late = book(owner, "Last One", datetime(2026, 8, 5, 18, 0, tzinfo=UTC))
    book(owner, "Too Far", datetime(2026, 8, 7, 18, 0, tzinfo=UTC))

    found = events(anon_client.get(url(token)).content)

    calls = {uid: e for uid, e in found.items() if uid.startswith("appointment-")}
    assert sorted(calls) == sorted(f"appointment-{a.pk}@mainthing" for a in (ann, old, late))
    assert calls[f"appointment-{ann.pk}@mainthing"] == {
        "summary": "Call with Ann",
        "start": EVENING,
        "end": EVENING + timedelta(minutes=30),
        "sequence": 0,
        "transp": "OPAQUE",
        "status": "CONFIRMED",
        "description": "Status: Scheduled",
    }
    blocks = {uid: e for uid, e in found.items() if uid.startswith("block-")}
    assert len(blocks) == 71  # 27 May to 5 August, every evening
    assert blocks[f"block-{evenings.pk}-2026-06-10@mainthing"] == {
        "summary": "Prospecting block",
        "start": EVENING,
        "end": EVENING + timedelta(hours=2),
        "sequence": 0,
        "transp": "TRANSPARENT",
        "status": "CONFIRMED",
        "description": "",
    }


def test_feed_names_each_tier_of_block(owner, token, anon_client, frozen):
    block(owner, "08:00", "09:00", tier="leadgen")
    block(owner, "10:00", "11:00", tier="other")
    block(owner, "19:00", "21:00")
    found = events(anon_client.get(url(token)).content)
    assert {e["summary"] for e in found.values()} == {
        "Lead generation block",
        "Busy-work block",
        "Prospecting block",
    }


def test_feed_uids_are_stable_across_fetches(owner, evenings, token, anon_client, frozen):
    book(owner, "Ann Lee", EVENING)
    first = anon_client.get(url(token)).content
    frozen.shift(timedelta(minutes=10))
    second = anon_client.get(url(token)).content
    assert sorted(events(first)) == sorted(events(second))
    assert len(events(first)) == 72


def test_feed_sequence_grows_on_move_and_a_cancelled_call_leaves(
    owner, evenings, token, anon_client, frozen
):
    ann = book(owner, "Ann Lee", EVENING)
    bob = book(owner, "Bob Stone", EVENING + timedelta(hours=1))
    uid_ann, uid_bob = f"appointment-{ann.pk}@mainthing", f"appointment-{bob.pk}@mainthing"
    before = events(anon_client.get(url(token)).content)

    services.move(ann, start=EVENING + timedelta(minutes=30), now=NOW)
    services.cancel(bob, now=NOW)
    after = events(anon_client.get(url(token)).content)

    assert (before[uid_ann]["sequence"], before[uid_ann]["start"]) == (0, EVENING)
    assert (after[uid_ann]["sequence"], after[uid_ann]["start"]) == (
        1,
        EVENING + timedelta(minutes=30),
    )
    assert (uid_bob in before, uid_bob in after) == (True, False)


def test_feed_shows_completed_and_no_show_calls_with_their_status(
    owner, evenings, token, anon_client, frozen
):
    ann = book(owner, "Ann Lee", EVENING - timedelta(days=1))
    bob = book(owner, "Bob Stone", EVENING - timedelta(days=2))
    services.complete(ann, now=NOW)
    services.mark_no_show(bob, now=NOW)
    found = events(anon_client.get(url(token)).content)
    assert (
        found[f"appointment-{ann.pk}@mainthing"]["description"],
        found[f"appointment-{ann.pk}@mainthing"]["sequence"],
        found[f"appointment-{bob.pk}@mainthing"]["description"],
    ) == ("Status: Completed", 1, "Status: No-show")


def test_block_sequence_grows_on_every_change(owner, evenings, token, anon_client, frozen):
    uid = f"block-{evenings.pk}-2026-06-11@mainthing"
    routine_services.set_exception(
        evenings, day=date(2026, 6, 11), skip=False, start=time(18), end=time(20), today=TODAY
    )
    moved = events(anon_client.get(url(token)).content)
    exception = evenings.exceptions.get()
    routine_services.remove_exception(exception)
    restored = events(anon_client.get(url(token)).content)
    routine_services.set_exception(evenings, day=date(2026, 6, 11), today=TODAY)
    skipped = events(anon_client.get(url(token)).content)
    routine_services.update_block(evenings, start=time(19, 30), today=TODAY)
    changed = events(anon_client.get(url(token)).content)

    assert (moved[uid]["sequence"], moved[uid]["start"]) == (
        1,
        datetime(2026, 6, 11, 17, 0, tzinfo=UTC),
    )
    assert (restored[uid]["sequence"], restored[uid]["start"]) == (
        2,
        datetime(2026, 6, 11, 18, 0, tzinfo=UTC),
    )
    assert uid not in skipped
    other_day = f"block-{evenings.pk}-2026-06-12@mainthing"
    assert (skipped[other_day]["sequence"], changed[other_day]["sequence"]) == (3, 4)
    assert changed[other_day]["start"] == datetime(2026, 6, 12, 18, 30, tzinfo=UTC)


def test_refused_block_changes_leave_the_sequence(owner, evenings):
    morning = block(owner, "09:00", "10:00")
    with pytest.raises(Exception, match="overlap"):
        routine_services.set_exception(
            morning, day=TODAY, skip=False, start=time(18), end=time(20), today=TODAY
        )
    with pytest.raises(Exception, match="overlap"):
        routine_services.update_block(morning, start=time(18), end=time(20), today=TODAY)
    morning.refresh_from_db()
    assert morning.sequence == 0


def test_feed_names_prospects_by_first_name_only(owner, evenings, token, anon_client, frozen):
    book(
        owner,
        "Ann Lee",
        EVENING,
        note="Wife of Bob; ann.lee@example.com, +1 202 555 0143, met on the forum",
    )
    body = anon_client.get(url(token)).content
    unfolded = "\n".join(checked_lines(body))
    assert "Call with Ann" in unfolded
    leaks = ["Lee", "example.com", "0143", "forum", "Bob", "Wife"]
    assert [word for word in leaks if word in unfolded] == []


@pytest.mark.parametrize(
    ("now", "before", "after", "local_dates"),
    [
        # Spring forward on Sun 8 March 2026: 19:00 EST is 00:00Z, 19:00 EDT is 23:00Z.
        (
            datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
            datetime(2026, 3, 8, 0, 0, tzinfo=UTC),
            datetime(2026, 3, 8, 23, 0, tzinfo=UTC),
            ("2026-03-07", "2026-03-08"),
        ),
        # Fall back on Sun 1 November 2026: 19:00 EDT is 23:00Z, 19:00 EST is 00:00Z.
        (
            datetime(2026, 10, 20, 12, 0, tzinfo=UTC),
            datetime(2026, 10, 31, 23, 0, tzinfo=UTC),
            datetime(2026, 11, 2, 0, 0, tzinfo=UTC),
            ("2026-10-31", "2026-11-01"),
        ),
    ],
)
def test_feed_blocks_keep_local_time_across_new_york_dst(
    db, anon_client, frozen, now, before, after, local_dates
):
    user = UserFactory(time_zone="America/New_York")
    evenings = block(user, "19:00", "21:00")
    raw = feeds.rotate_feed_token(user)
    frozen.move_to(now)
    found = events(anon_client.get(url(raw)).content)
    first, second = (found[f"block-{evenings.pk}-{day}@mainthing"] for day in local_dates)
    assert ((first["start"], first["end"]), (second["start"], second["end"])) == (
        (before, before + timedelta(hours=2)),
        (after, after + timedelta(hours=2)),
    )


def test_feed_blocks_in_a_dst_gap_start_when_the_gap_ends(db, anon_client, frozen):
    user = UserFactory(time_zone="America/New_York")
    night = block(user, "01:30", "03:30")
    raw = feeds.rotate_feed_token(user)
    frozen.move_to(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    found = events(anon_client.get(url(raw)).content)
    gap_night = found[f"block-{night.pk}-2026-03-08@mainthing"]
    # 01:30 EST is 06:30Z; 03:30 EDT is 07:30Z: one real hour.
    assert (gap_night["start"], gap_night["end"]) == (
        datetime(2026, 3, 8, 6, 30, tzinfo=UTC),
        datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
    )


def test_another_users_feed_never_shows_this_users_events(
    owner, other_user, evenings, token, anon_client, frozen
):
    ann = book(owner, "Ann Lee", EVENING)
    theirs = block(other_user, "09:00", "10:00")
    book(other_user, "Bob Stone", datetime(2026, 6, 11, 13, 0, tzinfo=UTC))
    other_token = feeds.rotate_feed_token(other_user)

    body = anon_client.get(url(other_token)).content
    found = events(body)

    assert {e["summary"] for e in found.values()} == {"Prospecting block", "Call with Bob"}
    assert [uid for uid in found if uid.startswith(f"block-{evenings.pk}-")] == []
    assert f"appointment-{ann.pk}@mainthing" not in found
    assert "Ann" not in body.decode()
    assert len([uid for uid in found if uid.startswith(f"block-{theirs.pk}-")]) == 71


def test_feed_answers_calendar_headers_to_an_anonymous_client(
    owner, evenings, token, anon_client, frozen
):
    response = anon_client.get(url(token))
    assert (
        response.status_code,
        response["Content-Type"],
        response["Content-Disposition"],
        response["Cache-Control"],
        response["X-Robots-Tag"],
    ) == (
        200,
        "text/calendar; charset=utf-8",
        "inline; filename=mainthing.ics",
        "private, max-age=300",
        "noindex",
    )
    assert "Content-Encoding" not in response


def test_feed_answers_head_and_refuses_post(token, anon_client, frozen):
    head = anon_client.head(url(token))
    post = anon_client.post(url(token))
    assert (head.status_code, head["Content-Type"], post.status_code) == (
        200,
        "text/calendar; charset=utf-8",
        405,
    )


@pytest.mark.parametrize("raw", ["nope", "x" * 43, "a" * 500])
def test_unknown_token_is_404(owner, token, anon_client, raw):
    assert anon_client.get(url(raw)).status_code == 404


def test_feed_of_an_inactive_user_is_404(owner, token, anon_client):
    owner.is_active = False
    owner.save()
    assert anon_client.get(url(token)).status_code == 404


def test_rotating_makes_the_old_url_404_and_the_new_one_200(owner, token, anon_client):
    new = feeds.rotate_feed_token(owner)
    assert (
        anon_client.get(url(token)).status_code,
        anon_client.get(url(new)).status_code,
        FeedToken.objects.filter(user=owner).count(),
    ) == (404, 200, 1)


def test_revoked_feed_is_404(owner, token, anon_client):
    assert anon_client.get(url(token)).status_code == 200
    assert feeds.revoke_feed_token(owner) is True
    assert (anon_client.get(url(token)).status_code, feeds.revoke_feed_token(owner)) == (
        404,
        False,
    )


def test_user_for_feed_token_finds_only_the_live_token(owner, other_user, token):
    other = feeds.rotate_feed_token(other_user)
    assert (
        feeds.user_for_feed_token(token),
        feeds.user_for_feed_token(other),
        feeds.user_for_feed_token(token[:-1]),
        feeds.user_for_feed_token(""),
    ) == (owner, other_user, None, None)


def _stored_anywhere(raw: str) -> list[str]:
    """Every model row (and every decoded session) whose values contain `raw`."""
    found = []
    for model in apps.get_models():
        for row in model.objects.values():
            if raw in repr(row):
                found.append(model.__name__)
    for session in Session.objects.all():
        if raw in repr(session.get_decoded()):
            found.append("session data")
    return found


def test_raw_token_is_stored_nowhere_only_its_hash(owner, token):
    row = FeedToken.objects.get(user=owner)
    assert (len(token) >= 22, len(row.token_hash), _stored_anywhere(token)) == (True, 64, [])
    assert re.fullmatch(r"[0-9a-f]{64}", row.token_hash)


def test_tokens_are_long_and_never_repeat(owner):
    made = {feeds.rotate_feed_token(owner) for _ in range(20)}
    # token_urlsafe(32): 256 bits in 43 URL-safe characters.
    assert (len(made), {len(t) for t in made}) == (20, {43})


def test_feed_records_its_last_use_at_most_once_a_minute(owner, token, anon_client, frozen):
    anon_client.get(url(token))
    first = FeedToken.objects.get(user=owner).last_used_at
    frozen.shift(timedelta(seconds=30))
    anon_client.get(url(token))
    unchanged = FeedToken.objects.get(user=owner).last_used_at
    frozen.shift(timedelta(seconds=31))
    anon_client.get(url(token))
    later = FeedToken.objects.get(user=owner).last_used_at
    assert (first, unchanged, later) == (NOW, NOW, NOW + timedelta(seconds=61))


def test_feed_query_count_does_not_grow_with_appointments(
    owner, evenings, token, anon_client, frozen, queries_do_not_grow
):
    book(owner, "Ann Lee", EVENING)
    anon_client.get(url(token))  # records the first use, so no write is measured below

    def add_rows():
        for day in range(1, 20):
            book(owner, f"Prospect {day}", EVENING + timedelta(days=day))
        routine_services.set_exception(evenings, day=date(2026, 6, 20), today=TODAY)

    counts = queries_do_not_grow(lambda: anon_client.get(url(token)).content, add_rows)
    assert (counts.few, counts.many) == (4, 4)
    assert len([uid for uid in events(counts.last) if uid.startswith("appointment-")]) == 20


# --- views on the profile page ---


def test_rotate_feed_requires_login_and_post(anon_client, owner_client):
    anon = anon_client.post(reverse("bookings:rotate-feed"))
    get = owner_client.get(reverse("bookings:rotate-feed"))
    assert (anon.status_code, anon["Location"], get.status_code) == (
        302,
        "/accounts/login/?next=/calendar/feed/rotate/",
        405,
    )
    assert FeedToken.objects.count() == 0


def test_revoke_feed_requires_login(owner, token, anon_client):
    response = anon_client.post(reverse("bookings:revoke-feed"))
    assert (response.status_code, FeedToken.objects.count()) == (302, 1)


def test_revoke_feed_view_turns_the_feed_off(owner, token, owner_client, anon_client):
    response = owner_client.post(reverse("bookings:revoke-feed"))
    assert (response.status_code, response["Location"]) == (302, "/accounts/profile/")
    assert (FeedToken.objects.count(), anon_client.get(url(token)).status_code) == (0, 404)


def test_another_users_revoke_leaves_this_feed(owner, token, other_client, anon_client):
    other_client.post(reverse("bookings:revoke-feed"))
    assert anon_client.get(url(token)).status_code == 200


FEED_URL = re.compile(r"https://mainthing\.example/feeds/([A-Za-z0-9_-]+)\.ics")


def test_rotate_view_redirects_then_shows_the_new_url_once_and_the_old_one_404s(
    owner, owner_client, anon_client, settings
):
    settings.BASE_URL = "https://mainthing.example"
    owner_client.post(reverse("bookings:rotate-feed"))
    first = owner_client.get(reverse("bookings:new-feed")).content.decode()
    posted = owner_client.post(reverse("bookings:rotate-feed"))
    shown = owner_client.get(reverse("bookings:new-feed"))
    reloaded = owner_client.get(reverse("bookings:new-feed"))

    old, new = FEED_URL.findall(first), FEED_URL.findall(shown.content.decode())
    # POST-redirect-GET: a reload of the page makes no new address, and shows none again.
    assert (posted.status_code, posted["Location"]) == (302, reverse("bookings:new-feed"))
    assert (shown.status_code, shown["Cache-Control"], len(old), len(new)) == (
        200,
        "no-store",
        1,
        1,
    )
    assert (reloaded.status_code, reloaded["Location"]) == (302, "/accounts/profile/#calendar-feed")
    assert FeedToken.objects.count() == 1
    assert (
        anon_client.get(url(old[0])).status_code,
        anon_client.get(url(new[0])).status_code,
    ) == (404, 200)
    # Once shown, the raw token is nowhere: not in the database, a session or a cookie.
    assert _stored_anywhere(new[0]) == []
    assert new[0] not in str(owner_client.cookies)
    profile = owner_client.get(reverse("accounts:profile")).content.decode()
    assert FEED_URL.findall(profile) == []
    assert "shown only once" in profile


def test_new_feed_page_offers_copy_and_subscribe_links_under_profile(owner, owner_client, settings):
    settings.BASE_URL = "https://mainthing.example"
    owner_client.post(reverse("bookings:rotate-feed"))

    page = owner_client.get(reverse("bookings:new-feed")).content.decode()

    raw = FEED_URL.findall(page)[0]
    webcal = f"webcal://mainthing.example/feeds/{raw}.ics"
    escaped = f"https%3A%2F%2Fmainthing.example%2Ffeeds%2F{raw}.ics"
    assert 'data-copy="feed-url"' in page
    assert (
        f'href="https://calendar.google.com/calendar/r?cid=webcal%3A%2F%2Fmainthing.example%2Ffeeds%2F{raw}.ics"'
        in page
    )
    assert f'href="{webcal}"' in page
    assert (
        f"https://outlook.live.com/calendar/0/addfromweb?url={escaped}&amp;name=Mainthing" in page
    )
    current = re.findall(r'<a href="([^"]+)" ?aria-current="page">', page)
    # The top bar's Profile, and on a phone the tab bar's More, which holds the profile.
    assert current == [reverse("accounts:profile"), reverse("more")]


def block_days(found: dict) -> list[str]:
    return sorted(uid.split("-", 2)[2][:10] for uid in found if uid.startswith("block-"))


def test_feed_shows_blocks_from_the_day_the_account_was_made(db, anon_client, frozen):
    user = UserFactory(time_zone="Europe/London", date_joined=datetime(2026, 6, 5, 9, tzinfo=UTC))
    block(user, "19:00", "21:00")  # made long ago: only the account's age cuts it
    raw = feeds.rotate_feed_token(user)

    found = events(anon_client.get(url(raw)).content)

    assert block_days(found)[0] == "2026-06-05"


def test_feed_shows_a_new_block_from_the_day_it_was_made_or_the_day_it_is_valid_from(
    db, anon_client, frozen
):
    """An account of years adds an evening block today (10 June) and a morning one valid
    since 3 June: the first starts today, the second on the day the user gave."""
    user = UserFactory(time_zone="Europe/London", date_joined=datetime(2024, 1, 1, tzinfo=UTC))
    today = date(2026, 6, 10)
    routine_services.add_block(
        user, tier="income", days="daily", start=time(19), end=time(21), today=today
    )
    routine_services.add_block(
        user, tier="leadgen", days="daily", start=time(8), end=time(9), today=today,
        valid_from=date(2026, 6, 3),
    )  # fmt: skip
    raw = feeds.rotate_feed_token(user)

    found = events(anon_client.get(url(raw)).content)

    firsts = {}
    for event in sorted(found.values(), key=lambda event: event["start"]):
        firsts.setdefault(event["summary"], event["start"].date())
    assert firsts == {
        "Prospecting block": date(2026, 6, 10),
        "Lead generation block": date(2026, 6, 3),
    }


def test_feed_shows_a_restored_call_from_before_the_account_was_made(db, anon_client, frozen):
    """Calls are not cut by the account's age: one restored into an account made today
    happened when it says."""
    user = UserFactory(time_zone="Europe/London", date_joined=datetime(2026, 6, 10, 9, tzinfo=UTC))
    call = book(user, "Held Last Week", datetime(2026, 6, 3, 18, 0, tzinfo=UTC))
    raw = feeds.rotate_feed_token(user)

    found = events(anon_client.get(url(raw)).content)

    assert [uid for uid in found if uid.startswith("appointment-")] == [
        f"appointment-{call.pk}@mainthing"
    ]


def test_profile_offers_to_create_a_feed_when_there_is_none(owner, owner_client):
    page = owner_client.get(reverse("accounts:profile")).content.decode()
    assert "Calendar feed" in page
    assert ("Create a feed address" in page, "Turn the feed off" in page) == (True, False)


def test_profile_shows_the_feed_and_its_use(owner, token, owner_client, anon_client, frozen):
    before = owner_client.get(reverse("accounts:profile")).content.decode()
    anon_client.get(url(token))
    after = owner_client.get(reverse("accounts:profile")).content.decode()
    assert (
        "Your feed is on" in before,
        "not fetched yet" in before,
        "Turn the feed off" in before,
        "Create a feed address" in before,
        "last fetched 10 Jun 2026, 16:00" in after,  # London summer time
    ) == (True, True, True, False, True)
