"""One way to insert many rows fast: the importers, `restore` and the bench's data generator.

`bulk_create` builds a model instance per row and, on SQLite, cuts each chunk into statements
of 999 variables, preparing every field in Python: for a million rows that is several times
the budget of an import. Rows that are already checked go in here as plain tuples, through one
prepared INSERT per chunk (`executemany`) on SQLite and COPY on PostgreSQL. The database's
constraints still apply. The caller fills the columns `Model.objects.create` would.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connections, models


class BulkInsert:
    """Inserts tuples into `model`'s table: `columns` are field names, in the order of each
    tuple; `constants` are further columns with one SQL literal for every row (COPY, which
    names only `columns`, is used only when they are all NULL).

    With `skip_conflicts` (the field names of a unique constraint, e.g. ("user",
    "import_key")) a row that would break it is skipped (ON CONFLICT DO NOTHING); COPY can't
    skip, so those inserts use `executemany` on PostgreSQL too. `where` is the condition of a
    partial unique index that the conflict target names.
    """

    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        *,
        constants: dict[str, str] | None = None,
        skip_conflicts: Sequence[str] = (),
        where: str = "",
    ):
        self.connection = connections[model.objects.db]
        ops = self.connection.ops
        quote = ops.quote_name
        meta = model._meta
        table = quote(meta.db_table)
        names = [quote(meta.get_field(name).column) for name in columns]
        constants = constants or {}
        literals = list(constants.values())
        every = names + [quote(meta.get_field(name).column) for name in constants]
        values = ["%s"] * len(names) + literals
        self.insert_sql = f"INSERT INTO {table} ({', '.join(every)}) VALUES ({', '.join(values)})"
        if skip_conflicts:
            target = ", ".join(quote(meta.get_field(name).column) for name in skip_conflicts)
            self.insert_sql += f" ON CONFLICT ({target}) {f'WHERE {where} ' if where else ''}"
            self.insert_sql += "DO NOTHING"
        self.copy_sql = (
            f"COPY {table} ({', '.join(names)}) FROM STDIN"
            if self.connection.vendor == "postgresql"
            and not skip_conflicts
            # COPY leaves the columns it doesn't name NULL (Django sets no database defaults).
            and all(value == "NULL" for value in literals)
            else None
        )
        self.max_id_sql = f"SELECT MAX({quote(meta.pk.column)}) FROM {table}"
        # psycopg adapts aware datetimes itself for COPY; SQLite takes Django's UTC text.
        self.adapt_datetime = (
            (lambda value: value) if self.copy_sql else ops.adapt_datetimefield_value
        )
        self.adapt_date = (lambda value: value) if self.copy_sql else ops.adapt_datefield_value

    def max_id(self) -> int:
        """The highest id in the table: rows inserted after this call have higher ones."""
        with self.connection.cursor() as cursor:
            cursor.execute(self.max_id_sql)
            return cursor.fetchone()[0] or 0

    def insert(self, rows: Iterable[tuple]) -> int:
        """Inserts `rows`; returns how many went in, or -1 when the driver doesn't say."""
        with self.connection.cursor() as cursor:
            if self.copy_sql:
                count = 0
                # The driver's own cursor (Django's wrapper has no COPY), its errors turned
                # into Django's as the wrapper would.
                with (
                    self.connection.wrap_database_errors,
                    cursor.cursor.copy(self.copy_sql) as copy,
                ):
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                return count
            rows = rows if isinstance(rows, list) else list(rows)
            if not rows:
                return 0
            cursor.executemany(self.insert_sql, rows)
            return cursor.rowcount

    def adapt(self, value: datetime | None):
        """An instant as this writer hands it to the database."""
        return None if value is None else self.adapt_datetime(value)
