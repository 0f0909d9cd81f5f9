from datetime import UTC, date, datetime, time, timedelta

import factory

from mainthing.accounts.models import User
from mainthing.activity import services as activity_services
from mainthing.activity.models import Activity, Category
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.routine import services as routine_services

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("first_name")
    time_zone = "UTC"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            activity_services.set_up_default_categories(obj)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    user = factory.SubFactory(UserFactory)
    tier = Tier.OTHER
    name = factory.Sequence(lambda n: f"Category {n}")


def category(user, name: str) -> Category:
    return Category.objects.get(user=user, name=name)


def entry(user, name: str, start: datetime, minutes: int, **fields) -> Activity:
    """A finished entry written through the service, so day totals stay right."""
    end = start + timedelta(minutes=minutes)
    return activity_services.add_entry(
        user,
        category(user, name),
        start=start,
        end=end,
        now=max(end, datetime.now(UTC)),
        allow_overlap=True,
        **fields,
    )


def block(user, start: str, end: str, *, tier: str = "income", days: str = "daily"):
    """A weekly block in the user's zone, written through the routine service."""
    return routine_services.add_block(
        user,
        tier=tier,
        days=days,
        start=time.fromisoformat(start),
        end=time.fromisoformat(end),
        today=date(2020, 1, 1),
    )


def at(text: str, zone: str = "UTC") -> datetime:
    """A UTC instant from a wall-clock 'YYYY-MM-DD HH:MM' in a zone."""
    return timekit.localize(datetime.fromisoformat(text), timekit.zone(zone))
