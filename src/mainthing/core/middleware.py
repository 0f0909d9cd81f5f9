import zoneinfo

from django.contrib.auth.middleware import get_user
from django.utils import timezone


class UserTimezoneMiddleware:
    """Renders every page in the signed-in user's own zone; anonymous pages stay in UTC.

    It reads the user, so it also hands the views the user itself instead of Django's lazy
    stand-in: every attribute read through the stand-in costs a proxy call, and a page passes
    the user to a dozen queries (about a thousand reads on Today)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "user"):
            request.user = get_user(request)  # the one AuthenticationMiddleware loaded, cached
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
