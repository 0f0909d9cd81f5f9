"""A factory for every model, and helpers that write through the services where a business
rule keeps other rows right (`entry` keeps day totals, `block` the routine's checks).

The factories write rows as they are, with the fewest fields a valid row needs; related rows
belong to the same user. Pass fields for what a test is about.
"""

import hashlib
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import factory

from mainthing.accounts.models import User
from mainthing.activity import services as activity_services
from mainthing.activity.models import Activity, Category, DayTotal, ImportJob
from mainthing.bookings.models import (
    Appointment,
    BookingPage,
    CallbackRequest,
    Change,
    FeedToken,
    Mail,
    ManageLink,
    Reminder,
    SlotHold,
)
from mainthing.calls.models import CallAttempt, CallSession, Postponement, Script
from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.core.models import ImportBatch, RateBucket
from mainthing.insights.models import InsightSettings
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import (
    ColumnMapping,
    Event,
    Income,
    LeadImport,
    LeadSource,
    Prospect,
    ProspectTime,
    Spend,
)
from mainthing.routine import services as routine_services
from mainthing.routine.models import Block, BlockException

PASSWORD = "correct horse battery staple"
# Rows that need an instant get this one unless a test passes its own; a fixed instant keeps
# them the same from run to run.
INSTANT = datetime(2026, 6, 10, 15, 0, tzinfo=UTC)
SAME_USER = factory.SelfAttribute("..user")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("first_name")
    time_zone = "UTC"
    # An account made long before any test's frozen "now": the feed starts at the account's
    # first day. Tests about a new account give date_joined themselves.
    date_joined = datetime(2020, 1, 1, tzinfo=UTC)

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            activity_services.set_up_default_categories(obj)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    user = factory.SubFactory(UserFactory)
    tier = Tier.OTHER
    name = factory.Sequence(lambda n: f"Category {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    """A finished time entry, written as a row: day totals are not kept (use `entry` for that)."""

    class Meta:
        model = Activity

    user = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory, user=SAME_USER)
    start = INSTANT
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=30))
    seconds = factory.LazyAttribute(lambda o: int((o.end - o.start).total_seconds()))


class DayTotalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DayTotal

    user = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory, user=SAME_USER)
    day = INSTANT.date()
    seconds = 1800
    entries = 1


class ImportJobFactory(factory.django.DjangoModelFactory):
    """A time import waiting to be checked; `path` names no real file unless a test passes one."""

    class Meta:
        model = ImportJob

    user = factory.SubFactory(UserFactory)
    format = ImportJob.Format.CSV
    filename = "entries.csv"
    path = "/nowhere"
    size = 100


class ImportBatchFactory(factory.django.DjangoModelFactory):
    """An import batch being written, its heartbeat fresh at INSTANT (rows name it in
    `import_batch`)."""

    class Meta:
        model = ImportBatch

    user = factory.SubFactory(UserFactory)
    kind = "activities"
    heartbeat_at = INSTANT


class BlockFactory(factory.django.DjangoModelFactory):
    """A prospecting block every evening in the user's zone (`block` checks overlaps too)."""

    class Meta:
        model = Block

    user = factory.SubFactory(UserFactory)
    tier = Tier.INCOME
    weekdays = "1111111"
    start = time(19, 0)
    end = time(21, 0)
    time_zone = factory.SelfAttribute("user.time_zone")


class BlockExceptionFactory(factory.django.DjangoModelFactory):
    """A skipped day of a block."""

    class Meta:
        model = BlockException

    block = factory.SubFactory(BlockFactory)
    date = INSTANT.date()


class LeadSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadSource

    user = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory, user=SAME_USER, tier=Tier.INCOME)
    campaign = factory.Sequence(lambda n: f"Campaign {n}")
    key = factory.Sequence(lambda n: f"src{n}")


class SpendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Spend

    user = factory.SubFactory(UserFactory)
    source = factory.SubFactory(LeadSourceFactory, user=SAME_USER)
    date = INSTANT.date()
    amount = Decimal("10.00")


class ProspectFactory(factory.django.DjangoModelFactory):
    """A prospect row as it stands: no "Added" event, no duplicate check, the phone as given
    (E.164). `prospects.services.add_prospect` does all that where a test needs it."""

    class Meta:
        model = Prospect

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Prospect {n}")
    email = ""
    # In step with the email, as the services keep it: duplicates are found by this key.
    email_key = factory.LazyAttribute(lambda o: o.email.strip().lower())
    source = factory.SubFactory(LeadSourceFactory, user=SAME_USER)
    created_at = INSTANT
    stage_changed_at = factory.SelfAttribute("created_at")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    prospect = factory.SubFactory(ProspectFactory)
    user = factory.SelfAttribute("prospect.user")
    kind = Event.Kind.NOTE
    at = INSTANT
    text = "A note"


class ProspectTimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProspectTime

    activity = factory.SubFactory(ActivityFactory)
    prospect = factory.SubFactory(ProspectFactory, user=factory.SelfAttribute("..activity.user"))


class IncomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Income

    user = factory.SubFactory(UserFactory)
    date = INSTANT.date()
    amount = Decimal("10.00")
    currency = factory.SelfAttribute("user.currency")


class ColumnMappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ColumnMapping

    user = factory.SubFactory(UserFactory)
    headers_key = factory.Sequence(lambda n: hashlib.sha256(str(n).encode()).hexdigest())
    mapping = factory.LazyFunction(lambda: {"0": "name"})


class LeadImportFactory(factory.django.DjangoModelFactory):
    """A lead import waiting for its mapping; `path` names no real file unless a test passes one."""

    class Meta:
        model = LeadImport

    user = factory.SubFactory(UserFactory)
    filename = "leads.csv"
    path = "/nowhere"
    size = 100


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A 30-minute call written as a row: no overlap or prospecting-time check (`book` does
    those)."""

    class Meta:
        model = Appointment

    user = factory.SubFactory(UserFactory)
    prospect_name = factory.LazyAttribute(lambda o: o.prospect.name if o.prospect else "Ann Lee")
    prospect = None
    start = INSTANT
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=30))


class FeedTokenFactory(factory.django.DjangoModelFactory):
    """A feed token's row; only a hash is stored, so tests that open the feed call
    `bookings.feeds.rotate_feed_token` for a raw token."""

    class Meta:
        model = FeedToken

    user = factory.SubFactory(UserFactory)
    token_hash = factory.Sequence(lambda n: hashlib.sha256(f"token {n}".encode()).hexdigest())
    created_at = INSTANT


class BookingPageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookingPage

    user = factory.SubFactory(UserFactory)
    slug = factory.Sequence(lambda n: f"page-{n}")


class SlotHoldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlotHold

    user = factory.SubFactory(UserFactory)
    holder = factory.Sequence(lambda n: hashlib.sha256(f"holder {n}".encode()).hexdigest())
    start = INSTANT
    end = factory.LazyAttribute(lambda o: o.start + timedelta(minutes=30))
    expires_at = factory.LazyAttribute(lambda o: o.start)


class ManageLinkFactory(factory.django.DjangoModelFactory):
    """A manage link's row; tests that open the page call `bookings.managelinks.issue`."""

    class Meta:
        model = ManageLink

    appointment = factory.SubFactory(AppointmentFactory)
    token_hash = factory.Sequence(lambda n: hashlib.sha256(f"link {n}".encode()).hexdigest())
    created_at = INSTANT


class ChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Change

    appointment = factory.SubFactory(AppointmentFactory)
    kind = Change.Kind.BOOKED
    by = Change.By.USER
    at = INSTANT


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reminder

    appointment = factory.SubFactory(AppointmentFactory)
    to = Reminder.To.PROSPECT
    minutes_before = 60
    due_at = factory.LazyAttribute(lambda o: o.appointment.start - timedelta(minutes=60))


class MailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mail

    user = factory.SubFactory(UserFactory)
    kind = "booked"
    to = "ann@example.com"
    subject = "Your call is booked"
    text = "See you then."
    next_attempt_at = INSTANT
    created_at = INSTANT


class CallbackRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallbackRequest

    user = factory.SubFactory(UserFactory)
    created_at = INSTANT


class RateBucketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RateBucket

    key = factory.Sequence(lambda n: f"test:{n}")
    tokens = 10.0
    updated_at = INSTANT


class ScriptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Script

    user = factory.SubFactory(UserFactory)
    stage = "new"
    text = "Hi {first_name}, you asked about the business."


class CallSessionFactory(factory.django.DjangoModelFactory):
    """A session going on since INSTANT (no action since)."""

    class Meta:
        model = CallSession

    user = factory.SubFactory(UserFactory)
    started_at = INSTANT
    last_seen_at = factory.SelfAttribute("started_at")


class CallAttemptFactory(factory.django.DjangoModelFactory):
    """A dial nobody answered, written as a row (`calls.services` keeps the prospect right)."""

    class Meta:
        model = CallAttempt

    session = factory.SubFactory(CallSessionFactory)
    user = factory.SelfAttribute("session.user")
    prospect = factory.SubFactory(ProspectFactory, user=SAME_USER)
    outcome = "no_answer"
    started_at = factory.SelfAttribute("session.started_at")
    ended_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(seconds=40))


class PostponementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Postponement

    prospect = factory.SubFactory(ProspectFactory)
    user = factory.SelfAttribute("prospect.user")
    until = INSTANT + timedelta(hours=2)


class InsightSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsightSettings

    user = factory.SubFactory(UserFactory)
    income_goal = Decimal("3000.00")


def category(user, name: str) -> Category:
    return Category.objects.get(user=user, name=name)


def entry(user, name: str, start: datetime, minutes: int, **fields) -> Activity:
    """A finished entry written through the service, so day totals stay right."""
    end = start + timedelta(minutes=minutes)
    return activity_services.add_entry(
        user,
        category(user, name),
        start=start,
        end=end,
        now=max(end, datetime.now(UTC)),
        allow_overlap=True,
        **fields,
    )


def new_prospect(user, name: str = "Ann Lee", *, at: datetime, **fields) -> Prospect:
    """A prospect added through the service at `at` (contact cleaned, "Added" event, duplicate
    check). `source`, `stage`, `follow_up_on` and `allow_duplicate` go to the service; the other
    fields are the contact (email, phone, social, tags...)."""
    options = {
        k: fields.pop(k)
        for k in ("source", "stage", "follow_up_on", "allow_duplicate")
        if k in fields
    }
    contact = prospect_services.clean_contact(user, name=name, **fields)
    return prospect_services.add_prospect(user, contact, now=at, **options)


SET_UP_AT = datetime(2020, 1, 1, tzinfo=UTC)


def block(user, start: str, end: str, *, tier: str = "income", days: str = "daily"):
    """A weekly block in the user's zone, written through the routine service, as if set up
    long ago (on 2020-01-01, the day its overlap check takes as today): the calendar feed shows
    a block only from the day it was made."""
    made = routine_services.add_block(
        user,
        tier=tier,
        days=days,
        start=time.fromisoformat(start),
        end=time.fromisoformat(end),
        today=SET_UP_AT.date(),
    )
    Block.objects.filter(pk=made.pk).update(created_at=SET_UP_AT)
    made.refresh_from_db(fields=["created_at"])
    return made


def round_the_clock(user, *, tier: str = "income"):
    """Prospecting time at every minute of every day: two blocks meeting at noon and at
    midnight (00:00-23:59 would leave the day's last minute out, and a test run then fails)."""
    return [block(user, "00:00", "12:00", tier=tier), block(user, "12:00", "00:00", tier=tier)]


def at(text: str, zone: str = "UTC") -> datetime:
    """A UTC instant from a wall-clock 'YYYY-MM-DD HH:MM' in a zone."""
    return timekit.localize(datetime.fromisoformat(text), timekit.zone(zone))
