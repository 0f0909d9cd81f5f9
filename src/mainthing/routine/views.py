from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from mainthing.core import timekit
from mainthing.core.forms import add_service_errors
from mainthing.core.htmx import template_for

from . import queries, services
from .forms import BlockForm, ExceptionForm
from .models import Block
from .week import week_grid


@login_required
@require_http_methods(["GET", "POST"])
def routine(request):
    user = request.user
    now = timezone.now()
    today = services.now_local_date(user, now)
    form = BlockForm(request.POST or None, initial={"time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_block(user, **form.block_fields(), today=today)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Block added.")
            return redirect("routine:edit")
    blocks = list(Block.objects.filter(user=user).prefetch_related("exceptions"))
    week_first = timekit.week_start(today)
    grid = week_grid(
        queries.occurrences_between(
            user,
            *_week_bounds(week_first, user.time_zone),
            block_specs=[b.spec(list(b.exceptions.all())) for b in blocks],
        ),
        week_first,
        timekit.zone(user.time_zone),
        now=now,
    )
    return render(
        request,
        "routine/routine.html",
        {
            "form": form,
            "blocks": blocks,
            "grid": grid,
            "exception_form": ExceptionForm(),
            "today": today,
        },
    )


def _week_bounds(first, zone_name):
    tz = timekit.zone(zone_name)
    start, _ = timekit.local_day_bounds(first, tz)
    _, end = timekit.local_day_bounds(first + timedelta(days=6), tz)
    return start, end


@login_required
@require_POST
def apply_template(request):
    made = services.apply_starter_template(
        request.user, today=services.now_local_date(request.user, timezone.now())
    )
    messages.success(
        request, f"Added {len(made)} blocks of the starter routine. Adjust them below."
    )
    return redirect("routine:edit")


@login_required
@require_http_methods(["GET", "POST"])
def edit_block(request, pk: int):
    """Changes a block in place (its exceptions and calendar events stay with it). A refused
    change is shown with its reasons and writes nothing."""
    block = queries.block_for_user(request.user, pk)
    form = BlockForm.for_block(block, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_block(
                    block,
                    **form.block_fields(),
                    today=services.now_local_date(request.user, timezone.now()),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Saved {block}.")
                return redirect("routine:edit")
        status = 422
    # htmx opens the form inline on the routine page; a save is a plain post either way.
    template = template_for(request, "routine/block_edit.html", "form")
    context = {"form": form, "routine_block": block, "inline": template.endswith("#form")}
    return render(request, template, context, status=status)


@login_required
@require_POST
def remove_block(request, pk: int):
    block = queries.block_for_user(request.user, pk)
    services.remove_block(block)
    messages.success(request, f"Removed {block}.")
    return redirect("routine:edit")


@login_required
@require_POST
def add_exception(request, pk: int):
    block = queries.block_for_user(request.user, pk)
    form = ExceptionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date, and either skip or both hours.")
        return redirect("routine:edit")
    data = form.cleaned_data
    skip = data["skip"] or not (data["start"] and data["end"])
    try:
        services.set_exception(
            block,
            day=data["date"],
            skip=skip,
            start=data["start"],
            end=data["end"],
            note=data["note"],
            today=services.now_local_date(request.user, timezone.now()),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        what = "skipped" if skip else f"{data['start']:%H:%M}-{data['end']:%H:%M}"
        messages.success(request, f"{block} on {data['date']:%a %d %b}: {what}.")
    return redirect("routine:edit")


@login_required
@require_POST
def remove_exception(request, pk: int):
    exception = queries.exception_for_user(request.user, pk)
    services.remove_exception(exception)
    messages.success(request, "Exception removed.")
    return redirect("routine:edit")
