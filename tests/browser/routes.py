"""The app's routes, for the sweeps that must visit every page (tests/browser/
test_accessibility.py at 1280 and 360 px, test_phone_layout.py at 360 px): every named route
from Django's URL resolver, and the one list of routes no sweep opens, each with its reason.
A route added to the app is visited by both sweeps or listed here, else both fail."""

from __future__ import annotations

# "Action" routes take only a POST and answer a GET with 405 (test_phone_layout checks that);
# their forms sit on pages the sweeps check.
ACTION = "an action: POST only, no page of its own"

EXCLUDED = {
    "accounts:logout": ACTION,
    "activity:start-timer": ACTION,
    "activity:delete-entry": ACTION,
    "activity:edit-category": ACTION,
    "activity:stop-timer": ACTION,
    "activity:import-apply": ACTION,
    "activity:import-retry": ACTION,
    "routine:apply-template": ACTION,
    "routine:remove-block": ACTION,
    "routine:add-exception": ACTION,
    "routine:remove-exception": ACTION,
    "bookings:move": ACTION,
    "bookings:cancel": ACTION,
    "bookings:no-show": ACTION,
    "bookings:complete": ACTION,
    "bookings:follow-up-done": ACTION,
    "bookings:follow-up-snooze": ACTION,
    "bookings:rotate-feed": ACTION,
    "bookings:revoke-feed": ACTION,
    "bookings:hide-checklist": ACTION,
    "bookings:show-checklist": ACTION,
    "bookings:link-shared": ACTION,
    "prospects:stage": ACTION,
    "prospects:note": ACTION,
    "prospects:follow-up": ACTION,
    "prospects:import-apply": ACTION,
    "prospects:import-retry": ACTION,
    "prospects:add-spend": ACTION,
    "prospects:delete-spend": ACTION,
    "income:add": ACTION,
    "income:delete": ACTION,
    "insights:goal": ACTION,
    "insights:review-email": ACTION,
    "calls:start-session": ACTION,
    "calls:finish-session": ACTION,
    "calls:start-call": ACTION,
    "calls:skip": ACTION,
    "calls:later": ACTION,
    "booking:callback": ACTION,
    "booking:reschedule": ACTION,
    "booking:cancel": ACTION,
    "bookings:new-feed": "shows a feed address once, right after a POST makes it",
    "prospects:export": "a CSV file, not a page",
    "insights:csv": "a CSV file of one of the scorecard's tables, not a page",
    "prospects:suggest": "an htmx fragment of the booking form, tested with it",
    "prospects:source-qr-svg": "an image",
    "prospects:source-qr-png": "an image",
    "feed": "an iCalendar file",
    "booking:event": "an iCalendar file",
    "healthz": "JSON for load balancers",
    "manifest": "the web app manifest (JSON), tested in tests/core/test_pwa.py",
    "service-worker": "the service worker's script, tested in tests/core/test_pwa.py",
}
# The JSON API answers JSON, not pages: its routes are left out by their prefix.
EXCLUDED_PREFIX = "api/v1/"


def routes() -> list[tuple[str, str, list[str]]]:
    """(view name, route, argument names) of every URL pattern the app serves."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace]))
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = ":".join(filter(None, [namespace, p.name or "?"]))
                found.append((name, prefix + str(p.pattern), list(p.pattern.converters)))

    walk(get_resolver().url_patterns, "", "")
    return found


def page_routes() -> set[str]:
    """The view names of every route a sweep must visit: all of them but the API's and
    EXCLUDED."""
    return {
        name
        for name, route, _ in routes()
        if not route.startswith(EXCLUDED_PREFIX) and name not in EXCLUDED
    }
