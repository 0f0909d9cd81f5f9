from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from mainthing.core.text import short_slug
from mainthing.prospects import contacts, services
from mainthing.prospects.models import Event, Income, LeadSource, Prospect, ProspectTime, Stage
from tests.factories import AppointmentFactory, category, entry, new_prospect

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def add(user, name="Ann Lee", **fields):
    return new_prospect(user, name, at=NOW, **fields)


# --- contacts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["(415) 555-0132", "415.555.0132", "+1 415 555 0132", "1-415-555-0132", "4155550132"],
)
def test_parse_phone_any_us_format_gives_e164(typed):
    assert services.parse_phone(typed, "US") == "+14155550132"


def test_parse_phone_uses_the_region_for_national_numbers():
    assert services.parse_phone("020 7946 0018", "GB") == "+442079460018"


@pytest.mark.parametrize("typed", ["12", "call me", "+1 555"])
def test_parse_phone_impossible_number_is_refused(typed):
    with pytest.raises(ValidationError) as error:
        services.parse_phone(typed, "US")
    assert list(error.value.message_dict) == ["phone"]


def test_format_phone_is_national_for_own_region_and_international_otherwise():
    assert services.format_phone("+14155550132", "US") == "(415) 555-0132"
    assert services.format_phone("+442079460018", "US") == "+44 20 7946 0018"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("07911 123456", "07911 123456"), ("07700 900123", "07700 900123")],
)
def test_format_phone_uk_mobiles_filed_under_other_regions_still_read_national(typed, shown):
    assert services.format_phone(services.parse_phone(typed, "GB"), "GB") == shown


def test_clean_tags_lowercases_trims_and_dedupes():
    assert services.clean_tags(" Hot lead, forum ,hot  lead,,") == ",hot lead,forum,"


def test_clean_contact_reports_every_bad_field_at_once(owner):
    with pytest.raises(ValidationError) as error:
        services.clean_contact(owner, name=" ", email="not-mail", phone="12", time_zone="Mars/Base")
    assert sorted(error.value.message_dict) == ["email", "name", "phone", "time_zone"]


# --- adding and duplicates ---------------------------------------------------------------------


def test_add_prospect_without_source_gets_unknown_and_an_added_event(owner):
    prospect = add(owner, email="Ann@Example.com", phone="+1 415 555 0132")
    assert (prospect.source.label, prospect.email_key, prospect.phone) == (
        "Unknown",
        "ann@example.com",
        "+14155550132",
    )
    assert list(prospect.events.values_list("kind", "to_stage")) == [("created", "new")]


def test_add_prospect_same_email_other_case_is_offered_as_duplicate(owner):
    first = add(owner, email="ann@example.com")
    with pytest.raises(services.DuplicateProspect) as duplicate:
        add(owner, name="Ann L.", email=" ANN@example.COM ")
    assert duplicate.value.matches == [first]
    assert Prospect.objects.filter(user=owner).count() == 1


def test_add_prospect_same_phone_in_other_format_is_offered_as_duplicate(owner):
    first = add(owner, phone="(415) 555-0132")
    with pytest.raises(services.DuplicateProspect) as duplicate:
        add(owner, name="Someone", phone="+1-415-555-0132")
    assert duplicate.value.matches == [first]


@pytest.mark.parametrize(
    ("email", "phone"),
    [
        ("maria.lopez@example.com", "+447700900123"),
        ("  Maria.Lopez@Example.COM ", "07700 900123"),
        ("MARIA.LOPEZ@EXAMPLE.COM", "+44 (0)7700-900123"),
        ("maria.lopez@example.com", "0044 7700 900123"),
    ],
)
def test_match_keys_are_one_for_any_case_of_email_and_format_of_phone(email, phone):
    assert contacts.match_keys(email, phone, region="GB") == (
        "maria.lopez@example.com",
        "+447700900123",
    )


@pytest.mark.parametrize("phone", ["", "  ", "not a phone", "12", "Maria Lopez"])
def test_match_keys_give_no_phone_key_for_what_is_no_number(phone):
    assert contacts.match_keys("", phone, region="GB") == ("", "")


def test_find_duplicates_reads_a_phone_typed_in_any_format_against_the_users_region(owner):
    owner.phone_region = "GB"
    owner.save()
    maria = add(owner, name="Maria Lopez", email="maria@example.com", phone="07700 900123")
    assert services.find_duplicates(owner, phone="+44 7700-900123") == [maria]
    assert services.find_duplicates(owner, phone="07700900123") == [maria]
    assert services.find_duplicates(owner, email=" MARIA@Example.com") == [maria]
    assert services.find_duplicates(owner, phone="Maria Lopez") == []


def test_duplicates_of_another_user_are_not_matched(owner, other_user):
    add(other_user, email="ann@example.com")
    assert add(owner, email="ann@example.com").user == owner


def test_add_prospect_with_foreign_source_is_refused(owner, other_user):
    theirs = services.add_source(
        other_user, category=category(other_user, "Forum posts"), campaign="Sig"
    )
    with pytest.raises(ValidationError):
        add(owner, source=theirs)
    assert not Prospect.objects.filter(user=owner).exists()


# --- stages ------------------------------------------------------------------------------------


def test_change_stage_records_from_to_and_time(owner):
    prospect = add(owner)
    later = NOW + timedelta(hours=2)
    services.change_stage(prospect, Stage.BOOKED, now=later, note="Booked for Tuesday")
    event = prospect.events.get(kind=Event.Kind.STAGE)
    assert (event.from_stage, event.to_stage, event.at, event.text) == (
        "new",
        "booked",
        later,
        "Booked for Tuesday",
    )
    assert prospect.stage_changed_at == later


def test_affiliate_path_needs_declined_first(owner):
    prospect = add(owner, stage=Stage.PRESENTED)
    with pytest.raises(ValidationError):
        services.change_stage(prospect, Stage.AFFILIATE_OFFERED, now=NOW)
    prospect.refresh_from_db()
    assert prospect.stage == Stage.PRESENTED
    assert not prospect.events.filter(kind=Event.Kind.STAGE).exists()


def test_declined_then_affiliate_offered_then_joined_is_recorded_in_order(owner):
    prospect = add(owner, stage=Stage.PRESENTED)
    for hours, stage in enumerate(
        [Stage.DECLINED, Stage.AFFILIATE_OFFERED, Stage.AFFILIATE_JOINED]
    ):
        services.change_stage(prospect, stage, now=NOW + timedelta(hours=hours + 1))
    assert list(
        prospect.events.filter(kind=Event.Kind.STAGE)
        .order_by("at")
        .values_list("from_stage", "to_stage")
    ) == [
        ("presented", "declined"),
        ("declined", "affiliate_offered"),
        ("affiliate_offered", "affiliate_joined"),
    ]


def test_allowed_stages_offer_the_affiliate_path_only_after_declined():
    assert Stage.AFFILIATE_OFFERED not in services.allowed_stages(Stage.PRESENTED)
    assert Stage.AFFILIATE_OFFERED in services.allowed_stages(Stage.DECLINED)
    assert Stage.AFFILIATE_JOINED in services.allowed_stages(Stage.AFFILIATE_OFFERED)


def test_joining_clears_the_follow_up(owner):
    prospect = add(owner, follow_up_on=date(2026, 3, 5))
    services.change_stage(prospect, Stage.JOINED, now=NOW)
    prospect.refresh_from_db()
    assert prospect.follow_up_on is None


def test_record_outcome_with_bad_follow_up_changes_nothing(owner):
    prospect = add(owner, stage=Stage.PRESENTED)
    with pytest.raises(ValidationError):
        services.record_outcome(
            prospect, now=NOW, stage=Stage.JOINED, note="Signed up!", follow_up_on=date(2026, 3, 9)
        )
    prospect.refresh_from_db()
    assert (prospect.stage, prospect.last_contacted_at, prospect.events.count()) == (
        Stage.PRESENTED,
        None,
        1,
    )


def test_record_outcome_sets_stage_note_follow_up_and_contact_time(owner):
    prospect = add(owner, stage=Stage.BOOKED)
    services.record_outcome(
        prospect,
        now=NOW,
        stage=Stage.FOLLOW_UP,
        note="Wants to ask spouse",
        follow_up_on=date(2026, 3, 4),
    )
    prospect.refresh_from_db()
    assert (prospect.stage, prospect.follow_up_on, prospect.last_contacted_at) == (
        Stage.FOLLOW_UP,
        date(2026, 3, 4),
        NOW,
    )
    assert prospect.events.filter(kind=Event.Kind.NOTE).get().text == "Wants to ask spouse"


# --- follow-ups --------------------------------------------------------------------------------


def test_follow_up_done_marks_contact_and_moves_new_to_contacted(owner):
    prospect = add(owner, follow_up_on=date(2026, 3, 1))
    services.follow_up_done(prospect, now=NOW)
    prospect.refresh_from_db()
    assert (prospect.stage, prospect.follow_up_on, prospect.last_contacted_at) == (
        Stage.CONTACTED,
        None,
        NOW,
    )


def test_snooze_moves_to_the_next_prospecting_day(owner):
    from tests.factories import block

    block(owner, "19:00", "21:00", days="Mon,Wed")
    prospect = add(owner, follow_up_on=date(2026, 3, 2))
    services.snooze(prospect, now=NOW)  # Monday 2 March
    prospect.refresh_from_db()
    assert prospect.follow_up_on == date(2026, 3, 4)


def test_snooze_without_routine_moves_to_tomorrow(owner):
    prospect = add(owner, follow_up_on=date(2026, 3, 2))
    services.snooze(prospect, now=NOW)
    prospect.refresh_from_db()
    assert prospect.follow_up_on == date(2026, 3, 3)


# --- merge -------------------------------------------------------------------------------------


def test_merge_keeps_the_history_of_both(owner):
    keep = add(owner, email="ann@example.com", tags="forum")
    other = add(
        owner,
        name="Ann Lee (2)",
        phone="+14155550132",
        tags="hot",
        notes="Met at the webinar",
        allow_duplicate=True,
    )
    services.add_note(other, "Called back", now=NOW + timedelta(minutes=5))
    services.add_income(owner, on=date(2026, 3, 2), amount="49.00", kind="product", prospect=other)
    work = entry(owner, "Prospect call", NOW - timedelta(hours=1), 20)
    services.link_time(work, other)

    merged = services.merge(keep, other, now=NOW + timedelta(minutes=10))

    assert not Prospect.objects.filter(pk=other.pk).exists()
    assert (merged.email, merged.phone, merged.tag_list, merged.notes) == (
        "ann@example.com",
        "+14155550132",
        ["forum", "hot"],
        "Met at the webinar",
    )
    assert sorted(merged.events.values_list("kind", flat=True)) == [
        "created",
        "created",
        "merge",
        "note",
    ]
    assert Income.objects.get(user=owner).prospect == merged
    assert ProspectTime.objects.get(activity=work).prospect == merged
    assert "Ann Lee (2)" in merged.events.get(kind="merge").text


def test_merge_moves_appointments_too(owner):
    keep = add(owner, email="ann@example.com")
    other = add(owner, name="Ann", email="ann@example.com", allow_duplicate=True)
    call = AppointmentFactory(user=owner, prospect=other, start=NOW + timedelta(days=1))
    services.merge(keep, other, now=NOW)
    call.refresh_from_db()
    assert call.prospect == keep


def test_merge_with_itself_or_another_users_prospect_is_refused(owner, other_user):
    mine = add(owner)
    theirs = add(other_user)
    for other in (mine, theirs):
        with pytest.raises(ValidationError):
            services.merge(mine, other, now=NOW)
    assert Prospect.objects.count() == 2


def test_merge_carries_the_import_key_so_reimport_still_matches(owner):
    keep = add(owner, email="ann@example.com")
    other = add(owner, name="Ann", allow_duplicate=True)
    Prospect.objects.filter(pk=other.pk).update(import_key="abc")
    other.refresh_from_db()
    services.merge(keep, other, now=NOW)
    keep.refresh_from_db()
    assert keep.import_key == "abc"


# --- sources, spend, income --------------------------------------------------------------------


def test_add_source_makes_a_unique_key_from_the_campaign(owner):
    forum = category(owner, "Forum posts")
    first = services.add_source(owner, category=forum, campaign="My Forum Signature")
    second = services.add_source(
        owner, category=category(owner, "Video posts"), campaign="My forum signature"
    )
    assert (first.key, second.key, first.label) == (
        "my-forum-signature",
        "my-forum-signature-2",
        "Forum posts / My Forum Signature",
    )


def test_a_key_made_from_a_long_campaign_stops_at_a_word_boundary(owner):
    forum = category(owner, "Forum posts")
    first = services.add_source(owner, category=forum, campaign="Network Marketing Forum Signature")
    second = services.add_source(
        owner, category=forum, campaign="Network marketing forum signature 2027"
    )
    assert (first.key, second.key) == ("network-marketing-forum", "network-marketing-forum-2")


@pytest.mark.parametrize(
    ("text", "limit", "slug"),
    [
        ("Network Marketing Forum Signature", 28, "network-marketing-forum"),
        ("short one", 28, "short-one"),
        ("exactly-twenty-eight-chars-x", 28, "exactly-twenty-eight-chars-x"),
        ("Supercalifragilisticexpialidocious", 10, "supercalif"),
    ],
)
def test_short_slug_cuts_between_words(text, limit, slug):
    assert short_slug(text, limit) == slug


def test_add_source_needs_a_leadgen_category(owner):
    with pytest.raises(ValidationError):
        services.add_source(owner, category=category(owner, "Organizing"), campaign="x")
    assert not LeadSource.objects.filter(user=owner).exists()


def test_add_source_with_a_taken_key_is_refused(owner):
    forum = category(owner, "Forum posts")
    services.add_source(owner, category=forum, campaign="A", key="sig")
    with pytest.raises(ValidationError):
        services.add_source(owner, category=forum, campaign="B", key="SIG")


def test_spend_and_income_amounts_are_checked(owner):
    source = services.add_source(
        owner, category=category(owner, "PPC campaigns"), campaign="Ad set 3"
    )
    assert services.add_spend(source, on=date(2026, 3, 1), amount="12,50").amount == Decimal(
        "12.50"
    )
    for bad in ("0", "-5", "abc", "NaN"):
        with pytest.raises(ValidationError):
            services.add_income(owner, on=date(2026, 3, 1), amount=bad)
    assert not Income.objects.exists()


def test_income_uses_the_users_currency_by_default(owner):
    owner.currency = "GBP"
    owner.save()
    income = services.add_income(owner, on=date(2026, 3, 1), amount="100", kind="enrollment")
    assert (income.currency, income.amount, income.kind) == ("GBP", Decimal("100.00"), "enrollment")


def test_link_time_counts_a_call_as_contact(owner):
    prospect = add(owner)
    work = entry(owner, "Prospect call", NOW - timedelta(hours=1), 30)
    services.link_time(work, prospect)
    prospect.refresh_from_db()
    assert prospect.last_contacted_at == NOW - timedelta(minutes=30)


def test_clean_tags_longer_than_the_column_together_is_refused():
    with pytest.raises(ValidationError) as error:
        services.clean_tags([f"{n:02d}" + "x" * 38 for n in range(15)])
    assert error.value.message_dict == {"tags": ["Tags take at most 500 characters together."]}


def test_merge_of_two_full_tag_sets_keeps_what_fits_and_names_the_rest(owner):
    keep = add(owner, email="ann@example.com", tags=[f"keep {n}" for n in range(12)])
    other = add(owner, name="Ann", tags=[f"other {n}" for n in range(12)], allow_duplicate=True)

    merged = services.merge(keep, other, now=NOW)

    assert merged.tag_list == [f"keep {n}" for n in range(12)] + [f"other {n}" for n in range(8)]
    assert merged.events.get(kind="merge").text.endswith(
        "; tags that didn't fit: other 8, other 9, other 10, other 11"
    )
