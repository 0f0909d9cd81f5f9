from django.core.management import call_command


def test_models_and_migrations_agree(db):
    """A model change without its migration reaches users as a `migrate` that does nothing and a
    database that differs from the code."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
