from django.urls import include, path

from mainthing.activity import views as activity_views
from mainthing.core import views as core_views

urlpatterns = [
    path("", activity_views.today, name="today"),
    path("accounts/", include("mainthing.accounts.urls")),
    path("activity/", include("mainthing.activity.urls")),
    path("routine/", include("mainthing.routine.urls")),
    path("calendar/", include("mainthing.bookings.urls")),
    path("healthz", core_views.healthz, name="healthz"),
]
