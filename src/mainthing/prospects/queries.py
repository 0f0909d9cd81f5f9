"""Read models of the prospect pages: the list (search, filters, sorting, counts per stage) and
the card's timeline. Each is a fixed number of queries, however many prospects or history rows
there are.

Lookups are `<thing>_for_user(user, pk)`: the user's row or Http404 (missing or another user's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.core.validators import validate_email
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from mainthing.accounts.models import User
from mainthing.core import timekit
from mainthing.core.lookups import owned_or_404
from mainthing.core.models import unpublished_batches

from . import services
from .contacts import match_keys
from .models import Event, Income, LeadImport, LeadSource, Prospect, Spend, Stage

PER_PAGE = 50
# The card shows this many of the newest history lines; the rest is one click away.
TIMELINE_LIMIT = 100
# A search of only digits and phone punctuation looks for a part of a phone number.
PHONE_PUNCTUATION = frozenset("0123456789+-(). /")
MIN_PHONE_DIGITS = 3
# Searches for a whole phone or email are answered from their own index (see `searched`).
EXACT_FIELDS = ("phone", "email_key")
EXACT_LIMIT = 500
# Parsing a number for display costs more than the rest of its row, and the same pages show
# the same numbers again and again.
display_phone = lru_cache(maxsize=4096)(services.format_phone)


def prospect_for_user(user: User, pk: int | str) -> Prospect:
    """The user's prospect (with its source and the source's category) or Http404."""
    rows = Prospect.objects.select_related("user", "source__category")
    return owned_or_404(rows, pk, user)


def source_for_user(user: User, pk: int | str) -> LeadSource:
    """The user's lead source (with its category) or Http404."""
    return owned_or_404(LeadSource.objects.select_related("category"), pk, user)


def spend_for_user(user: User, pk: int | str) -> Spend:
    """The user's spend row (with its source) or Http404."""
    return owned_or_404(Spend.objects.select_related("source"), pk, user)


def income_for_user(user: User, pk: int | str) -> Income:
    """The user's income row or Http404."""
    return owned_or_404(Income.objects.all(), pk, user)


def lead_import_for_user(user: User, pk: int | str) -> LeadImport:
    """The user's lead import (with its source) or Http404."""
    return owned_or_404(LeadImport.objects.select_related("source"), pk, user)


# In funnel order, so "stage" sorts new → joined, then the declined/affiliate path.
STAGE_ORDER = Case(
    *(When(stage=value, then=Value(n)) for n, value in enumerate(Stage.values)),
    default=Value(len(Stage.values)),
    output_field=IntegerField(),
)
SORTS: dict[str, tuple[str, tuple]] = {
    "created": ("Newest", (F("created_at").desc(), F("pk").desc())),
    "name": ("Name", (Lower("name").asc(), F("pk").asc())),
    "contacted": (
        "Last contacted",
        (F("last_contacted_at").desc(nulls_last=True), F("pk").desc()),
    ),
    "follow_up": ("Follow-up", (F("follow_up_on").asc(nulls_last=True), F("pk").asc())),
    "stage": ("Stage", (STAGE_ORDER.asc(), F("created_at").desc(), F("pk").desc())),
}
DEFAULT_SORT = "created"


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to. Empty values mean "any"."""

    q: str = ""
    stage: str = ""
    source_id: int | None = None
    tag: str = ""
    due: bool = False
    sort: str = DEFAULT_SORT

    @property
    def is_narrowed(self) -> bool:
        return bool(self.q or self.stage or self.source_id or self.tag or self.due)


def search_condition(q: str, *, region: str) -> Q:
    """The condition a search text stands for.

    A whole phone number in any format ("(415) 555-0123", "+1 415…") is read against the
    user's region and looked up as E.164 (an index hit); a whole email address is an index hit
    on the lower-cased key; a part of a number ("555-01") matches the stored digits; anything
    else is a name or email fragment.
    """
    q = " ".join(q.split())
    if not q:
        return Q()
    digits = "".join(ch for ch in q if ch.isdigit())
    if set(q) <= PHONE_PUNCTUATION and len(digits) >= MIN_PHONE_DIGITS:
        e164 = services.phone_for_search(q, region)
        if e164 and _whole_number(e164):
            return Q(phone=e164)
        condition = Q(phone__contains=digits)
        national = digits.lstrip("0")
        if national != digits and len(national) >= MIN_PHONE_DIGITS:
            # "020 7946…" is stored as +44 20 7946…: the trunk 0 is not in E.164.
            condition |= Q(phone__contains=national)
        return condition
    key = services.email_key(q)
    if "@" in key:
        try:
            validate_email(key)
        except ValidationError:
            pass  # a fragment such as "ann@exa": searched as a part below
        else:
            return Q(email_key=key)
    return Q(name__icontains=q) | Q(email_key__contains=key)


def _whole_number(e164: str) -> bool:
    """Whether a number is whole, not a local part such as "555-0123", which parses (as
    +1 555-0123) but is only dialable inside its area: that is a part of a number to find."""
    number = phonenumbers.parse(e164, None)
    reason = phonenumbers.is_possible_number_with_reason(number)
    return reason == phonenumbers.ValidationResult.IS_POSSIBLE


def searched(user: User, q: str) -> QuerySet[Prospect]:
    """The user's prospects that match a search (all of them without one).

    A whole phone number or email address is looked up on its own index first, and the rest
    of the query narrows those ids. Without table statistics (SQLite until ANALYZE runs) the
    planner would rather walk the created_at index to skip a sort, checking all the user's
    rows; the ids came from a query scoped to the user, so they stand for the owner check.
    """
    rows = Prospect.objects.filter(user=user)
    if not q:
        return rows
    condition = search_condition(q, region=user.phone_region)
    if _exact_field(condition) in EXACT_FIELDS:
        ids = list(rows.filter(condition).order_by().values_list("pk", flat=True)[:EXACT_LIMIT])
        return Prospect.objects.filter(pk__in=ids)
    return rows.filter(condition)


def _exact_field(condition: Q) -> str | None:
    if len(condition.children) == 1 and not condition.negated:
        child = condition.children[0]
        if isinstance(child, tuple):
            return child[0]
    return None


def filtered(
    user: User,
    filters: Filters,
    *,
    today: date,
    ignore_stage: bool = False,
    base: QuerySet[Prospect] | None = None,
) -> QuerySet[Prospect]:
    """The user's prospects narrowed by search, source, tag and "follow-up due" (the date is
    the user's local `today` or earlier), and by stage unless `ignore_stage`. `base` is the
    result of `searched` when the caller has it already."""
    rows = searched(user, filters.q) if base is None else base
    if filters.stage and not ignore_stage:
        rows = rows.filter(stage=filters.stage)
    if filters.source_id:
        rows = rows.filter(source_id=filters.source_id)
    if tag := services.normal_tag(filters.tag):
        rows = rows.filter(tags__contains=f",{tag},")
    if filters.due:
        rows = rows.filter(follow_up_on__lte=today)
    return rows


def ordered(rows: QuerySet[Prospect], sort: str) -> QuerySet[Prospect]:
    return rows.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT])[1])


def stage_counts(
    user: User, filters: Filters, *, today: date, base: QuerySet[Prospect] | None = None
) -> dict[str, int]:
    """How many prospects each stage holds under the other filters (one query).

    For the list as it opens (no search, source, tag or due filter), every row is counted from
    the (user, stage) index alone and the rows of the user's unpublished import batches are
    taken off in the same statement (so from the same snapshot), found through the index on
    import_batch. The default manager's own filter reads import_batch, which no index on
    (user, …) holds, so it would fetch each of the user's rows from the table: 28 ms against
    1.5 ms for 25,000 prospects on SQLite (bench/README.md, the web bench)."""
    counts = dict.fromkeys(Stage.values, 0)
    if filters.q or filters.source_id or filters.tag or filters.due:
        grouped = (
            filtered(user, filters, today=today, ignore_stage=True, base=base)
            .order_by()
            .values_list("stage")
            .annotate(n=Count("pk"))
        )
    else:
        every = Prospect.with_staged.filter(user=user)
        hidden = Prospect.with_staged.filter(
            import_batch__isnull=False, import_batch__in=unpublished_batches(user=user)
        )
        grouped = (
            every.order_by()
            .values_list("stage")
            .annotate(n=Count("pk"))
            .union(hidden.order_by().values_list("stage").annotate(n=-Count("pk")), all=True)
        )
    for stage, n in grouped:
        counts[stage] = counts.get(stage, 0) + n
    return counts


class KnownCountPaginator(Paginator):
    """A paginator told its count: the stage counts already hold it, so no COUNT query."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@dataclass(frozen=True)
class Chip:
    stage: str  # "" for all stages
    label: str
    count: int
    current: bool


@dataclass(frozen=True)
class Row:
    prospect: Prospect
    phone: str  # for display: national for the user's region, else international


@dataclass
class ProspectList:
    page: Page
    rows: list[Row]
    chips: list[Chip]
    total: int


def prospect_list(
    user: User,
    filters: Filters,
    *,
    today: date,
    page: int | str = 1,
    per_page: int = PER_PAGE,
    all_sources: list[LeadSource] | None = None,
) -> ProspectList:
    """One page of the list and the stage chips: two queries (the counts per stage, which also
    give the page count, and the page's rows with their sources), whatever the list holds;
    three for a whole phone number or email (see `searched`). `all_sources` (`sources(user)`,
    which the page's filter form reads anyway) spares the rows' join to their sources and a
    source and a category object per row."""
    base = searched(user, filters.q)
    counts = stage_counts(user, filters, today=today, base=base)
    everything = sum(counts.values())
    total = counts.get(filters.stage, 0) if filters.stage else everything
    rows = ordered(filtered(user, filters, today=today, base=base), filters.sort).defer(
        "notes", "import_key"
    )
    by_id = {source.pk: source for source in all_sources or ()}
    if not by_id:
        rows = rows.select_related("source__category")
    shown = KnownCountPaginator(rows, per_page, count=total).get_page(page)
    people = list(shown.object_list)
    for person in people:
        if person.source_id in by_id:
            person.source = by_id[person.source_id]
    chips = [Chip("", "All", everything, not filters.stage)] + [
        Chip(value, label, counts[value], filters.stage == value)
        for value, label in Stage.choices
        if counts[value] or filters.stage == value
    ]
    region = user.phone_region
    return ProspectList(
        page=shown,
        rows=[Row(p, display_phone(p.phone, region)) for p in people],
        chips=chips,
        total=total,
    )


def sources(user: User, *, include_archived: bool = True) -> list[LeadSource]:
    """The user's lead sources with their categories, "Unknown" first."""
    rows = LeadSource.objects.filter(user=user).select_related("category")
    if not include_archived:
        rows = rows.filter(archived=False)
    return sorted(rows, key=lambda s: (not s.is_unknown, s.archived, s.label.lower()))


def export_rows(user: User, filters: Filters, *, today: date) -> QuerySet[Prospect]:
    """Every prospect of the current search and filters, in the list's order, for the CSV."""
    return ordered(filtered(user, filters, today=today), filters.sort).select_related(
        "source__category"
    )


def merge_candidates(user: User, prospect: Prospect, q: str, *, limit: int = 20) -> list[Prospect]:
    """Prospects to merge with: the search's matches, or without a search the ones sharing an
    email or phone, never the prospect itself."""
    if q.strip():
        rows = Prospect.objects.filter(user=user).filter(
            search_condition(q, region=user.phone_region)
        )
        rows = rows.exclude(pk=prospect.pk).select_related("source__category")
        return list(ordered(rows, DEFAULT_SORT)[:limit])
    return services.find_duplicates(
        user, email=prospect.email, phone=prospect.phone, exclude=prospect.pk
    )


# --- the card's timeline -------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    """One line of a prospect's history. `kind` is the row type (event, appointment, activity,
    income); `pk` its id, for links; `all_day` when only a date is known (income)."""

    at: datetime
    kind: str
    title: str
    detail: str = ""
    pk: int | None = None
    status: str = ""
    end: datetime | None = None
    all_day: bool = False


@dataclass
class Timeline:
    items: list[TimelineItem]
    # True when older lines were left out (TIMELINE_LIMIT).
    truncated: bool


def _event_item(event: Event) -> TimelineItem:
    labels = dict(Stage.choices)
    if event.kind == Event.Kind.CREATED:
        stage = labels.get(event.to_stage, "")
        title = f"Added as {stage}" if stage else "Added"
    elif event.kind == Event.Kind.STAGE:
        old = labels.get(event.from_stage, event.from_stage)
        new = labels.get(event.to_stage, event.to_stage)
        title = f"Stage: {old} → {new}"
    else:
        title = Event.Kind(event.kind).label
    return TimelineItem(at=event.at, kind=f"event-{event.kind}", title=title, detail=event.text)


def timeline(prospect: Prospect, *, tz: ZoneInfo, limit: int | None = TIMELINE_LIMIT) -> Timeline:
    """Everything that happened with a prospect, newest first: history events, appointments,
    time entries linked to them and income. Four queries, whatever the history's length; with
    a limit each reads at most limit + 1 rows, which is enough to know the newest `limit`."""
    cut = None if limit is None else limit + 1
    events = list(prospect.events.order_by("-at", "-pk")[:cut])
    appointments = list(prospect.appointments.order_by("-start", "-pk")[:cut])
    links = list(
        prospect.time_links.select_related("activity__category").order_by(
            "-activity__start", "-pk"
        )[:cut]
    )
    incomes = list(prospect.incomes.order_by("-date", "-pk")[:cut])

    items = [_event_item(e) for e in events]
    for a in appointments:
        items.append(
            TimelineItem(
                at=a.start,
                kind="appointment",
                title=f"Call · {a.get_status_display()}",
                detail=a.note,
                pk=a.pk,
                status=a.status,
                end=a.end,
            )
        )
    for link in links:
        entry = link.activity
        minutes = timekit.format_minutes(entry.seconds) if entry.end else "running"
        items.append(
            TimelineItem(
                at=entry.start,
                kind="activity",
                title=f"{entry.category.name} · {minutes}",
                detail=entry.note,
                pk=entry.pk,
                status=entry.category.tier,
                end=entry.end,
            )
        )
    for income in incomes:
        # Income has only a date: on the day it was entered it sorts at its entry time,
        # otherwise at the start of its day.
        if timekit.local_date(income.created_at, tz) == income.date:
            at = income.created_at
        else:
            at = timekit.local_midnight(income.date, tz)
        items.append(
            TimelineItem(
                at=at,
                kind="income",
                title=f"Income · {income.amount} {income.currency} ({income.get_kind_display()})",
                detail=income.note,
                pk=income.pk,
                status=income.kind,
                all_day=True,
            )
        )
    items.sort(key=lambda item: item.at, reverse=True)
    truncated = limit is not None and len(items) > limit
    return Timeline(items=items[:limit] if limit is not None else items, truncated=truncated)


def namesakes(user: User, text: str, *, limit: int = 5) -> list[Prospect]:
    """The user's prospects a name typed into a booking form may mean: the same name (any case
    or spacing), or the same email or phone when the text is one. Booking such a text asks
    which one before a second prospect is made."""
    name = " ".join((text or "").split())
    if not name:
        return []
    condition = Q(name__iexact=name)
    # The email and phone by the rule the booking page and the lead import follow.
    email, phone = match_keys(name if "@" in name else "", name, region=user.phone_region)
    if email:
        condition |= Q(email_key=email)
    if phone:
        condition |= Q(phone=phone)
    return list(
        Prospect.objects.filter(condition, user=user)
        .select_related("source")
        .order_by("pk")[:limit]
    )


def suggestions(user: User, text: str, *, limit: int = 8) -> list[Prospect]:
    """Prospects whose name, email or phone fits what is typed so far: those with exactly the
    typed name first (so a namesake is never cut off by the limit), then by name."""
    name = " ".join((text or "").split())
    if not name:
        return []
    exact_first = Case(When(name__iexact=name, then=Value(0)), default=Value(1))
    rows = searched(user, text).order_by(exact_first, "name", "pk")
    return list(rows[:limit])
