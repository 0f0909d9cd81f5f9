"""Blocks are edited in place: the same row (so its exceptions and feed events stay), checked
like a new block, a refused change writes nothing, another user's block is a 404; and a block
on one day or one date is quick to make."""

import json
import re
from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mainthing.cli import main
from mainthing.routine import services
from mainthing.routine.forms import DAY_PRESETS
from mainthing.routine.models import Block

TODAY = date(2026, 6, 10)  # a Wednesday


def add(user, days="Mon-Sat", start=time(19), end=time(21), tier="income", **kw):
    return services.add_block(user, tier=tier, days=days, start=start, end=end, today=TODAY, **kw)


def row(block: Block) -> tuple:
    block.refresh_from_db()
    return (
        block.tier,
        block.weekdays,
        block.start,
        block.end,
        block.time_zone,
        block.label,
        block.valid_from,
        block.valid_until,
    )


def form_data(**changes) -> dict:
    return {
        "tier": "income",
        "weekdays": [0, 1, 2, 3, 4],
        "start": "18:00",
        "end": "20:00",
        "time_zone": "Europe/London",
        "label": "Evening calls",
        **changes,
    }


def test_edit_page_changes_the_block_in_place_keeping_its_exceptions(owner, owner_client):
    block = add(owner)
    services.set_exception(block, day=date(2026, 6, 12), today=TODAY)
    response = owner_client.post(reverse("routine:edit-block", args=[block.pk]), form_data())

    assert (response.status_code, response.url) == (302, reverse("routine:edit"))
    assert row(block) == (
        "income",
        "1111100",
        time(18),
        time(20),
        "Europe/London",
        "Evening calls",
        None,
        None,
    )
    assert (Block.objects.count(), block.exceptions.count(), block.sequence) == (1, 1, 2)


def test_edit_page_opens_filled_with_the_block(owner, owner_client):
    block = add(owner, days="Mon,Wed", label="Lunch calls", start=time(12), end=time(13))
    html = owner_client.get(reverse("routine:edit-block", args=[block.pk])).content.decode()
    ticked = re.findall(r'name="weekdays" value="(\d)"[^>]*checked', html)

    assert (ticked, 'value="12:00"' in html, 'value="Lunch calls"' in html) == (
        ["0", "2"],
        True,
        True,
    )
    assert "<h1>Edit “Lunch calls” 12:00\N{EN DASH}13:00</h1>" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weekdays": []}, "Tick at least one day, or give one date below."),
        ({"end": "18:00"}, "A block needs a start and a different end."),
        ({"start": "", "end": "20:00"}, "This field is required."),
        ({"time_zone": "Mars/Olympus"}, "Select a valid choice."),
        ({"tier": "golf"}, "Select a valid choice."),
        (
            {"valid_from": "2026-07-01", "valid_until": "2026-06-01"},
            "&#x27;Valid until&#x27; must be on or after &#x27;valid from&#x27;.",
        ),
        ({"start": "09:30", "end": "10:30"}, "This overlaps “Mornings” 09:00"),
    ],
)
def test_refused_edit_says_why_and_changes_nothing(owner, owner_client, changes, message):
    block = add(owner)
    add(owner, days="daily", start=time(9), end=time(10), label="Mornings")
    before = row(block)

    response = owner_client.post(
        reverse("routine:edit-block", args=[block.pk]), form_data(**changes)
    )

    assert (response.status_code, message in response.content.decode()) == (422, True)
    assert (row(block), block.sequence) == (before, 0)


def test_refused_service_edit_leaves_the_callers_block_as_it_was(owner):
    block = add(owner)
    add(owner, days="daily", start=time(9), end=time(10))

    with pytest.raises(ValidationError, match="overlaps"):
        services.update_block(block, start=time(9), end=time(11), days="Mon", today=TODAY)

    assert (block.start, block.end, block.weekdays) == (time(19), time(21), "1111110")


def test_edit_may_not_empty_the_days_through_the_service_either(owner):
    block = add(owner)

    with pytest.raises(ValidationError, match="at least one day"):
        services.update_block(block, days=frozenset(), today=TODAY)

    assert row(block)[1] == "1111110"


def test_another_users_block_edit_is_404_and_unchanged(owner, other_client):
    block = add(owner)
    before = row(block)
    url = reverse("routine:edit-block", args=[block.pk])

    answers = (other_client.get(url).status_code, other_client.post(url, form_data()).status_code)

    assert (answers, row(block)) == ((404, 404), before)


def test_edit_page_needs_a_login(owner, anon_client):
    block = add(owner)
    response = anon_client.get(reverse("routine:edit-block", args=[block.pk]))

    assert (response.status_code, response.url.startswith("/accounts/login/")) == (302, True)


def test_routine_page_links_each_block_to_its_edit_page(owner, owner_client):
    first, second = add(owner), add(owner, days="Sun")
    html = owner_client.get(reverse("routine:edit")).content.decode()

    links = re.findall(r'href="(/routine/\d+/edit/)"', html)
    assert links == [f"/routine/{first.pk}/edit/", f"/routine/{second.pk}/edit/"]


def test_a_one_day_block_is_a_single_ticked_day(owner, owner_client):
    response = owner_client.post(reverse("routine:edit"), form_data(weekdays=[2]))

    assert (response.status_code, Block.objects.get().weekdays) == (302, "0010000")


def test_day_picker_offers_quick_choices_with_none_for_a_single_day(owner, owner_client):
    html = owner_client.get(reverse("routine:edit")).content.decode()
    offered = re.findall(r'data-days="([01]{7})">([^<]+)</button>', html)

    assert offered == [(flags, name) for name, flags in DAY_PRESETS]
    assert ("0000000", "None") in offered


def test_a_block_on_one_date_only(owner, owner_client):
    response = owner_client.post(
        reverse("routine:edit"),
        form_data(weekdays=[], on_date="2026-06-13", start="10:00", end="12:00"),
    )
    block = Block.objects.get()

    assert (response.status_code, row(block)[1], row(block)[6:]) == (
        302,
        "0000010",
        (date(2026, 6, 13), date(2026, 6, 13)),
    )
    edit = owner_client.get(reverse("routine:edit-block", args=[block.pk])).content.decode()
    assert 'name="on_date" value="2026-06-13"' in edit


def test_cli_routine_edit_changes_hours_and_label_in_place(owner, capsys):
    block = add(owner, label="Evening")
    code = main(["routine", "edit", str(block.pk), "Mon-Fri 18:00-20:00", "--label", "Calls"])
    out = capsys.readouterr().out

    assert (code, out) == (
        0,
        f"Changed block {block.pk}: Income-generating Mon-Fri 18:00-20:00 (Europe/London).\n",
    )
    assert row(block)[1:6] == ("1111100", time(18), time(20), "Europe/London", "Calls")


def test_cli_routine_edit_json_and_refusals(owner, other_user, capsys):
    block = add(owner)
    theirs = add(other_user)
    main(["--user", owner.email, "routine", "edit", str(block.pk), "--tier", "leadgen", "--json"])
    shown = json.loads(capsys.readouterr().out)
    refused = [
        main(["--user", owner.email, "routine", "edit", str(theirs.pk), "--label", "x"]),
        main(["--user", owner.email, "routine", "edit", str(block.pk)]),
        main(["--user", owner.email, "routine", "edit", str(block.pk), "--tier", "golf"]),
    ]
    err = capsys.readouterr().err

    assert (shown["id"], shown["tier"], refused) == (block.pk, "leadgen", [1, 1, 1])
    assert "You have no block" in err
    assert "Say what to change" in err
    assert "Tier must be one of income, leadgen, other." in err
    assert row(theirs)[0] == "income"


def test_htmx_opens_the_edit_form_alone_with_the_blocks_own_ids(owner, owner_client):
    block = add(owner)
    url = reverse("routine:edit-block", args=[block.pk])
    routine = owner_client.get(reverse("routine:edit")).content.decode()

    partial = owner_client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert f'hx-get="{url}" hx-target="#block-editor" hx-swap="innerHTML show:top"' in routine
    assert '<div id="block-editor" class="block-editor"></div>' in routine
    assert (partial.lstrip().startswith("<form"), "<h1>" in partial) == (True, False)
    assert "<h3>Edit your Income-generating block 19:00\N{EN DASH}21:00</h3>" in partial
    assert f'id="block-{block.pk}-start"' in partial
    assert f'action="{url}"' in partial
