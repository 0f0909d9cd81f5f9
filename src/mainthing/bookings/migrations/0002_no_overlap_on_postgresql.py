"""On PostgreSQL the database itself refuses overlapping active appointments of one user.

SQLite has no exclusion constraints; there the booking service checks overlaps inside an
IMMEDIATE transaction, which serialises writers, and the unique (user, start) constraint backs
it up. Written as SQL run only on PostgreSQL, so one migration history serves both databases.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings_appointment
  ADD CONSTRAINT appointment_no_overlap
  EXCLUDE USING gist (user_id WITH =, tstzrange(start, "end", '[)') WITH &&)
  WHERE (status <> 'cancelled');
"""
DROP = "ALTER TABLE bookings_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
