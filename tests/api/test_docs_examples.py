"""docs/api.md's examples are what the API answers: each console block's request is replayed on
a page like the one the docs describe (`ann-lee`, evenings 19:00-21:00 London) and its answer
compared with the one printed."""

import json
import re
import shlex
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from tests.api.conftest import post_json
from tests.factories import LeadSourceFactory, category

NOW = datetime(2026, 6, 8, 7, 0, tzinfo=UTC)
DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def examples() -> list[tuple[list[str], str]]:
    """Each console example: the curl command's words and the JSON it prints."""
    found = []
    for block in re.findall(r"```console\n(.*?)```", DOC.read_text(), flags=re.DOTALL):
        command, _, output = block.partition("\n{")  # the answer is the line opening with {
        words = shlex.split(command.removeprefix("$ ").replace("\\\n", " "))
        found.append((words, "{" + output))
    return found


def test_the_docs_show_a_slots_and_a_booking_example():
    assert [words[:2] for words, _ in examples()] == [
        ["curl", "https://plan.example.com/api/v1/public/ann-lee/slots?tz=Asia/Kolkata&from=2026-06-09&to=2026-06-09"],
        ["curl", "-X"],
    ]  # fmt: skip


def test_the_slots_example_is_what_the_api_answers(page, anon_client, frozen):
    words, printed = examples()[0]
    url = urlparse(words[1])

    response = anon_client.get(f"{url.path}?{url.query}")

    assert (response.status_code, response.json()) == (200, json.loads(printed))


def test_the_booking_example_is_what_the_api_answers(page, anon_client, frozen):
    LeadSourceFactory(user=page.user, category=category(page.user, "Forum posts"), key="forum")
    words, printed = examples()[1]
    url, body = urlparse(words[3]), words[words.index("-d") + 1]

    response = post_json(anon_client, url.path, body)

    expected = json.loads(printed.replace("…", ""))
    answer = response.json()
    assert (response.status_code, answer.keys()) == (201, expected.keys())
    assert {k: v for k, v in answer.items() if k not in ("id", "manage_url")} == {
        k: v for k, v in expected.items() if k not in ("id", "manage_url")
    }
