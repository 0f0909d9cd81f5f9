"""A completed call holds the time it really took (its booked time is kept beside it), and the
database's no-overlap rules cover only calls still to be held: a real call may have run into
the next booking. On PostgreSQL the exclusion constraint of 0002 is narrowed the same way."""

from django.conf import settings
from django.db import migrations, models

EXCLUDE = """
ALTER TABLE bookings_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap;
ALTER TABLE bookings_appointment
  ADD CONSTRAINT appointment_no_overlap
  EXCLUDE USING gist (user_id WITH =, tstzrange(start, "end", '[)') WITH &&)
  WHERE (status IN {statuses});
"""


def exclusion_for(statuses: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(EXCLUDE.format(statuses=statuses))

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0004_staged_managers"),
        ("bookings", "0005_appointment_prospect"),
        ("prospects", "0006_staged_managers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="appointment",
            name="one_active_appointment_per_start",
        ),
        migrations.AddField(
            model_name="appointment",
            name="booked_end",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="appointment",
            name="booked_start",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ("scheduled", "no_show"))),
                fields=("user", "start"),
                name="one_held_appointment_per_start",
            ),
        ),
        migrations.RunPython(
            exclusion_for("('scheduled', 'no_show')"),
            exclusion_for("('scheduled', 'no_show', 'completed')"),
        ),
    ]
