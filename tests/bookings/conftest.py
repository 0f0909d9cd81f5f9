"""Fixtures the booking tests share: a clock stopped at the test module's NOW, and a user with
prospecting blocks every evening."""

import pytest
import time_machine

from tests.factories import block


@pytest.fixture
def frozen(request):
    """The clock stopped at the `NOW` of the test's module."""
    with time_machine.travel(request.module.NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def evenings(owner):
    """The owner, with a prospecting block 19:00-21:00 every day (London)."""
    block(owner, "19:00", "21:00")
    return owner
