"""The calendar feed (no login: its secret URL is the key) and turning its URL on, anew or off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
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


@login_required
@require_POST
def rotate_feed(request):
    """Creates or replaces the feed URL and shows it once. Rendered, not redirected: a message
    would carry the secret through the session or a cookie."""
    raw = feeds.rotate_feed_token(request.user)
    response = render(request, "bookings/feed_url.html", {"feed_url": feeds.feed_url(raw)})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_feed(request):
    if feeds.revoke_feed_token(request.user):
        messages.success(request, "Calendar feed turned off: its URL no longer works.")
    return redirect("accounts:profile")
