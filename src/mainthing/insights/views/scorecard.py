"""The insights pages: the scorecard (`/insights/`), its tables as CSV, the weekly review."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from mainthing.core import timekit

from .. import panels, periods, queries
from ..forms import RangeForm
from ..review import weekly_review
from . import settings as settings_views


def _range(request) -> tuple[RangeForm, periods.Range]:
    user = request.user
    today = timekit.local_date(timezone.now(), timekit.zone(user.time_zone))
    form = RangeForm(request.GET or None)
    return form, form.chosen(today)


def _funnel_source(request) -> int | None:
    """The lead source the funnel is narrowed to (`?funnel=<id>`); the scorecard checks that it
    is one of the user's."""
    value = request.GET.get("funnel", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _funnel_links(request, card) -> list[tuple[str, str, bool]]:
    """(label, URL, current) of the funnel's choices: all sources, then each with leads."""
    links = []
    for pk, label in [(None, "All sources"), *card.funnel_sources]:
        query = request.GET.copy()
        query.pop("funnel", None)
        if pk is not None:
            query["funnel"] = pk
        links.append((label, f"?{query.urlencode()}#panel-funnel", pk == card.funnel_source))
    return links


@login_required
@require_safe
def scorecard(request):
    form, chosen = _range(request)
    card = queries.scorecard(
        request.user, chosen, now=timezone.now(), funnel_source=_funnel_source(request)
    )
    context = {
        "funnel_links": _funnel_links(request, card),
        "card": card,
        "form": form,
        "ranges": periods.RANGES,
        "headlines": panels.headlines(card),
        "panels": panels.panels(card),
        "query": request.GET.urlencode(),
        **settings_views.forms_for(request.user, card.settings),
    }
    return render(request, "insights/scorecard.html", context)


@login_required
@require_safe
def table_csv(request, table: str):
    """One table of the scorecard as CSV, for the range in the query string: the numbers the
    page shows, as `tables.plain()` writes them, formula cells neutralized."""
    _, chosen = _range(request)
    card = queries.scorecard(
        request.user, chosen, now=timezone.now(), funnel_source=_funnel_source(request)
    )
    found = card.tables.get(table)
    if found is None:
        raise Http404("No such table.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"mainthing-{table}-{chosen.first:%Y%m%d}-{chosen.last:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    found.write_csv(response)
    return response


@login_required
@require_safe
def review(request):
    context = {
        "review": weekly_review(request.user, now=timezone.now()),
        **settings_views.forms_for(request.user),
    }
    return render(request, "insights/review.html", context)
