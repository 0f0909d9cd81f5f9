from django.urls import path

from . import views

app_name = "bookings"

urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("book/", views.book, name="book"),
    path("appointments/<int:pk>/", views.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/move/", views.move_appointment, name="move"),
    path("appointments/<int:pk>/cancel/", views.cancel_appointment, name="cancel"),
    path("appointments/<int:pk>/no-show/", views.no_show, name="no-show"),
    path("appointments/<int:pk>/complete/", views.complete_appointment, name="complete"),
    path("outcome/<int:prospect_id>/", views.record_outcome, name="outcome"),
    path("follow-ups/<int:pk>/done/", views.mark_follow_up_done, name="follow-up-done"),
    path("follow-ups/<int:pk>/snooze/", views.snooze_follow_up, name="follow-up-snooze"),
    path("feed/rotate/", views.rotate_feed, name="rotate-feed"),
    path("feed/revoke/", views.revoke_feed, name="revoke-feed"),
]
