from django.conf import settings
from django.db import models
from django.db.models import Q


class InsightSettings(models.Model):
    """What the insights pages need beyond the profile: the monthly income goal the page works
    back into conversations and lead-gen hours, and the weekly review email's schedule.

    `review_due_at` is the next instant (UTC) the review email is due, worked out from the
    weekday and hour on the user's clock; the worker's sweep claims a due row by moving it on a
    week in a guarded update, so the review goes out once per week whatever the number of
    workers. `review_sent_for` is the Monday of the last week a review was sent for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="insight_settings"
    )
    income_goal = models.DecimalField(
        "monthly income goal", max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Until there are joins with income to learn from, the goal is worked back from this.
    income_per_join = models.DecimalField(
        "what one join earns you", max_digits=12, decimal_places=2, null=True, blank=True
    )
    review_weekday = models.PositiveSmallIntegerField(null=True, blank=True)  # 0 = Monday
    review_hour = models.PositiveSmallIntegerField(default=8)
    review_due_at = models.DateTimeField(null=True, blank=True)
    review_sent_for = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "insight settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(review_weekday__isnull=True) | Q(review_weekday__lte=6),
                name="insight_review_weekday_valid",
            ),
            models.CheckConstraint(condition=Q(review_hour__lte=23), name="insight_review_hour"),
            models.CheckConstraint(
                condition=Q(income_goal__isnull=True) | Q(income_goal__gt=0),
                name="insight_income_goal_positive",
            ),
            models.CheckConstraint(
                condition=Q(income_per_join__isnull=True) | Q(income_per_join__gt=0),
                name="insight_income_per_join_positive",
            ),
        ]
        indexes = [
            models.Index(
                fields=["review_due_at"],
                condition=Q(review_due_at__isnull=False),
                name="insight_review_due",
            )
        ]

    def __str__(self) -> str:
        return f"insight settings of {self.user_id}"
