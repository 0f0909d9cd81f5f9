from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "mainthing.bookings"
    label = "bookings"
