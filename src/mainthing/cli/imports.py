"""`mainthing import activities|leads FILE`: the terminal side of the importers (progress bars,
messages, errors listed on stderr, --json). The checking and writing are the importers' own
(`activity.importing`, `prospects.importing`); this module only drives and prints."""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import ValidationError

from mainthing.accounts.models import User
from mainthing.activity import importing as activity_importing
from mainthing.core.enums import Tier
from mainthing.core.importing import BaseValidation, Progress
from mainthing.prospects import importing as lead_importing
from mainthing.prospects.leadfiles import (
    Layout,
    Plan,
    check_mapping,
    describe_mapping,
    parse_map_option,
    read_layout,
    remember_mapping,
    source_ref,
    suggest_mapping,
)
from mainthing.prospects.models import LeadSource

T = TypeVar("T")


def read_mapping(path: Path) -> dict[str, str]:
    """A mapping file: CSV lines `category,tier` (a header line `category,tier` is allowed).
    ValueError with the line number when a line is wrong."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise ValueError(
            f"Can't read the mapping file {path}: {error.strerror or error}."
        ) from None
    mapping: dict[str, str] = {}
    with handle:
        try:
            for number, record in enumerate(csv.reader(handle), start=1):
                if not record or not "".join(record).strip():
                    continue
                if len(record) != 2:
                    raise ValueError(
                        f"{path.name} line {number}: write category,tier (found {len(record)} "
                        "fields)."
                    )
                name, tier = record[0].strip(), record[1].strip().lower()
                if number == 1 and (name.lower(), tier) == ("category", "tier"):
                    continue
                if tier not in Tier.values:
                    raise ValueError(
                        f"{path.name} line {number}: the tier {record[1].strip()!r} is not one of "
                        f"{', '.join(Tier.values)}."
                    )
                if not name:
                    raise ValueError(f"{path.name} line {number}: the category is empty.")
                mapping[" ".join(name.split()).lower()] = tier
        except UnicodeDecodeError:
            raise ValueError(f"The mapping file {path} is not UTF-8 text.") from None
    return mapping


def resolve_tiers(
    new_categories: Iterable[dict], *, mapping: dict[str, str], default: str | None
) -> tuple[dict[str, str], list[str]]:
    """The tier of each new category: the mapping file first, then the file's own tier column,
    then the default (--tier). Returns the tier map and the names left without a tier."""
    tier_map, missing = {}, []
    for new in new_categories:
        tier = mapping.get(new["name"].lower()) or new["tier"] or default
        if tier:
            tier_map[new["name"]] = tier
        else:
            missing.append(new["name"])
    return tier_map, missing


def progress_bar(*, quiet: bool = False):
    """A progress bar on stderr for the command line's passes; None when stderr is not a
    terminal, or when `quiet` (JSON output)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True, highlight=False)
    if quiet or not console.is_terminal:
        return None
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )


def with_progress(bar, label: str, total: int, work: Callable[[Progress | None], T]) -> T:
    """Runs `work(progress)`, a pass, showing its progress as the task `label` (out of
    `total`) of `bar`; without a bar, `work(None)`."""
    if bar is None:
        return work(None)
    with bar:
        task = bar.add_task(label, total=total)
        return work(lambda done, _total: bar.update(task, completed=done))


def say(message: str) -> None:
    print(f"mainthing: {message}", file=sys.stderr)


def print_errors(name: str, validation: BaseValidation) -> None:
    """Says on stderr that the file `name` has errors, and lists those the validation kept."""
    s = "" if validation.error_count == 1 else "s"
    say(f"{name} has {validation.error_count} error{s}; nothing was imported.")
    for error in validation.errors:
        where = f"row {error['row']}" if error["row"] is not None else "file"
        print(f"  {where}: {error['message']}", file=sys.stderr)
    if validation.error_count > len(validation.errors):
        print(f"  … and {validation.error_count - len(validation.errors)} more.", file=sys.stderr)


def import_activities(
    user: User,
    path: Path,
    *,
    fmt: str,
    tier: str | None,
    mapping: Path | None,
    as_json: bool,
) -> int:
    """`mainthing import activities FILE`: validate, check every new category has a tier,
    apply. Prints per-row errors and returns 1 when the file has errors or tiers are missing;
    shows progress bars on a terminal. Expires the user's web uploads of time entries left
    waiting over UPLOAD_KEEP_HOURS first."""
    activity_importing.expire_uploads(user=user)
    if not path.is_file():
        say(f"No file at {path}.")
        return 1
    try:
        chosen = read_mapping(mapping) if mapping else {}
    except ValueError as error:
        say(str(error))
        return 1
    bar = progress_bar(quiet=as_json)
    validation = with_progress(
        bar,
        "Checking",
        path.stat().st_size or 1,
        lambda progress: activity_importing.validate_file(user, path, fmt, progress=progress),
    )
    if not validation.ok:
        if as_json:
            print(json.dumps(validation.as_dict(), indent=2))
            return 1
        print_errors(path.name, validation)
        return 1

    if validation.all_known:
        if as_json:
            nothing = activity_importing.Result(created=0, skipped=validation.rows)
            print(json.dumps({**nothing.as_dict(), "rows": validation.rows}, indent=2))
        else:
            print(f"Nothing to import: every entry of {path.name} is already in your log.")
        return 0

    tier_map, missing = resolve_tiers(validation.new_categories, mapping=chosen, default=tier)
    if missing:
        names = ", ".join(repr(name) for name in missing)
        message = (
            f"The file names categories you don't have yet: {names}. Say which tier they go in: "
            "--tier income|leadgen|other for all of them, or --mapping FILE with lines "
            'category,tier (e.g. "Forum posts,leadgen").'
        )
        if as_json:
            print(json.dumps({"ok": False, "missing_tiers": missing, "message": message}, indent=2))
        else:
            say(message)
        return 1

    try:
        result = with_progress(
            bar,
            "Importing",
            validation.rows,
            lambda progress: activity_importing.apply_file(
                user, path, fmt, tier_map=tier_map, total=validation.rows, progress=progress
            ),
        )
    except ValidationError as error:
        say(" ".join(error.messages))
        return 1
    if as_json:
        print(json.dumps({**result.as_dict(), "rows": validation.rows}, indent=2))
        return 0
    print(
        f"Imported {result.created} entr{'y' if result.created == 1 else 'ies'} from {path.name}."
    )
    if result.skipped:
        print(f"Skipped {result.skipped} already imported (or repeated in the file).")
    for new in result.new_categories:
        print(f"New category: {new['name']} ({new['tier']}).")
    return 0


def _print_mapping(layout: Layout, mapping: dict[int, str], source: LeadSource | None) -> None:
    print(f"Reading the file: {layout.describe()}.")
    print("Columns:")
    width = max(len(h) for h in layout.headers)
    for index, header in enumerate(layout.headers):
        name = mapping.get(index)
        target = f"→ {name}" if name else "(ignored)"
        print(f"  {header:<{width}}  {target}")
    print(f"Default source: {source.label if source else 'Unknown'}")


def _problem(message: str, *, as_json: bool, **extra) -> int:
    """Prints why nothing was imported (as JSON, or on stderr) and returns the exit status."""
    if as_json:
        errors = [{"row": None, "message": message}]
        print(json.dumps({"ok": False, "error_count": 1, "errors": errors, **extra}, indent=2))
    else:
        say(message)
    return 1


def import_leads(
    user: User,
    path: Path,
    *,
    source_key: str | None = None,
    map_text: str | None = None,
    has_header: bool | None = None,
    as_json: bool = False,
) -> int:
    """`mainthing import leads FILE`: read the layout (the header as `has_header` says, else
    detected), settle the mapping (remembered or guessed, then --map), validate every row,
    and apply only when no row has an error.
    Prints the mapping used, the per-row errors or what was imported; returns the exit
    status (1 when nothing was imported because of a problem). Shows progress bars on a
    terminal. Remembers the mapping after a successful import. Expires the user's web lead
    imports left waiting over UPLOAD_KEEP_HOURS first."""

    def problem(message: str, **extra) -> int:
        return _problem(message, as_json=as_json, **extra)

    lead_importing.expire_uploads(user=user)
    if not path.is_file():
        return problem(f"No file at {path}.")
    try:
        layout = read_layout(path, has_header=has_header)
    except lead_importing.FileProblem as error:
        return problem(f"{path.name}: {error} Nothing was imported.")
    mapping, source = suggest_mapping(user, layout)
    try:
        if source_key:
            source = lead_importing.find_source(user, source_key)
        if map_text:
            mapping = parse_map_option(map_text, layout, mapping)
    except ValueError as error:
        return problem(str(error))
    columns = describe_mapping(layout, mapping)
    described = {
        "file": path.name,
        "encoding": layout.encoding,
        "delimiter": layout.delimiter,
        "header": layout.has_header,
        "columns": columns,
        "source": source_ref(source),
    }
    if not as_json:
        _print_mapping(layout, mapping, source)
    problems = check_mapping(mapping, layout.width)
    if problems:
        hint = ' Say which with --map, e.g. --map "Full name=name,Mobile=phone".'
        return problem(" ".join(problems) + hint, **described)

    plan = Plan(layout, mapping, source.pk if source else None)
    with tempfile.TemporaryDirectory(prefix="mainthing-leads-") as folder:
        return _check_and_apply(user, path, plan, Path(folder) / "checked", described, as_json)


def _check_and_apply(
    user: User, path: Path, plan: Plan, keep: Path, described: dict, as_json: bool
) -> int:
    bar = progress_bar(quiet=as_json)
    validation = with_progress(
        bar,
        "Checking",
        path.stat().st_size or 1,
        lambda progress: lead_importing.validate_file(
            user, path, plan, keep=keep, progress=progress
        ),
    )
    if not validation.ok:
        if as_json:
            print(json.dumps({**validation.as_dict(), **described}, indent=2))
        else:
            print_errors(path.name, validation)
        return 1

    if validation.new == 0:
        # Nothing to add: say so rather than "Imported 0 prospects", and write nothing.
        if as_json:
            print(json.dumps({**validation.as_dict(), "created": 0, **described}, indent=2))
        else:
            print(f"Nothing to import: every row of {path.name} is already in your prospects.")
            _print_skipped(validation.existing, validation.duplicates)
        return 0

    note = f"Imported from {path.name}"
    try:
        result = with_progress(
            bar,
            "Importing",
            validation.rows,
            lambda progress: lead_importing.apply_file(
                user, path, plan, total=validation.rows, note=note, checked=keep, progress=progress
            ),
        )
    except ValidationError as error:
        return _problem(" ".join(error.messages), as_json=as_json, **described)
    source = LeadSource.objects.filter(pk=plan.source_id).first() if plan.source_id else None
    remember_mapping(user, plan.layout, plan.mapping, source)
    if as_json:
        print(json.dumps({**result.as_dict(), "rows": validation.rows, **described}, indent=2))
        return 0
    s = "" if result.created == 1 else "s"
    print(f"Imported {result.created} prospect{s} from {path.name}.")
    _print_skipped(result.existing, result.duplicates)
    return 0


def _print_skipped(existing: int, duplicates: int) -> None:
    if existing:
        print(f"Already known (same email, phone or row): {existing}.")
    if duplicates:
        print(f"Repeated in the file (the first one was kept): {duplicates}.")
