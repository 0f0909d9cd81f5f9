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


@register.filter
def mul(value, factor) -> float:
    return float(value or 0) * float(factor)


@register.filter
def fill_y(percent) -> float:
    """Top of a fill bar 50 units tall whose base sits at y=54."""
    return 54 - 50 * min(100, max(0, float(percent or 0))) / 100


@register.filter
def fill_h(percent) -> float:
    return 50 * min(100, max(0, float(percent or 0))) / 100


@register.filter
def fill(pattern: str, value) -> str:
    """'/activity/{}/edit/'|fill:7 — a URL pattern reversed once per page, filled per row."""
    return pattern.format(value)
