from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "mainthing.activity"
    label = "activity"
