from django.apps import AppConfig


class ProspectsConfig(AppConfig):
    name = "mainthing.prospects"
    label = "prospects"
