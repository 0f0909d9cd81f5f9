"""Background jobs of the ledger: the two passes of a web import. Ids in, a service call."""

from django_tasks import task

from . import importing
from .models import ImportJob


@task()
def validate_import(job_id: int) -> str:
    """Checks an uploaded file; the job ends "ready" or "invalid"."""
    job = ImportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.VALIDATING:
        return "skipped"
    return importing.validate_job(job).status


@task()
def apply_import(job_id: int) -> str:
    """Imports a checked file the user confirmed; the job ends "done" or "failed"."""
    job = ImportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.APPLYING:
        return "skipped"
    return importing.apply_job(job).status
