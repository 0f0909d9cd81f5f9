from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mainthing.core"
    label = "core"
