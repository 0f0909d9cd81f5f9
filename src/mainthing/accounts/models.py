from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A marketer. The profile lives on the row: every page needs the zone and the goals, and
    one row read beats a join on each request."""

    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    goal_iga_minutes = models.PositiveIntegerField(
        "daily goal: income-generating minutes", default=120
    )
    goal_conversations = models.PositiveIntegerField("daily goal: conversations", default=4)
    nudge_minutes = models.PositiveIntegerField(
        "ask again after this many minutes of busy work", default=25
    )
    fill_threshold = models.PositiveIntegerField(
        "warn when the coming days are booked under this %", default=70
    )
    fill_window_days = models.PositiveIntegerField("days ahead the fill rate looks at", default=3)
    # Phones typed without a country code are read as numbers of this region.
    phone_region = models.CharField("default phone region", max_length=2, default="US")
    currency = models.CharField("currency", max_length=3, default="USD")
    # The first-run checklist on Today: when the user hid it, and when they said they had
    # shared their booking link (a booking through the page says so too; see bookings/firstrun).
    checklist_hidden_at = models.DateTimeField(null=True, blank=True)
    booking_link_shared_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]
