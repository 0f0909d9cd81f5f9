import json

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache

from . import webapp


@never_cache
def healthz(request):
    """Liveness and database reachability, for load balancers and `make run` scripts."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except Exception:  # any database failure means "not ready", not a 500 page
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)


# --- the installable app (core/webapp.py) ------------------------------------------------------


@cache_control(max_age=3600)
def manifest(request):
    return JsonResponse(webapp.manifest(), content_type="application/manifest+json")


@never_cache
def service_worker(request):
    """The service worker, served from the site's root so that its scope is the whole app.
    Never cached: a browser then sees a deploy's new worker at its next visit."""
    config = {
        "version": webapp.shell_version(),
        "shell": webapp.shell_urls(),
        "offline": reverse("offline"),
        "passThrough": list(webapp.PASS_THROUGH),
    }
    response = render(
        request,
        "core/sw.js",
        {"config": json.dumps(config)},
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


def offline(request):
    """What the service worker shows when a page can't load. The same for everyone (the worker
    stores it): no user, no form, no token."""
    return render(request, webapp.OFFLINE_TEMPLATE)


@login_required
def more(request):
    """The phone tab bar's More: every page the four other tabs don't name, as large rows."""
    return render(request, "core/more.html")
