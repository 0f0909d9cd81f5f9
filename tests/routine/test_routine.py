import json
from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mainthing.cli import main
from mainthing.routine import queries, services
from mainthing.routine.models import Block, BlockException
from tests.factories import UserFactory

TODAY = date(2026, 6, 10)


def add(user, days="Mon-Sat", start=time(19), end=time(21), tier="income", **kw):
    return services.add_block(user, tier=tier, days=days, start=start, end=end, today=TODAY, **kw)


def test_block_in_the_users_zone_by_default(owner):
    block = add(owner)
    assert (block.time_zone, block.days_text, block.weekdays) == (
        "Europe/London",
        "Mon-Sat",
        "1111110",
    )


def test_overlapping_blocks_are_refused_naming_the_block_by_its_label(owner):
    add(owner, label="Evening calls")
    with pytest.raises(ValidationError) as refused:
        add(owner, days="Fri", start=time(20), end=time(22), tier="leadgen")
    assert refused.value.messages == [
        "This overlaps “Evening calls” 19:00\N{EN DASH}21:00 on Friday 12 Jun 2026."
        " Blocks may not overlap: change the hours or the days."
    ]
    assert Block.objects.filter(user=owner).count() == 1


def test_overlap_with_an_unlabelled_block_names_its_tier_and_hours(owner):
    add(owner)
    with pytest.raises(ValidationError) as refused:
        add(owner, days="Fri", start=time(20), end=time(22), tier="leadgen")
    assert refused.value.messages == [
        "This overlaps your Income-generating block 19:00\N{EN DASH}21:00 on Friday 12 Jun 2026."
        " Blocks may not overlap: change the hours or the days."
    ]


def test_blocks_on_other_days_or_touching_do_not_overlap(owner):
    add(owner)
    add(owner, days="Sun", start=time(19), end=time(21))
    add(owner, days="Mon-Sat", start=time(21), end=time(22), tier="leadgen")
    assert Block.objects.filter(user=owner).count() == 3


def test_overlap_across_zones_is_found(owner):
    add(owner)  # 19-21 London = 18-20 UTC in summer
    with pytest.raises(ValidationError, match="overlaps"):
        add(owner, days="daily", start=time(14), end=time(15), zone="America/New_York")


def test_another_users_blocks_never_clash(owner, other_user):
    add(owner)
    add(other_user, zone="Europe/London")
    assert Block.objects.count() == 2


def test_block_needs_a_length_and_known_zone(owner):
    with pytest.raises(ValidationError, match="different end"):
        add(owner, start=time(19), end=time(19))
    with pytest.raises(ValidationError, match="Unknown time zone"):
        add(owner, zone="Moon/Base")


def test_starter_template_adds_the_disciplines_day(owner):
    made = services.apply_starter_template(owner, today=TODAY)
    assert [(b.tier, b.days_text, f"{b.start:%H:%M}-{b.end:%H:%M}") for b in made] == [
        ("leadgen", "Mon-Sat", "09:00-10:00"),
        ("income", "Mon-Sat", "12:00-13:00"),
        ("income", "Mon-Sat", "19:00-21:00"),
    ]


def test_exception_skips_one_date(owner):
    block = add(owner)
    services.set_exception(block, day=date(2026, 6, 11), today=TODAY)
    found = queries.occurrences_between(
        owner, datetime(2026, 6, 10, tzinfo=UTC), datetime(2026, 6, 13, tzinfo=UTC)
    )
    assert [o.local_date for o in found] == [date(2026, 6, 10), date(2026, 6, 12)]


def test_exception_with_other_hours_may_not_overlap_another_block(owner):
    block = add(owner)
    add(owner, start=time(9), end=time(10), tier="leadgen", label="Morning leads")
    with pytest.raises(ValidationError) as refused:
        services.set_exception(
            block, day=date(2026, 6, 11), skip=False, start=time(9, 30), end=time(11), today=TODAY
        )
    assert refused.value.messages == [
        "Those hours overlap “Morning leads” 09:00\N{EN DASH}10:00 on Thursday 11 Jun 2026."
    ]
    assert not BlockException.objects.exists()


def test_prospecting_time_follows_income_blocks(owner):
    add(owner)
    add(owner, start=time(9), end=time(10), tier="leadgen")
    assert queries.is_prospecting_time(owner, datetime(2026, 6, 10, 18, 30, tzinfo=UTC))
    assert not queries.is_prospecting_time(owner, datetime(2026, 6, 10, 8, 30, tzinfo=UTC))
    assert not queries.is_prospecting_time(
        owner, datetime(2026, 6, 14, 18, 30, tzinfo=UTC)
    )  # Sunday


def test_changing_the_users_zone_keeps_block_instants(owner):
    block = add(owner)
    owner.time_zone = "Asia/Kolkata"
    owner.save()
    (found,) = queries.occurrences_between(
        owner, datetime(2026, 6, 10, tzinfo=UTC), datetime(2026, 6, 11, tzinfo=UTC)
    )
    assert (found.block_id, found.start) == (block.pk, datetime(2026, 6, 10, 18, tzinfo=UTC))


def test_routine_page_shows_the_week_and_adds_a_block(owner, owner_client):
    response = owner_client.post(
        reverse("routine:edit"),
        {
            "tier": "income",
            "weekdays": [0, 1, 2, 3, 4],
            "start": "19:00",
            "end": "21:00",
            "time_zone": "Europe/London",
            "label": "Evening calls",
        },
    )
    assert response.status_code == 302
    page = owner_client.get(reverse("routine:edit")).content.decode()
    assert "Evening calls" in page
    assert page.count('class="block fill-income"') == 5


def test_routine_page_explains_an_overlap(owner, owner_client):
    add(owner)
    response = owner_client.post(
        reverse("routine:edit"),
        {
            "tier": "leadgen",
            "weekdays": [0],
            "start": "20:00",
            "end": "22:00",
            "time_zone": "Europe/London",
        },
    )
    page = response.content.decode()
    assert "This overlaps your Income-generating block 19:00\N{EN DASH}21:00 on" in page
    assert Block.objects.count() == 1


def test_starter_button_fills_an_empty_routine(owner, owner_client):
    assert "Use the starter routine" in owner_client.get(reverse("routine:edit")).content.decode()
    owner_client.post(reverse("routine:apply-template"))
    assert Block.objects.filter(user=owner).count() == 3


def test_other_users_blocks_are_404(owner, other_client):
    block = add(owner)
    assert other_client.post(reverse("routine:remove-block", args=[block.pk])).status_code == 404
    assert (
        other_client.post(
            reverse("routine:add-exception", args=[block.pk]), {"date": "2026-06-11"}
        ).status_code
        == 404
    )
    exception = services.set_exception(block, day=date(2026, 6, 11), today=TODAY)
    assert (
        other_client.post(reverse("routine:remove-exception", args=[exception.pk])).status_code
        == 404
    )
    assert Block.objects.filter(pk=block.pk).exists()


def test_routine_page_requires_login(anon_client, db):
    assert anon_client.get(reverse("routine:edit")).status_code == 302


def test_cli_routine_add_list_remove(owner, capsys):
    assert main(["routine", "add", "income", "Mon-Sat 19:00-21:00", "--label", "Evening"]) == 0
    assert "Added block" in capsys.readouterr().out
    page = json.loads((main(["routine", "list", "--json"]), capsys.readouterr().out)[1])
    listed = page["items"]
    assert [(b["tier"], b["days"], b["start"], b["end"], b["label"]) for b in listed] == [
        ("income", "Mon-Sat", "19:00", "21:00", "Evening")
    ]
    assert main(["routine", "remove", str(listed[0]["id"])]) == 0
    assert not Block.objects.exists()


def test_cli_routine_add_refuses_unreadable_hours(owner, capsys):
    assert main(["routine", "add", "income", "Mon-Sat 7pm-9pm"]) == 1
    assert "Can't read the hours '7pm-9pm'" in capsys.readouterr().err


@pytest.mark.django_db
def test_cli_routine_remove_refuses_another_users_block(capsys):
    me = UserFactory(email="me@example.com")
    them = UserFactory(email="them@example.com")
    theirs = add(them)
    assert main(["--user", me.email, "routine", "remove", str(theirs.pk)]) == 1
    assert Block.objects.filter(pk=theirs.pk).exists()
