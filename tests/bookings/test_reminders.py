"""Reminders before a call: scheduled as rows when the call is booked, remade when it moves,
dropped when it is cancelled, and mailed once each by the worker's sweep, even with two real
workers racing for them."""

import os
import re
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from mainthing.bookings import managelinks, public, reminders, services, tasks
from mainthing.bookings.models import Change, Mail, Reminder
from tests import processes
from tests.factories import UserFactory, at, block, round_the_clock

NOW = at("2026-06-10 09:00", "Europe/London")
CALL = at("2026-06-12 19:00", "Europe/London")
PROSPECT, USER = "kai@example.com", "ann@example.com"


@pytest.fixture
def page(db):
    user = UserFactory(email=USER, name="Ann Lee", time_zone="Europe/London")
    block(user, "19:00", "21:00")
    page = public.page_for(user)
    page.remind_user_minutes = 30
    page.save()
    return page


def book_call(page, start=CALL, minutes=30, email=PROSPECT):
    request = public.Request(
        start=start, minutes=minutes, name="Kai Tanaka", email=email, tz="Australia/Sydney"
    )
    return public.book(page, request, now=timezone.now())


def rows(call):
    return sorted(
        call.reminders.values_list("to", "minutes_before", "due_at", "sent_at"),
        key=lambda row: (row[0], row[2]),
    )


def test_due_times_keep_only_the_reminders_still_ahead():
    start = at("2026-06-12 19:00", "Europe/London")
    now = start - timedelta(hours=5)
    assert reminders.due_times(start, [1440, 60, 60, 0, 300], now) == [
        (60, start - timedelta(minutes=60))
    ]
    assert reminders.due_times(start, [60, 1440], now - timedelta(days=1)) == [
        (1440, start - timedelta(days=1)),
        (60, start - timedelta(hours=1)),
    ]


def test_a_booking_schedules_the_pages_reminders_and_the_users(page, frozen):
    call = book_call(page).appointment
    assert rows(call) == [
        ("prospect", 1440, CALL - timedelta(days=1), None),
        ("prospect", 60, CALL - timedelta(hours=1), None),
        ("user", 30, CALL - timedelta(minutes=30), None),
    ]


def test_a_booking_inside_a_reminders_window_gets_none_for_it(page, frozen):
    frozen.move_to(CALL - timedelta(hours=5))
    call = book_call(page).appointment
    assert rows(call) == [
        ("prospect", 60, CALL - timedelta(hours=1), None),
        ("user", 30, CALL - timedelta(minutes=30), None),
    ]


def test_a_move_remakes_the_reminders_for_the_new_time(page, frozen, smtp):
    call = book_call(page).appointment
    frozen.move_to(CALL - timedelta(hours=23))
    assert tasks.sweep(timezone.now())["reminders"] == 1  # the 24-hour one, sent
    later = CALL + timedelta(days=1)
    services.move(call, start=later, now=timezone.now(), by=Change.By.USER)
    assert rows(call) == [
        ("prospect", 1440, later - timedelta(days=1), None),
        ("prospect", 60, later - timedelta(hours=1), None),
        ("user", 30, later - timedelta(minutes=30), None),
    ]


def test_a_cancel_drops_the_reminders_still_to_come(page, frozen):
    call = book_call(page).appointment
    public.cancel(call, now=timezone.now())
    assert (rows(call), tasks.sweep(CALL).get("reminders")) == ([], None)


def test_a_due_reminder_is_mailed_once_with_a_working_manage_link(page, frozen, smtp):
    booked = book_call(page)
    tasks.sweep(timezone.now())  # the confirmations
    smtp.messages.clear()
    frozen.move_to(CALL - timedelta(days=1) + timedelta(seconds=5))

    assert tasks.sweep(timezone.now()) == {"reminders": 1, "sent": 1}
    assert tasks.sweep(timezone.now()) == {}
    (mail,) = smtp.messages
    text = mail.get_body(("plain",)).get_content()
    assert (str(mail["Subject"]).strip(), mail["To"]) == (
        "Reminder: your call with Ann Lee, Saturday 13 June, 04:00\N{EN DASH}04:30 AEST "
        "(Australia/Sydney)",
        PROSPECT,
    )
    token = re.search(re.escape(settings.BASE_URL) + r"/booking/([\w-]+)/", text)[1]
    assert (token != booked.token, managelinks.appointment_for(token)) == (True, booked.appointment)
    assert [r[3] is not None for r in rows(booked.appointment)] == [True, False, False]


def test_reminders_due_together_send_only_the_latest(page, frozen, smtp):
    call = book_call(page).appointment
    tasks.sweep(timezone.now())
    smtp.messages.clear()
    frozen.move_to(CALL - timedelta(minutes=20))  # the worker was down for a day

    assert tasks.sweep(timezone.now()) == {"reminders": 2, "sent": 2}
    assert sorted(smtp.subjects()) == [
        "Reminder: call with Kai Tanaka, Friday 12 June, 19:00\N{EN DASH}19:30 BST (Europe/London)",
        "Reminder: your call with Ann Lee, Saturday 13 June, 04:00\N{EN DASH}04:30 AEST "
        "(Australia/Sydney)",
    ]
    assert Reminder.objects.filter(appointment=call, sent_at=None).count() == 0


def test_no_reminder_for_a_call_that_has_started_or_was_completed(page, frozen, smtp):
    started = book_call(page).appointment
    done = book_call(page, start=CALL + timedelta(hours=1)).appointment
    tasks.sweep(timezone.now())
    smtp.messages.clear()
    frozen.move_to(CALL - timedelta(minutes=45))  # a call held early, then completed
    services.complete(
        done, now=timezone.now(), start=timezone.now() - timedelta(minutes=20), minutes=10
    )
    frozen.move_to(CALL + timedelta(hours=2))  # every reminder of both is due

    assert (tasks.sweep(timezone.now()), smtp.messages) == ({}, [])
    assert Reminder.objects.filter(appointment__in=[started, done], sent_at=None).count() == 0


def _book_calls_due_now_in_real_time(frozen, count: int) -> list:
    """`count` calls booked two days ago (a frozen clock) that start within the hour of real
    time, so each one's reminders (24 h and 1 h to the prospect, 1 h to the user) are due."""
    frozen.stop()  # the module's NOW: these calls are about the real time
    real_now = timezone.now()
    user = UserFactory(email=USER, name="Ann Lee", time_zone="UTC")
    round_the_clock(user)
    page = public.page_for(user)
    page.lengths, page.step_minutes, page.remind_user_minutes = "15", 15, 60
    page.save()
    frozen.move_to(real_now - timedelta(days=2))
    slots = public.offered_slots(
        page,
        start=real_now + timedelta(minutes=5),
        end=real_now + timedelta(hours=1),
        minutes=15,
        now=timezone.now(),
    )
    calls = [
        book_call(page, start=start, minutes=15, email=f"kai{n}@example.com").appointment
        for n, (start, _) in enumerate(slots[:count])
    ]
    frozen.stop()
    assert all(c.start <= real_now + timedelta(hours=1) for c in calls)
    assert Reminder.objects.filter(due_at__lte=timezone.now()).count() == 3 * count
    return calls


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_each_mail_and_reminder_once(settings, frozen, smtp):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    calls = _book_calls_due_now_in_real_time(frozen, 2)

    env = {"MAINTHING_EMAIL_URL": smtp.url}
    workers = [processes.mainthing("worker", "--batch", env=env) for _ in range(2)]
    results = [worker.communicate(timeout=120) for worker in workers]
    assert [w.returncode for w in workers] == [0, 0], results

    received = Counter((m["To"], str(m["Subject"]).strip().split(":")[0]) for m in smtp.messages)
    expected = {}
    for n in range(len(calls)):
        expected |= {(f"kai{n}@example.com", "Booked"): 1, (f"kai{n}@example.com", "Reminder"): 1}
    expected |= {(USER, "New booking"): 2, (USER, "Reminder"): 2}
    assert dict(received) == expected
    assert set(Mail.objects.values_list("state", flat=True)) == {"sent"}
    assert Reminder.objects.filter(sent_at=None).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_sweeps_for_reminders_and_stops_on_sigterm(settings, frozen, smtp):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _book_calls_due_now_in_real_time(frozen, 1)

    worker = processes.mainthing("worker", env={"MAINTHING_EMAIL_URL": smtp.url})
    try:
        deadline = time.monotonic() + 60
        while len(smtp.messages) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        os.kill(worker.pid, signal.SIGTERM)
        _, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert (worker.returncode, sorted(smtp.subjects(USER))[1][:10]) == (0, "Reminder: "), err
    assert len(smtp.messages) == 4  # confirmation, news, and one reminder to each side


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_rq_worker_sweeps_for_reminders_too(settings, frozen, smtp):
    # The Redis leg of `make test` runs with MAINTHING_REDIS_URL set.
    if not settings.REDIS_URL:
        pytest.skip("MAINTHING_REDIS_URL is not set (the Redis leg of make test sets it)")
    import django_rq

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    django_rq.get_queue("default").empty()
    _book_calls_due_now_in_real_time(frozen, 1)

    env = {"MAINTHING_EMAIL_URL": smtp.url, "MAINTHING_REDIS_URL": settings.REDIS_URL}
    worker = processes.mainthing("worker", "--batch", "--worker-class", "rq.SimpleWorker", env=env)
    _, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    assert sorted(s.split(":")[0] for s in smtp.subjects()) == [
        "Booked",
        "New booking",
        "Reminder",
        "Reminder",
    ]
    assert django_rq.get_queue("default").count == 0
