"""Phone regions and currencies for the profile: the regions phonenumbers can read, named from
the tz database's country table, a region guessed from a time zone at sign-up, and the ISO 4217
currencies from pycountry (Debian's iso-codes data, kept current upstream).

The guess reads `zone.tab` from the installed `tzdata` package (one country per zone, which is
what a guess needs); zones it doesn't list (UTC, Etc/…, old aliases) fall back to "US".
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import phonenumbers

DEFAULT_REGION = "US"
# Regions phonenumbers knows that ISO 3166 (and so iso3166.tab) has no entry for.
EXTRA_NAMES = {"AC": "Ascension Island", "TA": "Tristan da Cunha", "XK": "Kosovo"}


def _tab(name: str) -> list[list[str]]:
    """The rows of one of tzdata's .tab files, or none when the file isn't installed."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return []
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _zone_countries() -> dict[str, str]:
    return {row[2]: row[0] for row in _tab("zone.tab") if len(row) >= 3}


@cache
def _country_names() -> dict[str, str]:
    return {**EXTRA_NAMES, **{row[0]: row[1] for row in _tab("iso3166.tab") if len(row) >= 2}}


def is_region(code: str) -> bool:
    return code in phonenumbers.SUPPORTED_REGIONS


def zone_region(zone: str) -> str:
    """The phone region a time zone lies in ("Asia/Kolkata" → "IN"), or "" (UTC, Etc/…)."""
    code = _zone_countries().get(zone, "")
    return code if is_region(code) else ""


def region_for_zone(zone: str) -> str:
    """The phone region a time zone suggests, else "US": the guess at sign-up."""
    return zone_region(zone) or DEFAULT_REGION


@cache
def region_choices() -> list[tuple[str, str]]:
    """Every region phonenumbers supports, as (code, "Name (+code)"), sorted by name."""
    names = _country_names()
    choices = [
        (code, f"{names.get(code, code)} (+{phonenumbers.country_code_for_region(code)})")
        for code in phonenumbers.SUPPORTED_REGIONS
    ]
    return sorted(choices, key=lambda choice: choice[1].lower())


# ISO 4217 codes that are not money anyone is paid in: the testing code and "no currency".
NOT_PAYMENT_CURRENCIES = {"XTS", "XXX"}


@cache
def _currency_names() -> dict[str, str]:
    # Imported here: its ~40 ms import would otherwise land on every CLI command's start-up.
    import pycountry

    return {
        c.alpha_3: c.name for c in pycountry.currencies if c.alpha_3 not in NOT_PAYMENT_CURRENCIES
    }


def is_currency(code: str) -> bool:
    return code in _currency_names()


@cache
def currency_choices() -> list[tuple[str, str]]:
    """Every ISO 4217 currency as (code, "USD — US Dollar"), sorted by code."""
    return [(code, f"{code} — {name}") for code, name in sorted(_currency_names().items())]


def clean_currency(text: str) -> str:
    """An ISO 4217 code in upper case ("usd" → "USD"), or "" when it isn't one."""
    text = (text or "").strip().upper()
    return text if is_currency(text) else ""


CURRENCY_ERROR = "Pick a currency from the list (an ISO 4217 code such as USD, EUR or GBP)."
