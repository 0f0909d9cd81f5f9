from django import template

from mainthing.core import timekit

register = template.Library()


@register.filter
def minutes(seconds) -> str:
    """Seconds as 1h 05m / 25m."""
    return timekit.format_minutes(int(seconds or 0))


@register.filter
def elapsed(start, now) -> str:
    """H:MM:SS between two instants, for a running timer before the script ticks it."""
    total = max(0, timekit.elapsed_seconds(start, now))
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
