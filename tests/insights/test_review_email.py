"""The weekly review email: the worker's sweep claims a due review once (however many workers,
however late), writes it into the outbox with the review's content, and the outbox delivers it
through a real SMTP server. It follows the user's clock when their zone changes, and stays
quiet when turned off, for an inactive user, or for a week already reviewed."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from mainthing.activity import services as activity_services
from mainthing.bookings import tasks as booking_tasks
from mainthing.bookings.models import Appointment, Mail
from mainthing.insights import services
from mainthing.insights.models import InsightSettings
from mainthing.insights.review import weekly_review
from tests import processes
from tests.factories import (
    AppointmentFactory,
    DayTotalFactory,
    LeadSourceFactory,
    ProspectFactory,
    UserFactory,
    at,
    block,
    category,
)

LONDON = "Europe/London"
NOW = at("2026-06-15 08:00", LONDON)  # Monday, 07:00 UTC: the review of 8-14 June is due
SET_UP = at("2026-06-10 15:00", LONDON)  # when Ann chose Mondays at 08:00
ANN = "ann@example.com"
MON = 0

pytestmark = pytest.mark.usefixtures("frozen")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def london(text: str) -> datetime:
    return at(text, LONDON)


@pytest.fixture
def ann(db):
    """Ann's two weeks: one conversation in the week of 1 June, three in the week of 8 June,
    with three 30-minute calls booked in her daily 19:00-21:00 prospecting blocks; leads from two
    sources, of which the forum's booked a call and the video's none. Mondays 08:00 review."""
    user = UserFactory(email=ANN, name="Ann Lee", time_zone=LONDON)
    block(user, "19:00", "21:00")
    # The day totals as the activity services keep them: 30 minutes and one conversation a
    # day, and on 10 June busy work started twice in prospecting time.
    calls = category(user, "Prospect call")
    for day in (date(2026, 6, 2), date(2026, 6, 9), date(2026, 6, 10), date(2026, 6, 11)):
        DayTotalFactory(user=user, category=calls, day=day, seconds=1800, conversations=1)
    DayTotalFactory(
        user=user,
        category=category(user, "Organizing"),
        day=date(2026, 6, 10),
        overrides=2,
        override_seconds=1800,
    )
    forum = LeadSourceFactory(user=user, category=category(user, "Forum posts"), campaign="Sig")
    video = LeadSourceFactory(user=user, category=category(user, "Video posts"), campaign="Intro")
    added = london("2026-06-09 10:00")
    first, _ = (ProspectFactory(user=user, source=forum, created_at=added) for _ in range(2))
    for _ in range(3):
        ProspectFactory(user=user, source=video, created_at=added)
    AppointmentFactory(user=user, prospect=first, start=london("2026-06-09 19:00"))
    for day in ("2026-06-10", "2026-06-11"):
        AppointmentFactory(user=user, start=london(f"{day} 19:00"))
    Appointment.objects.filter(user=user).update(created_at=london("2026-06-09 12:00"))
    services.save_review_schedule(user, weekday=MON, hour=8, now=SET_UP)
    return user


def row_of(user) -> tuple:
    row = InsightSettings.objects.get(user=user)
    return row.review_due_at, row.review_sent_for


def reviews() -> list[tuple[str, str]]:
    return list(Mail.objects.filter(kind="weekly_review").values_list("to", "subject"))


SUBJECT = "Your week: 3 conversations (+2), 11% booked"


# --- the sweep -----------------------------------------------------------------------------------


def test_a_due_review_writes_one_mail_and_moves_the_row_to_next_week(ann):
    written = services.send_due_reviews(NOW)

    mail = Mail.objects.get(kind="weekly_review")
    assert (written, mail.to, mail.subject, mail.appointment, mail.state) == (
        1,
        ANN,
        SUBJECT,
        None,
        "pending",
    )
    assert row_of(ann) == (utc(2026, 6, 22, 7), date(2026, 6, 8))


def test_a_review_not_yet_due_is_left_alone(ann):
    assert (services.send_due_reviews(NOW - timedelta(seconds=1)), reviews()) == (0, [])
    assert row_of(ann) == (utc(2026, 6, 15, 7), None)


def test_the_mail_holds_the_reviews_summary_numbers_sources_and_blocks(ann):
    services.send_due_reviews(NOW)

    mail = Mail.objects.get(kind="weekly_review")
    review_url = f"{settings.BASE_URL}/insights/review/"
    summary = weekly_review(ann, now=NOW).summary
    lines = mail.text.splitlines()
    assert (
        lines[0],
        lines[2],
        f"{'Conversations':26} {'3':>10}   {'1':>11}   +2" in lines,
        f"{'IGA hours':26} {'1.5 h':>10}   {'0.5 h':>11}   +1.0 h" in lines,
        f"{'Fill rate':26} {'11%':>10}   {'0%':>11}   +11 points" in lines,
        # One space before the currency in the change, as in the figures.
        f"{'Income':26} {'0.00 USD':>10}   {'0.00 USD':>11}   ±0 USD" in lines,
        "Best source: Forum posts / Sig (1 booked of 2 leads)" in lines,
        "Worst source: Video posts / Intro (0 booked of 3 leads)" in lines,
        "Busy work started in prospecting time: 2 times (0.5 h)" in lines,
        "    Mon 15 Jun 19:00\N{EN DASH}21:00: 0% booked" in lines,
        "    Sun 21 Jun 19:00\N{EN DASH}21:00: 0% booked" in lines,
        f"The whole review: {review_url}" in lines,
        f"You get this email every week. To change its day or turn it off: {review_url}"
        "#review-email" in lines,
    ) == (
        "Your week, Mon 8 Jun to Sun 14 Jun 2026 (Europe/London):",
        summary,
        *[True] * 11,
    )
    assert (
        summary.startswith("You talked to 3 prospects (+2)"),
        summary in mail.html,
        f'<a href="{review_url}#review-email">' in mail.html,
        '<th scope="row">Conversations</th><td>3</td><td>1</td><td>+2</td>' in mail.html,
    ) == (True, True, True, True)


def test_a_second_sweep_writes_nothing_more(ann):
    first = services.send_due_reviews(NOW)
    second = services.send_due_reviews(NOW + timedelta(minutes=1))

    assert (first, second, len(reviews())) == (1, 0, 1)


def test_a_worker_that_read_the_row_before_another_claimed_it_finds_nothing_to_send(ann):
    # Two workers read the same due row; the first claims it, the second's claim must fail.
    first_read = InsightSettings.objects.select_related("user").get(user=ann)
    second_read = InsightSettings.objects.select_related("user").get(user=ann)

    first = services._send_one(first_read, NOW)
    second = services._send_one(second_read, NOW)

    assert (first, second, len(reviews())) == (1, 0, 1)
    assert row_of(ann) == (utc(2026, 6, 22, 7), date(2026, 6, 8))


def test_a_worker_down_for_three_weeks_sends_one_review_of_the_latest_week(ann, frozen):
    late = london("2026-07-06 10:00")  # three Mondays later
    frozen.move_to(late)

    written = services.send_due_reviews(late)

    mail = Mail.objects.get(kind="weekly_review")
    assert (written, mail.subject, mail.text.splitlines()[0]) == (
        1,
        "Your week: 0 conversations (±0), 0% booked",
        "Your week, Mon 29 Jun to Sun 5 Jul 2026 (Europe/London):",
    )
    assert row_of(ann) == (utc(2026, 7, 13, 7), date(2026, 6, 29))


def test_turned_off_the_review_is_never_sent(ann):
    services.save_review_schedule(ann, weekday=None, hour=8, now=SET_UP)

    assert (services.send_due_reviews(NOW + timedelta(days=30)), reviews()) == (0, [])


def test_an_inactive_user_gets_no_review_and_the_row_moves_on(ann):
    type(ann).objects.filter(pk=ann.pk).update(is_active=False)

    assert (services.send_due_reviews(NOW), reviews()) == (0, [])
    assert row_of(ann) == (utc(2026, 6, 22, 7), None)


def test_a_week_already_reviewed_is_not_sent_again_after_a_new_schedule(ann, frozen):
    services.send_due_reviews(NOW)
    tuesday = london("2026-06-16 09:00")
    frozen.move_to(tuesday)
    services.save_review_schedule(ann, weekday=1, hour=9, now=tuesday - timedelta(hours=1))

    written = services.send_due_reviews(tuesday)

    assert (written, len(reviews())) == (0, 1)
    assert row_of(ann) == (utc(2026, 6, 23, 8), date(2026, 6, 8))


# --- the user's clock moves ----------------------------------------------------------------------


def test_after_a_move_west_the_review_waits_for_08_00_on_the_new_clock(ann, frozen):
    activity_services.save_profile(ann, time_zone="America/New_York")

    at_london_time = services.send_due_reviews(NOW)
    moved_to = row_of(ann)
    new_york_eight = utc(2026, 6, 15, 12)  # 08:00 EDT
    frozen.move_to(new_york_eight)
    at_new_york_time = services.send_due_reviews(new_york_eight)

    assert (at_london_time, moved_to, at_new_york_time, len(reviews())) == (
        0,
        (new_york_eight, None),
        1,
        1,
    )
    assert row_of(ann) == (utc(2026, 6, 22, 12), date(2026, 6, 8))


def test_after_a_move_east_the_review_goes_at_once_then_on_the_new_clock(ann):
    activity_services.save_profile(ann, time_zone="Asia/Kathmandu")

    written = services.send_due_reviews(NOW)  # 12:45 in Kathmandu, 08:00 has passed

    assert (written, len(reviews())) == (1, 1)
    assert row_of(ann) == (utc(2026, 6, 22, 2, 15), date(2026, 6, 8))


# --- delivery ------------------------------------------------------------------------------------


def test_the_review_arrives_through_the_mail_server_with_the_summary(ann, smtp):
    services.send_due_reviews(NOW)
    booking_tasks.sweep(NOW)

    (message,) = smtp.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    summary = weekly_review(ann, now=NOW).summary
    assert (message["To"], str(message["Subject"]), summary in text, summary in html) == (
        ANN,
        SUBJECT,
        True,
        True,
    )
    assert Mail.objects.get(kind="weekly_review").state == "sent"


def test_a_review_waits_in_the_outbox_while_the_mail_server_is_down(ann, smtp):
    smtp.stop()
    services.send_due_reviews(NOW)
    booking_tasks.sweep(NOW)
    pending = Mail.objects.get(kind="weekly_review").state

    smtp.start()
    booking_tasks.sweep(NOW + timedelta(minutes=1))

    assert (pending, len(smtp.messages), Mail.objects.get(kind="weekly_review").state) == (
        "pending",
        1,
        "sent",
    )


def _due_in_real_time(user) -> None:
    """Sets `user`'s review to the occurrence of the last hour on the real clock (UTC)."""
    real_now = datetime.now(UTC)
    hour_ago = real_now - timedelta(hours=1)
    services.save_review_schedule(
        user, weekday=hour_ago.weekday(), hour=hour_ago.hour, now=real_now - timedelta(hours=2)
    )
    assert InsightSettings.objects.get(user=user).review_due_at <= real_now


@pytest.mark.django_db(transaction=True)
def test_two_real_workers_racing_send_the_review_once(settings, frozen, smtp):
    frozen.stop()  # the workers run on the real clock
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    user = UserFactory(email=ANN, name="Ann Lee", time_zone="UTC")
    _due_in_real_time(user)

    env = {"MAINTHING_EMAIL_URL": smtp.url}
    workers = [processes.mainthing("worker", "--batch", env=env) for _ in range(2)]
    results = [worker.communicate(timeout=120) for worker in workers]

    assert [w.returncode for w in workers] == [0, 0], results
    assert (smtp.subjects(ANN), list(Mail.objects.values_list("kind", "state"))) == (
        ["Your week: 0 conversations (±0)"],
        [("weekly_review", "sent")],
    )
    assert InsightSettings.objects.get(user=user).review_due_at > timezone.now()
