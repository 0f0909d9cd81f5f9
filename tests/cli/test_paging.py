"""Every list command's --json says how many there are in all and where the next page starts;
--offset, --limit and --all page through them, and a table says when it shows only part."""

import json

import pytest

from mainthing.prospects.models import Prospect
from tests.cli.conftest import every_command, run
from tests.factories import IncomeFactory, LeadSourceFactory, ProspectFactory, block

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def many(owner):
    """55 prospects: more than a page of 50."""
    ProspectFactory.create_batch(55, user=owner)
    return list(Prospect.objects.filter(user=owner).order_by("-created_at", "-pk"))


def listing(capsys, *argv) -> dict:
    code, out, err = run(capsys, "prospects", "list", "--json", *argv)
    assert (code, err) == (0, "")
    return json.loads(out)


def paging(data: dict) -> tuple:
    return data["total"], data["offset"], data["limit"], data["next_offset"], len(data["items"])


def test_prospects_list_json_says_the_total_and_where_the_next_page_starts(many, capsys):
    first = listing(capsys)
    rest = listing(capsys, "--offset", "50")

    assert (paging(first), paging(rest)) == ((55, 0, 50, 50, 50), (55, 50, 50, None, 5))
    ids = [p["id"] for p in first["items"] + rest["items"]]
    assert sorted(ids) == sorted(p.pk for p in many)
    assert len(set(ids)) == 55


def test_prospects_list_all_gives_every_prospect(many, capsys):
    everything = listing(capsys, "--all")

    assert paging(everything) == (55, 0, None, None, 55)


def test_prospects_list_past_the_end_is_an_empty_page(many, capsys):
    assert paging(listing(capsys, "--offset", "80")) == (55, 80, 50, None, 0)


def test_prospects_table_says_it_shows_part_and_how_to_see_the_rest(many, capsys):
    out = run(capsys, "prospects", "list")[1]

    assert out.splitlines()[-1] == "Showing 1-50 of 55. Next: --offset 50, or --all."


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--limit", "0"], "mainthing: --limit must be 1 or more.\n"),
        (["--offset", "-1"], "mainthing: --offset must be 0 or more.\n"),
    ],
)
def test_paging_refuses_impossible_numbers(owner, capsys, argv, message):
    assert run(capsys, "prospects", "list", *argv)[::2] == (2, message)


def test_every_list_command_pages_its_json(owner, capsys):
    for n in range(3):
        block(owner, f"0{n}:00", f"0{n}:30")
    LeadSourceFactory.create_batch(2, user=owner)
    IncomeFactory.create_batch(3, user=owner)

    # Every command with a list action, as the parser has them: a new one must page too.
    lists = sorted(words[0] for words, _ in every_command() if words[1:] == ("list",))
    pages = {
        command: paging(json.loads(run(capsys, command, "list", "--json", "--limit", "2")[1]))
        for command in lists
    }

    assert pages == {
        "prospects": (0, 0, 2, None, 0),
        "sources": (2, 0, 2, None, 2),
        "income": (3, 0, 2, 2, 2),
        "routine": (3, 0, 2, 2, 2),
    }
