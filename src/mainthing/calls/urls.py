from django.urls import path

from . import views

app_name = "calls"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("start/", views.start_session, name="start-session"),
    path("finish/", views.finish_session, name="finish-session"),
    path("scripts/", views.scripts, name="scripts"),
    path("<int:pk>/call/", views.start_call, name="start-call"),
    path("<int:pk>/skip/", views.skip, name="skip"),
    path("<int:pk>/later/", views.later, name="later"),
    path("<int:pk>/outcome/<str:word>/", views.record_outcome, name="outcome"),
]
