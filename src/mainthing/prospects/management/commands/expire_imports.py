"""`mainthing manage expire_imports`: cleans up after imports, for every user. Deletes the
uploads of imports (time entries and leads) left waiting unused and marks those imports
failed; fails the imports whose worker stopped and deletes what they had written. Meant for a
daily cron, and run at every worker start; it lives here because prospects sits above activity
and may call both importers."""

from django.core.management.base import BaseCommand

from mainthing.activity import importing as activity_importing
from mainthing.core import importing as framework
from mainthing.prospects import importing as lead_importing


class Command(BaseCommand):
    help = (
        "Delete the uploaded files of imports left unused for over "
        f"{framework.UPLOAD_KEEP_HOURS} hours and mark those imports failed; fail the imports "
        "whose worker stopped and delete what they had written."
    )

    def handle(self, *args, **options) -> None:
        dead = activity_importing.fail_dead() + lead_importing.fail_dead()
        batches = framework.reap_dead_batches()
        activities = activity_importing.expire_uploads()
        leads = lead_importing.expire_uploads()
        total = activities + leads
        if options["verbosity"] >= 1:
            s = "" if total == 1 else "s"
            self.stdout.write(
                f"Expired {total} unused import{s}: {activities} of time entries, {leads} of leads."
            )
            self.stdout.write(
                f"Failed {dead} import{'' if dead == 1 else 's'} whose worker stopped; "
                f"discarded {batches} unfinished import{'' if batches == 1 else 's'}."
            )
