"""Prospect rules: duplicates offered as merges, stages with their history, follow-ups that
roll forward, call timers tied to a prospect, lead sources with spend, and income (contacts in
their canonical form are `contacts`).

Every write of prospects one at a time goes through here (the lead importer and restore write
many at once through `core.bulk`, filling the same columns). Each write that touches more than
one row runs in one transaction. One job, the rules of the pipeline, at about 600 lines: the
money rules are a few short functions that a module of their own would only scatter.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from mainthing.accounts import regions
from mainthing.accounts.models import User
from mainthing.activity import services as activity_services
from mainthing.activity.models import Activity, Category
from mainthing.core import limits, timekit
from mainthing.core.enums import Tier
from mainthing.core.text import short_slug
from mainthing.routine import queries as routine_queries

from . import followups

# Contacts in their canonical form live in `contacts`; callers that reach them as services.X
# (the views, the CLI, restore) keep working.
from .contacts import Contact, _notes_that_fit, _tags_that_fit, email_key, match_keys
from .contacts import clean_contact as clean_contact
from .contacts import clean_email as clean_email
from .contacts import clean_tags as clean_tags
from .contacts import clean_zone as clean_zone
from .contacts import format_phone as format_phone
from .contacts import normal_tag as normal_tag
from .contacts import parse_phone as parse_phone
from .contacts import phone_for_search as phone_for_search
from .models import (
    CLOSED_STAGES,
    Event,
    Income,
    IncomeKind,
    LeadSource,
    Prospect,
    ProspectTime,
    Spend,
    Stage,
)

UNKNOWN_KEY = "unknown"
# The affiliate/product path opens only after a "no" to the opportunity.
AFFILIATE_PATH = {
    Stage.AFFILIATE_OFFERED: {Stage.DECLINED, Stage.AFFILIATE_OFFERED, Stage.AFFILIATE_JOINED},
    Stage.AFFILIATE_JOINED: {Stage.AFFILIATE_OFFERED, Stage.AFFILIATE_JOINED},
}


class DuplicateProspect(Exception):
    """A prospect with the same email or phone exists; the caller offers a merge."""

    def __init__(self, matches: list[Prospect]):
        self.matches = matches
        names = ", ".join(p.name for p in matches[:3])
        super().__init__(f"You already have {names} with the same email or phone.")


# --- lead sources ------------------------------------------------------------------------------


def unknown_source(user: User) -> LeadSource:
    """The "Unknown" source every user has, made on first need."""
    source = LeadSource.objects.filter(user=user, category__isnull=True).first()
    if source is None:
        source, _ = LeadSource.objects.get_or_create(
            user=user, category=None, key=UNKNOWN_KEY, defaults={"campaign": "Unknown"}
        )
    return source


def _free_key(user: User, wanted: str, *, exclude: int | None = None) -> str:
    # 28 leaves room for "-2", "-3"… within the key's 32 characters.
    base = short_slug(wanted, 28) or "source"
    taken = LeadSource.objects.filter(user=user, key__istartswith=base)
    if exclude:
        taken = taken.exclude(pk=exclude)
    keys = {k.lower() for k in taken.values_list("key", flat=True)}
    if base not in keys:
        return base
    n = 2
    while f"{base}-{n}" in keys:
        n += 1
    return f"{base}-{n}"


def add_source(user: User, *, category: Category, campaign: str, key: str = "") -> LeadSource:
    """Adds a source under a lead-gen category. Without a key one is made from the campaign."""
    campaign = " ".join((campaign or "").split())[:120]
    if not campaign:
        raise ValidationError({"campaign": "Name the campaign (a forum signature, an ad set…)."})
    if category.user_id != user.pk or category.tier != Tier.LEADGEN:
        raise ValidationError(
            {"category": "A lead source belongs to one of your lead-gen categories."}
        )
    key = short_slug(key, 32)
    if key:
        if LeadSource.objects.filter(user=user, key__iexact=key).exists():
            raise ValidationError({"key": f"The key “{key}” is already used by another source."})
    else:
        key = _free_key(user, campaign)
    if LeadSource.objects.filter(user=user, category=category, campaign__iexact=campaign).exists():
        raise ValidationError({"campaign": f"{category.name} / {campaign} already exists."})
    try:
        with transaction.atomic():
            return LeadSource.objects.create(
                user=user, category=category, campaign=campaign, key=key
            )
    except IntegrityError:
        raise ValidationError({"key": "That source or key already exists."}) from None


def edit_source(source: LeadSource, *, campaign: str, key: str, archived: bool) -> LeadSource:
    """Renames a source, changes its link key or archives it. "Unknown" stays as it is."""
    if source.is_unknown:
        raise ValidationError("The Unknown source can't be changed.")
    campaign = " ".join((campaign or "").split())[:120]
    key = short_slug(key, 32)
    if not campaign or not key:
        raise ValidationError("A source needs a campaign name and a key.")
    clash = LeadSource.objects.filter(user_id=source.user_id).exclude(pk=source.pk)
    if clash.filter(key__iexact=key).exists():
        raise ValidationError({"key": f"The key “{key}” is already used by another source."})
    if clash.filter(category_id=source.category_id, campaign__iexact=campaign).exists():
        raise ValidationError({"campaign": "Another source of this category has that name."})
    source.campaign, source.key, source.archived = campaign, key, archived
    source.save(update_fields=["campaign", "key", "archived"])
    return source


def parse_amount(text: str | Decimal) -> Decimal:
    try:
        amount = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({"amount": f"“{str(text)[:20]}” is not an amount."}) from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e10"):
        raise ValidationError({"amount": "An amount is more than 0."})
    return amount.quantize(Decimal("0.01"))


def add_spend(source: LeadSource, *, on: date, amount: Decimal | str, note: str = "") -> Spend:
    if source.is_unknown:
        raise ValidationError("Spend belongs to a named source, not to Unknown.")
    return Spend.objects.create(
        user_id=source.user_id,
        source=source,
        date=on,
        amount=parse_amount(amount),
        note=limits.fit(Spend, note=note)[0],
    )


def delete_spend(spend: Spend) -> None:
    spend.delete()


# --- prospects ---------------------------------------------------------------------------------


def find_duplicates(
    user: User, *, email: str = "", phone: str = "", exclude: int | None = None
) -> list[Prospect]:
    """Prospects with the same email (any case) or phone (any format, read against the user's
    region): `contacts.match_keys`, the rule the lead import's `Seen` follows too."""
    email_match, phone_match = match_keys(email, phone, region=user.phone_region)
    match = Q()
    if email_match:
        match |= Q(email_key=email_match)
    if phone_match:
        match |= Q(phone=phone_match)
    if not match:
        return []
    rows = Prospect.objects.filter(match, user=user).select_related("source__category")
    if exclude:
        rows = rows.exclude(pk=exclude)
    return list(rows.order_by("created_at", "pk")[:10])


def match_prospect(user: User, *, email: str = "", phone: str = "") -> Prospect | None:
    """The prospect a booking, a call-back request or a webhook lead belongs to: the oldest
    with the same normalised email or E.164 phone (the rule the lead import's de-duplication
    follows too), else None."""
    matches = find_duplicates(user, email=email, phone=phone)
    return matches[0] if matches else None


def add_prospect(
    user: User,
    contact: Contact,
    *,
    now: datetime,
    source: LeadSource | None = None,
    stage: str = Stage.NEW,
    follow_up_on: date | None = None,
    allow_duplicate: bool = False,
) -> Prospect:
    """Adds a prospect (source "Unknown" when none is given) and its "added" event. Raises
    DuplicateProspect when the email or phone is already known, unless allowed."""
    if source is not None and source.user_id != user.pk:
        raise ValidationError({"source": "Pick one of your lead sources."})
    if stage not in Stage.values:
        raise ValidationError({"stage": f"“{stage}” is not a stage."})
    if not allow_duplicate:
        matches = find_duplicates(user, email=contact.email, phone=contact.phone)
        if matches:
            raise DuplicateProspect(matches)
    with transaction.atomic():
        prospect = Prospect.objects.create(
            user=user,
            name=contact.name,
            email=contact.email,
            email_key=email_key(contact.email),
            phone=contact.phone,
            social=contact.social,
            time_zone=contact.time_zone,
            tags=contact.tags,
            notes=contact.notes,
            source=source or unknown_source(user),
            stage=stage,
            follow_up_on=None if stage in CLOSED_STAGES else follow_up_on,
            created_at=now,
            stage_changed_at=now,
        )
        Event.objects.create(
            user=user, prospect=prospect, kind=Event.Kind.CREATED, at=now, to_stage=stage
        )
    return prospect


def fill_missing_contact(prospect: Prospect, contact: Contact) -> Prospect:
    """A known prospect who now gave a phone or email they hadn't (booking, call-back): keep
    it on their card; what the card already holds is never overwritten."""
    fields: list[str] = []
    if contact.phone and not prospect.phone:
        prospect.phone = contact.phone
        fields.append("phone")
    if contact.email and not prospect.email:
        prospect.email = contact.email
        prospect.email_key = email_key(contact.email)
        fields += ["email", "email_key"]
    if fields:
        prospect.save(update_fields=fields)
    return prospect


def update_prospect(
    prospect: Prospect, contact: Contact, *, source: LeadSource | None = None
) -> Prospect:
    """Edits contacts, tags, notes and source (not the stage: that has its own history)."""
    if source is not None:
        if source.user_id != prospect.user_id:
            raise ValidationError({"source": "Pick one of your lead sources."})
        prospect.source = source
    prospect.name = contact.name
    prospect.email = contact.email
    prospect.email_key = email_key(contact.email)
    prospect.phone = contact.phone
    prospect.social = contact.social
    prospect.time_zone = contact.time_zone
    prospect.tags = contact.tags
    prospect.notes = contact.notes
    prospect.save()
    return prospect


def allowed_stages(current: str) -> list[str]:
    """The stages a prospect in `current` may move to (its own included)."""
    return [s for s in Stage.values if s not in AFFILIATE_PATH or current in AFFILIATE_PATH[s]]


def change_stage(prospect: Prospect, stage: str, *, now: datetime, note: str = "") -> Prospect:
    """Moves a prospect to a stage and records the change with its time. The affiliate path
    opens only from "declined"; a joined prospect needs no follow-up."""
    if stage not in Stage.values:
        raise ValidationError({"stage": f"“{stage}” is not a stage."})
    if stage == prospect.stage:
        return prospect
    if stage not in allowed_stages(prospect.stage):
        raise ValidationError(
            {"stage": f"{Stage(stage).label} comes after Declined: the prospect said no first."}
        )
    (note,) = limits.fit(Event, text=note)
    with transaction.atomic():
        Event.objects.create(
            user_id=prospect.user_id,
            prospect=prospect,
            kind=Event.Kind.STAGE,
            at=now,
            from_stage=prospect.stage,
            to_stage=stage,
            text=note,
        )
        prospect.stage = stage
        prospect.stage_changed_at = now
        fields = ["stage", "stage_changed_at", "updated_at"]
        if stage in CLOSED_STAGES and prospect.follow_up_on:
            prospect.follow_up_on = None
            fields.append("follow_up_on")
        prospect.save(update_fields=fields)
    return prospect


def add_note(prospect: Prospect, text: str, *, now: datetime) -> Event:
    (text,) = limits.fit(Event, text=text)
    if not text:
        raise ValidationError({"note": "Write something first."})
    return Event.objects.create(
        user_id=prospect.user_id, prospect=prospect, kind=Event.Kind.NOTE, at=now, text=text
    )


def set_follow_up(prospect: Prospect, on: date | None) -> Prospect:
    if on is not None and prospect.stage in CLOSED_STAGES:
        raise ValidationError({"follow_up_on": "This prospect has joined; no follow-up needed."})
    prospect.follow_up_on = on
    prospect.save(update_fields=["follow_up_on", "updated_at"])
    return prospect


def prospecting_days(user: User, first: date, last: date) -> set[date]:
    """The user's local dates between first and last (inclusive) with income blocks."""
    tz = timekit.zone(user.time_zone)
    start = timekit.local_midnight(first, tz)
    end = timekit.local_midnight(last + timedelta(days=1), tz)
    blocks = routine_queries.occurrences_between(user, start, end, tier=Tier.INCOME)
    return {timekit.local_date(o.start, tz) for o in blocks}


def snooze(prospect: Prospect, *, now: datetime) -> Prospect:
    """One tap: the follow-up moves to the next prospecting day."""
    today = timekit.local_date(now, timekit.zone(prospect.user.time_zone))
    days = prospecting_days(prospect.user, today, today + timedelta(days=14))
    prospect.follow_up_on = followups.snooze_to(today, days)
    with transaction.atomic():
        prospect.save(update_fields=["follow_up_on", "updated_at"])
        Event.objects.create(
            user_id=prospect.user_id,
            prospect=prospect,
            kind=Event.Kind.FOLLOW_UP,
            at=now,
            text=f"Snoozed to {prospect.follow_up_on:%a %d %b}",
        )
    return prospect


def follow_up_done(prospect: Prospect, *, now: datetime, next_on: date | None = None) -> Prospect:
    """One tap: the follow-up happened. Marks the contact, clears (or sets) the next date and
    moves a new prospect to "contacted"."""
    with transaction.atomic():
        if prospect.stage == Stage.NEW:
            change_stage(prospect, Stage.CONTACTED, now=now)
        prospect.last_contacted_at = now
        prospect.follow_up_on = next_on
        prospect.save(update_fields=["last_contacted_at", "follow_up_on", "updated_at"])
        Event.objects.create(
            user_id=prospect.user_id,
            prospect=prospect,
            kind=Event.Kind.FOLLOW_UP,
            at=now,
            text="Followed up",
        )
    return prospect


def record_outcome(
    prospect: Prospect,
    *,
    now: datetime,
    stage: str,
    note: str = "",
    follow_up_on: date | None = None,
) -> Prospect:
    """What came of a conversation, in one transaction: the stage, a note, the next follow-up
    and the time of contact. Raises ValidationError and changes nothing on bad input."""
    with transaction.atomic():
        change_stage(prospect, stage, now=now)
        if note.strip():
            add_note(prospect, note, now=now)
        if follow_up_on is not None and stage in CLOSED_STAGES:
            raise ValidationError({"follow_up_on": "A prospect who joined needs no follow-up."})
        prospect.follow_up_on = follow_up_on
        prospect.last_contacted_at = now
        prospect.save(update_fields=["follow_up_on", "last_contacted_at", "updated_at"])
    return prospect


def link_time(activity: Activity, prospect: Prospect) -> ProspectTime:
    """Ties a time entry to the prospect it was spent on; counts as contact when it's IGA."""
    if activity.user_id != prospect.user_id:
        raise ValidationError("That entry and prospect belong to different people.")
    link, _ = ProspectTime.objects.update_or_create(
        activity=activity, defaults={"prospect": prospect}
    )
    if activity.category.tier == Tier.INCOME:
        contacted = activity.end or activity.start
        if prospect.last_contacted_at is None or prospect.last_contacted_at < contacted:
            prospect.last_contacted_at = contacted
            prospect.save(update_fields=["last_contacted_at", "updated_at"])
    return link


def start_prospect_timer(
    user: User,
    category: Category,
    *,
    prospect: Prospect | None,
    now: datetime,
    note: str = "",
    prospect_name: str = "",
    override: bool = False,
) -> Activity:
    """Starts a timer on `category` (stopping the running one), tied to `prospect` when given:
    both are written or neither. The entry's prospect name is `prospect_name`, else the
    prospect's name.

    Raises IgaQuestion and ValidationError as `activity.services.start_timer` does, and
    ValidationError for someone else's prospect; nothing is written then.
    """
    if prospect is not None and prospect.user_id != user.pk:
        raise ValidationError("That prospect belongs to someone else.")
    name = prospect_name.strip() or (prospect.name if prospect is not None else "")
    with transaction.atomic():
        entry = activity_services.start_timer(
            user, category, now=now, note=note, prospect_name=name, override=override
        )
        if prospect is not None:
            link_time(entry, prospect)
    return entry


def merge(keep: Prospect, other: Prospect, *, now: datetime) -> Prospect:
    """Merges `other` into `keep`: every row that points at `other` (appointments, entries,
    income, history) is moved over, empty contact fields are filled from it, tags and notes are
    joined, and a merge event keeps what `other` was. `other` is then deleted."""
    if keep.pk == other.pk or keep.user_id != other.user_id:
        raise ValidationError("Pick two different prospects of yours to merge.")
    with transaction.atomic():
        # Every foreign key to Prospect, including those of apps above this one, so a merge
        # keeps the whole history without this module knowing each of them.
        for relation in Prospect._meta.related_objects:
            if relation.one_to_many:
                relation.related_model._base_manager.filter(**{relation.field.name: other}).update(
                    **{relation.field.name: keep}
                )
        for field in ("email", "phone", "social", "time_zone"):
            if not getattr(keep, field) and getattr(other, field):
                setattr(keep, field, getattr(other, field))
        keep.email_key = email_key(keep.email)
        # Both tag sets may be full; the merge never fails for that, it says what it left out.
        keep.tags, tags_left_out = _tags_that_fit(keep.tag_list + other.tag_list)
        keep.notes, notes_left_out = _notes_that_fit(keep.notes, other.notes)
        if other.follow_up_on and (not keep.follow_up_on or other.follow_up_on < keep.follow_up_on):
            keep.follow_up_on = None if keep.stage in CLOSED_STAGES else other.follow_up_on
        keep.created_at = min(keep.created_at, other.created_at)
        if other.last_contacted_at and (
            not keep.last_contacted_at or other.last_contacted_at > keep.last_contacted_at
        ):
            keep.last_contacted_at = other.last_contacted_at
        summary = ", ".join(
            v
            for v in (other.name, other.email, other.phone, other.social, Stage(other.stage).label)
            if v
        )
        summary += f" (source: {other.source.label})"
        if tags_left_out:
            summary += f"; tags that didn't fit: {', '.join(tags_left_out)}"
        other.delete()
        # The import fingerprint moves too, once its row is gone (it is unique per user), so
        # re-importing the file the duplicate came from still adds nothing.
        keep.import_key = keep.import_key or other.import_key
        keep.save()
        Event.objects.create(
            user_id=keep.user_id,
            prospect=keep,
            kind=Event.Kind.MERGE,
            at=now,
            text=f"Merged with {summary}",
        )
        if notes_left_out:  # kept whole in the history rather than cut
            Event.objects.create(
                user_id=keep.user_id,
                prospect=keep,
                kind=Event.Kind.NOTE,
                at=now,
                text=notes_left_out,
            )
    return keep


def add_into(
    user: User,
    existing: Prospect,
    contact: Contact,
    *,
    now: datetime,
    source: LeadSource | None = None,
    stage: str = Stage.NEW,
    follow_up_on: date | None = None,
) -> Prospect:
    """Adds a prospect's details to one already known, through the merge rules (empty fields
    filled, tags and notes joined, a merge event), in one transaction: nothing new is left
    behind. Returns `existing`."""
    with transaction.atomic():
        new = add_prospect(
            user,
            contact,
            now=now,
            source=source,
            stage=stage,
            follow_up_on=follow_up_on,
            allow_duplicate=True,
        )
        return merge(existing, new, now=now)


def update_and_merge(
    prospect: Prospect,
    contact: Contact,
    *,
    now: datetime,
    source: LeadSource | None = None,
    merge_from: Prospect | None = None,
) -> Prospect:
    """Edits a prospect (`update_prospect`) and, when given, merges `merge_from` into it, in
    one transaction: a refused merge leaves the edit unsaved too."""
    with transaction.atomic():
        update_prospect(prospect, contact, source=source)
        if merge_from is not None:
            merge(prospect, merge_from, now=now)
    return prospect


def delete_prospect(prospect: Prospect) -> None:
    """Deletes a prospect and their history (personal data: the user may ask to forget it).
    Appointments keep their time and name but lose the link; income stays, unlinked."""
    prospect.delete()


# --- income ------------------------------------------------------------------------------------


def add_income(
    user: User,
    *,
    on: date,
    amount: Decimal | str,
    kind: str = IncomeKind.OTHER,
    currency: str = "",
    prospect: Prospect | None = None,
    note: str = "",
) -> Income:
    """Records money earned; the currency is the user's unless given."""
    if kind not in IncomeKind.values:
        raise ValidationError({"kind": f"“{kind}” is not a kind of income."})
    if prospect is not None and prospect.user_id != user.pk:
        raise ValidationError({"prospect": "Pick one of your prospects."})
    currency = regions.clean_currency(currency or user.currency)
    if not currency:
        raise ValidationError({"currency": regions.CURRENCY_ERROR})
    return Income.objects.create(
        user=user,
        date=on,
        amount=parse_amount(amount),
        currency=currency,
        kind=kind,
        prospect=prospect,
        note=limits.fit(Income, note=note)[0],
    )


def delete_income(income: Income) -> None:
    income.delete()
