"""Background jobs of the prospects app: the two passes of a web lead import. Ids in, a
service call."""

from django_tasks import task

from . import importing
from .models import LeadImport


@task()
def validate_lead_import(job_id: int) -> str:
    """Checks every row of an uploaded lead file; the job ends "ready" or "invalid"."""
    job = LeadImport.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status != LeadImport.Status.VALIDATING:
        return "skipped"
    return importing.validate_job(job).status


@task()
def apply_lead_import(job_id: int) -> str:
    """Imports a checked lead file the user confirmed; the job ends "done" or "failed"."""
    job = LeadImport.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status != LeadImport.Status.APPLYING:
        return "skipped"
    return importing.apply_job(job).status
