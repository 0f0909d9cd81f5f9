from django import template

from mainthing.core import navigation, timekit

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


@register.simple_tag(takes_context=True)
def current_tab(context) -> str:
    """The phone tab bar's tab for this page (core.navigation.current_tab)."""
    return navigation.current_tab(context["request"], nav=context.get("nav", ""))
