"""Importing time entries from files: Mainthing CSV, Watson frames and Toggl Track CSV.

A file is read twice and never held in memory:

1. `validate_file` reads every row, checks it and reports per-row errors and the categories the
   file would create. It writes nothing.
2. `apply_file` reads it again and writes the entries in committed chunks of an import batch
   that nobody sees until it is published at the end, with the day totals it adds, in one
   short transaction (`core.importing` says why and how); a failure (or a killed process)
   leaves nothing visible, and its rows are deleted.

The web page runs both passes as background jobs (`validate_job`, `apply_job`); the command
line runs them in place (`mainthing.cli.imports`, which does the printing).

Every imported entry carries a fingerprint (`Activity.import_key`) of its start, end, category
and note; a row whose fingerprint the user already has is skipped, so importing the same file
twice adds nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from mainthing.accounts.models import User
from mainthing.core import timekit
from mainthing.core.bulk import BulkInsert
from mainthing.core.enums import Tier
from mainthing.core.importing import (
    CHUNK_SIZE,
    BaseValidation,
    BatchWriter,
    ErrorList,
    FileProblem,
    Progress,
    Source,
    beat_job,
    discard,
    discard_upload,
    expire_jobs,
    fail_dead_jobs,
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
from .models import Activity, Category, ImportJob, Origin
from .readers import (
    EPOCH_DAY,
    FORMATS,
    TIERS,
    Row,
    RowError,
    UtcTexts,
    import_key,
    not_utf8,
    read_rows,
)

logger = logging.getLogger(__name__)

# `import_key__in` lists stay under SQLite's historical limit of 999 variables per statement.
KEY_LOOKUP_SLICE = 900
MAX_NEW_CATEGORIES = 500
# The statuses in which a job waits on the user; never a running one. (An "invalid" time
# import is finished, its file deleted at once, so only "ready" ones are expired today.)
WAITING = (ImportJob.Status.INVALID, ImportJob.Status.READY)

T = TypeVar("T")


@dataclass
class Validation(BaseValidation):
    new_categories: list[dict]  # {"name", "tier" (what the file proposes, or None), "rows"}
    # Every row is an entry the user already has: importing would add nothing.
    all_known: bool = False

    def as_dict(self) -> dict:
        return {**super().as_dict(), "new_categories": self.new_categories}


@dataclass
class Result:
    created: int
    skipped: int
    new_categories: list[dict] = field(default_factory=list)  # {"name", "tier"} created

    def as_dict(self) -> dict:
        return {
            "ok": True,
            "created": self.created,
            "skipped": self.skipped,
            "new_categories": self.new_categories,
        }


# --- validation ----------------------------------------------------------------------------------


def validate_file(
    user: User,
    path: Path,
    fmt: str,
    *,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Validation:
    """Reads the whole file and reports what an import would do. Writes nothing.

    `progress(bytes_read, file_size)` is called after every chunk of rows. Rows are checked for
    parseable times, an end after the start, at most 24 hours, no end in the future, a category
    and a known tier; a Mainthing CSV tier must agree with an existing category's tier and with
    itself across rows for a new category.
    """
    tz = timekit.zone(user.time_zone)
    now = now or timezone.now()
    existing = {
        name.lower(): (name, tier)
        for name, tier in Category.objects.filter(user=user).values_list("name", "tier")
    }
    proposals: dict[str, dict] = {}
    errors = ErrorList()
    fail = errors.add
    rows = 0
    # Fingerprints not looked up yet. Lookups stop at the first row the user doesn't have, so a
    # new file costs one query at most; only a file of known entries is looked up throughout.
    pending: list[str] = []
    all_known = True

    def look_up() -> None:
        nonlocal all_known
        if all_known and pending:
            wanted = set(pending)
            found = Activity.objects.filter(user=user, import_key__in=wanted).values_list(
                "import_key", flat=True
            )
            all_known = wanted == set(found)
        pending.clear()

    try:
        source = Source(path)
    except FileProblem as problem:
        fail(None, str(problem))
        return Validation(0, errors.listed, errors.count, [])
    last = 0
    try:
        with no_gc_pauses():
            for item in read_rows(source, fmt, tz, now):
                rows += 1
                last = item.number or last
                if progress and rows % CHUNK_SIZE == 0:
                    progress(source.bytes_read, source.size)
                if isinstance(item, RowError):
                    fail(item.number, item.message)
                    continue
                if all_known:
                    pending.append(import_key(item.start, item.end, item.category, item.note))
                    if len(pending) >= KEY_LOOKUP_SLICE:
                        look_up()
                key = item.category.lower()
                known = existing.get(key)
                if known is not None:
                    if item.tier and item.tier != known[1]:
                        fail(
                            item.number,
                            f"{known[0]!r} is in the {known[1]} tier in your account; "
                            f"the row says {item.tier}.",
                        )
                    continue
                proposal = proposals.get(key)
                if proposal is None:
                    if len(proposals) >= MAX_NEW_CATEGORIES:
                        raise FileProblem(
                            f"The file names more than {MAX_NEW_CATEGORIES} categories you don't "
                            "have; is the category column right?"
                        )
                    proposal = proposals[key] = {"name": item.category, "tier": None, "rows": 0}
                proposal["rows"] += 1
                if item.tier:
                    if proposal["tier"] is None:
                        proposal["tier"] = item.tier
                    elif proposal["tier"] != item.tier:
                        fail(
                            item.number,
                            f"{proposal['name']!r} is {proposal['tier']} on an earlier row; "
                            f"this row says {item.tier}.",
                        )
    except FileProblem as problem:
        fail(None, str(problem))
    except UnicodeDecodeError:
        fail(None, str(not_utf8(last)))
    finally:
        source.close()
    if rows == 0 and not errors:
        fail(None, "The file has no entries.")
    if progress:
        progress(source.size, source.size)
    look_up()
    new = sorted(proposals.values(), key=lambda p: p["name"].lower())
    return Validation(
        rows, errors.listed, errors.count, new, all_known=all_known and rows > 0 and not errors
    )


# --- applying ------------------------------------------------------------------------------------


def _clean_tier_map(tier_map: dict[str, str]) -> dict[str, str]:
    cleaned = {}
    for name, tier in tier_map.items():
        if tier not in TIERS:
            raise ValidationError(
                f"The tier {tier!r} for {name!r} is not one of {', '.join(Tier.values)}."
            )
        cleaned[" ".join(name.split()).lower()] = tier
    return cleaned


class _Writer:
    """Writes checked rows chunk by chunk into an import batch: categories on first sight and
    entries; the day totals they add are kept until the batch is published.

    Entries go in through `core.bulk.BulkInsert`. Its ON CONFLICT clause skips rows whose
    fingerprint the user already has (from an earlier import or an earlier chunk of this file),
    so no lookup is needed when nothing is skipped; when some rows are, the chunk's new rows
    are found by id.
    """

    COLUMNS = (
        "user", "category", "start", "end", "seconds", "note", "import_key", "created_at",
        "updated_at", "import_batch",
    )  # fmt: skip
    # Columns every imported row has the same value in, written as SQL literals.
    CONSTANTS = {
        "prospect_name": "''",
        "origin": f"'{Origin.IMPORT.value}'",
        "iga_override": "FALSE",
    }

    def __init__(self, user: User, tier_map: dict[str, str], *, batch: int):
        self.user = user
        self.batch = batch
        self.tz = timekit.zone(user.time_zone)
        self.tier_map = tier_map
        self.categories = {c.name.lower(): c for c in Category.objects.filter(user=user)}
        self.created_here: set[str] = set()
        self.new_categories: list[dict] = []
        self.totals = services.DayTotals(self.tz)
        self.created = 0
        self.skipped = 0
        self.texts = UtcTexts()
        self._day: tuple[int, int, date] = (0, 0, EPOCH_DAY)
        self.bulk = BulkInsert(
            Activity,
            self.COLUMNS,
            constants=self.CONSTANTS,
            # The target names the partial unique index (user, import_key).
            skip_conflicts=("user", "import_key"),
            where=f"{connections[Activity.objects.db].ops.quote_name('import_key')} IS NOT NULL",
        )
        connection = self.bulk.connection
        self.connection = connection
        # SQLite stores instants as UTC text: hand it the text already made for the key.
        self.store_text = (
            connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC"
        )

    def _category(self, row: Row) -> Category:
        key = row.category.lower()
        category = self.categories.get(key)
        if category is None:
            tier = self.tier_map.get(key)
            if tier is None:
                raise ValidationError(
                    f"Row {row.number}: no tier was chosen for the new category {row.category!r}."
                )
            category = services.add_category(
                self.user, name=row.category, tier=tier, import_batch=self.batch
            )
            self.categories[key] = category
            self.created_here.add(key)
            self.new_categories.append({"name": category.name, "tier": tier})
        elif row.tier and row.tier != category.tier and key not in self.created_here:
            raise ValidationError(
                f"Row {row.number}: {category.name!r} is in the {category.tier} tier in your "
                f"account; the row says {row.tier}."
            )
        return category

    def _split(self, row: Row, start_ts: int | None, end_ts: int | None) -> list[tuple[date, int]]:
        """timekit.split_by_local_day, with the bounds of the last local day kept: the rows of
        a file sorted by time mostly fall on the same day as the row before."""
        if start_ts is None or end_ts is None:
            return timekit.split_by_local_day(row.start, row.end, self.tz)
        low, high, day = self._day
        if not low <= start_ts < high:
            day = timekit.local_date(row.start, self.tz)
            first, after = timekit.local_day_bounds(day, self.tz)
            low, high = int(first.timestamp()), int(after.timestamp())
            self._day = (low, high, day)
        if end_ts <= high:
            return [(day, end_ts - start_ts)]
        return timekit.split_by_local_day(row.start, row.end, self.tz)

    def _inserted_since(self, last_id: int, keys: list[str]) -> set[str]:
        found: set[str] = set()
        for index in range(0, len(keys), KEY_LOOKUP_SLICE):
            found.update(
                Activity.with_staged.filter(
                    user=self.user,
                    pk__gt=last_id,
                    import_key__in=keys[index : index + KEY_LOOKUP_SLICE],
                )
                .order_by()
                .values_list("import_key", flat=True)
            )
        return found

    def write(self, chunk: list[Row]) -> None:
        """Inserts a chunk's new entries and adds them to the pending day totals."""
        texts, sha1, categories = self.texts.pair, hashlib.sha1, self.categories
        store_text, adapt = self.store_text, self.connection.ops.adapt_datetimefield_value
        stamp = adapt(timezone.now())
        user_id, batch = self.user.pk, self.batch
        seen: set[str] = set()
        params: list[tuple] = []
        days = services.DayTotals(self.tz)
        for row in chunk:
            start_text, end_text, start_ts, end_ts = texts(row.start, row.end)
            lowered = row.category.lower()
            key = sha1(
                f"{start_text}\x1f{end_text}\x1f{lowered}\x1f{row.note}".encode()
            ).hexdigest()
            if key in seen:
                self.skipped += 1  # the same entry twice in one chunk of the file
                continue
            seen.add(key)
            category = categories.get(lowered)
            if category is None or (row.tier and row.tier != category.tier):
                category = self._category(row)
            category_id = category.id  # the attribute; .pk is a property lookup per row
            if start_ts is None or end_ts is None:
                seconds = timekit.elapsed_seconds(row.start, row.end)
            else:
                seconds = end_ts - start_ts
            if store_text:
                start_value, end_value = start_text, end_text
            else:
                start_value, end_value = adapt(row.start), adapt(row.end)
            params.append(
                (
                    user_id, category_id, start_value, end_value, seconds, row.note, key, stamp,
                    stamp, batch,
                )
            )  # fmt: skip
            days.add(
                row.start, row.end, category_id, tier=category.tier, origin=Origin.IMPORT,
                seconds=seconds, parts=self._split(row, start_ts, end_ts),
            )  # fmt: skip
        if not params:
            return
        last_id = self.bulk.max_id()
        inserted = self.bulk.insert(params)
        if inserted != len(params):
            # Some rows were already there (or the driver didn't say, -1): count only those
            # this chunk added.
            added = self._inserted_since(last_id, list(seen)) if inserted else set()
            params = [p for p in params if p[6] in added]
            days = self._days_of(params, chunk)
        self.created += len(params)
        self.skipped += len(seen) - len(params)
        self.totals.merge(days)

    def _days_of(self, params: list[tuple], chunk: list[Row]) -> services.DayTotals:
        """Day totals of the rows of `chunk` that `params` inserted (the slow path, for the
        rare chunk holding entries the user already had)."""
        days = services.DayTotals(self.tz)
        tiers = {c.id: c.tier for c in self.categories.values()}
        added = {p[6]: (p[1], p[4]) for p in params}  # key: (category_id, seconds)
        for row in chunk:
            _, _, start_ts, end_ts = self.texts.pair(row.start, row.end)
            key = import_key(row.start, row.end, row.category, row.note)
            category_id, seconds = added.pop(key, (None, 0))
            if category_id is None:
                continue  # not added, or a repeat within the chunk
            days.add(
                row.start, row.end, category_id, tier=tiers[category_id], origin=Origin.IMPORT,
                seconds=seconds, parts=self._split(row, start_ts, end_ts),
            )  # fmt: skip
        return days

    def add_day_totals(self) -> None:
        """Adds what the import's entries count to the day totals (when it is published)."""
        if self.totals:
            services.add_to_day_totals(self.user, self.totals.pairs)


def apply_file(
    user: User,
    path: Path,
    fmt: str,
    *,
    tier_map: dict[str, str],
    progress: Progress | None = None,
    total: int = 0,
    now: datetime | None = None,
    on_open: Callable[[ImportBatch], None] | None = None,
    on_publish: Callable[[Result], None] | None = None,
) -> Result:
    """Imports a validated file: all of it, or nothing, never holding the write lock long.

    `tier_map` gives the tier ({name: tier}, names case-insensitive) of every category the user
    doesn't have yet; those categories are created. Rows whose fingerprint the user already has,
    or that repeat an earlier row of the file, are skipped. Entries get origin "import"; day
    totals are updated. The rows are written in committed chunks of an import batch
    (`on_open(batch)` is told which), invisible until the batch is published in one short
    transaction, which also runs `on_publish(result)`. `progress(rows_done, total)` is called
    after every chunk. Raises ValidationError, having left nothing visible (the batch's rows
    are deleted), when a row or the file turns out to be wrong, or another import of time
    entries is running for the user.
    """
    tz = timekit.zone(user.time_zone)
    now = now or timezone.now()
    cleaned_map = _clean_tier_map(tier_map)
    try:
        source = Source(path)
    except FileProblem as problem:
        raise ValidationError(f"{problem} Nothing was imported.") from None
    batch = None
    last = 0
    try:
        batch = open_batch(user, "activities")
        if on_open:
            on_open(batch)
        chunks = BatchWriter(batch)
        with no_gc_pauses():
            writer = _Writer(user, cleaned_map, batch=batch.pk)
            chunk: list[Row] = []
            done = 0
            for item in read_rows(source, fmt, tz, now):
                last = item.number or last
                if isinstance(item, RowError):
                    where = f"Row {item.number}: " if item.number else ""
                    raise ValidationError(f"{where}{item.message} Nothing was imported.")
                chunk.append(item)
                if len(chunk) >= CHUNK_SIZE:
                    with chunks.chunk():
                        writer.write(chunk)
                    done += len(chunk)
                    chunk = []
                    if progress:
                        progress(done, total)
            if chunk:
                with chunks.chunk():
                    writer.write(chunk)
                done += len(chunk)
            if done == 0:
                raise FileProblem("The file has no entries.")
        result = Result(writer.created, writer.skipped, writer.new_categories)

        def also() -> None:
            writer.add_day_totals()
            if on_publish:
                on_publish(result)

        publish(batch, also=also, rows=writer.created)
        if progress:
            progress(done, total or done)
    except FileProblem as problem:
        _give_up(batch)
        raise ValidationError(f"{problem} Nothing was imported.") from None
    except UnicodeDecodeError:
        _give_up(batch)
        raise ValidationError(f"{not_utf8(last)} Nothing was imported.") from None
    except BaseException:
        _give_up(batch)
        raise
    finally:
        source.close()
    return result


def _give_up(batch: ImportBatch | None) -> None:
    """Deletes what an import that can't finish wrote (nothing of it was ever visible)."""
    if batch is not None and batch.state != ImportBatch.State.PUBLISHED:
        discard(batch)


# --- web uploads and background jobs -------------------------------------------------------------


def _discard_file(job: ImportJob) -> None:
    discard_upload(job)


def expire_uploads(*, user: User | None = None, now: datetime | None = None) -> int:
    """Expires the time imports left waiting over UPLOAD_KEEP_HOURS (see
    `core.importing.expire_jobs`): the user's, or everybody's when `user` is None. Deletes their
    files and marks them failed; returns how many."""
    jobs = ImportJob.objects.all() if user is None else ImportJob.objects.filter(user=user)
    return expire_jobs(jobs, waiting=WAITING, discard_files=_discard_file, now=now)


def fail_dead(*, user: User | None = None, now: datetime | None = None) -> int:
    """Fails the time imports whose worker stopped (see `core.importing.fail_dead_jobs`)."""
    jobs = ImportJob.objects.all() if user is None else ImportJob.objects.filter(user=user)
    return fail_dead_jobs(jobs, now=now)


def save_upload(user: User, upload, *, fmt: str) -> ImportJob:
    """Stores an uploaded file under MEDIA_ROOT/imports/ and creates its job (status
    "validating"). The caller enqueues the validation after commit. Expires the user's time
    imports left waiting over UPLOAD_KEEP_HOURS first (their files are deleted)."""
    if fmt not in FORMATS:
        raise ValidationError(f"Unknown import format {fmt!r}.")
    expire_uploads(user=user)
    return ImportJob.objects.create(
        user=user, format=fmt, heartbeat_at=timezone.now(), **store_upload(user, upload)
    )


def validate_job(job: ImportJob) -> ImportJob:
    """Runs the validation pass of a web import. Progress (bytes read) is written to the job
    row after every chunk, with the heartbeat; no transaction is open, so each write is seen at
    once. Ends in "ready" (with the new categories and the tiers the file proposes) or
    "invalid" (with the errors; the file is deleted)."""

    def progress(done: int, size: int) -> None:
        beat_job(job, checked_bytes=done, size=size)

    beat_job(job)
    validation = run_check(
        job,
        lambda: validate_file(job.user, Path(job.path), job.format, progress=progress),
        discard_files=_discard_file,
    )
    job.new_categories = validation.new_categories
    # Until the import runs, "skipped" counts the rows it would skip: all of them, or none known
    # (the check stops looking at the first new row).
    job.skipped_count = validation.rows if validation.all_known else 0
    if not validation.ok:
        job.finished_at = timezone.now()
        _discard_file(job)
    job.save()
    return job


def claim_for_apply(job: ImportJob, *, tier_map: dict[str, str]) -> bool:
    """Moves a ready job to "applying" with the chosen tiers, by a guarded update, so a
    double-clicked button imports once. False when the job was not ready."""
    tier_map = {name: tier for name, tier in tier_map.items() if tier in TIERS}
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.APPLYING,
        tier_map=tier_map,
        processed_rows=0,
        heartbeat_at=timezone.now(),
    )
    return bool(claimed)


def _record(job: ImportJob, result: Result) -> None:
    job.created_count = result.created
    job.skipped_count = result.skipped


def apply_job(job: ImportJob) -> ImportJob:
    """Runs the apply pass of a claimed ("applying") web import (see
    `core.importing.run_apply`)."""

    def apply(finish) -> None:
        apply_file(
            job.user,
            Path(job.path),
            job.format,
            tier_map=job.tier_map,
            total=job.total_rows,
            on_publish=finish,
            **job_hooks(job),
        )

    return run_apply(job, apply, record=_record, discard_files=_discard_file)
