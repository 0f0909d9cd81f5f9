import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from mainthing.accounts.models import User
from mainthing.activity import services
from mainthing.activity.models import Activity, Category
from tests.cli.conftest import NOW, database_url, process_env, run, run_process
from tests.factories import PASSWORD, UserFactory, block, category, entry


def test_createuser_reads_the_password_from_stdin(db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, _ = run(
        capsys, "createuser", "ann@example.com", "--tz", "Asia/Kolkata", "--password-stdin"
    )
    user = User.objects.get()
    assert (code, out) == (0, "Created ann@example.com (time zone Asia/Kolkata).\n")
    assert user.check_password(PASSWORD)
    assert user.category_set.count() == 12


def test_createuser_refuses_a_weak_password_and_writes_nothing(db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("password\n"))
    code, _, err = run(capsys, "createuser", "ann@example.com", "--tz", "UTC", "--password-stdin")
    assert code == 1
    assert "This password is too short" in err
    assert not User.objects.exists()


def test_commands_without_any_account_say_how_to_make_one(db, capsys):
    code, _, err = run(capsys, "status")
    assert (code, err) == (
        1,
        "mainthing: There is no account yet. Create one: mainthing createuser EMAIL\n",
    )


def test_commands_with_several_users_need_user_flag(owner, other_user, capsys):
    code, _, err = run(capsys, "status")
    assert (code, err) == (1, "mainthing: There are several users; say which with --user EMAIL.\n")
    code, out, _ = run(capsys, "--user", "other@example.com", "status", "--json")
    assert (code, json.loads(out)["user"]) == (0, "other@example.com")


def test_start_stop_and_status_json(owner, capsys, frozen):
    code, out, _ = run(capsys, "start", "prospect call", "--note", "Ann", "--json")
    started = json.loads(out)
    assert (code, started["category"], started["note"], started["end"]) == (
        0,
        "Prospect call",
        "Ann",
        None,
    )
    frozen.shift(timedelta(minutes=7))
    status = json.loads(run(capsys, "status", "--json")[1])
    assert status["running"]["elapsed_seconds"] == 420
    assert {
        "running",
        "current_block",
        "booking_url",
        "question",
        "prospecting_now",
    } <= status.keys()
    code, out, _ = run(capsys, "stop")
    assert (code, out) == (0, "Stopped Prospect call: 7m.\n")


def test_start_busy_work_in_prospecting_time_asks_and_refuses_without_a_tty(owner, capsys, frozen):
    block(owner, "15:00", "17:00")
    code, _, err = run(capsys, "start", "Organizing")
    assert code == 1
    assert "It's your prospecting time. Is this income-generating activity?" in err
    assert "--yes" in err
    assert not Activity.objects.exists()
    code, _, _ = run(capsys, "start", "Organizing", "--yes")
    assert (code, Activity.objects.get().iga_override) == (0, True)


def test_status_shows_the_question_when_busy_work_runs_long(owner, capsys, frozen):
    services.start_timer(owner, category(owner, "Email inbox"), now=NOW - timedelta(minutes=40))
    code, out, _ = run(capsys, "status")
    assert code == 0
    assert "You've been on busy work for a while. Is this income-generating activity?" in out
    assert json.loads(run(capsys, "status", "--json")[1])["question"].startswith(
        "You've been on busy work"
    )


def test_unknown_category_lists_the_users_categories(owner, capsys):
    code, _, err = run(capsys, "start", "Golf")
    assert code == 1
    assert "No category called 'Golf'. Yours: Prospect call" in err


def test_log_records_finished_work_at_a_local_time(owner, capsys, frozen):
    code, out, _ = run(
        capsys, "log", "Forum posts", "1h30m", "--at", "2026-06-10 09:00", "--note", "thread"
    )
    made = Activity.objects.get()
    assert (code, made.start, made.seconds, made.note) == (
        0,
        datetime(2026, 6, 10, 8, 0, tzinfo=UTC),
        5400,
        "thread",
    )
    assert out == "Logged 1h 30m of Forum posts from 2026-06-10 09:00.\n"


def test_log_refuses_an_overlap_unless_allowed(owner, capsys, frozen):
    run(capsys, "log", "Forum posts", "60m", "--at", "09:00")
    code, _, err = run(capsys, "log", "Organizing", "30m", "--at", "09:30")
    assert code == 1
    assert "overlaps 1 other entry" in err
    assert run(capsys, "log", "Organizing", "30m", "--at", "09:30", "--allow-overlap")[0] == 0
    assert Activity.objects.count() == 2


def test_log_refuses_a_bad_duration(owner, capsys, frozen):
    code, _, err = run(capsys, "log", "Forum posts", "lots")
    assert code == 1
    assert "Can't read 'lots' as a duration" in err


def test_report_json_and_csv(owner, capsys, frozen):
    entry(owner, "Prospect call", datetime(2026, 6, 9, 18, 0, tzinfo=UTC), 30)
    entry(owner, "Forum posts", datetime(2026, 6, 9, 8, 0, tzinfo=UTC), 60)
    data = json.loads(run(capsys, "report", "--json")[1])
    assert data["total_seconds"] == 5400
    assert data["categories"][0] == {
        "tier": "income",
        "category": "Prospect call",
        "seconds": 1800,
        "entries": 1,
    }
    csv_out = run(capsys, "report", "--from", "2026-06-08", "--to", "2026-06-14", "--csv")[1]
    assert csv_out.splitlines() == [
        "tier,category,seconds,hours,entries",
        "income,Prospect call,1800,0.50,1",
        "leadgen,Forum posts,3600,1.00,1",
    ]


def test_report_csv_neutralizes_category_names_a_spreadsheet_would_run(owner, capsys, frozen):
    # Category names come from imported Toggl or Watson files as they are.
    Category.objects.create(user=owner, tier="other", name='=HYPERLINK("http://x")')
    Category.objects.create(user=owner, tier="other", name="\uff1d1+1")
    entry(owner, '=HYPERLINK("http://x")', datetime(2026, 6, 9, 8, 0, tzinfo=UTC), 60)
    entry(owner, "\uff1d1+1", datetime(2026, 6, 9, 10, 0, tzinfo=UTC), 30)

    code, out, _ = run(capsys, "report", "--csv")

    assert (code, out.splitlines()) == (
        0,
        [
            "tier,category,seconds,hours,entries",
            'other,"\'=HYPERLINK(""http://x"")",3600,1.00,1',
            "other,'\uff1d1+1,1800,0.50,1",
        ],
    )


def test_report_refuses_reversed_dates(owner, capsys):
    code, _, err = run(capsys, "report", "--from", "2026-06-10", "--to", "2026-06-01")
    assert (code, err) == (1, "mainthing: --from must be on or before --to.\n")


def test_today_json(owner, capsys, frozen):
    entry(owner, "Prospect call", NOW - timedelta(hours=2), 30)
    data = json.loads(run(capsys, "today", "--json")[1])
    assert (data["day"], data["iga_seconds"], data["conversations"]) == ("2026-06-10", 1800, 1)


def test_today_table_prints_entries(owner, capsys, frozen):
    entry(owner, "Prospect call", NOW - timedelta(hours=2), 30, note="Ann")
    out = run(capsys, "today")[1]
    assert "Wednesday 10 June" in out
    assert "Prospect call" in out
    assert "IGA 30m of 2h 00m (25%)" in out


def _queue_reset_mail_and_run_worker(tmp_path, extra_env: dict) -> list[str]:
    from mainthing.accounts import services as account_services

    account_services.request_password_reset("owner@example.com")  # on_commit: enqueued now
    env = process_env(MAINTHING_EMAIL_URL=f"file://{tmp_path}", **extra_env)
    worker = ["worker", "--batch"]
    if "MAINTHING_REDIS_URL" in extra_env:
        worker += ["--worker-class", "rq.SimpleWorker"]
    code, _, err = run_process(*worker, env=env)
    assert code == 0, err
    return [path.read_text() for path in tmp_path.iterdir()]


@pytest.mark.django_db(transaction=True)
def test_worker_batch_sends_the_queued_reset_mail(settings, tmp_path):
    UserFactory(email="owner@example.com")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mails = _queue_reset_mail_and_run_worker(tmp_path, {})
    assert len(mails) == 1
    assert "Subject: Reset your Mainthing password" in mails[0]
    assert "To: owner@example.com" in mails[0]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_password_reset_runs_through_rq_when_redis_is_configured(settings, tmp_path):
    # The Redis leg of `make test` runs with MAINTHING_REDIS_URL set, so settings wire up RQ.
    if not settings.REDIS_URL:
        pytest.skip("MAINTHING_REDIS_URL is not set (the Redis leg of make test sets it)")
    import django_rq

    UserFactory(email="owner@example.com")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    django_rq.get_queue("default").empty()
    mails = _queue_reset_mail_and_run_worker(tmp_path, {"MAINTHING_REDIS_URL": settings.REDIS_URL})
    assert len(mails) == 1
    assert "Subject: Reset your Mainthing password" in mails[0]
    assert django_rq.get_queue("default").count == 0


def test_user_flag_with_unknown_email_is_refused(owner, capsys):
    code, _, err = run(capsys, "--user", "ghost@example.com", "status")
    assert (code, err) == (1, "mainthing: No user with email ghost@example.com.\n")


def test_several_users_are_kept_apart(owner, capsys, frozen):
    other = UserFactory(email="second@example.com")
    entry(other, "Prospect call", NOW - timedelta(hours=2), 30)
    data = json.loads(run(capsys, "--user", "owner@example.com", "report", "--json")[1])
    assert data["total_seconds"] == 0


def test_book_and_agenda_from_the_terminal(owner, capsys, frozen):
    block(owner, "19:00", "21:00")
    code, out, _ = run(capsys, "book", "Ann Lee", "2026-06-10 19:30", "--minutes", "45")
    assert (code, out) == (
        0,
        "Booked Ann Lee on Wed 10 Jun 2026 at 19:30 for 45 min (Europe/London).\n",
    )
    code, _, err = run(capsys, "book", "Bob", "2026-06-10 19:45")
    assert code == 1
    assert "That time is already booked (the call with Ann Lee at Wed 10 Jun 19:30)" in err
    code, _, err = run(capsys, "book", "Cy", "2026-06-10 17:00")
    assert (code, "outside your prospecting time" in err) == (1, True)
    days = json.loads(run(capsys, "agenda", "--days", "2", "--json")[1])
    assert [d["date"] for d in days] == ["2026-06-10", "2026-06-11"]
    assert [(i["kind"], i["label"]) for i in days[0]["items"]] == [
        ("block", ""),
        ("appointment", "Ann Lee"),
    ]


def test_a_command_with_actions_lists_when_given_none(owner, other_user, capsys):
    block(owner, "19:00", "21:00", days="Mon-Sat")

    bare = run(capsys, "--user", owner.email, "routine", "--json")
    listed = run(capsys, "--user", owner.email, "routine", "list", "--json")

    assert bare == listed
    assert [b["days"] for b in json.loads(bare[1])["items"]] == ["Mon-Sat"]


# tests/prospects/test_import_expiry.py runs workers on the test database through this name.
_database_url_for_subprocess = database_url
