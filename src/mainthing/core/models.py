from django.conf import settings
from django.db import models


class RateBucket(models.Model):
    """A token bucket per (scope, hashed key). Lives in the database so limits hold without Redis
    and across every worker process."""

    key = models.CharField(max_length=80, unique=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


class ImportBatch(models.Model):
    """The rows one import (time entries, leads or a restore) writes, while it writes them.

    An import commits in short chunks so it never holds SQLite's only write lock for long, yet
    nobody may see part of it. So every row it writes carries the batch's id (`Staged`), and
    the default managers of those models hide the rows of every batch that is not published.
    Publishing is one short UPDATE of this row; a batch that fails, or whose process stops
    beating (`heartbeat_at`), is discarded and its rows deleted in chunks
    (`core.importing`, which says more).
    """

    class State(models.TextChoices):
        STAGING = "staging", "Writing"
        PUBLISHED = "published", "Published"
        DISCARDED = "discarded", "Discarded"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    kind = models.CharField(max_length=20)
    state = models.CharField(max_length=10, choices=State.choices, default=State.STAGING)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The managers' subquery reads only the few batches that are not published.
            models.Index(
                fields=["state"],
                condition=~models.Q(state="published"),
                name="import_batch_unpublished",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk} ({self.state})"


def unpublished_batches(*, user=None):
    """The ids of the batches whose rows nobody may see: being written, or being discarded
    (only `user`'s, when given: an import writes only its own user's rows)."""
    batches = ImportBatch.objects.exclude(state=ImportBatch.State.PUBLISHED)
    return (batches if user is None else batches.filter(user=user)).values("pk")


class VisibleManager(models.Manager):
    """The default manager of a `Staged` model: rows of unpublished import batches are left out,
    so no page, report, export or feed ever shows part of an import."""

    def get_queryset(self):
        return super().get_queryset().exclude(import_batch__in=unpublished_batches())


class Staged(models.Model):
    """A model an import writes to in chunks (see ImportBatch). `objects` sees only published
    rows; `with_staged` sees every row, for the importers' own reads and the clean-up."""

    # The batch that wrote the row; NULL for rows written any other way. Kept after publishing:
    # clearing it would be a million-row UPDATE, and a published batch hides nothing.
    import_batch = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    # `objects` first: a subclass's own Meta drops default_manager_name, and the first manager
    # declared is then the default one (used by related managers, forms and the admin).
    objects = VisibleManager()
    with_staged = models.Manager()  # noqa: DJ012 (a manager, not a field)

    class Meta:
        abstract = True


class ImportProgress(models.Model):
    """The fields and progress of an import job (time entries or leads), for its page.

    Validation is measured in bytes, because the number of rows is known only at the end;
    applying is measured in rows. `errors` lists the first errors; `error_count` counts them
    all. `heartbeat_at` is stamped by the process that works on the job; a running job whose
    heartbeat is older than `core.importing.DEAD_AFTER` lost its worker. The subclass defines
    `user`, `status` (with its `Status` choices, which include VALIDATING, READY, APPLYING,
    DONE and FAILED) and its own fields.
    """

    filename = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    size = models.PositiveBigIntegerField(default=0)
    checked_bytes = models.PositiveBigIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # The first errors, [{"row": n or None, "message": ...}]; error_count counts them all.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The batch of rows the apply pass writes (ImportBatch), while and after it runs.
    batch = models.PositiveBigIntegerField(null=True, blank=True)
    # True when the job failed because its worker stopped: its file is kept, and its page
    # offers to run it again.
    can_retry = models.BooleanField(default=False)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

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
