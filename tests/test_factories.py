"""Every model has a factory in tests/factories.py, and each one builds a row the model's own
validation accepts."""

import factory
import pytest
from django.apps import apps

from tests import factories


def model_factories() -> dict[type, type]:
    return {
        f._meta.model: f
        for f in vars(factories).values()
        if isinstance(f, type) and issubclass(f, factory.django.DjangoModelFactory)
    }


def test_every_model_has_a_factory():
    ours = {m for m in apps.get_models() if m.__module__.startswith("mainthing.")}
    assert sorted(m.__name__ for m in ours - model_factories().keys()) == []


@pytest.mark.parametrize("model_factory", model_factories().values(), ids=lambda f: f.__name__)
def test_factory_saves_a_valid_row(db, model_factory):
    row = model_factory()
    row.full_clean()
    assert (type(row).objects.filter(pk=row.pk).count(), row.pk is not None) == (1, True)
