from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower

from mainthing.core.enums import Tier
from mainthing.core.models import ImportProgress, Staged

# Entries longer than this are rare (a forgotten timer); overlap checks look them up separately
# so the common query stays a short index range scan on (user, start).
LONG_ENTRY_SECONDS = 24 * 3600


class Category(Staged):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    tier = models.CharField(max_length=10, choices=Tier.choices)
    name = models.CharField(max_length=60)
    color = models.CharField(max_length=7, default="#64748b")
    archived = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint("user", Lower("name"), name="category_name_unique_per_user"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="category_tier_valid"),
        ]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    @property
    def is_income(self) -> bool:
        return self.tier == Tier.INCOME


class Origin(models.TextChoices):
    TIMER = "timer", "Timer"
    MANUAL = "manual", "Manual entry"
    IMPORT = "import", "Import"
    APPOINTMENT = "appointment", "Appointment"


class Activity(Staged):
    """A time entry. `end` is empty while its timer runs; `seconds` is the real elapsed time,
    kept on the row because reports sum it over millions of entries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, on_delete=models.PROTECT)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    seconds = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=500, blank=True)
    prospect_name = models.CharField(max_length=120, blank=True)
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.TIMER)
    iga_override = models.BooleanField(
        default=False, help_text="Started busy work in prospecting time after being asked."
    )
    # Fingerprint of an imported row, so importing the same file twice adds nothing.
    import_key = models.CharField(max_length=40, null=True, blank=True)  # noqa: DJ001 (NULL: not imported)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(end__isnull=True), name="one_running_timer_per_user"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=F("start")),
                name="activity_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["user", "import_key"],
                condition=Q(import_key__isnull=False),
                name="activity_import_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "start"], name="activity_user_start"),
            models.Index(
                fields=["user", "start"],
                condition=Q(seconds__gt=LONG_ENTRY_SECONDS),
                name="activity_long_entries",
            ),
            # Finds an import's rows to delete them when it is discarded.
            models.Index(
                fields=["import_batch"],
                condition=Q(import_batch__isnull=False),
                name="activity_import_batch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.end is None


class DayTotal(models.Model):
    """Seconds per user, local day and category, kept by the services on every write.

    All-time and weekly reports read these few thousand rows instead of every entry; an entry
    across local midnight counts on both days. The running timer is never in here.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    day = models.DateField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE)
    seconds = models.BigIntegerField(default=0)
    entries = models.PositiveIntegerField(default=0)
    # What insights count over a year without reading a year of entries. Counted on the day an
    # entry starts, like `entries`: conversations (services.CONVERSATION_MIN_SECONDS' rule), the
    # pre-scheduled ones among them (a completed appointment's entry), and busy work started in
    # prospecting time after the IGA question (`iga_override`), with its seconds split by day.
    conversations = models.PositiveIntegerField(default=0)
    prescheduled = models.PositiveIntegerField(default=0)
    overrides = models.PositiveIntegerField(default=0)
    override_seconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day", "category"], name="day_total_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.category_id}: {self.seconds}s"


class ImportJob(ImportProgress):
    class Status(models.TextChoices):
        VALIDATING = "validating", "Checking the file"
        INVALID = "invalid", "The file has errors"
        READY = "ready", "Ready to import"
        APPLYING = "applying", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    class Format(models.TextChoices):
        CSV = "csv", "Mainthing CSV"
        WATSON = "watson", "Watson frames (JSON)"
        TOGGL = "toggl", "Toggl Track detailed CSV"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    format = models.CharField(max_length=10, choices=Format.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALIDATING)
    new_categories = models.JSONField(default=list, blank=True)
    tier_map = models.JSONField(default=dict, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)

    class Meta(ImportProgress.Meta):
        pass
