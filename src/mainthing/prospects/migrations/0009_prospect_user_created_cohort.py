from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("prospects", "0008_follow_up_covering_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The wider index first, so the newest-first list is never without one.
        migrations.AddIndex(
            model_name="prospect",
            index=models.Index(
                fields=["user", "-created_at", "source", "stage", "import_batch"],
                name="prospect_user_created_cohort",
            ),
        ),
        migrations.RemoveIndex(model_name="prospect", name="prospect_user_created"),
    ]
