"""Shared fixtures: the roles every view test plays (owner, other user, anonymous), a clock
frozen where a test needs one, and the check that a page's query count does not grow with its
rows."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tests.mailserver import Inbox


@pytest.fixture(autouse=True)
def _email_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The manifest storage needs `collectstatic`; tests render pages without running it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher (tested in tests/accounts); here it would only be slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    # Tasks run inline in tests; the worker tests switch to the real database backend.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def uploads_in_tmp(settings, tmp_path):
    """Import uploads go to the test's own folder, not the data directory."""
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.com", time_zone="Europe/London")


@pytest.fixture
def other_user(db):
    return UserFactory(email="other@example.com", time_zone="America/New_York")


@pytest.fixture
def owner_client(owner):
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def other_client(other_user):
    client = Client()
    client.force_login(other_user)
    return client


@pytest.fixture
def anon_client():
    return Client()


class Clock:
    """A stopped clock a test moves by hand; it never ticks on its own."""

    def __init__(self) -> None:
        self._travel: time_machine.travel | None = None
        self._traveller: time_machine.Traveller | None = None

    def move_to(self, when: datetime) -> None:
        # A naive datetime would mean the machine's local time: name the zone instead.
        if when.tzinfo is None:
            raise ValueError(f"{when} has no zone: use tests.factories.at(text, zone)")
        if self._traveller is None:
            self._travel = time_machine.travel(when, tick=False)
            self._traveller = self._travel.start()
        else:
            self._traveller.move_to(when)

    def shift(self, delta: timedelta) -> None:
        if self._traveller is None:
            raise RuntimeError("the clock has not been set: call frozen.move_to(when) first")
        self._traveller.shift(delta)

    def stop(self) -> None:
        """Lets time run again (a test that hands the clock back to real processes calls it)."""
        if self._travel is not None:
            self._travel.stop()
            self._travel = self._traveller = None


@pytest.fixture
def frozen(request):
    """The clock stopped at the test module's `NOW`; in a module without one, at the test's
    first `frozen.move_to(when)`. `frozen.shift(timedelta)` moves it on."""
    clock = Clock()
    if (now := getattr(request.module, "NOW", None)) is not None:
        clock.move_to(now)
    yield clock
    clock.stop()


class QueryCounts(NamedTuple):
    few: int
    many: int
    first: Any  # what each fetch returned, for tests that check the rows arrived
    last: Any


@pytest.fixture
def queries_do_not_grow() -> Callable[[Callable[[], Any], Callable[[], Any]], QueryCounts]:
    """`queries_do_not_grow(fetch, add_rows)`: runs `fetch`, then `add_rows`, then `fetch` again,
    and fails if the second fetch ran more queries than the first, listing its SQL. Returns
    both counts (and both results), so a test can pin the number too."""

    def check(fetch: Callable[[], Any], add_rows: Callable[[], Any]) -> QueryCounts:
        with CaptureQueriesContext(connection) as few:
            first = fetch()
        add_rows()
        with CaptureQueriesContext(connection) as many:
            last = fetch()
        sql = "\n".join(query["sql"] for query in many.captured_queries)
        assert len(many) <= len(few), f"{len(few)} queries grew to {len(many)}:\n{sql}"
        return QueryCounts(len(few), len(many), first, last)

    return check


@pytest.fixture
def smtp(settings):
    """A real SMTP server the app sends to (settings point at it); stopped after the test."""
    inbox = Inbox()
    inbox.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", inbox.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield inbox
    inbox.stop()
