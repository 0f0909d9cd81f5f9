"""Where a request asks to go: the one reader of `next`, for every view that takes it, and of
the day a page is asked to show (`?week=`); and the URL of an object page for many rows at once
(`url_pattern`).

A `next` is only ever a path on this site ("/prospects/12/"). Anything else, a bare word that
`redirect()` would read as a view name, another site, a scheme, control characters or a path
browsers read as another host ("//evil", "/\\evil"), means the view's own default. The answer
is a plain path string for `HttpResponseRedirect`, never a name to resolve, so reading it can't
fail after a view has written something.
"""

from datetime import date

from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from mainthing.core import timekit

# Longer than any path of ours with its query string; a longer `next` is not one of ours.
MAX_NEXT_LENGTH = 2000


def is_local_path(target: str, *, request: HttpRequest) -> bool:
    """True when `target` is an absolute path on this site that browsers read the same way."""
    if not target or len(target) > MAX_NEXT_LENGTH or not target.startswith("/"):
        return False
    # "//host" and "/\host" are another site to a browser; control characters (tabs and
    # newlines are dropped by browsers) could turn a path into one.
    if target[1:2] in ("/", "\\") or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` the request carries (form field, else query string) when it is a path on this
    site, else `default` (a path, or "" for "the view decides")."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if is_local_path(target, request=request) else default


def day_param(request: HttpRequest, name: str, *, default: date) -> date:
    """The date in the query parameter `name` (YYYY-MM-DD) when it is one the product handles;
    otherwise `default`, with a message saying why (a stale or hand-edited link is no error
    page, and no page is drawn for a week `datetime` can't hold)."""
    text = request.GET.get(name, "").strip()
    if not text:
        return default
    try:
        day = date.fromisoformat(text)
    except ValueError:
        reason = f"“{text[:40]}” is not a date like 2026-12-01."
    else:
        try:
            return timekit.check_day(day)
        except ValueError as error:
            reason = str(error)
    messages.warning(request, f"{reason} Showing {default:%d %b %Y} instead.")
    return default


def url_pattern(name: str) -> str:
    """The URL named `name` with `{}` for its one id (`"/prospects/{}/"`): reversed once per
    page and formatted per row, as `{% url %}` per row of a list costs more than the row."""
    return reverse(name, args=[0]).replace("/0/", "/{}/")


# The phone's tab bar: which tab a page belongs to, by its URL namespace. Pages no tab names
# (income, routine, the log, the profile…) are reached through More, so More is their tab.
TAB_OF_APP = {"calls": "call", "bookings": "calendar", "prospects": "prospects"}
# Prospects' pages that More lists rather than the Prospects tab.
MORE_PAGES = {"prospects:sources", "prospects:edit-source", "prospects:add-spend"}


def current_tab(request: HttpRequest, *, nav: str = "") -> str:
    """The tab bar's tab for the page `request` shows: "today", "call", "calendar",
    "prospects" or "more". `nav` is a page's own claim ("profile": the feed and booking
    settings pages belong with the profile, under More)."""
    match = request.resolver_match
    if match is None or nav == "profile" or match.view_name in MORE_PAGES:
        return "more"
    if match.view_name == "today":
        return "today"
    return TAB_OF_APP.get(match.app_name, "more")
