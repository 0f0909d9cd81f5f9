import threading
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mainthing.activity import services
from mainthing.activity.models import Activity
from tests.factories import UserFactory, category

NOW = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_leave_exactly_one_running_timer():
    user = UserFactory(email="racer@example.com")
    names = ["Prospect call", "Forum posts", "Organizing", "Video posts", "Follow-up call"] * 4
    targets = [category(user, name) for name in names]
    barrier = threading.Barrier(len(targets))
    outcomes: list[str] = []

    def start(target):
        try:
            barrier.wait()
            services.start_timer(user, target, now=NOW)
            outcomes.append("started")
        except ValidationError:
            outcomes.append("conflict")
        except Exception as error:  # any other error is what this test hunts
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [o for o in outcomes if o.startswith("error")] == []
    assert Activity.objects.filter(user=user, end__isnull=True).count() == 1
    assert outcomes.count("started") >= 1
