from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from mainthing.activity.models import Activity
from mainthing.prospects.models import Prospect

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
