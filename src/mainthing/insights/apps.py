from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "mainthing.insights"
    label = "insights"
