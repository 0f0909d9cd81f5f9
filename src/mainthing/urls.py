from django.urls import include, path

from mainthing.bookings.views import feed, today
from mainthing.core import views as core_views

urlpatterns = [
    path("", today.today, name="today"),
    path("accounts/", include("mainthing.accounts.urls")),
    path("activity/", include("mainthing.activity.urls")),
    path("routine/", include("mainthing.routine.urls")),
    path("calendar/", include("mainthing.bookings.urls")),
    path("prospects/", include("mainthing.prospects.urls")),
    path("income/", include("mainthing.prospects.urls_income")),
    path("call/", include("mainthing.calls.urls")),
    path("insights/", include("mainthing.insights.urls")),
    path("more/", core_views.more, name="more"),
    path("feeds/<str:token>.ics", feed.feed, name="feed"),
    path("", include("mainthing.bookings.urls_public")),
    path("api/v1/", include("mainthing.api.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    # The installable app (core/webapp.py). The service worker lives at the root: a worker only
    # controls pages at or below its own address.
    path("manifest.webmanifest", core_views.manifest, name="manifest"),
    path("sw.js", core_views.service_worker, name="service-worker"),
    path("offline/", core_views.offline, name="offline"),
]
