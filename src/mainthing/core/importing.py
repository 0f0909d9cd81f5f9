"""The import framework shared by the time-entry importer, the lead importer and `restore`.

How an import stays all-or-nothing without taking the app down
----------------------------------------------------------------
SQLite has one write lock per database. An import that wrote a million rows in one transaction
held it for most of a minute, and every other user's writes (and the task worker's polling)
failed with "database is locked". So an import commits in short chunks (`CHUNK_SIZE` rows, a
few hundred milliseconds each), and other writers get the lock between chunks.

Chunks that are committed must still be invisible until the whole file is in. Every row an
import writes carries the id of its `ImportBatch` (`core.models.Staged.import_batch`), and the
default managers of those models leave out the rows of every batch that is not published: an
import's rows appear all at once when `publish` flips the batch's state, in one short
transaction that also merges what the import adds to derived tables (the day totals). We chose
this over a staging table copied in at the end because that copy is itself a million-row write:
the lock would only move, not shrink.

An import that fails is `discard`ed: its batch is marked discarded (its rows stay invisible)
and its rows are deleted in chunks. A process that is killed can't do that, so every batch
carries a heartbeat, stamped with each chunk; a batch that has not beaten for `DEAD_AFTER` is
dead, and `reap_dead_batches` (run at every worker start, by `mainthing manage expire_imports`
and before each new import of the same user) discards it. Web import jobs carry a heartbeat
too (`ImportProgress.heartbeat_at`): a job whose worker died is failed with a message that
says so, keeps its file, and its page offers to run it again.

On PostgreSQL the same chunks keep each transaction short, so an import never holds row locks
or an open snapshot for long, and VACUUM can keep up. After a large import on SQLite the WAL
is checkpointed, so it doesn't stay hundreds of megabytes.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import io
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import ImportBatch, Staged

logger = logging.getLogger(__name__)

# Rows per committed chunk: big enough that a million rows are 200 commits, small enough that
# another writer waits a fraction of a second for the lock.
CHUNK_SIZE = 5000
# A running batch or job whose heartbeat is older than this lost its process. Chunks take well
# under a second, so a live import beats many times in this span.
DEAD_AFTER = timedelta(minutes=2)
# Heartbeats are written at most this often (each is a write).
BEAT_EVERY = timedelta(seconds=5)
# Rows deleted per transaction when a batch is discarded.
DELETE_CHUNK = 900
# Uploads can hold personal data (a lead list is names, phones and emails): one nobody goes on
# with is deleted after this long, and its import marked failed.
UPLOAD_KEEP_HOURS = 24
EXPIRED_MESSAGE = "The uploaded file was removed after a day unused; upload it again to import."
DEAD_WORKER_MESSAGE = (
    "The worker stopped while {doing} (it was restarted or killed), so nothing was "
    "imported. The file is kept for a day: run it again."
)
# After publishing this many rows on SQLite, the WAL is checkpointed and truncated.
CHECKPOINT_ROWS = 50_000

# Errors listed for the user (all are counted); a file with more has a wrong column or format.
MAX_LISTED_ERRORS = 200
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_SNIFF_BYTES = 8192

Progress = Callable[[int, int], None]
V = TypeVar("V", bound="BaseValidation")


class FileProblem(Exception):
    """The file as a whole can't be read (empty, not text, wrong format); no row is usable."""


class ErrorList:
    """The errors a validation pass finds: every one counted, the first MAX_LISTED_ERRORS
    listed as {"row": n or None (the file as a whole), "message": ...}."""

    def __init__(self):
        self.listed: list[dict] = []
        self.count = 0

    def add(self, number: int | None, message: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_LISTED_ERRORS:
            self.listed.append({"row": number, "message": message})

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass
class BaseValidation:
    """What a validation pass found (of time entries or of leads): the rows read and the errors,
    which `run_check` and the CLI report."""

    rows: int
    errors: list[dict]  # the first errors, as {"row": n or None, "message": ...}
    error_count: int

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "error_count": self.error_count,
            "errors": self.errors,
        }


@contextlib.contextmanager
def no_gc_pauses():
    """Pauses the cyclic garbage collector while a file is read. Rows make no reference
    cycles, so it would find nothing, yet its passes over a heap that churns through millions
    of small objects cost a fifth of a million-row import. Reference counting still frees
    everything; cycles made meanwhile are collected once it is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- reading files -------------------------------------------------------------------------------


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from a file, for progress by size."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer) or 0
        self.count += n
        return n


def _sniff(head: bytes) -> None:
    """Refuses files that are plainly not UTF-8 text, before reading them row by row."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem("The file is UTF-16 text; save it as UTF-8 and import it again.")
    if head.startswith(b"PK\x03\x04"):
        raise FileProblem(
            "This is a zip archive or an Excel workbook, not a text file; export CSV instead."
        )
    if b"\x00" in head:
        raise FileProblem("This is not a text file (it holds binary data).")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as error:
        raise FileProblem(
            f"The file is not UTF-8 text (byte {error.start + 1} can't be read); "
            "save it as UTF-8 (in Excel: CSV UTF-8) and import it again."
        ) from None
    if not head.removeprefix(codecs.BOM_UTF8).strip():
        raise FileProblem("The file is empty.")


class Source:
    """An open import file as text, with the bytes read so far (for progress by size). Time
    entries are UTF-8 (a BOM is fine), and with `sniff` a file that is plainly not UTF-8 text
    is refused from its first bytes; the lead importer names the encoding its layout found
    and has checked the file already."""

    def __init__(self, path: Path, *, encoding: str = "utf-8-sig", sniff: bool = True):
        try:
            self.size = path.stat().st_size
            self._raw = path.open("rb")
        except OSError as error:
            raise FileProblem(f"Can't read the file: {error.strerror or error}.") from None
        if sniff:
            try:
                _sniff(self._raw.read(_SNIFF_BYTES))
                self._raw.seek(0)
            except FileProblem:
                self._raw.close()
                raise
        self._counter = _CountingReader(self._raw)
        self.text = io.TextIOWrapper(
            io.BufferedReader(self._counter, 1 << 16), encoding=encoding, newline=""
        )

    @property
    def bytes_read(self) -> int:
        return self._counter.count

    def close(self) -> None:
        self.text.close()
        self._raw.close()


# --- batches -------------------------------------------------------------------------------------


def _staged_models_in_delete_order() -> list[type[models.Model]]:
    """Every Staged model, those that point at another Staged model first (an entry before
    its category), so deleting in this order never trips a protected foreign key."""
    staged = [m for m in apps.get_models() if issubclass(m, Staged)]

    def points_at_staged(model) -> bool:
        return any(
            field.many_to_one and field.related_model in staged and field.related_model != model
            for field in model._meta.get_fields()
        )

    return sorted(staged, key=lambda m: (not points_at_staged(m), m._meta.label))


def open_batch(user, kind: str, *, now: datetime | None = None) -> ImportBatch:
    """Starts a batch for an import of `kind` into `user`'s account and returns it.

    Discards the user's dead batches first (their rows would otherwise count as "already
    imported" and then vanish). Raises ValidationError while another import of the same kind
    is running for the user: two at once would each skip what the other wrote.
    """
    now = now or timezone.now()
    reap_dead_batches(user=user, now=now)
    live = ImportBatch.objects.filter(
        user=user, kind=kind, state=ImportBatch.State.STAGING, heartbeat_at__gte=now - DEAD_AFTER
    )
    if live.exists():
        raise ValidationError(
            "Another import into this account is still running; wait for it to finish."
        )
    return ImportBatch.objects.create(user=user, kind=kind, heartbeat_at=now)


class BatchWriter:
    """Commits an import's chunks: `chunk()` opens a short transaction that also stamps the
    heartbeat (at most every BEAT_EVERY), and fails if the batch was discarded meanwhile (its
    process was taken for dead)."""

    def __init__(self, batch: ImportBatch, *, on_beat: Callable[[datetime], None] | None = None):
        self.batch = batch
        self.on_beat = on_beat
        self._last_beat = batch.heartbeat_at

    @contextlib.contextmanager
    def chunk(self):
        now = timezone.now()
        with transaction.atomic():
            _commit_without_waiting_for_disk()
            if now - self._last_beat >= BEAT_EVERY:
                self.beat(now)
            yield

    def beat(self, now: datetime | None = None) -> None:
        now = now or timezone.now()
        alive = ImportBatch.objects.filter(
            pk=self.batch.pk, state=ImportBatch.State.STAGING
        ).update(heartbeat_at=now)
        if not alive:
            raise ValidationError(
                "The import was stopped because it went too long without progress; nothing "
                "was imported. Run it again."
            )
        self._last_beat = now
        if self.on_beat:
            self.on_beat(now)


def _commit_without_waiting_for_disk() -> None:
    """On PostgreSQL, lets a chunk's commit return before its WAL reaches the disk: waiting
    for twenty flushes per 100k rows costs seconds. Safe for all-or-nothing, because the WAL is
    replayed in order: a crash can lose the last chunks, never a chunk before a publish that
    survived, and a batch that was never published is reaped."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def publish(batch: ImportBatch, *, also: Callable[[], None] | None = None, rows: int = 0) -> None:
    """Makes every row of `batch` visible at once, running `also()` (e.g. adding the import's
    day totals) in the same short transaction. Raises ValidationError, publishing nothing, if
    the batch was discarded meanwhile. Checkpoints SQLite's WAL after a large import."""
    with transaction.atomic():
        if also:
            also()
        published = ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.STAGING).update(
            state=ImportBatch.State.PUBLISHED, finished_at=timezone.now()
        )
        if not published:
            raise ValidationError(
                "The import was stopped because it went too long without progress; nothing "
                "was imported. Run it again."
            )
    batch.state = ImportBatch.State.PUBLISHED
    if rows >= CHECKPOINT_ROWS:
        checkpoint_wal()


def discard(batch: ImportBatch | int) -> int:
    """Hides a batch's rows for good (one UPDATE), then deletes them in short transactions,
    then the batch itself. Returns how many rows were deleted. Safe to run twice (a discard
    that was itself killed is finished by the next reaping)."""
    batch_id = batch.pk if isinstance(batch, ImportBatch) else batch
    ImportBatch.objects.filter(pk=batch_id).exclude(state=ImportBatch.State.PUBLISHED).update(
        state=ImportBatch.State.DISCARDED, finished_at=timezone.now()
    )
    if not ImportBatch.objects.filter(pk=batch_id, state=ImportBatch.State.DISCARDED).exists():
        return 0  # published (or gone): nothing to take back
    deleted = 0
    for model in _staged_models_in_delete_order():
        rows = model.with_staged.filter(import_batch=batch_id)
        while ids := list(rows.order_by().values_list("pk", flat=True)[:DELETE_CHUNK]):
            with transaction.atomic():
                model.with_staged.filter(pk__in=ids).delete()
            deleted += len(ids)
    ImportBatch.objects.filter(pk=batch_id).delete()
    if deleted >= CHECKPOINT_ROWS:
        checkpoint_wal()
    return deleted


def reap_dead_batches(*, user=None, now: datetime | None = None) -> int:
    """Discards the batches whose process stopped beating more than DEAD_AFTER ago, and
    finishes discards that were interrupted: the user's, or everybody's. Returns how many."""
    cutoff = (now or timezone.now()) - DEAD_AFTER
    batches = ImportBatch.objects.all() if user is None else ImportBatch.objects.filter(user=user)
    dead = batches.filter(
        models.Q(state=ImportBatch.State.STAGING, heartbeat_at__lt=cutoff)
        | models.Q(state=ImportBatch.State.DISCARDED)
    )
    reaped = 0
    for batch_id in list(dead.values_list("pk", flat=True)):
        # Claimed by a guarded update, so two reapers don't both delete (and a batch that
        # beat meanwhile is left alone).
        claimed = (
            ImportBatch.objects.filter(pk=batch_id)
            .filter(
                models.Q(state=ImportBatch.State.STAGING, heartbeat_at__lt=cutoff)
                | models.Q(state=ImportBatch.State.DISCARDED)
            )
            .update(state=ImportBatch.State.DISCARDED)
        )
        if claimed:
            rows = discard(batch_id)
            logger.info("Discarded import batch %s (%s rows) whose process stopped", batch_id, rows)
            reaped += 1
    return reaped


def checkpoint_wal() -> None:
    """Copies SQLite's write-ahead log into the database and truncates it. Readers that are
    still on an old snapshot can keep part of it; the next checkpoint takes the rest."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return  # (a checkpoint can't run inside a transaction)
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except OperationalError as error:
        # A busy database is no reason to fail an import that is in: the next one tries again.
        logger.warning("Could not checkpoint the write-ahead log: %s", error)


# --- web uploads and background jobs -------------------------------------------------------------


def store_upload(user, upload, *, kind: str = "") -> dict[str, Any]:
    """Writes an uploaded file (of time entries or of leads) under MEDIA_ROOT/imports/, named
    after the user, `kind` and a random id, and returns the job fields that describe it:
    filename, path and size."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{user.pk}-{kind}{uuid.uuid4().hex}"
    with path.open("wb") as handle:
        for piece in upload.chunks():
            handle.write(piece)
    return {
        "filename": Path(upload.name or "upload").name[:255],
        "path": str(path),
        "size": path.stat().st_size,
    }


def discard_upload(job) -> None:
    """Removes a job's uploaded file."""
    try:
        Path(job.path).unlink(missing_ok=True)
    except OSError:
        logger.warning("Could not remove an import file of job %s", job.pk)


def fail_job(job, message: str, *, can_retry: bool = False) -> None:
    """Marks an import job (of time entries or of leads) failed, with the reason shown to the
    user. Nothing of the file is visible when this is called."""
    job.status = job.Status.FAILED
    job.message = message[:500]
    job.finished_at = timezone.now()
    job.can_retry = can_retry
    job.save()


def beat_job(job, now: datetime | None = None, **fields) -> None:
    """Stamps a job's heartbeat (and writes `fields`, e.g. progress) without touching the
    rest of the row."""
    type(job).objects.filter(pk=job.pk).update(heartbeat_at=now or timezone.now(), **fields)


def is_dead(job, *, now: datetime | None = None) -> bool:
    """True for a running job whose worker stopped beating more than DEAD_AFTER ago (a job
    from before heartbeats counts from its creation)."""
    if not job.is_running:
        return False
    return (job.heartbeat_at or job.created_at) < (now or timezone.now()) - DEAD_AFTER


def fail_dead_jobs(jobs: QuerySet, *, now: datetime | None = None) -> int:
    """Fails the running jobs of `jobs` whose worker stopped beating more than DEAD_AFTER ago,
    with a message that says so; their files stay, so they can run again. Their batches are
    discarded. Returns how many."""
    now = now or timezone.now()
    Status = jobs.model.Status
    # A job from before heartbeats counts from its creation.
    stale = models.Q(heartbeat_at__lt=now - DEAD_AFTER) | models.Q(
        heartbeat_at__isnull=True, created_at__lt=now - DEAD_AFTER
    )
    running = models.Q(status__in=[Status.VALIDATING, Status.APPLYING])
    failed = 0
    for job in jobs.filter(stale & running):
        # The guarded update makes sure a job that beat (or finished) meanwhile is left alone.
        if not jobs.filter(stale & running, pk=job.pk).update(status=Status.FAILED):
            continue
        doing = "checking the file" if job.status == Status.VALIDATING else "importing"
        fail_job(job, DEAD_WORKER_MESSAGE.format(doing=doing), can_retry=True)
        if job.batch:
            discard(job.batch)
        failed += 1
    return failed


def claim_for_retry(job) -> str | None:
    """Puts a job whose worker stopped back where it was, by a guarded update: checking the
    file again ("validating": the caller enqueues the check), or "ready" to import (the user
    presses Import again). Returns that status, or None when the job can't run again."""
    if not job.can_retry or not Path(job.path).exists():
        return None
    back_to = job.Status.READY if job.total_rows else job.Status.VALIDATING
    claimed = (
        type(job)
        .objects.filter(pk=job.pk, status=job.Status.FAILED, can_retry=True)
        .update(
            status=back_to,
            can_retry=False,
            message="",
            finished_at=None,
            batch=None,
            heartbeat_at=timezone.now(),
        )
    )
    return back_to if claimed else None


def expire_jobs(
    jobs: QuerySet,
    *,
    waiting: Iterable[str],
    discard_files: Callable[[Any], None],
    now: datetime | None = None,
) -> int:
    """Expires the jobs of `jobs` (time imports or lead imports) left in a `waiting` status, or
    failed with a retry on offer, since more than UPLOAD_KEEP_HOURS before `now`: each is
    marked failed with EXPIRED_MESSAGE, then `discard_files` deletes its files. Returns how
    many were expired.

    A finished job (one refused for errors, whose file is already gone) keeps its message.
    Each job is claimed by a guarded update first, so one the user moves on meanwhile (to a
    check or an import) is left alone and never loses its file while a pass reads it."""
    Status = jobs.model.Status
    cutoff = (now or timezone.now()) - timedelta(hours=UPLOAD_KEEP_HOURS)
    left = models.Q(status__in=list(waiting), finished_at__isnull=True) | models.Q(
        status=Status.FAILED, can_retry=True
    )
    expired = 0
    for job in jobs.filter(left, created_at__lt=cutoff):
        if not jobs.filter(left, pk=job.pk).update(status=Status.FAILED, can_retry=False):
            continue
        fail_job(job, EXPIRED_MESSAGE)
        discard_files(job)
        expired += 1
    return expired


def run_check(job, check: Callable[[], V], *, discard_files: Callable[[Any], None]) -> V:
    """Runs `check()`, the validation pass of a web import (time entries or leads), and returns
    its Validation. On an unexpected error the job is failed, `discard_files` deletes its files
    and the error goes on up. Otherwise the job takes the file's size, the row and error
    counts, the listed errors, and the status "ready" or "invalid" with its message; the
    caller adds what its importer reports besides, then saves it."""
    try:
        validation = check()
    except Exception:
        fail_job(job, "Checking the file stopped on an unexpected error; nothing was imported.")
        discard_files(job)
        raise
    job.refresh_from_db(fields=["size"])
    job.checked_bytes = job.size
    job.total_rows = validation.rows
    job.error_count = validation.error_count
    job.errors = validation.errors
    if validation.ok:
        job.status = job.Status.READY
        job.message = ""
    else:
        job.status = job.Status.INVALID
        s = "" if validation.error_count == 1 else "s"
        job.message = f"The file has {validation.error_count} error{s}; nothing was imported."
    return validation


def run_apply(
    job,
    apply: Callable[[Callable[[Any], None]], None],
    *,
    record: Callable[[Any, Any], None],
    discard_files: Callable[[Any], None],
):
    """Runs the apply pass of a claimed ("applying") web import (time entries or leads).

    `apply(finish)` imports the file in a batch and calls `finish(result)` inside the
    transaction that publishes it; `finish` has `record(job, result)` copy the importer's
    counts onto the job and marks it done, so "done" and the rows appear together and a
    worker killed at any moment leaves either both or neither. A ValidationError fails the
    job with its message; an unexpected error fails it too and goes on up. Either way the
    job's files are deleted by `discard_files` once it has ended (the importer has discarded
    its batch)."""
    if job.status != job.Status.APPLYING:
        return job

    def finish(result) -> None:
        record(job, result)
        job.status = job.Status.DONE
        job.processed_rows = job.total_rows
        job.finished_at = timezone.now()
        job.heartbeat_at = job.finished_at
        job.message = ""
        job.save()

    try:
        apply(finish)
    except ValidationError as error:
        fail_job(job, " ".join(error.messages))
    except Exception:
        fail_job(job, "The import stopped on an unexpected error; nothing was imported.")
        raise
    finally:
        if job.status in (job.Status.DONE, job.Status.FAILED):
            discard_files(job)
    return job


def job_hooks(job) -> dict[str, Callable]:
    """The callbacks an importer's `apply_file` takes to keep a web job's row in step: the
    batch it opened (so a reaper can discard it) and the rows done, which is also the job's
    heartbeat."""

    def on_open(batch) -> None:
        job.batch = batch.pk
        beat_job(job, batch=batch.pk)

    def progress(done: int, total: int) -> None:
        beat_job(job, processed_rows=done)

    return {"on_open": on_open, "progress": progress}
