# Notes and history lines get a length (no SQL: a TextField's max_length is checked by forms
# and services, core.limits).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0004_import_batches"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="text",
            field=models.TextField(blank=True, max_length=10000, verbose_name="note"),
        ),
        migrations.AlterField(
            model_name="prospect",
            name="notes",
            field=models.TextField(blank=True, max_length=10000),
        ),
    ]
