from django.conf import settings
from django.db import models
from django.db.models import Q

from mainthing.core.enums import Tier

from . import occurrences


class Block(models.Model):
    """A weekly recurring time range in one tier: wall-clock times plus an IANA zone, never an
    offset. Prospecting blocks are the `income` ones."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    tier = models.CharField(max_length=10, choices=Tier.choices, default=Tier.INCOME)
    label = models.CharField(max_length=80, blank=True)
    # Seven characters, one per weekday from Monday: "1111110" is Mon-Sat.
    weekdays = models.CharField(max_length=7, default="1111110")
    start = models.TimeField()
    end = models.TimeField(help_text="Not after the start means the block runs past midnight.")
    time_zone = models.CharField(max_length=64)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    # Grows on every change to the block or its exceptions, for calendar clients (SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="block_tier_valid"),
            models.CheckConstraint(condition=~Q(start=models.F("end")), name="block_has_length"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="block_valid_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} {self.days_text} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def described(self) -> str:
        """How messages name the block: “Morning calls” 09:00 to 10:00, or by its tier when it has
        no label."""
        name = f"“{self.label}”" if self.label else f"your {self.get_tier_display()} block"
        return f"{name} {self.start:%H:%M}\N{EN DASH}{self.end:%H:%M}"

    @property
    def weekday_set(self) -> frozenset[int]:
        return frozenset(i for i, flag in enumerate(self.weekdays) if flag == "1")

    @property
    def days_text(self) -> str:
        return occurrences.format_days(self.weekday_set)

    def spec(self, exceptions: list["BlockException"] | None = None) -> occurrences.BlockSpec:
        return occurrences.BlockSpec(
            id=self.pk,
            tier=self.tier,
            weekdays=self.weekday_set,
            start=self.start,
            end=self.end,
            zone=self.time_zone,
            label=self.label,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            exceptions={
                e.date: occurrences.Exception_(skip=e.skip, start=e.start, end=e.end)
                for e in (exceptions or [])
            },
        )


class BlockException(models.Model):
    """One date's change to a block: skip it, or other hours that day."""

    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    skip = models.BooleanField(default=True)
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["block", "date"], name="one_exception_per_block_day"),
            models.CheckConstraint(
                condition=Q(skip=True) | (Q(start__isnull=False) & Q(end__isnull=False)),
                name="exception_skips_or_has_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {'skip' if self.skip else f'{self.start}-{self.end}'}"
