"""Importing leads from CSV files: `mainthing import leads FILE` and the web import page.

A file goes through four steps:

1. `read_layout` (in `leadfiles`) works out how to read it: the encoding (UTF-8, with or
   without a byte-order mark, else Windows-1252; anything else is refused), the delimiter
   (comma, semicolon or tab, from the first lines) and whether the first row is a header (a
   first row with an email address, a phone number, a date or a plain number in it is data),
   unless the user said whether it is (`has_header`: `--header`/`--no-header`, the box on the
   mapping step).
2. A column mapping (also `leadfiles`) says which column feeds which prospect field.
   `suggest_mapping` offers the one the user chose last time for the same headers
   (`ColumnMapping`), else a guess from the header names (or, without a header, from what the
   first rows hold).
3. `validate_file` reads every row, checks it (`leadrows`: names, emails, phones for the
   user's region, time zones, sources, stages, follow-up dates, tags) and counts what an
   import would do: new prospects, prospects the user already has (same email, same phone or
   same row fingerprint), rows repeating an earlier row of the file. It writes nothing.
4. `apply_file` reads the file again and writes the new prospects, with their "added" history
   events, in committed chunks of an import batch that appears all at once when it is
   published (`core.importing`): all of them or none.

The file is never held in memory: each pass streams it. The web page runs steps 3 and 4 as
background jobs (`validate_job`, `apply_job`); the command line runs them in place
(`mainthing.cli.imports`, which does the printing). The generic parts (the file-problem
exception, the open file that counts the bytes read for the progress figures, the error list,
the garbage-collector pause, storing uploads, the job plumbing around both passes with its
heartbeat, limits) are the import framework's, `core.importing`.

Every imported prospect carries a fingerprint (`Prospect.import_key`): SHA-1 of its name
(case-folded), normalised email, E.164 phone and social handle. A row whose email, phone or
fingerprint the user already has is skipped, so importing the same file twice adds nothing,
even for rows with neither email nor phone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from mainthing.accounts.models import User
from mainthing.core.bulk import BulkInsert
from mainthing.core.importing import (
    CHUNK_SIZE,
    BaseValidation,
    BatchWriter,
    ErrorList,
    FileProblem,
    Progress,
    beat_job,
    discard,
    expire_jobs,
    fail_dead_jobs,
    fail_job,
    job_hooks,
    no_gc_pauses,
    open_batch,
    publish,
    run_apply,
    run_check,
    store_upload,
)
from mainthing.core.models import ImportBatch

from . import services
from .leadfiles import (
    Plan,
    check_mapping,
    layout_of,
    open_file,
    read_layout,
    remember_mapping,
    suggest_mapping,
)
from .leadrows import (
    CheckedRows,
    Lead,
    Seen,
    read_leads,
    source_key,
    source_lookup,
)
from .models import Event, LeadImport, LeadSource, Prospect

logger = logging.getLogger(__name__)


# The statuses in which a lead import waits on the user with its file kept (an "invalid" one,
# so the columns can be changed); never a running one.
WAITING = (LeadImport.Status.MAPPING, LeadImport.Status.INVALID, LeadImport.Status.READY)

# --- results -------------------------------------------------------------------------------------


@dataclass
class Validation(BaseValidation):
    new: int = 0
    existing: int = 0
    duplicates: int = 0

    def as_dict(self) -> dict:
        return {
            **super().as_dict(),
            "new": self.new,
            "existing": self.existing,
            "duplicates_in_file": self.duplicates,
        }


@dataclass
class Result:
    created: int
    existing: int
    duplicates: int

    def as_dict(self) -> dict:
        return {
            "ok": True,
            "created": self.created,
            "existing": self.existing,
            "duplicates_in_file": self.duplicates,
        }


# --- validation ----------------------------------------------------------------------


def _check_plan(user: User, plan: Plan) -> None:
    problems = check_mapping(plan.mapping, plan.layout.width)
    if problems:
        raise FileProblem(" ".join(problems))
    if (
        plan.source_id is not None
        and not LeadSource.objects.filter(pk=plan.source_id, user=user).exists()
    ):
        raise FileProblem("The default source is gone; choose another one.")


def validate_file(
    user: User,
    path: Path,
    plan: Plan,
    *,
    progress: Progress | None = None,
    keep: Path | None = None,
) -> Validation:
    """Reads the whole file and reports what an import would do. Writes nothing to the
    database.

    `progress(bytes_read, file_size)` is called after every chunk of rows. Every row is
    checked (see `Cleaner`); rows without errors are sorted into new ones, ones the user
    already has and repeats of an earlier row of the file. With `keep`, the cleaned rows of a
    file without errors are written to that file for `apply_file(checked=...)`.
    """
    errors = ErrorList()
    fail = errors.add
    counts = {"new": 0, "existing": 0, "duplicate": 0}
    rows = 0

    try:
        _check_plan(user, plan)
        source = open_file(path, plan.layout)
    except FileProblem as problem:
        fail(None, str(problem))
        return Validation(0, errors.listed, errors.count)
    seen = Seen(user)
    kept = CheckedRows(keep, CheckedRows.stamp(user, path, plan)) if keep else None
    try:
        with no_gc_pauses():
            for item in read_leads(user, source, plan):
                rows += 1
                if progress and rows % CHUNK_SIZE == 0:
                    progress(source.bytes_read, source.size)
                if isinstance(item, tuple):
                    fail(*item)
                    continue
                if not errors:
                    counts[seen.classify(item)] += 1
                    if kept:
                        kept.add(item)
    except FileProblem as problem:
        fail(None, str(problem))
    finally:
        source.close()
        if rows == 0 and not errors:
            message = "The file has a header but no rows." if plan.layout.has_header else ""
            fail(None, message or "The file has no rows.")
        if kept:
            kept.close(keep=not errors)
    if progress:
        progress(source.size, source.size)
    return Validation(
        rows, errors.listed, errors.count, counts["new"], counts["existing"], counts["duplicate"]
    )


# --- applying ------------------------------------------------------------------------------------


class _Writer:
    """Writes new prospects chunk by chunk into an import batch, each with its "added" event
    (the events are reached only through their prospects, which stay hidden until the batch is
    published).

    Prospects go in through `core.bulk.BulkInsert` (`bulk_create` alone took 14 s of a 10 s
    budget for 100,000 leads), filling the columns `services.add_prospect` would. The events
    are then copied from the chunk's new rows in one INSERT … SELECT (the rows are found by id
    above the chunk's start and by the import's timestamp). The fingerprints' unique index
    still guards against a concurrent import: a clash raises IntegrityError and the whole
    import is discarded.
    """

    COLUMNS = (
        "user", "name", "email", "email_key", "phone", "social", "time_zone", "source", "stage",
        "follow_up_on", "tags", "notes", "import_key", "created_at", "stage_changed_at",
        "updated_at", "import_batch",
    )  # fmt: skip
    NULL_COLUMNS = ("last_contacted_at",)

    def __init__(self, user: User, *, now: datetime, note: str, batch: int):
        self.user = user
        self.batch = batch
        self.user_id = user.pk
        self.unknown: int | None = None
        self.bulk = BulkInsert(
            Prospect, self.COLUMNS, constants=dict.fromkeys(self.NULL_COLUMNS, "NULL")
        )
        connection = self.bulk.connection
        self.connection = connection
        ops = connection.ops
        self.stamp = ops.adapt_datetimefield_value(now)
        self.adapt_date = self.bulk.adapt_date
        self.note = note
        quote = ops.quote_name
        meta = Prospect._meta
        table = quote(meta.db_table)
        column = {name: quote(meta.get_field(name).column) for name in self.COLUMNS}
        events = Event._meta
        event_column = {
            name: quote(events.get_field(name).column)
            for name in ("user", "prospect", "kind", "at", "from_stage", "to_stage", "text")
        }
        self.event_sql = (
            f"INSERT INTO {quote(events.db_table)} ({', '.join(event_column.values())}) "
            f"SELECT {column['user']}, {quote(meta.pk.column)}, %s, {column['created_at']}, '', "
            f"{column['stage']}, %s FROM {table} "
            f"WHERE {column['user']} = %s AND {quote(meta.pk.column)} > %s "
            f"AND {column['created_at']} = %s AND {column['import_key']} IS NOT NULL"
        )
        self.created = 0
        self.made_unknown = False

    def take_back(self) -> None:
        """Removes what the writer made outside the batch (the Unknown source), once the
        batch's rows are gone."""
        if self.made_unknown:
            LeadSource.objects.filter(pk=self.unknown, prospects__isnull=True).delete()

    def write(self, chunk: list[Lead]) -> None:
        if not chunk:
            return
        stamp, user_id, adapt_date = self.stamp, self.user_id, self.adapt_date
        if self.unknown is None and any(lead.source_id is None for lead in chunk):
            # Made on first need; taken back with the import if it fails.
            had = LeadSource.objects.filter(user=self.user, category__isnull=True).exists()
            self.unknown = services.unknown_source(self.user).pk
            self.made_unknown = not had
        unknown = self.unknown
        params = [
            (
                user_id, lead.name, lead.email, lead.email_key, lead.phone, lead.social,
                lead.time_zone, lead.source_id or unknown, lead.stage,
                adapt_date(lead.follow_up_on) if lead.follow_up_on else None,
                lead.tags, lead.notes, lead.key, stamp, stamp, stamp, self.batch,
            )
            for lead in chunk
        ]  # fmt: skip
        last_id = self.bulk.max_id()
        self.bulk.insert(params)
        with self.connection.cursor() as cursor:
            cursor.execute(
                self.event_sql,
                [Event.Kind.CREATED.value, self.note, user_id, last_id, stamp],
            )
        self.created += len(params)


def apply_file(
    user: User,
    path: Path,
    plan: Plan,
    *,
    progress: Progress | None = None,
    total: int = 0,
    now: datetime | None = None,
    note: str = "",
    checked: Path | None = None,
    on_open: Callable[[ImportBatch], None] | None = None,
    on_publish: Callable[[Result], None] | None = None,
) -> Result:
    """Imports a lead file: all of it, or nothing, never holding the write lock long.

    Creates a prospect (stage from the file, else "new"; source from the file, else the
    plan's default, else Unknown, which is created if the user has none yet) and its "added"
    event for every row whose email, phone and fingerprint the user doesn't have and that
    doesn't repeat an earlier row. `note` goes into the events' text. `checked` names the rows
    a validation pass kept (used only when still up to date). The prospects are written in
    committed chunks of an import batch (`on_open(batch)` is told which), invisible until it is
    published in one short transaction, which also runs `on_publish(result)`.
    `progress(rows_done, total)` is called after every chunk. Raises ValidationError, having
    left nothing visible (the batch's rows are deleted), when a row or the file turns out to be
    wrong, another write clashes with the import, or another lead import is running for the
    user.
    """
    now = now or timezone.now()
    try:
        _check_plan(user, plan)
        source = open_file(path, plan.layout)
    except FileProblem as problem:
        raise ValidationError(f"{problem} Nothing was imported.") from None
    counts = {"new": 0, "existing": 0, "duplicate": 0}
    batch = writer = None
    try:
        batch = open_batch(user, "leads")
        if on_open:
            on_open(batch)
        chunks = BatchWriter(batch)
        with no_gc_pauses():
            writer = _Writer(user, now=now, note=note, batch=batch.pk)
            seen = Seen(user)
            items = CheckedRows.read(checked, CheckedRows.stamp(user, path, plan))
            chunk: list[Lead] = []
            done = 0
            for item in items if items is not None else read_leads(user, source, plan):
                done += 1
                if isinstance(item, tuple):
                    raise ValidationError(f"Row {item[0]}: {item[1]} Nothing was imported.")
                kind = seen.classify(item)
                counts[kind] += 1
                if kind == "new":
                    chunk.append(item)
                    if len(chunk) >= CHUNK_SIZE:
                        with chunks.chunk():
                            writer.write(chunk)
                        chunk = []
                if progress and done % CHUNK_SIZE == 0:
                    progress(done, total)
            with chunks.chunk():
                writer.write(chunk)
            if done == 0:
                raise FileProblem("The file has no rows.")
        result = Result(writer.created, counts["existing"], counts["duplicate"])
        publish(batch, also=(lambda: on_publish(result)) if on_publish else None, rows=done)
        if progress:
            progress(done, total or done)
    except FileProblem as problem:
        _give_up(batch, writer)
        raise ValidationError(f"{problem} Nothing was imported.") from None
    except IntegrityError as error:
        _give_up(batch, writer)
        logger.warning("Lead import into user %s clashed: %s", user.pk, error)
        raise ValidationError(
            "Another change to your prospects or sources got in the way of the import; nothing "
            "was imported. Check the file again and import it."
        ) from None
    except BaseException:
        _give_up(batch, writer)
        raise
    finally:
        source.close()
    return result


def _give_up(batch: ImportBatch | None, writer: _Writer | None) -> None:
    """Deletes what an import that can't finish wrote (nothing of it was ever visible)."""
    if batch is not None and batch.state != ImportBatch.State.PUBLISHED:
        discard(batch)
        if writer is not None:
            writer.take_back()


# --- web uploads and background jobs -------------------------------------------------------------


def _checked_path(job: LeadImport) -> Path:
    return Path(f"{job.path}.checked")


def _discard_file(job: LeadImport, *, upload: bool = True) -> None:
    """Removes the files of a job: the upload (unless `upload` is False) and the files the
    passes keep beside it."""
    paths = [_checked_path(job)]
    if upload:
        paths.append(Path(job.path))
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            logger.warning("Could not remove import file %s", path)


def expire_uploads(*, user: User | None = None, now: datetime | None = None) -> int:
    """Expires the lead imports left waiting over UPLOAD_KEEP_HOURS (see the activity
    importer's `expire_jobs`): the user's, or everybody's when `user` is None. Deletes their
    uploads and the files kept beside them, and marks them failed; returns how many."""
    jobs = LeadImport.objects.all() if user is None else LeadImport.objects.filter(user=user)
    return expire_jobs(jobs, waiting=WAITING, discard_files=_discard_file, now=now)


def fail_dead(*, user: User | None = None, now: datetime | None = None) -> int:
    """Fails the lead imports whose worker stopped (see `core.importing.fail_dead_jobs`)."""
    jobs = LeadImport.objects.all() if user is None else LeadImport.objects.filter(user=user)
    return fail_dead_jobs(jobs, now=now)


def set_header(job: LeadImport, has_header: bool) -> bool:
    """Reads the file of a job in "mapping" again with its first row as column names or as
    data. Saves the choice, the column names it gives and a fresh mapping for them (the one
    remembered for those names, with its default source, else a guess), by a guarded update.
    False when the job was not waiting for a mapping; FileProblem when the file is gone."""
    layout = layout_of(job, has_header=has_header)
    mapping, source = suggest_mapping(job.user, layout)
    remembered = {"source": source} if source is not None else {}
    updated = LeadImport.objects.filter(pk=job.pk, status=LeadImport.Status.MAPPING).update(
        has_header=has_header,
        headers=list(layout.headers),
        mapping={str(i): f for i, f in mapping.items()},
        **remembered,
    )
    return bool(updated)


def plan_of(job: LeadImport) -> Plan:
    mapping = {int(i): f for i, f in (job.mapping or {}).items()}
    return Plan(layout_of(job), mapping, job.source_id)


def save_upload(user: User, upload) -> LeadImport:
    """Stores an uploaded lead file under MEDIA_ROOT/imports/, works out its layout and
    suggests a mapping; the job starts in "mapping". A file that can't be read gives an
    "invalid" job with the reason, and is deleted. Expires the user's lead imports left
    waiting over UPLOAD_KEEP_HOURS first (their files are deleted)."""
    expire_uploads(user=user)
    job = LeadImport(user=user, **store_upload(user, upload, kind="leads-"))
    try:
        layout = read_layout(Path(job.path))
    except FileProblem as problem:
        job.status = LeadImport.Status.INVALID
        job.errors = [{"row": None, "message": str(problem)}]
        job.error_count = 1
        job.message = "The file can't be read; nothing was imported."
        job.finished_at = timezone.now()
        job.save()
        _discard_file(job)
        return job
    mapping, source = suggest_mapping(user, layout)
    job.encoding = layout.encoding
    job.delimiter = layout.delimiter
    job.headers = list(layout.headers)
    job.mapping = {str(i): f for i, f in mapping.items()}
    job.source = source
    job.save()
    return job


def claim_for_check(job: LeadImport, mapping: dict[int, str], source: LeadSource | None) -> bool:
    """Saves the chosen mapping and moves a job in "mapping" to "validating", by a guarded
    update, and remembers the mapping for the next file with these headers. False when the
    job was not waiting for a mapping."""
    claimed = LeadImport.objects.filter(pk=job.pk, status=LeadImport.Status.MAPPING).update(
        status=LeadImport.Status.VALIDATING,
        heartbeat_at=timezone.now(),
        mapping={str(i): f for i, f in sorted(mapping.items())},
        source=source,
        checked_bytes=0,
        processed_rows=0,
    )
    if claimed:
        remember_mapping(job.user, layout_of(job), mapping, source)
    return bool(claimed)


def save_mapping(job: LeadImport, mapping: dict[int, str], source: LeadSource | None) -> None:
    """Keeps a mapping being chosen (for the preview) on a job still in "mapping"."""
    LeadImport.objects.filter(pk=job.pk, status=LeadImport.Status.MAPPING).update(
        mapping={str(i): f for i, f in sorted(mapping.items())}, source=source
    )


def reopen_mapping(job: LeadImport) -> bool:
    """Back to the mapping step from a checked job ("invalid" or "ready") whose file is still
    there. False when the job is elsewhere."""
    if not job.path or not Path(job.path).exists():
        return False
    _discard_file(job, upload=False)
    reopened = LeadImport.objects.filter(
        pk=job.pk, status__in=[LeadImport.Status.INVALID, LeadImport.Status.READY]
    ).update(
        status=LeadImport.Status.MAPPING,
        errors=[],
        error_count=0,
        total_rows=0,
        processed_rows=0,
        checked_bytes=0,
        existing_count=0,
        duplicate_in_file=0,
        message="",
        finished_at=None,
    )
    return bool(reopened)


def validate_job(job: LeadImport) -> LeadImport:
    """Runs the validation pass of a web import. Progress (bytes read, rows) goes to the job
    row after every chunk; no transaction is open, so each write is seen at once. Ends in
    "ready" (with what the import would do) or "invalid" (with the errors; the file is kept so
    the mapping can be changed)."""
    rows_seen = 0

    def progress(done: int, size: int) -> None:
        nonlocal rows_seen
        rows_seen += CHUNK_SIZE
        beat_job(job, checked_bytes=done, size=size, processed_rows=rows_seen)

    try:
        plan = plan_of(job)
    except FileProblem as problem:
        fail_job(job, f"{problem} Nothing was imported.")
        return job
    validation = run_check(
        job,
        lambda: validate_file(
            job.user, Path(job.path), plan, progress=progress, keep=_checked_path(job)
        ),
        discard_files=_discard_file,
    )
    job.processed_rows = 0
    job.existing_count = validation.existing
    job.duplicate_in_file = validation.duplicates
    job.save()
    return job


def claim_for_apply(job: LeadImport) -> bool:
    """Moves a ready job to "applying" by a guarded update, so a double-clicked button
    imports once. False when the job was not ready."""
    return bool(
        LeadImport.objects.filter(pk=job.pk, status=LeadImport.Status.READY).update(
            status=LeadImport.Status.APPLYING, processed_rows=0, heartbeat_at=timezone.now()
        )
    )


def _record(job: LeadImport, result: Result) -> None:
    job.created_count = result.created
    job.existing_count = result.existing
    job.duplicate_in_file = result.duplicates


def apply_job(job: LeadImport) -> LeadImport:
    """Runs the apply pass of a claimed ("applying") web import (see
    `core.importing.run_apply`). Progress goes to the job row with each chunk."""

    def apply(finish) -> None:
        apply_file(
            job.user,
            Path(job.path),
            plan_of(job),
            total=job.total_rows,
            note=f"Imported from {job.filename}",
            checked=_checked_path(job),
            on_publish=finish,
            **job_hooks(job),
        )

    return run_apply(job, apply, record=_record, discard_files=_discard_file)


# --- for the command line ------------------------------------------------------------------------


def find_source(user: User, text: str) -> LeadSource | None:
    """A source by key or "Category / campaign" (case-insensitive); None for Unknown.
    ValueError naming the user's keys when there is no such source."""
    lookup, keys = source_lookup(user)
    key = source_key(text)
    if key not in lookup:
        yours = ", ".join(keys) or "none yet: add one under Lead sources"
        raise ValueError(f"No lead source “{text}”. Your source keys: {yours}.")
    found = lookup[key]
    return None if found is None else LeadSource.objects.get(pk=found)
