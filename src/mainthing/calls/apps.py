from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "mainthing.calls"
    label = "calls"
