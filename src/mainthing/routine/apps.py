from django.apps import AppConfig


class RoutineConfig(AppConfig):
    name = "mainthing.routine"
    label = "routine"
