"""What the worker runs for bookings: one mail's delivery, enqueued after the commit that wrote
it, and the periodic sweep (`mainthing worker` calls `sweep` every half minute and once
before a `--batch` run)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from . import mails, reminders


@task()
def deliver_mail(mail_id: int) -> str:
    return mails.deliver(mail_id, now=timezone.now())


def sweep(now: datetime) -> dict[str, int]:
    """Reminders that came due become mails, then every due mail is sent (new ones, retries,
    rows a dead worker left). Returns what it did, for the worker's log."""
    done = {"reminders": reminders.send_due(now), **mails.deliver_due(now)}
    return {key: count for key, count in done.items() if count}
