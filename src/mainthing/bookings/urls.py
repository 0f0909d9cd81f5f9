from django.urls import path

from .views import appointments, calendar, feed, firstrun, outcome, today

app_name = "bookings"

urlpatterns = [
    path("", calendar.calendar, name="calendar"),
    path("book/", appointments.book, name="book"),
    path("appointments/<int:pk>/", appointments.appointment_detail, name="appointment"),
    path("appointments/<int:pk>/move/", appointments.move_appointment, name="move"),
    path("appointments/<int:pk>/cancel/", appointments.cancel_appointment, name="cancel"),
    path("appointments/<int:pk>/no-show/", appointments.no_show, name="no-show"),
    path("appointments/<int:pk>/complete/", appointments.complete_appointment, name="complete"),
    path("outcome/<int:prospect_id>/", outcome.record_outcome, name="outcome"),
    path("follow-ups/<int:pk>/done/", today.mark_follow_up_done, name="follow-up-done"),
    path("follow-ups/<int:pk>/snooze/", today.snooze_follow_up, name="follow-up-snooze"),
    path("checklist/hide/", firstrun.hide_checklist, name="hide-checklist"),
    path("checklist/show/", firstrun.show_checklist, name="show-checklist"),
    path("checklist/shared/", firstrun.link_shared, name="link-shared"),
    path("feed/rotate/", feed.rotate_feed, name="rotate-feed"),
    path("feed/new/", feed.new_feed, name="new-feed"),
    path("feed/revoke/", feed.revoke_feed, name="revoke-feed"),
]
