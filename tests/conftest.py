"""Shared fixtures: the roles every view test plays (owner, other user, anonymous) and a
clock frozen where a test needs one."""

import pytest
from django.test import Client

from tests.factories import UserFactory


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
