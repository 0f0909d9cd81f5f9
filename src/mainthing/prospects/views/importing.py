"""The lead import pages: the upload, then one page per import that walks through the steps
(choose the columns with a preview, the check with its progress and errors, the confirmation,
the import with its progress, the outcome). Both passes run as background jobs; the page polls
while they work."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from mainthing.core.htmx import is_htmx, retarget, template_for
from mainthing.core.importing import MAX_UPLOAD_BYTES, claim_for_retry, is_dead

from .. import importing, leadfiles, leadrows, queries, tasks
from ..forms.importing import LeadUploadForm, MappingForm
from ..models import LeadImport, LeadSource

TEMPLATE = "prospects/import_job.html"


def _examples(layout: leadfiles.Layout) -> list[str]:
    """An example value per column: the first one of the first rows that is not empty."""
    examples = []
    for index in range(layout.width):
        values = (r[index].strip() for r in layout.sample if len(r) > index)
        found = next((v for v in values if v), "")
        examples.append(found if len(found) <= 40 else found[:40] + "…")
    return examples


def _mapping_context(request, job: LeadImport, form: MappingForm | None = None) -> dict:
    """The mapping step: the form (a field per column) and the preview of the first rows as
    the job's current mapping reads them."""
    try:
        layout = leadfiles.layout_of(job)
    except importing.FileProblem as problem:
        return {"job": job, "problem": str(problem)}
    mapping = {int(i): f for i, f in (job.mapping or {}).items()}
    if form is None:
        form = MappingForm(
            user=request.user,
            headers=list(layout.headers),
            examples=_examples(layout),
            mapping=mapping,
            has_header=layout.has_header,
            source=job.source,
        )
    plan = leadfiles.Plan(layout, mapping, job.source_id)
    return {
        "job": job,
        "layout": layout,
        "form": form,
        "preview": leadrows.preview(request.user, Path(job.path), plan),
        # A whole page shows the form's errors in the summary at its top; the preview htmx
        # swaps in on a change has no summary above it, so it says them itself.
        "preview_says_errors": is_htmx(request),
    }


def _status_context(request, job: LeadImport) -> dict:
    if job.status == LeadImport.Status.MAPPING:
        return _mapping_context(request, job)
    return {
        "job": job,
        "applied_rows": job.processed_rows,
        "new_rows": max(0, job.total_rows - job.existing_count - job.duplicate_in_file),
        "can_remap": job.status in (LeadImport.Status.INVALID, LeadImport.Status.READY)
        and bool(job.path)
        and Path(job.path).exists(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_leads(request):
    form = LeadUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = importing.save_upload(request.user, form.cleaned_data["file"])
        return redirect("prospects:import-job", pk=job.pk)
    jobs = LeadImport.objects.filter(user=request.user)[:10]
    return render(
        request,
        "prospects/import.html",
        {"form": form, "jobs": jobs, "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_job(request, pk: int):
    """GET: the import's page (its status partial when htmx polls). POST: the mapping step,
    `action=preview` to see the first rows under a mapping, `action=check` to check the whole
    file with it, `action=remap` to go back to the mapping from a checked file. A post whose
    `has_header` box differs from how the file is read reads it again instead (new columns,
    new mapping) and shows the whole step again."""
    job = queries.lead_import_for_user(request.user, pk)
    if is_dead(job):
        importing.fail_dead(user=request.user)
        job.refresh_from_db()
    if request.method == "GET":
        template = template_for(request, TEMPLATE, "status")
        return render(request, template, _status_context(request, job))

    action = request.POST.get("action", "check")
    if action == "remap":
        if not importing.reopen_mapping(job):
            messages.info(request, "This import can't go back to choosing columns.")
        return redirect("prospects:import-job", pk=job.pk)
    if job.status != LeadImport.Status.MAPPING:
        messages.info(request, "This file has already been checked.")
        return redirect("prospects:import-job", pk=job.pk)
    try:
        layout = leadfiles.layout_of(job)
    except importing.FileProblem as problem:
        messages.error(request, str(problem))
        return redirect("prospects:import")
    form = MappingForm(
        request.POST,
        user=request.user,
        headers=list(layout.headers),
        examples=_examples(layout),
        mapping={},
        has_header=layout.has_header,
    )
    valid = form.is_valid()
    if form.cleaned_data["has_header"] != layout.has_header:
        return _read_again(request, job, has_header=form.cleaned_data["has_header"], action=action)
    mapping = form.mapping()
    source: LeadSource | None = form.cleaned_data.get("source")
    if action == "check" and valid:
        if importing.claim_for_check(job, mapping, source):
            transaction.on_commit(lambda: tasks.validate_lead_import.enqueue(job.pk))
        return redirect("prospects:import-job", pk=job.pk)
    importing.save_mapping(job, mapping, source)
    job.refresh_from_db()
    context = _mapping_context(request, job, form)
    return render(request, template_for(request, TEMPLATE, "preview"), context)


def _read_again(request, job: LeadImport, *, has_header: bool, action: str):
    """The mapping step after the header box changed: the columns chosen were for the other
    reading of the file, so they are dropped for the new suggestion. htmx gets the whole step
    in place of the preview it asked for."""
    try:
        importing.set_header(job, has_header)
    except importing.FileProblem as problem:
        messages.error(request, str(problem))
        return redirect("prospects:import")
    if not is_htmx(request):
        if action == "check":
            first_row = "column names" if has_header else "data"
            messages.info(
                request,
                f"The first row is now read as {first_row}: check the columns, then check all "
                "rows.",
            )
        return redirect("prospects:import-job", pk=job.pk)
    job.refresh_from_db()
    response = render(request, f"{TEMPLATE}#status", _mapping_context(request, job))
    return retarget(response, "#import-status")


@login_required
@require_POST
def apply_import(request, pk: int):
    job = queries.lead_import_for_user(request.user, pk)
    if importing.claim_for_apply(job):
        transaction.on_commit(lambda: tasks.apply_lead_import.enqueue(job.pk))
    else:
        messages.info(request, "This import has already been started.")
    return redirect("prospects:import-job", pk=job.pk)


@login_required
@require_POST
def retry_import(request, pk: int):
    """Runs an import whose worker stopped again: its check, or back to "ready" to import."""
    job = queries.lead_import_for_user(request.user, pk)
    status = claim_for_retry(job)
    if status is None:
        messages.info(request, "This import can't run again; upload the file again.")
    elif status == job.Status.VALIDATING:
        transaction.on_commit(lambda: tasks.validate_lead_import.enqueue(job.pk))
    return redirect("prospects:import-job", pk=job.pk)
