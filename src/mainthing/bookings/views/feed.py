"""The calendar feed (no login: its secret URL is the key) and turning its URL on, anew or off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from .. import feeds


@require_safe
def feed(request, token: str):
    """The calendar feed: no login (calendar clients send no cookies), the token is the key."""
    found = feeds.feed_token_for(token)
    if found is None:
        raise Http404("No such feed.")
    now = timezone.now()
    body = feeds.build_calendar(found.user, now=now)
    feeds.touch_feed_token(found, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = "inline; filename=mainthing.ics"
    # The URL is a secret: no shared cache may keep the body, and no search engine the link.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


# The raw URL waits in the (server-side) session for the one page that shows it.
NEW_FEED_URL = "bookings.new_feed_url"


@login_required
@require_POST
def rotate_feed(request):
    """Creates or replaces the feed URL, then redirects (POST-redirect-GET), so a reload never
    makes another one. Only the token's hash is stored; the raw URL is kept in the session for
    the next page, which shows it once and forgets it."""
    raw = feeds.rotate_feed_token(request.user)
    request.session[NEW_FEED_URL] = feeds.feed_url(raw)
    return redirect("bookings:new-feed")


@login_required
@require_safe
def new_feed(request):
    """The new feed URL, shown once, with a Copy button and one-click subscribe links."""
    url = request.session.pop(NEW_FEED_URL, None)
    if url is None:
        messages.info(
            request,
            "A feed address is shown only once. If you didn't keep it, make a new one: "
            "the old one then stops working.",
        )
        return redirect(f"{reverse('accounts:profile')}#calendar-feed")
    context = {"feed_url": url, "subscribe": feeds.subscribe_links(url), "nav": "profile"}
    response = render(request, "bookings/feed_url.html", context)
    # The page holds the secret: no cache, not even the browser's back-forward one, keeps it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_feed(request):
    if feeds.revoke_feed_token(request.user):
        messages.success(request, "Calendar feed turned off: its URL no longer works.")
    return redirect("accounts:profile")
