"""`mainthing createuser`."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from mainthing.cli.common import CommandError, interactive


def createuser(args) -> int:
    from django.core.exceptions import ValidationError

    from mainthing import onboarding

    zone = args.tz or _machine_zone()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif not interactive():
        raise CommandError(
            "There is no terminal to ask for the password: give it on stdin with --password-stdin.",
            status=2,
        )
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise CommandError("The passwords don't match.")
    try:
        user = onboarding.create_account(
            email=args.email, password=password, time_zone=zone, name=args.name or ""
        )
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    print(f"Created {user.email} (time zone {user.time_zone}).")
    return 0


def _machine_zone() -> str:
    """The machine's IANA zone: $TZ, /etc/timezone, or the /etc/localtime link; else UTC."""
    from mainthing.core import timekit

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    timezone_file = Path("/etc/timezone")
    if timezone_file.exists():
        candidates.append(timezone_file.read_text().strip())
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name:
            try:
                timekit.zone(name)
                return name
            except ValueError:
                continue
    return "UTC"
