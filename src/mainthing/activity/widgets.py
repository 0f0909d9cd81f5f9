"""HTML pieces of the Today page that repeat per row, built in Python: Django's template
engine spends most of Today's render time resolving variables in these loops."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from mainthing.core import timekit

OVERRIDE_BADGE = format_html(
    ' <span class="badge" title="{}">override</span>',
    "Started in prospecting time after being asked",
)


def entry_rows(entries, *, tz, edit_url: str) -> SafeString:
    """<li> rows of finished entries: times in `tz`, duration, edit link. Text is escaped."""
    return format_html_join(
        "\n",
        '<li class="tier-{}"><span class="when">{}&ndash;{}</span><span class="what">{}{}{}</span>'
        '<span class="dur">{}</span><a href="{}" class="edit">Edit</a></li>',
        (
            (
                e.category.tier,
                f"{e.start.astimezone(tz):%H:%M}",
                f"{e.end.astimezone(tz):%H:%M}",
                e.category.name,
                f" · {e.prospect_name}" if e.prospect_name else "",
                OVERRIDE_BADGE if e.iga_override else "",
                timekit.format_minutes(e.seconds),
                edit_url.format(e.pk),
            )
            for e in entries
        ),
    )


def start_buttons(categories, *, running_category_id: int | None) -> SafeString:
    """One <button> per category for the single start form; the running one is pressed."""
    return format_html_join(
        "\n",
        '<button class="start tier-{}" name="category" value="{}"{}>{}</button>',
        (
            (
                c.tier,
                c.pk,
                SafeString(' aria-pressed="true"') if c.pk == running_category_id else "",
                c.name,
            )
            for c in categories
        ),
    )
