from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from mainthing.activity.models import Activity, Category
from mainthing.core.models import ImportProgress, Staged


class Stage(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    BOOKED = "booked", "Booked"
    PRESENTED = "presented", "Presented"
    FOLLOW_UP = "follow_up", "Follow-up"
    JOINED = "joined", "Joined"
    DECLINED = "declined", "Declined"
    AFFILIATE_OFFERED = "affiliate_offered", "Affiliate offered"
    AFFILIATE_JOINED = "affiliate_joined", "Affiliate joined"


# The longest notes a prospect or one line of their history holds (a page of text; a 4 MB note
# made a 4 MB card). Forms, services and the lead importer hold to it (core.limits).
NOTES_MAX_LENGTH = 10_000

# Stages where nobody needs calling again: a follow-up date on them is dropped.
CLOSED_STAGES = frozenset({Stage.JOINED, Stage.AFFILIATE_JOINED})


class LeadSource(models.Model):
    """Where prospects come from: a lead-gen category plus a campaign, with a short key for
    links (`?src=key`). The one source without a category is "Unknown"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT)
    campaign = models.CharField(max_length=120)
    key = models.SlugField(max_length=32)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category__position", "campaign"]
        constraints = [
            models.UniqueConstraint("user", Lower("key"), name="lead_source_key_unique_per_user"),
            models.UniqueConstraint(
                "user", "category", Lower("campaign"), name="lead_source_unique_per_user"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_unknown(self) -> bool:
        return self.category_id is None

    @property
    def label(self) -> str:
        if self.category_id is None:
            return "Unknown"
        return f"{self.category.name} / {self.campaign}"


class Spend(models.Model):
    """Money spent on a paid source on one date (PPC, boosted posts)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    source = models.ForeignKey(LeadSource, on_delete=models.CASCADE, related_name="spends")
    date = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="spend_positive")]

    def __str__(self) -> str:
        return f"{self.amount} on {self.date}"


class Prospect(Staged):
    """A person to talk to. The phone is stored in E.164 and the email lower-cased in
    `email_key`, so duplicates and phone searches are index lookups."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=120)
    email = models.CharField(max_length=254, blank=True)
    email_key = models.CharField(max_length=254, blank=True, editable=False)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164")
    social = models.CharField("social handle", max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    source = models.ForeignKey(LeadSource, on_delete=models.PROTECT, related_name="prospects")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.NEW)
    follow_up_on = models.DateField(null=True, blank=True)
    # ",tag one,tag two," so a tag filter is one `contains` on the row, without a join.
    tags = models.CharField(max_length=500, blank=True)
    notes = models.TextField(blank=True, max_length=NOTES_MAX_LENGTH)
    # Fingerprint of an imported row, so importing the same file twice adds nothing.
    import_key = models.CharField(max_length=40, null=True, blank=True)  # noqa: DJ001 (NULL: not imported)
    created_at = models.DateTimeField()
    stage_changed_at = models.DateTimeField()
    last_contacted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="prospect_stage_valid"
            ),
            models.UniqueConstraint(
                fields=["user", "import_key"],
                condition=Q(import_key__isnull=False),
                name="prospect_import_key_unique",
            ),
        ]
        indexes = [
            # Newest first (the list), and the leads a span brought per source and stage
            # (insights' cohort): the source, the stage and the import batch ride in the
            # index, so a year of leads is counted without reading a row.
            models.Index(
                fields=["user", "-created_at", "source", "stage", "import_batch"],
                name="prospect_user_created_cohort",
            ),
            # The stage filters, and the call queue: new leads oldest first, "no"s by when
            # they said it.
            models.Index(
                fields=["user", "stage", "created_at"], name="prospect_user_stage_created"
            ),
            models.Index(
                fields=["user", "stage", "stage_changed_at"], name="prospect_user_stage_changed"
            ),
            # Follow-ups due (Today's count, the call queue, the list's filter): the stage and
            # the import batch ride in the index, so counting the due ones reads no row.
            models.Index(
                fields=["user", "follow_up_on", "stage", "import_batch"],
                name="prospect_user_follow_up_stage",
            ),
            models.Index(fields=["user", "phone"], name="prospect_user_phone"),
            models.Index(fields=["user", "email_key"], name="prospect_user_email"),
            models.Index(fields=["user", "source"], name="prospect_user_source"),
            # Finds an import's rows to delete them when it is discarded.
            models.Index(
                fields=["import_batch"],
                condition=Q(import_batch__isnull=False),
                name="prospect_import_batch",
            ),
            # The list sorted by name, page after page.
            models.Index("user", Lower("name"), name="prospect_user_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else ""


class Event(models.Model):
    """One line of a prospect's history that has no row of its own elsewhere: a stage change,
    a note, a follow-up done or snoozed, a merge."""

    class Kind(models.TextChoices):
        CREATED = "created", "Added"
        STAGE = "stage", "Stage changed"
        NOTE = "note", "Note"
        FOLLOW_UP = "follow_up", "Follow-up"
        MERGE = "merge", "Merged"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField()
    from_stage = models.CharField(max_length=20, blank=True)
    to_stage = models.CharField(max_length=20, blank=True)
    text = models.TextField("note", blank=True, max_length=NOTES_MAX_LENGTH)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["prospect", "-at"], name="event_prospect_at")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class ProspectTime(models.Model):
    """Links a time entry to the prospect it was spent on (`start --prospect ID`, a completed
    call). Kept here rather than on Activity because the ledger sits below prospects."""

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="prospect_link"
    )
    prospect = models.ForeignKey(Prospect, on_delete=models.CASCADE, related_name="time_links")

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.prospect_id}"


class IncomeKind(models.TextChoices):
    ENROLLMENT = "enrollment", "Enrollment"
    PRODUCT = "product", "Product"
    AFFILIATE = "affiliate", "Affiliate"
    OTHER = "other", "Other"


class Income(models.Model):
    """Money earned on a date, optionally from one prospect."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    date = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    kind = models.CharField(max_length=12, choices=IncomeKind.choices, default=IncomeKind.OTHER)
    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.SET_NULL, related_name="incomes"
    )
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="income_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=IncomeKind.values), name="income_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "-date"], name="income_user_date")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} on {self.date}"


class ColumnMapping(models.Model):
    """The column mapping a user chose for a header set, offered again for the next file."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    headers_key = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "headers_key"], name="column_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"mapping {self.headers_key[:8]}"


class LeadImport(ImportProgress):
    """A lead CSV on its way in: checked, mapped, previewed, then applied all at once."""

    class Status(models.TextChoices):
        MAPPING = "mapping", "Choose the columns"
        VALIDATING = "validating", "Checking the file"
        INVALID = "invalid", "The file has errors"
        READY = "ready", "Ready to import"
        APPLYING = "applying", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.MAPPING)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    headers = models.JSONField(default=list, blank=True)
    # Whether the first row holds column names, as the user said; None: detected from the file.
    has_header = models.BooleanField(null=True, blank=True)
    # {column index as text: field name}
    mapping = models.JSONField(default=dict, blank=True)
    source = models.ForeignKey(LeadSource, null=True, blank=True, on_delete=models.SET_NULL)
    created_count = models.PositiveIntegerField(default=0)
    duplicate_in_file = models.PositiveIntegerField(default=0)
    existing_count = models.PositiveIntegerField(default=0)

    class Meta(ImportProgress.Meta):
        pass
