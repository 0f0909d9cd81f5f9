from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mainthing.accounts"
    label = "accounts"
