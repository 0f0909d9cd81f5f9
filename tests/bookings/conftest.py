"""Fixtures the booking tests share: a user with prospecting blocks every evening. (The real
SMTP server, `smtp`, is in tests/conftest.py: the browser tests read mails too.)"""

import pytest

from tests.factories import block


@pytest.fixture
def evenings(owner):
    """The owner, with a prospecting block 19:00-21:00 every day (London)."""
    block(owner, "19:00", "21:00")
    return owner
