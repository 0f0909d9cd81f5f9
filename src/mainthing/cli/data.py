"""`mainthing import`, `export`, `restore`, `backup` and `demo`: data in and out."""

from __future__ import annotations

from pathlib import Path

from mainthing.cli.common import CommandError, acting_user


def import_(args) -> int:
    from mainthing.cli import imports

    if args.kind == "leads":
        if args.format != "csv" or args.tier or args.mapping:
            raise CommandError(
                "Leads come from CSV files; --format, --tier and --mapping are for activities. "
                "For leads use --source KEY and --map 'Header=field,...'.",
                status=2,
            )
        return imports.import_leads(
            acting_user(args),
            Path(args.file),
            source_key=args.source,
            map_text=args.map,
            has_header=args.header,
            as_json=args.json,
        )
    if args.source or args.map or args.header is not None:
        raise CommandError("--source, --map, --header and --no-header are for leads.", status=2)
    user = acting_user(args)
    return imports.import_activities(
        user,
        Path(args.file),
        fmt=args.format,
        tier=args.tier,
        mapping=Path(args.mapping) if args.mapping else None,
        as_json=args.json,
    )


def export(args) -> int:
    from mainthing import portability

    user = acting_user(args)
    if not Path(args.file).parent.is_dir():
        raise CommandError(f"There is no folder {Path(args.file).parent}.")
    counts = portability.export_user(user, Path(args.file))
    print(
        f"Exported {user.email} to {args.file}: " + ", ".join(f"{n} {k}" for k, n in counts.items())
    )
    return 0


def restore(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing import portability

    user = acting_user(args)
    try:
        counts = portability.restore_user(user, Path(args.file))
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    print(f"Restored into {user.email}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    for note in counts.notes:
        print(note)
    return 0


def backup(args) -> int:
    from mainthing.backup import backup_database

    try:
        path = backup_database(Path(args.dir))
    except RuntimeError as error:
        raise CommandError(str(error)) from None
    print(f"Backed up the database to {path}.")
    return 0


def demo(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing import demo

    try:
        user = demo.create_demo_account(email=args.email, days=args.days, password=args.password)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    print(f"Demo account {user.email} is ready with {args.days} days of activity.")
    if args.password:
        print("Sign in with the password you gave.")
    return 0
