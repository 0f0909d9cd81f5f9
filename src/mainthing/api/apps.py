from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mainthing.api"
    label = "api"
