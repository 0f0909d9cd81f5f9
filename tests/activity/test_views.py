from datetime import UTC, datetime, timedelta

from django.urls import reverse

from mainthing.activity import services
from mainthing.activity.models import Activity
from tests.factories import block, category, entry

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


def test_today_requires_login(anon_client):
    response = anon_client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/")


def test_today_shows_running_timer_and_start_buttons(owner, owner_client, frozen):
    services.start_timer(owner, category(owner, "Forum posts"), now=NOW - timedelta(minutes=5))
    response = owner_client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Running since 15:55" in page  # London summer time
    assert page.count('name="category"') >= 12


def test_start_view_starts_the_timer(owner, owner_client, frozen):
    response = owner_client.post(
        reverse("activity:start-timer"), {"category": category(owner, "Prospect call").pk}
    )
    assert (response.status_code, response["Location"]) == (302, "/")
    running = Activity.objects.get(user=owner, end__isnull=True)
    assert (running.category.name, running.start) == ("Prospect call", NOW)


def test_start_view_asks_the_iga_question_in_prospecting_hours(owner, owner_client, frozen):
    block(owner, "15:00", "17:00")
    response = owner_client.post(
        reverse("activity:start-timer"), {"category": category(owner, "Organizing").pk}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "It&#x27;s your prospecting time. Is this income-generating activity?" in page
    assert "Start Organizing anyway" in page
    assert not Activity.objects.filter(user=owner).exists()


def test_start_anyway_records_the_override(owner, owner_client, frozen):
    block(owner, "15:00", "17:00")
    owner_client.post(
        reverse("activity:start-timer"),
        {"category": category(owner, "Organizing").pk, "override": "on"},
    )
    assert Activity.objects.get(user=owner).iga_override is True


def test_today_shows_the_nudge_when_busy_work_runs_long(owner, owner_client, frozen):
    services.start_timer(owner, category(owner, "Email inbox"), now=NOW - timedelta(minutes=30))
    page = owner_client.get("/").content.decode()
    assert "You've been on busy work for a while. Is this income-generating activity?" in page
    assert 'data-nudge="Email inbox"' in page


def test_start_view_refuses_another_users_category(owner_client, other_user, frozen):
    response = owner_client.post(
        reverse("activity:start-timer"), {"category": category(other_user, "Prospect call").pk}
    )
    assert response.status_code == 302
    assert not Activity.objects.exists()


def test_stop_view_stops_the_timer(owner, owner_client, frozen):
    services.start_timer(owner, category(owner, "Prospect call"), now=NOW - timedelta(minutes=12))
    owner_client.post(reverse("activity:stop-timer"))
    assert Activity.objects.get(user=owner).seconds == 12 * 60


def test_edit_entry_of_another_user_is_404(owner, other_client, frozen):
    made = entry(owner, "Forum posts", NOW - timedelta(hours=2), 30)
    assert other_client.get(reverse("activity:edit-entry", args=[made.pk])).status_code == 404
    assert other_client.post(reverse("activity:delete-entry", args=[made.pk])).status_code == 404
    assert Activity.objects.filter(pk=made.pk).exists()


def test_add_entry_form_saves_local_times_as_utc(owner, owner_client, frozen):
    response = owner_client.post(
        reverse("activity:add-entry"),
        {
            "category": category(owner, "Prospect call").pk,
            "start": "2026-06-10T09:00",
            "end": "2026-06-10T09:25",
            "note": "Ann",
        },
    )
    assert response.status_code == 302
    made = Activity.objects.get(user=owner)
    assert (made.start, made.seconds, made.note) == (
        datetime(2026, 6, 10, 8, 0, tzinfo=UTC),
        1500,
        "Ann",
    )


def test_add_entry_form_explains_an_overlap_and_saves_when_confirmed(owner, owner_client, frozen):
    entry(owner, "Forum posts", datetime(2026, 6, 10, 8, 0, tzinfo=UTC), 60)
    data = {
        "category": category(owner, "Organizing").pk,
        "start": "2026-06-10T09:30",
        "end": "2026-06-10T10:00",
    }
    response = owner_client.post(reverse("activity:add-entry"), data)
    assert "overlaps 1 other entry" in response.content.decode()
    assert Activity.objects.filter(user=owner).count() == 1
    owner_client.post(reverse("activity:add-entry"), {**data, "allow_overlap": "on"})
    assert Activity.objects.filter(user=owner).count() == 2


def test_add_entry_form_refuses_a_time_skipped_by_dst(owner, owner_client, frozen):
    owner.time_zone = "America/New_York"
    owner.save()
    response = owner_client.post(
        reverse("activity:add-entry"),
        {
            "category": category(owner, "Organizing").pk,
            "start": "2026-03-08T02:30",
            "end": "2026-03-08T03:30",
        },
    )
    assert "does not exist in America/New_York" in response.content.decode()
    assert not Activity.objects.exists()


def test_log_lists_the_weeks_entries_filtered_by_tier(owner, owner_client, frozen):
    entry(owner, "Prospect call", datetime(2026, 6, 9, 18, 0, tzinfo=UTC), 30, note="Call with Ann")
    entry(owner, "Organizing", datetime(2026, 6, 9, 8, 0, tzinfo=UTC), 30, note="Desk")
    page = owner_client.get(reverse("activity:log"), {"tier": "income"}).content.decode()
    assert "Call with Ann" in page
    assert "Desk" not in page


def test_log_never_shows_another_users_entries(owner, other_user, owner_client, frozen):
    entry(other_user, "Prospect call", NOW - timedelta(hours=3), 30, note="Secret prospect")
    assert "Secret prospect" not in owner_client.get(reverse("activity:log")).content.decode()


def test_categories_page_adds_and_archives(owner, owner_client):
    owner_client.post(
        reverse("activity:categories"), {"name": "Webinars", "tier": "leadgen", "color": "#123456"}
    )
    made = category(owner, "Webinars")
    owner_client.post(
        reverse("activity:edit-category", args=[made.pk]),
        {"name": "Webinars", "color": "#123456", "archived": "on"},
    )
    made.refresh_from_db()
    assert (made.tier, made.archived) == ("leadgen", True)


def test_edit_category_of_another_user_is_404(owner, other_client):
    target = category(owner, "Forum posts")
    response = other_client.post(
        reverse("activity:edit-category", args=[target.pk]), {"name": "Hacked", "color": "#000000"}
    )
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.name == "Forum posts"


def test_today_query_count_does_not_grow_with_the_ledger(
    owner, owner_client, frozen, queries_do_not_grow
):
    entry(owner, "Forum posts", NOW - timedelta(hours=3), 30)
    services.start_timer(owner, category(owner, "Prospect call"), now=NOW - timedelta(minutes=5))

    def add_entries():
        for day in range(1, 40):
            entry(owner, "Organizing", NOW - timedelta(days=day), 45)
            entry(owner, "Prospect call", NOW - timedelta(days=day, hours=2), 30)
        for minute in range(0, 120, 10):
            entry(owner, "Video posts", NOW - timedelta(hours=5, minutes=-minute), 10)

    counts = queries_do_not_grow(lambda: owner_client.get("/").status_code, add_entries)
    assert (counts.few, counts.first, counts.last) == (counts.many, 200, 200)


def test_log_query_count_does_not_grow_with_entries(
    owner, owner_client, frozen, queries_do_not_grow
):
    entry(owner, "Forum posts", NOW - timedelta(hours=3), 30)
    counts = queries_do_not_grow(
        lambda: owner_client.get(reverse("activity:log")).status_code,
        lambda: [entry(owner, "Organizing", NOW - timedelta(hours=h), 30) for h in range(4, 60)],
    )
    assert (counts.few, counts.first, counts.last) == (counts.many, 200, 200)
