"""A new account with everything the discipline starts from. Sits above the apps, like the CLI."""

from django.db import transaction

from mainthing.accounts import services as account_services
from mainthing.accounts.models import User
from mainthing.activity import services as activity_services
from mainthing.prospects import services as prospect_services


@transaction.atomic
def create_account(*, email: str, password: str, time_zone: str = "UTC", name: str = "") -> User:
    """Creates the user, the default categories and the "Unknown" lead source in one
    transaction."""
    user = account_services.create_user(
        email=email, password=password, time_zone=time_zone, name=name
    )
    activity_services.set_up_default_categories(user)
    prospect_services.unknown_source(user)
    return user
