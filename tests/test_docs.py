"""Documentation that tests keep true: the CLI reference, every setting, every command."""

import re
from pathlib import Path

from mainthing import cli_reference
from mainthing.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def all_docs() -> str:
    return (ROOT / "README.md").read_text() + "".join(p.read_text() for p in DOCS.glob("*.md"))


def test_cli_reference_is_generated_from_the_parser():
    assert (DOCS / "cli.md").read_text() == cli_reference.render(), (
        "docs/cli.md is stale: run `.venv/bin/python -m mainthing.cli_reference > docs/cli.md`"
    )


def test_every_setting_variable_is_documented():
    source = (ROOT / "src" / "mainthing" / "settings.py").read_text()
    variables = set(re.findall(r'"(MAINTHING_[A-Z_]+)"', source))
    deployment = (DOCS / "deployment.md").read_text()
    assert variables
    assert sorted(v for v in variables if f"`{v}`" not in deployment) == []


def test_every_cli_command_appears_in_the_user_docs():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    text = all_docs()
    assert sorted(c for c in commands if f"mainthing {c}" not in text) == []


def test_readme_shows_the_two_commands_and_a_screenshot():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    images += re.findall(r'<img src="([^"]+)"', readme)
    assert len(images) >= 10
    for image in images:
        assert (ROOT / image).exists(), image
