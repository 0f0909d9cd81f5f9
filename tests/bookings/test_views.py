from datetime import UTC, datetime, timedelta

from django.urls import reverse

from mainthing.activity.models import Activity
from mainthing.bookings import services
from mainthing.bookings.models import Appointment
from mainthing.prospects import services as prospect_services

NOW = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # 09:00 in London
EVENING = datetime(2026, 6, 10, 18, 0, tzinfo=UTC)  # 19:00 in London


def test_calendar_shows_blocks_appointments_and_free_slots(evenings, owner_client, frozen):
    services.book(evenings, prospect_name="Ann Lee", start=EVENING, now=NOW)
    page = owner_client.get(reverse("bookings:calendar")).content.decode()
    assert "Ann Lee" in page
    assert page.count('class="block fill-income"') == 7
    assert 'href="/calendar/book/?start=2026-06-10T19:30"' in page
    assert "free slots of 30 minutes" in page or "free slot" in page


def test_calendar_requires_login(anon_client, db):
    assert anon_client.get(reverse("bookings:calendar")).status_code == 302


def test_book_form_books_in_local_time(evenings, owner_client, frozen):
    response = owner_client.post(
        reverse("bookings:book"),
        {"prospect_name": "Ann", "start": "2026-06-10T19:30", "minutes": 45},
    )
    assert response.status_code == 302
    made = Appointment.objects.get()
    assert (made.start, made.minutes) == (EVENING + timedelta(minutes=30), 45)


def test_book_form_asks_outside_prospecting_time_then_books(evenings, owner_client, frozen):
    data = {"prospect_name": "Ann", "start": "2026-06-10T15:00", "minutes": 30}
    page = owner_client.post(reverse("bookings:book"), data).content.decode()
    assert "This is outside your prospecting time — book anyway?" in page
    # One flag, set: a second, empty copy of the field would win and ask again forever.
    assert page.count('name="allow_outside"') == 1
    assert 'name="allow_outside" value="True"' in page or 'name="allow_outside" value="on"' in page
    assert not Appointment.objects.exists()
    owner_client.post(reverse("bookings:book"), {**data, "allow_outside": "on"})
    assert Appointment.objects.get().outside_blocks is True


def test_booking_a_taken_slot_answers_409(evenings, owner_client, frozen):
    services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    response = owner_client.post(
        reverse("bookings:book"),
        {"prospect_name": "Bob", "start": "2026-06-10T19:00", "minutes": 30},
    )
    assert response.status_code == 409
    assert "That time is already booked" in response.content.decode()
    assert Appointment.objects.count() == 1


def test_complete_from_the_appointment_page_records_the_call(evenings, owner_client, frozen):
    ann = services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    frozen.move_to(EVENING + timedelta(hours=1))
    income = evenings.category_set.get(name="Prospect call")
    response = owner_client.post(
        reverse("bookings:complete", args=[ann.pk]),
        {"start": "2026-06-10T19:05", "minutes": 35, "category": income.pk},
    )
    assert response.status_code == 302
    entry = Activity.objects.get()
    assert (entry.seconds, entry.category.name, entry.appointment.pk) == (
        35 * 60,
        "Prospect call",
        ann.pk,
    )


def test_complete_form_preselects_the_first_income_category(evenings, owner_client, frozen):
    ann = services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    page = owner_client.get(reverse("bookings:appointment", args=[ann.pk])).content.decode()
    select = page[
        page.index('name="category"') : page.index("</select>", page.index('name="category"'))
    ]
    options = [line.split(">")[1].split("<")[0] for line in select.split("<option")[1:]]
    assert options == ["Prospect call", "Follow-up call", "Three-way call", "Presentation"]


def test_move_cancel_and_no_show_from_the_page(evenings, owner_client, frozen):
    ann = services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    owner_client.post(
        reverse("bookings:move", args=[ann.pk]), {"start": "2026-06-10T20:00", "minutes": 30}
    )
    ann.refresh_from_db()
    assert ann.start == EVENING + timedelta(hours=1)
    owner_client.post(reverse("bookings:cancel", args=[ann.pk]))
    ann.refresh_from_db()
    assert ann.status == "cancelled"


def test_other_users_appointments_are_404(evenings, other_client, frozen):
    ann = services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    for name in ("appointment",):
        assert other_client.get(reverse(f"bookings:{name}", args=[ann.pk])).status_code == 404
    for name in ("move", "cancel", "no-show", "complete"):
        assert other_client.post(reverse(f"bookings:{name}", args=[ann.pk])).status_code == 404
    ann.refresh_from_db()
    assert ann.status == "scheduled"


def test_other_users_calendar_never_shows_my_appointments(evenings, other_client, frozen):
    services.book(evenings, prospect_name="Secret Prospect", start=EVENING, now=NOW)
    assert "Secret Prospect" not in other_client.get(reverse("bookings:calendar")).content.decode()


def test_today_shows_now_next_and_the_fill_signal(evenings, owner_client, frozen):
    services.book(evenings, prospect_name="Ann", start=EVENING, now=NOW)
    page = owner_client.get("/").content.decode()
    assert "Next call:" in page
    assert "Ann at Wed 19:00" in page
    assert "of your prospecting time in the next 3 days is booked" in page
    assert "you need" in page


def test_calendar_query_count_does_not_grow_with_appointments(
    evenings, owner_client, frozen, queries_do_not_grow
):
    services.book(evenings, prospect_name="P0", start=EVENING, now=NOW)

    def add_appointments():
        for day in range(1, 6):
            for slot in range(4):
                services.book(
                    evenings,
                    prospect_name=f"P{day}{slot}",
                    start=EVENING + timedelta(days=day, minutes=30 * slot),
                    now=NOW,
                )

    # Fewer when the window fills up (no prescription to compute), never more.
    counts = queries_do_not_grow(
        lambda: owner_client.get(reverse("bookings:calendar")).status_code, add_appointments
    )
    assert (counts.first, counts.last) == (200, 200)


def test_today_query_count_does_not_grow_with_appointments(
    evenings, owner_client, frozen, queries_do_not_grow
):
    def follow_up(name, days_ago):
        prospect_services.add_prospect(
            evenings,
            prospect_services.clean_contact(evenings, name=name),
            now=NOW,
            follow_up_on=NOW.date() - timedelta(days=days_ago),
        )

    def add_rows():
        for day in range(0, 6):
            for slot in range(4):
                services.book(
                    evenings,
                    prospect_name=f"P{day}{slot}",
                    start=EVENING + timedelta(days=day, minutes=30 * slot),
                    now=NOW,
                )
        for n in range(1, 30):
            follow_up(f"F{n}", n % 4)

    follow_up("F0", 0)
    counts = queries_do_not_grow(lambda: owner_client.get("/").status_code, add_rows)
    assert (counts.first, counts.last) == (200, 200)
