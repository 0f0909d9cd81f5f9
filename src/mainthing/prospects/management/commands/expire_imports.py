"""`mainthing manage expire_imports`: deletes the uploads of imports (time entries and leads)
left waiting unused, of every user, and marks those imports failed. Meant for a daily cron;
it lives here because prospects sits above activity and may call both importers."""

from django.core.management.base import BaseCommand

from mainthing.activity import importing as activity_importing
from mainthing.prospects import importing as lead_importing


class Command(BaseCommand):
    help = (
        "Delete the uploaded files of imports left unused for over "
        f"{activity_importing.UPLOAD_KEEP_HOURS} hours and mark those imports failed."
    )

    def handle(self, *args, **options) -> None:
        activities = activity_importing.expire_uploads()
        leads = lead_importing.expire_uploads()
        total = activities + leads
        if options["verbosity"] >= 1:
            s = "" if total == 1 else "s"
            self.stdout.write(
                f"Expired {total} unused import{s}: {activities} of time entries, {leads} of leads."
            )
