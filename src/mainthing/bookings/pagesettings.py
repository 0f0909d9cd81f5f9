"""The booking page's own settings: its address (slug) and the rules the user sets."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from mainthing.core.text import short_slug

from .models import BookingPage

SLUG_MAX_LENGTH = BookingPage._meta.get_field("slug").max_length
# Words a slug can't be: they would read as pages of ours.
RESERVED_SLUGS = frozenset({"settings", "admin", "api", "static", "new", "edit", "help", "book"})


def free_slug(wanted: str, *, exclude_user: int | None = None) -> str:
    """`wanted` as a slug, or with a number added until no other page has it."""
    base = short_slug(wanted, SLUG_MAX_LENGTH - 4) or "book"
    if base in RESERVED_SLUGS:
        base = f"{base}-me"
    taken = set(
        BookingPage.objects.filter(slug__startswith=base)
        .exclude(user_id=exclude_user)
        .values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def clean_slug(page: BookingPage, wanted: str) -> str:
    """A slug the user typed, checked: letters, digits and dashes, not reserved, not taken."""
    slug = (wanted or "").strip().lower()
    if not slug:
        raise ValidationError({"slug": "Give your page an address."})
    if slug != short_slug(slug, SLUG_MAX_LENGTH) or len(slug) < 3:
        raise ValidationError(
            {"slug": "Use 3 to 40 lower-case letters, digits and dashes, like “ann-lee”."}
        )
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"“{slug}” is reserved; pick another address."})
    if BookingPage.objects.filter(slug=slug).exclude(pk=page.pk).exists():
        raise ValidationError({"slug": f"“{slug}” is taken; try “{free_slug(slug)}”."})
    return slug


SETTINGS_FIELDS = (
    "enabled", "intro", "step_minutes", "notice_minutes", "horizon_days", "buffer_minutes",
    "max_per_day", "phone_question", "ask_note", "cutoff_minutes", "remind_user_minutes",
    "default_source", "daily_cap",
)  # fmt: skip


def settings_of(page: BookingPage) -> dict:
    """The page's settings as the settings form and the export read them: its address, the
    lengths and reminders as lists of minutes, and every field of `SETTINGS_FIELDS` (the
    default source as a row)."""
    return {
        "slug": page.slug,
        "lengths": page.length_list,
        "reminders": page.reminder_list,
        **{name: getattr(page, name) for name in SETTINGS_FIELDS},
    }


def update_page(
    page: BookingPage, *, slug: str, lengths: list[int], reminders: list[int], **fields
) -> BookingPage:
    """Saves the page's settings; a new slug frees the old address (which then answers 404)."""
    errors: dict[str, list[str]] = {}
    try:
        slug = clean_slug(page, slug)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not lengths:
        errors["lengths"] = ["Offer at least one call length."]
    source = fields.get("default_source")
    if source is not None and source.user_id != page.user_id:
        errors["default_source"] = ["Pick one of your lead sources."]
    if errors:
        raise ValidationError(errors)
    page.slug = slug
    page.lengths = ",".join(str(n) for n in sorted(set(lengths)))
    page.reminders = ",".join(str(n) for n in sorted(set(reminders), reverse=True))
    for name in SETTINGS_FIELDS:
        if name in fields:
            setattr(page, name, fields[name])
    page.intro = (page.intro or "").strip()
    try:
        with transaction.atomic():
            page.save()
    except IntegrityError:  # the slug taken at the same moment
        raise ValidationError({"slug": f"“{slug}” is taken; try another address."}) from None
    return page
