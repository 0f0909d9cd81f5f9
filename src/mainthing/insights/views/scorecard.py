"""A placeholder so the insights URLs import on the `review` branch: the lead's scorecard and
review pages replace this file at merge."""

from django.http import HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def scorecard(request):
    return HttpResponse("scorecard")


@require_safe
def review(request):
    return HttpResponse("review")


@require_safe
def table_csv(request, table: str):
    return HttpResponse(table)
