"""Writes docs/cli.md from the CLI's own parser, so the reference never drifts from the code.

Run `python -m mainthing.cli_reference > docs/cli.md`; a test fails when the file is stale.
"""

import argparse
import os
import sys

from mainthing.cli import build_parser

INTRO = """# CLI reference

`mainthing` is installed in the virtual environment as `.venv/bin/mainthing`. Every command acts
as one user: the only one there is, or the one named with `--user EMAIL` (with several users
and no `--user`, it says so and stops). Read commands take `--json` for scripts.

Times you type are wall-clock times in your profile's time zone: `19:00` (today),
`2026-12-01 19:00`, or ISO 8601 with an offset. Durations: `45m`, `1h30m`, `1.5h`, `1:30` or
plain minutes.

This page is generated from the parser (`python -m mainthing.cli_reference > docs/cli.md`).
"""


def render() -> str:
    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal; the file must not vary
    parser = build_parser()
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    lines = [INTRO, "## mainthing", "", "```", parser.format_help().rstrip(), "```", ""]
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        sub.prog = f"mainthing {name}"
        lines += [
            f"## {name}",
            "",
            sub.description or "",
            "",
            "```",
            sub.format_help().rstrip(),
            "```",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(render())
