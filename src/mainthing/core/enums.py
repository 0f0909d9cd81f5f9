from django.db import models


class Tier(models.TextChoices):
    """The three fixed kinds of work. Shared by routines (below activity) and the ledger."""

    INCOME = "income", "Income-generating"
    LEADGEN = "leadgen", "Lead generation"
    OTHER = "other", "Busy work"
