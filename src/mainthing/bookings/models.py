from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from mainthing.activity.models import Activity
from mainthing.prospects.models import LeadSource, Prospect

MIN_MINUTES = 15
MAX_MINUTES = 120
# A completed call takes up its real time, which may be up to a day (bookings/services.complete):
# the bound of every "which calls overlap this window" range on start.
LONGEST_CALL = timedelta(days=1)
DEFAULT_MINUTES = 30


class Status(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"


class MadeVia(models.TextChoices):
    MANUAL = "manual", "By you"
    BOOKING_PAGE = "booking_page", "Booking page"
    API = "api", "API"


# Everything but a cancelled appointment takes up its time: a completed one the time it
# really took, the others their booked time.
ACTIVE = ~Q(status=Status.CANCELLED)
# What the database keeps from overlapping: calls still to be held (or missed). A completed call
# records what happened, which may run into the next booking; it is left out.
HELD = Q(status__in=(Status.SCHEDULED, Status.NO_SHOW))


class Appointment(models.Model):
    """A scheduled conversation with a prospect. Instants in UTC; the database refuses two
    active appointments of one user at the same start (and, on PostgreSQL, any overlap)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # The name is kept on the row too: the feed, the calendar and a deleted prospect's past
    # calls show it without a join.
    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    prospect_name = models.CharField(max_length=120)
    # When the call is (or, once completed, really was) held.
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The booked time of a call completed at other times; NULL otherwise.
    booked_start = models.DateTimeField(null=True, blank=True)
    booked_end = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    made_via = models.CharField(max_length=12, choices=MadeVia.choices, default=MadeVia.MANUAL)
    note = models.CharField(max_length=500, blank=True)
    outside_blocks = models.BooleanField(
        default=False, help_text="Booked outside prospecting time after being asked."
    )
    # The income entry written when the call is completed, so IGA time counts it once.
    activity = models.OneToOneField(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointment"
    )
    # Grows on every change, for calendar clients (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    # The lead source this booking came through (the booking link's `?src=`); the prospect
    # keeps the source they first came from.
    source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    # The zone the prospect booked in: their emails, .ics files and manage page name it.
    prospect_time_zone = models.CharField(max_length=64, blank=True)
    # The key a booking form or JSON client sent, so a repeated submit books once.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "start"], condition=HELD, name="one_held_appointment_per_start"
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appointment_has_length"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="appointment_status_valid"
            ),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="appointment_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "start"], name="appointment_user_start"),
            # The fill-rate prescription counts what was booked in the last 30 days.
            models.Index(fields=["user", "created_at"], name="appointment_user_created"),
        ]

    def __str__(self) -> str:
        return f"{self.prospect_name} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def held_at_other_times(self) -> bool:
        return self.booked_start is not None

    @property
    def is_active(self) -> bool:
        return self.status != Status.CANCELLED

    @property
    def first_name(self) -> str:
        return self.prospect_name.split()[0] if self.prospect_name.strip() else ""


class FeedToken(models.Model):
    """The secret behind a user's calendar feed URL. Only a SHA-256 hash of the token is kept:
    the raw token is shown once, and rotating replaces the hash, so the old URL stops working."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"


class PhoneQuestion(models.TextChoices):
    OFF = "off", "Don't ask"
    OPTIONAL = "optional", "Optional"
    REQUIRED = "required", "Required"


class BookingPage(models.Model):
    """A user's public booking page (`/book/<slug>/`) and its rules. Free slots are offered only
    inside prospecting blocks; these settings narrow them further."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_page"
    )
    # Unique, lower-case; a changed slug frees the old one, which then answers 404.
    slug = models.SlugField(max_length=40, unique=True)
    enabled = models.BooleanField(default=True)
    intro = models.TextField(max_length=500, blank=True)
    # Call lengths offered, in minutes, as "15,30".
    lengths = models.CharField(max_length=40, default="30")
    step_minutes = models.PositiveSmallIntegerField(default=30)
    notice_minutes = models.PositiveIntegerField(default=240)
    horizon_days = models.PositiveSmallIntegerField(default=14)
    buffer_minutes = models.PositiveSmallIntegerField(default=0)
    max_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    phone_question = models.CharField(
        max_length=8, choices=PhoneQuestion.choices, default=PhoneQuestion.OPTIONAL
    )
    ask_note = models.BooleanField(default=True)
    # How long before the call the prospect may still cancel or reschedule by the link.
    cutoff_minutes = models.PositiveIntegerField(default=120)
    # Reminders to the prospect, minutes before the call, as "1440,60"; "" for none.
    reminders = models.CharField(max_length=60, default="1440,60", blank=True)
    # An optional reminder to the user, minutes before the call.
    remind_user_minutes = models.PositiveIntegerField(null=True, blank=True)
    default_source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Bookings and call-back requests the page takes in 24 hours, at most: a flood of fake
    # bookings stops here rather than filling the calendar.
    daily_cap = models.PositiveSmallIntegerField(default=30)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"/book/{self.slug}/"

    @property
    def length_list(self) -> list[int]:
        return [int(n) for n in self.lengths.split(",") if n.strip().isdigit()]

    @property
    def reminder_list(self) -> list[int]:
        return sorted(
            {int(n) for n in self.reminders.split(",") if n.strip().isdigit()}, reverse=True
        )


class SlotHold(models.Model):
    """A slot kept for one visitor for a few minutes while they fill the booking form: hidden
    from everyone else, released on booking or when it expires. `holder` is a hash of the
    visitor's session key, never the key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    holder = models.CharField(max_length=64)
    start = models.DateTimeField()
    end = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="slot_hold_user_expires")]
        constraints = [
            models.UniqueConstraint(fields=["user", "holder"], name="one_hold_per_visitor")
        ]

    def __str__(self) -> str:
        return f"hold {self.start:%Y-%m-%d %H:%M} until {self.expires_at:%H:%M}"


class ManageLink(models.Model):
    """A secret link (`/booking/<token>/`) that lets the prospect see, move or cancel their
    booking. Each email that carries a link gets a token of its own; only its hash is kept."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="manage_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"manage link of {self.appointment_id}"


class Change(models.Model):
    """One step of an appointment's history: booked, moved, cancelled, by whom."""

    class Kind(models.TextChoices):
        BOOKED = "booked", "Booked"
        MOVED = "moved", "Moved"
        CANCELLED = "cancelled", "Cancelled"

    class By(models.TextChoices):
        USER = "user", "You"
        PROSPECT = "prospect", "The prospect"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    by = models.CharField(max_length=10, choices=By.choices)
    at = models.DateTimeField()
    from_start = models.DateTimeField(null=True, blank=True)
    to_start = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} by {self.by} at {self.at:%Y-%m-%d %H:%M}"


class Reminder(models.Model):
    """A reminder email due before a call. Scheduled as data (`due_at`) and claimed with a
    guarded update (`sent_at` from NULL), so two workers never send one twice; moved with its
    call, dropped when the call is cancelled."""

    class To(models.TextChoices):
        PROSPECT = "prospect", "The prospect"
        USER = "user", "You"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    to = models.CharField(max_length=10, choices=To.choices)
    minutes_before = models.PositiveIntegerField()
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="reminder_due", condition=Q(sent_at=None))]

    def __str__(self) -> str:
        return f"reminder {self.minutes_before} min before {self.appointment_id}"


class Mail(models.Model):
    """An email about a booking, kept until it is sent: the outbox. Written in the booking's
    transaction, sent after commit by the worker, retried with back-off while the mail server
    is down, so a failed send never loses a booking and the user sees what is pending. The
    body is cleared once sent (it carries a manage link). The weekly review (insights) goes
    through it too, with no appointment."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="mails"
    )
    kind = models.CharField(max_length=30)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    ics = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="mail_due",
                condition=Q(state__in=("pending", "sending")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} mail ({self.state})"


class CallbackRequest(models.Model):
    """Someone who found no free slot on the booking page and left their contact to be called
    back: a sign on Today that the calendar is too full or too short."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.ForeignKey(
        LeadSource, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="callback_user_created")]

    def __str__(self) -> str:
        return f"call-back request {self.created_at:%Y-%m-%d}"
