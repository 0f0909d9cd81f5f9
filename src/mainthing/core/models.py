from django.db import models


class RateBucket(models.Model):
    """A token bucket per (scope, hashed key). Lives in the database so limits hold without Redis
    and across every worker process."""

    key = models.CharField(max_length=80, unique=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


class ImportProgress:
    """Progress of an import job (time entries or leads), for its page. Validation is measured in
    bytes, because the number of rows is known only at the end; applying is measured in rows.
    `errors` lists the first errors; `error_count` counts them all."""

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.APPLYING)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def checked_percent(self) -> int:
        if not self.size:
            return 0
        return min(100, round(100 * self.checked_bytes / self.size))

    @property
    def unlisted_errors(self) -> int:
        return max(0, self.error_count - len(self.errors))
