import pytest

from mainthing.accounts import regions


@pytest.mark.parametrize(
    ("zone", "region"),
    [
        ("Asia/Kolkata", "IN"),
        ("Asia/Kathmandu", "NP"),
        ("Australia/Lord_Howe", "AU"),
        ("Pacific/Auckland", "NZ"),
        ("Europe/London", "GB"),
        ("America/New_York", "US"),
        ("America/Toronto", "CA"),
        # Not a country's zone (or not in zone.tab): the default.
        ("UTC", "US"),
        ("Etc/GMT+5", "US"),
        ("Antarctica/Troll", "US"),
        ("Not/AZone", "US"),
    ],
)
def test_region_for_zone_reads_the_tz_databases_country_table(zone, region):
    assert regions.region_for_zone(zone) == region


def test_region_choices_are_every_region_phonenumbers_supports_named():
    import phonenumbers

    choices = dict(regions.region_choices())
    assert set(choices) == phonenumbers.SUPPORTED_REGIONS
    assert (choices["IN"], choices["XK"], choices["AC"]) == (
        "India (+91)",
        "Kosovo (+383)",
        "Ascension Island (+247)",
    )


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("usd", "USD"),
        (" Eur ", "EUR"),
        ("US1", ""),
        ("DOLLAR", ""),
        ("", ""),
        ("ÉUR", ""),
        ("DOL", ""),
        ("NAN", ""),
        ("XXX", ""),
    ],
)
def test_clean_currency_accepts_iso_4217_codes_only(text, currency):
    assert regions.clean_currency(text) == currency


def test_currency_choices_read_code_and_name():
    choices = regions.currency_choices()
    assert ("USD", "USD — US Dollar") in choices
    assert ("EUR", "EUR — Euro") in choices
    assert [code for code, _ in choices] == sorted(code for code, _ in choices)
    assert "XXX" not in dict(choices)
