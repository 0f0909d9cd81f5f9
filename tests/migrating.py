"""Moving one app's schema to a migration in a test (every other app at its latest), for tests
of data migrations on a database that holds rows from before them."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(app: str, name: str | None = None):
    """Migrates `app` to its migration `name` (its latest when None), every other app to its
    latest; returns the models as they are there."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    targets = [node for node in leaves if node[0] != app]
    targets += [(app, name)] if name else [node for node in leaves if node[0] == app]
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps
