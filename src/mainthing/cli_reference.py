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

Lists (`prospects list`, `sources list`, `income list`, `routine list`) show 50 at a time:
`--offset N` skips the first N, `--limit N` changes the page's size, `--all` shows every one. A
table that shows only part ends with a line such as `Showing 1-50 of 120. Next: --offset 50, or
--all.` Their `--json` is one page, the same shape for every list:

```json
{"total": 120, "offset": 0, "limit": 50, "next_offset": 50, "items": [...]}
```

`total` counts them all (filters applied), `limit` is null with `--all`, `next_offset` is null on
the last page; `income list --json` adds `totals` per currency over all the entries. (Before
this shape, these commands printed a bare JSON array, and `income list` `{"entries", "totals"}`:
scripts that read them need `["items"]`.)

On a data directory that was never set up, a command says so in one line and what to run
(`mainthing manage migrate`); `mainthing serve` sets it up itself (migrations and static files)
before it serves. Mistakes get one line on stderr and exit status 1 (or 2 for what was typed),
never a traceback.

This page is generated from the parser (`python -m mainthing.cli_reference > docs/cli.md`).
"""


def render() -> str:
    # argparse wraps to the terminal; the file must not vary (and the caller's width stays theirs)
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        parser = build_parser()
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        lines = [INTRO, "## mainthing", "", "```", parser.format_help().rstrip(), "```", ""]
        lines += _sections(parser, "mainthing", "##")
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    return "\n".join(lines)


def _sections(parser: argparse.ArgumentParser, prog: str, level: str) -> list[str]:
    """One section per subcommand, and one per action under it (`### prospects add`)."""
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        return []
    lines = []
    for name, sub in subparsers[0].choices.items():
        sub.prog = f"{prog} {name}"
        title = sub.prog.removeprefix("mainthing ")
        lines += [f"{level} {title}", "", sub.description or "", ""]
        lines += ["```", sub.format_help().rstrip(), "```", ""]
        lines += _sections(sub, sub.prog, level + "#")
    return lines


if __name__ == "__main__":
    sys.stdout.write(render())
