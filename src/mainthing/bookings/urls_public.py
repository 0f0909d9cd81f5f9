"""The booking page's addresses: the user's settings, the public page (no login) and the
prospect's manage link (its token is the key; core/secretpaths.py masks it in logs)."""

from django.urls import path

from .views import manage, page_settings, public

app_name = "booking"

urlpatterns = [
    path("book/settings/", page_settings.page_settings, name="settings"),
    path("book/<slug:slug>/", public.booking_page, name="page"),
    path("book/<slug:slug>/callback/", public.callback, name="callback"),
    path("booking/<str:token>/", manage.manage, name="manage"),
    path("booking/<str:token>/event.ics", manage.event, name="event"),
    path("booking/<str:token>/reschedule/", manage.reschedule, name="reschedule"),
    path("booking/<str:token>/cancel/", manage.cancel, name="cancel"),
]
