from django.db import models


class RateBucket(models.Model):
    """A token bucket per (scope, hashed key). Lives in the database so limits hold without Redis
    and across every worker process."""

    key = models.CharField(max_length=80, unique=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
