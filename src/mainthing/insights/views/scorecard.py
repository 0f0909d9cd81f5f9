"""The insights pages: the scorecard (`/insights/`), its tables as CSV, the weekly review."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from mainthing.core import csvsafe, timekit

from .. import panels, periods, queries
from ..forms import RangeForm
from ..review import weekly_review


def _range(request) -> tuple[RangeForm, periods.Range]:
    user = request.user
    today = timekit.local_date(timezone.now(), timekit.zone(user.time_zone))
    form = RangeForm(request.GET or None)
    return form, form.chosen(today)


@login_required
@require_safe
def scorecard(request):
    form, chosen = _range(request)
    card = queries.scorecard(request.user, chosen, now=timezone.now())
    context = {
        "card": card,
        "form": form,
        "ranges": periods.RANGES,
        "headlines": panels.headlines(card),
        "panels": panels.panels(card),
        "query": request.GET.urlencode(),
    }
    return render(request, "insights/scorecard.html", context)


@login_required
@require_safe
def table_csv(request, table: str):
    """One table of the scorecard as CSV, for the range in the query string: the numbers the
    page shows, as `tables.plain()` writes them, formula cells neutralized."""
    _, chosen = _range(request)
    card = queries.scorecard(request.user, chosen, now=timezone.now())
    found = card.tables.get(table)
    if found is None:
        raise Http404("No such table.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"mainthing-{table}-{chosen.first:%Y%m%d}-{chosen.last:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csvsafe.writer(response)
    writer.writerow([c.key for c in found.columns])
    for row in found.plain_rows():
        writer.writerow(["" if cell is None else cell for cell in row])
    return response


@login_required
@require_safe
def review(request):
    return render(
        request, "insights/review.html", {"review": weekly_review(request.user, now=timezone.now())}
    )
