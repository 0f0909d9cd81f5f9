"""The call queue's rows: call scripts per stage, call sessions (a power hour) and the dials
made in them, and the prospects put off until later today."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from mainthing.activity.models import Activity
from mainthing.bookings.models import Appointment
from mainthing.prospects.models import LeadSource, Prospect, Stage

SCRIPT_MAX_LENGTH = 5_000
# A session with no action for this long has ended (the user walked away); the next action
# starts a new one, and the old one ends at its last action.
IDLE_MINUTES = 30


class Outcome(models.TextChoices):
    TALKED = "talked", "Talked"
    NO_ANSWER = "no_answer", "No answer"
    MESSAGE = "message", "Left a message"
    BOOKED = "booked", "Booked"
    DECLINED = "declined", "Not interested"


# A dial where somebody answered: the session's conversations.
CONVERSATIONS = frozenset({Outcome.TALKED, Outcome.BOOKED, Outcome.DECLINED})
# A dial where nobody answered: an attempt, never a conversation (no entry stays in the ledger).
UNANSWERED = frozenset({Outcome.NO_ANSWER, Outcome.MESSAGE})


class Script(models.Model):
    """What the user says to a prospect at one stage. Without one the queue shows a starter."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    stage = models.CharField(max_length=20, choices=Stage.choices)
    text = models.TextField("script", max_length=SCRIPT_MAX_LENGTH)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stage"]
        constraints = [
            models.UniqueConstraint(fields=["user", "stage"], name="script_unique_per_stage"),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="script_stage_valid"),
        ]

    def __str__(self) -> str:
        return f"script for {self.stage}"


class CallSession(models.Model):
    """One sitting of calls, from "Start calling" to "Finish" (or the last action, when the
    user walked away). `skipped` keeps the prospects passed over, in order, for the end."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # New leads from this source come first in this session.
    source = models.ForeignKey(LeadSource, null=True, blank=True, on_delete=models.SET_NULL)
    skipped = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(ended_at__isnull=True), name="one_open_call_session"
            ),
        ]
        indexes = [models.Index(fields=["user", "-started_at"], name="call_session_user_started")]

    def __str__(self) -> str:
        return f"calls from {self.started_at:%Y-%m-%d %H:%M}"


class CallAttempt(models.Model):
    """One dial: whom, when, what came of it (blank while the call runs) and the rows it left:
    the timer entry of a conversation, the appointment it booked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    session = models.ForeignKey(CallSession, on_delete=models.CASCADE, related_name="attempts")
    # Kept when the prospect is deleted (forgotten): the session's counts stay true.
    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.SET_NULL, related_name="call_attempts"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="call_attempts"
    )
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="call_attempts"
    )
    # The prospect's last contact before this dial: the timer's link marks a contact when the
    # call starts, and an unanswered dial puts this back.
    contacted_before = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=[*Outcome.values, ""]), name="call_attempt_outcome_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["session", "started_at"], name="call_attempt_session"),
            models.Index(fields=["prospect", "-started_at"], name="call_attempt_prospect"),
            models.Index(fields=["user", "started_at"], name="call_attempt_user_started"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome or 'dial'} at {self.started_at:%Y-%m-%d %H:%M}"


class Postponement(models.Model):
    """ "Later today": the prospect stays out of the queue until `until`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    # One per prospect. Not a many-to-one: merging two prospects moves every many-to-one row
    # to the one kept, where a second postponement would clash; the merged-away one's goes.
    prospect = models.OneToOneField(Prospect, on_delete=models.CASCADE, related_name="+")
    until = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "until"], name="postponement_user_until")]

    def __str__(self) -> str:
        return f"later until {self.until:%Y-%m-%d %H:%M}"
