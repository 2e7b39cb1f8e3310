"""A project's jobs as INFORMATION_SCHEMA.JOBS rows, provided to the engine when Django starts.

The engine lies below the jobs layer, so it cannot read Job rows itself; it asks through
the hook "jobs_rows" (console/hooks), which `JobsConfig.ready` points at `rows`.
"""

from __future__ import annotations

from typing import Any

from console.catalog.models import Project
from console.jobs import anonymous
from console.jobs.models import Job

# The newest jobs a JOBS view lists: enough for a user's history, bounded for a busy catalog.
MAX_JOBS = 100_000


def rows(project: Project, reader: Any, every_user: bool) -> list[dict[str, Any]]:
    """Return the project's jobs (or the reader's own) as JOBS rows, newest first."""
    jobs = Job.objects.filter(project=project).select_related("project", "parent")
    if not every_user:
        jobs = jobs.filter(user_email=anonymous.submitter_email(reader))
    newest = jobs.order_by("-created")[:MAX_JOBS]
    # A dry run is not a job BigQuery keeps (Quarry keeps it for jobs.get); JOBS omits it.
    return [_row(job) for job in newest if not job.configuration.get("dryRun")]


def _row(job: Job) -> dict[str, Any]:
    stats = job.statistics or {}
    query = job.configuration.get("query") or {}
    destination = query.get("destinationTable") or anonymous.shown_destination(job)
    error = job.error_result
    processed = stats.get("totalBytesProcessed")
    return {
        "location": job.location,
        "creation_time": job.created,
        "project_id": job.project.project_id,
        "project_number": None,
        "user_email": job.user_email or None,
        "job_id": job.job_id,
        "job_type": job.job_type,
        "statement_type": stats.get("statementType"),
        "priority": "INTERACTIVE",
        "start_time": job.started,
        "end_time": job.ended,
        "query": query.get("query"),
        "state": job.state,
        "reservation_id": None,
        "total_bytes_processed": int(processed) if processed not in (None, "") else None,
        "total_bytes_billed": 0 if job.job_type == Job.Type.QUERY else None,
        "total_slot_ms": int(stats["totalSlotMs"]) if stats.get("totalSlotMs") else None,
        "error_result": (
            {
                "reason": error.get("reason"),
                "location": error.get("location"),
                "debug_info": None,
                "message": error.get("message"),
            }
            if error
            else None
        ),
        "cache_hit": False if job.job_type == Job.Type.QUERY else None,
        "destination_table": (
            {
                "project_id": destination.get("projectId"),
                "dataset_id": destination.get("datasetId"),
                "table_id": destination.get("tableId"),
            }
            if destination
            else None
        ),
        "labels": [
            {"key": k, "value": v} for k, v in (job.configuration.get("labels") or {}).items()
        ],
        "parent_job_id": job.parent.job_id if job.parent_id is not None else None,
    }
