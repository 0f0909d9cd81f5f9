from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from mainthing.core import timekit
from mainthing.core.enums import Tier
from mainthing.core.forms import add_service_errors
from mainthing.core.htmx import is_htmx
from mainthing.core.importing import MAX_UPLOAD_BYTES, claim_for_retry, is_dead
from mainthing.core.navigation import day_param
from mainthing.prospects import queries as prospect_queries
from mainthing.prospects import services as prospect_services
from mainthing.prospects.models import ProspectTime

from . import importing, queries, services, tasks
from .forms import (
    CategoryEditForm,
    CategoryForm,
    EntryForm,
    ImportForm,
    ImportTiersForm,
    LogFilterForm,
    StartForm,
    StopForm,
)
from .models import Category, ImportJob


@login_required
@require_POST
def start_timer(request):
    """Starts a timer; with `prospect` (an id) the entry is the time spent on that prospect."""
    form = StartForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, "Pick one of your categories to start.")
        return redirect("today")
    category = form.cleaned_data["category"]
    prospect = None
    if form.cleaned_data["prospect"]:
        prospect = prospect_queries.prospect_for_user(request.user, form.cleaned_data["prospect"])
    prospect_name = form.cleaned_data["prospect_name"] or (prospect.name if prospect else "")
    try:
        prospect_services.start_prospect_timer(
            request.user,
            category,
            prospect=prospect,
            now=timezone.now(),
            note=form.cleaned_data["note"],
            prospect_name=prospect_name,
            override=form.cleaned_data["override"],
        )
    except services.IgaQuestion as question:
        return render(
            request,
            "activity/iga_question.html",
            {
                "question": services.IGA_QUESTION,
                "category": question.category,
                "income_categories": question.income_categories,
                "note": form.cleaned_data["note"],
                "prospect_name": prospect_name,
                "prospect": prospect,
            },
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("today")


@login_required
@require_POST
def stop_timer(request):
    """Stops the timer. Time spent on a prospect goes on to the outcome form.

    The page's script (offline.js) posts here too, with the instant Stop was pressed (sent
    later when pressed offline) and asking for JSON: it is then told where to go, and the
    message waits there. The same stop sent twice stops once."""
    form = StopForm(request.POST)
    entry = None
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("at", ["That stop was not understood."])))
    else:
        data = form.cleaned_data
        now = timezone.now()
        try:
            entry = services.stop_timer(
                request.user, now=now, at=data["at"], entry_id=data["entry"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            _say_stopped(request, entry, now=now, named=data["entry"] is not None)
    target = _after_stop(entry)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"stopped": entry is not None, "next": target})
    return redirect(target)


def _after_stop(entry) -> str:
    """Where a stop leads: the outcome form after time on a prospect, else Today."""
    if entry is not None:
        ties = ProspectTime.objects.filter(activity=entry)
        prospect_id = ties.values_list("prospect_id", flat=True).first()
        if prospect_id is not None:
            return f"{reverse('bookings:outcome', args=[prospect_id])}?activity={entry.pk}"
    return reverse("today")


def _say_stopped(request, entry, *, now, named: bool) -> None:
    if entry is None:
        said = "That timer was already stopped." if named else "No timer was running."
        messages.info(request, said)
        return
    # A stop that arrives late (pressed offline) says when it took effect.
    when = ""
    if now - entry.end > timedelta(seconds=30):
        when = f" at {entry.end.astimezone(timekit.zone(request.user.time_zone)):%H:%M}"
    messages.success(
        request, f"Stopped {entry.category.name}{when}: {timekit.format_minutes(entry.seconds)}."
    )


@login_required
def activity_log(request):
    user = request.user
    tz = timekit.zone(user.time_zone)
    form = LogFilterForm(request.GET or None, user=user)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    now = timezone.now()
    week_of = day_param(request, "week", default=timekit.local_date(now, tz))
    first = timekit.week_start(week_of)
    last = first + timedelta(days=6)
    category = data.get("category")
    days = queries.log(
        user,
        first=first,
        last=last,
        tier=data.get("tier") or None,
        category_id=category.pk if category else None,
        now=now,
    )
    report = queries.report(user, first=first, last=last)
    return render(
        request,
        "activity/log.html",
        {
            "form": form,
            "days": days,
            "first": first,
            "last": last,
            "previous": first - timedelta(days=7),
            "next": first + timedelta(days=7),
            "report": report,
            "filters": request.GET.urlencode() if request.GET else "",
            "tier": data.get("tier") or "",
            "category": category,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_entry(request):
    user = request.user
    now = timezone.now()
    initial = {"start": now - timedelta(minutes=30), "end": now}
    form = EntryForm(request.POST or None, user=user, initial=initial)
    overlap = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_entry(
                user,
                data["category"],
                start=data["start"],
                end=data["end"],
                now=now,
                note=data["note"],
                prospect_name=data["prospect_name"],
                allow_overlap=data["allow_overlap"],
            )
        except services.OverlapError as error:
            overlap = True
            add_service_errors(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Entry added.")
            return redirect("activity:log")
    return render(
        request, "activity/entry_form.html", {"form": form, "overlap": overlap, "entry": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_entry(request, pk: int):
    entry = queries.entry_for_user(request.user, pk)
    initial = {
        "category": entry.category,
        "start": entry.start,
        "end": entry.end,
        "note": entry.note,
        "prospect_name": entry.prospect_name,
    }
    form = EntryForm(
        request.POST or None, user=request.user, running=entry.is_running, initial=initial
    )
    overlap = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_entry(
                entry,
                category=data["category"],
                start=data["start"],
                end=data["end"],
                now=timezone.now(),
                note=data["note"],
                prospect_name=data["prospect_name"],
                allow_overlap=data["allow_overlap"],
            )
        except services.OverlapError as error:
            overlap = True
            add_service_errors(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Entry saved.")
            return redirect("activity:log")
    return render(
        request, "activity/entry_form.html", {"form": form, "overlap": overlap, "entry": entry}
    )


@login_required
@require_POST
def delete_entry(request, pk: int):
    entry = queries.entry_for_user(request.user, pk)
    services.delete_entry(entry)
    messages.success(request, "Entry deleted.")
    return redirect("activity:log")


@login_required
@require_http_methods(["GET", "POST"])
def categories(request):
    form = CategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_category(request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added {form.cleaned_data['name']}.")
            return redirect("activity:categories")
    rows = Category.objects.filter(user=request.user).order_by("archived", "tier", "position")
    return render(
        request, "activity/categories.html", {"form": form, "categories": rows, "tiers": Tier}
    )


@login_required
@require_POST
def edit_category(request, pk: int):
    category = queries.category_for_user(request.user, pk)
    form = CategoryEditForm(request.POST)
    if form.is_valid():
        try:
            services.update_category(category, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Saved {category.name}.")
    else:
        messages.error(request, "Give the category a name and a colour.")
    return redirect("activity:categories")


# --- import ---


@login_required
@require_http_methods(["GET", "POST"])
def import_activities(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = importing.save_upload(
            request.user, form.cleaned_data["file"], fmt=form.cleaned_data["format"]
        )
        transaction.on_commit(lambda: tasks.validate_import.enqueue(job.pk))
        return redirect("activity:import-job", pk=job.pk)
    jobs = ImportJob.objects.filter(user=request.user)[:10]
    return render(
        request,
        "activity/import.html",
        {"form": form, "jobs": jobs, "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )


@login_required
def import_job(request, pk: int):
    job = queries.import_job_for_user(request.user, pk)
    if is_dead(job):
        importing.fail_dead(user=request.user)
        job.refresh_from_db()
    tiers = ImportTiersForm(new_categories=job.new_categories)
    template = "activity/import_job.html#status" if is_htmx(request) else "activity/import_job.html"
    return render(request, template, {"job": job, "tiers": tiers})


@login_required
@require_POST
def apply_import(request, pk: int):
    job = queries.import_job_for_user(request.user, pk)
    tiers = ImportTiersForm(request.POST, new_categories=job.new_categories)
    if job.status != ImportJob.Status.READY:
        messages.info(request, "This import has already been started.")
        return redirect("activity:import-job", pk=job.pk)
    if not tiers.is_valid():
        return render(request, "activity/import_job.html", {"job": job, "tiers": tiers})
    if importing.claim_for_apply(job, tier_map=tiers.tier_map()):
        transaction.on_commit(lambda: tasks.apply_import.enqueue(job.pk))
    return redirect("activity:import-job", pk=job.pk)


@login_required
@require_POST
def retry_import(request, pk: int):
    """Runs an import whose worker stopped again: its check, or back to "ready" to import."""
    job = queries.import_job_for_user(request.user, pk)
    status = claim_for_retry(job)
    if status is None:
        messages.info(request, "This import can't run again; upload the file again.")
    elif status == job.Status.VALIDATING:
        transaction.on_commit(lambda: tasks.validate_import.enqueue(job.pk))
    return redirect("activity:import-job", pk=job.pk)
