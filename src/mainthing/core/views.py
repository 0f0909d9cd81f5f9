from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Liveness and database reachability, for load balancers and `make run` scripts."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok", "database": "ok"})
    except Exception:  # any database failure means "not ready", not a 500 page
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)


@login_required
def more(request):
    """The phone tab bar's More: every page the four other tabs don't name, as large rows."""
    return render(request, "core/more.html")
