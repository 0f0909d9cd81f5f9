"""Whatever a client sends, the public booking endpoint answers JSON with a 2xx, 409 or 422:
never a 500. Hypothesis throws JSON of every kind at each field (and bytes at the body)."""

import json
from datetime import UTC, datetime

from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as search
from hypothesis import strategies as st

from tests.api.conftest import bookings_url, post_json, slots_url

NOW = datetime(2026, 6, 8, 7, 0, tzinfo=UTC)

GOOD = {
    "start": "2026-06-09T23:30:00+05:30",
    "minutes": 30,
    "name": "Priya Shah",
    "email": "priya@example.com",
    "phone": "+91 98765 43210",
    "note": "About the plan",
    "tz": "Asia/Kolkata",
    "src": "forum",
    "idempotency_key": "k-1",
}
ODD_TEXT = st.sampled_from(
    [
        "", " ", "\x00", "\u202e", "😀" * 50, "<script>alert(1)</script>", "' OR 1=1 --",
        "2026-06-09T23:30:00", "2026-06-09T23:30:00+05:30", "9999-12-31T23:59:59+14:00",
        "0001-01-01T00:00:00-12:00", "Europe/London", "../../etc/passwd", "UTC", "+44 20 7946 0958",
        "a@b", "x" * 5000, "1e400", "NaN",
    ]
)  # fmt: skip
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=60)
    | ODD_TEXT,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
# A good booking with one or two fields made odd (so the odd value gets past the others and
# reaches the services and the database), or any mix of fields at all.
NEARLY_GOOD = st.builds(
    lambda changes: {**GOOD, **changes},
    st.dictionaries(st.sampled_from(list(GOOD)), ODD_TEXT | JSON_VALUES, min_size=1, max_size=2),
)
ANY_FIELDS = st.fixed_dictionaries(
    {}, optional={field: st.just(value) | JSON_VALUES for field, value in GOOD.items()}
)


@search(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sent=NEARLY_GOOD | ANY_FIELDS | JSON_VALUES | st.binary(max_size=200))
def test_any_body_is_answered_without_a_server_error(page, anon_client, frozen, settings, sent):
    settings.RATE_LIMITS = False  # else the 11th example would be a 429 (tested elsewhere)
    data = sent if isinstance(sent, bytes) else json.dumps(sent)

    # Each example starts from the same empty calendar: a booking that succeeded is undone, so
    # the next odd field still gets as far as the database instead of meeting a taken time.
    with transaction.atomic():
        response = post_json(anon_client, bookings_url("ann-lee"), data)
        transaction.set_rollback(True)

    assert response.status_code in (200, 201, 409, 422), response.content[:300]
    assert set(response.json()) >= ({"detail"} if response.status_code >= 400 else {"id"})


QUERY_TEXT = ODD_TEXT | st.text(max_size=30) | st.dates().map(str) | st.integers().map(str)


@search(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=st.fixed_dictionaries(
        {},
        optional={
            "tz": st.just("Asia/Kolkata") | QUERY_TEXT,
            "from": QUERY_TEXT,
            "to": QUERY_TEXT,
            "minutes": st.just("30") | QUERY_TEXT,
        },
    )
)
def test_any_slots_query_is_answered_without_a_server_error(page, anon_client, settings, query):
    settings.RATE_LIMITS = False

    response = anon_client.get(slots_url("ann-lee", **query))

    assert response.status_code in (200, 422), response.content[:300]
    assert set(response.json()) == (
        {"tz", "slots"} if response.status_code == 200 else {"detail", "errors"}
    )
