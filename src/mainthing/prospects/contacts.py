"""A prospect's contact fields in their one canonical form: phones in E.164 (parsed with
libphonenumber for the user's region) and shown in national format, emails and their lower-cased
key, tags, time zones, notes that fit; `clean_contact` checks them all at once. Pure functions
(no database), used by the services, the importers, restore and the views' search."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from mainthing.core import limits, timekit

from .models import NOTES_MAX_LENGTH, Prospect

MAX_TAGS = 20
TAGS_MAX_LENGTH = Prospect._meta.get_field("tags").max_length


# --- canonical contacts ------------------------------------------------------------------------


def parse_phone(text: str, region: str) -> str:
    """A phone number in E.164, read against the user's region when it has no country code.
    Raises ValidationError for text that is not a possible number."""
    text = (text or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region.upper() or None)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            {"phone": f"“{text[:40]}” is not a phone number."}, code="phone"
        ) from None
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(
            {"phone": f"“{text[:40]}” is not a possible phone number for {region.upper()}."},
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_for_search(text: str, region: str) -> str | None:
    """The E.164 form of a search text that looks like a whole phone number, else None."""
    digits = sum(ch.isdigit() for ch in text)
    if digits < 6:
        return None
    try:
        return parse_phone(text, region)
    except ValidationError:
        return None


def format_phone(e164: str, region: str) -> str:
    """National format for numbers of the user's country calling code, international for the
    rest. The code, not the region, decides: libphonenumber files some +44 mobiles under
    Guernsey or under no region at all, and they still read as national to a UK user."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == phonenumbers.country_code_for_region(region.upper()):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def email_key(text: str) -> str:
    return (text or "").strip().lower()


# What `parse_phone` writes and every prospect row stores: "+", a country code, no spaces.
_E164 = re.compile(r"\+[1-9][0-9]{5,14}")


def match_keys(email: str = "", phone: str = "", *, region: str = "") -> tuple[str, str]:
    """(email key, phone key): what tells that a record is a prospect the user already has.
    The one rule of the lead import's de-duplication, the booking page, the app's booking forms
    and the CLI: the email trimmed and lower-cased, the phone in E.164 (read against `region`
    when it has no country code). A missing email, or a phone that is no number, gives "".

    A phone already in E.164 is taken as it is, unparsed: an import checks 100,000 rows whose
    phones `parse_phone` has just written, and a parse costs about 15 µs."""
    phone = (phone or "").strip()
    if phone and not _E164.fullmatch(phone):
        try:
            phone = parse_phone(phone, region)
        except ValidationError:
            phone = ""
    return email_key(email), phone


def clean_email(text: str) -> str:
    text = (text or "").strip()
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise ValidationError(
                {"email": f"“{text[:60]}” is not an email address."}, code="email"
            ) from None
    return text


def normal_tag(text: str) -> str:
    """One tag as it is stored: trimmed, single-spaced, lower-case, without commas."""
    return " ".join((text or "").split()).lower().replace(",", "")[:40]


def clean_tags(value: str | list[str]) -> str:
    """Tags as ",a,b," (each a `normal_tag`, unique, in the order given)."""
    items = value.split(",") if isinstance(value, str) else value
    tags: list[str] = []
    for raw in items:
        tag = normal_tag(raw)
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError({"tags": f"At most {MAX_TAGS} tags."})
    stored = f",{','.join(tags)}," if tags else ""
    if len(stored) > TAGS_MAX_LENGTH:
        raise ValidationError({"tags": f"Tags take at most {TAGS_MAX_LENGTH} characters together."})
    return stored


def _tags_that_fit(tags: list[str]) -> tuple[str, list[str]]:
    """As many of `tags` (in order, unique) as fit the tags column; and those left out."""
    kept: list[str] = []
    for tag in dict.fromkeys(tags):
        if len(kept) < MAX_TAGS and len(",".join([*kept, tag])) + 2 <= TAGS_MAX_LENGTH:
            kept.append(tag)
    return (f",{','.join(kept)}," if kept else ""), [
        t for t in dict.fromkeys(tags) if t not in kept
    ]


def clean_notes(text: str) -> str:
    """Notes stripped; a ValidationError when they are longer than the notes field holds."""
    return limits.fit(Prospect, notes=text)[0]


def _notes_that_fit(kept: str, other: str) -> tuple[str, str]:
    """`kept` with `other` below it when `other` adds something and both fit the notes field;
    else `kept`, and `other` when it was left out for want of room."""
    kept, other = kept.strip(), other.strip()
    if not other or other in kept:
        return kept, ""
    joined = f"{kept}\n\n{other}".strip()
    return (joined, "") if len(joined) <= NOTES_MAX_LENGTH else (kept, other)


def clean_zone(name: str) -> str:
    name = (name or "").strip()
    if name:
        try:
            timekit.zone(name)
        except ValueError as error:
            raise ValidationError({"time_zone": str(error)}) from None
    return name


# --- a prospect's fields together ----------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """A prospect's fields after cleaning: what every entry point (form, CLI, import) writes."""

    name: str
    email: str = ""
    phone: str = ""
    social: str = ""
    time_zone: str = ""
    tags: str = ""
    notes: str = ""


def clean_contact(
    user,
    *,
    name: str,
    email: str = "",
    phone: str = "",
    social: str = "",
    time_zone: str = "",
    tags: str | list[str] = "",
    notes: str = "",
    region: str = "",
) -> Contact:
    """Checks and normalises a prospect's fields; raises one ValidationError naming every bad
    field. A phone without its country code is read in `region`, else the user's region."""
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = ["Give the prospect a name."]
    cleaned: dict[str, str] = {}
    checks = (
        ("email", clean_email, email),
        ("phone", lambda v: parse_phone(v, region or user.phone_region), phone),
        ("time_zone", clean_zone, time_zone),
        ("tags", clean_tags, tags),
        ("notes", clean_notes, notes),
    )
    for field, clean, value in checks:
        try:
            cleaned[field] = clean(value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return Contact(
        name=name[:120],
        email=cleaned["email"][:254],
        phone=cleaned["phone"],
        social=(social or "").strip()[:120],
        time_zone=cleaned["time_zone"],
        tags=cleaned["tags"],
        notes=cleaned["notes"],
    )
