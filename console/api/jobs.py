"""Jobs through the API: create them from a request's configuration, wait, and show them.

The worker runs every job; the API creates the Job row and long-polls it. Nothing here runs SQL
or reads files: `console.jobs.submit` creates every job, the engine reads results (`read_rows`).
"""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest

from console.api import fields
from console.api.errors import public_error
from console.api.resources import millis
from console.api.rows import api_fields, encode_rows
from console.catalog.models import Project
from console.engine.results import read_rows
from console.engine.types import checked_fields
from console.errors import BigQueryError
from console.jobs import anonymous
from console.jobs.models import Job
from console.jobs.submit import check, submit

ANONYMOUS_EMAIL = "anonymous"
MAX_WAIT_MS = 60_000
DEFAULT_PAGE_ROWS = 20_000
POLL_S = 0.05


def wait(job: Job, timeout_ms: int) -> Job:
    """Return the job once DONE or when timeout_ms has passed, whichever comes first.

    A job no broker took returns at once: it runs when a worker's sweep re-queues it.
    """
    if not job.queued:
        return job
    deadline = time.monotonic() + min(timeout_ms, MAX_WAIT_MS) / 1000
    while job.state != Job.State.DONE and time.monotonic() < deadline:
        time.sleep(POLL_S)
        job.refresh_from_db()
    return job


def _check_project(project: Project, reference: dict[str, Any] | None, what: str) -> None:
    named = (reference or {}).get("projectId")
    if named and named != project.project_id:
        raise BigQueryError(
            f"{what} names project {named} but the request is for project {project.project_id}"
        )


def insert(principal: Any, project: Project, body: dict[str, Any], upload: Any = None) -> Job:
    """Submit the job a jobs.insert body (or an upload's metadata part) describes."""
    fields.check(body, fields.JOB, "job")
    reference = body.get("jobReference") or {}
    _check_project(project, reference, "jobReference")
    return submit(
        principal, project, body.get("configuration") or {}, upload, reference.get("jobId")
    )


# Queries -------------------------------------------------------------------------------------


def query_results(
    request: HttpRequest,
    job: Job,
    *,
    start: int,
    max_rows: int | None,
    int64_timestamps: bool,
    kind: str,
) -> dict[str, Any]:
    """Return a jobs.query / getQueryResults body for a job that may still be running."""
    body: dict[str, Any] = {
        "kind": kind,
        "jobReference": job_reference(job),
        "jobComplete": job.state == Job.State.DONE,
    }
    if (job.statistics or {}).get("sessionInfo"):
        body["sessionInfo"] = job.statistics["sessionInfo"]
    if job.state != Job.State.DONE:
        return body
    if job.error_result:
        error = public_error(job.error_result)
        raise BigQueryError(
            error.get("message", "Job failed"), error["reason"], error.get("location", "")
        )
    stats = job.statistics or {}
    body["totalBytesProcessed"] = str(stats.get("totalBytesProcessed", "0"))
    body["totalBytesBilled"] = "0"
    body["cacheHit"] = False
    if job.configuration.get("dryRun"):
        return _with_dry_run_schema(body, job)
    body.update({key: stats[key] for key in DML_KEYS if key in stats})
    # DDL has no result table: without schema and totalRows the client returns no rows.
    if not job.result_path:
        return body
    total = job.result_rows or 0
    body["schema"] = {"fields": api_fields(job.result_schema)}
    body["totalRows"] = str(total)
    if max_rows == 0:
        return body
    page = DEFAULT_PAGE_ROWS if max_rows is None else max_rows
    stored_fields, rows, total = read_rows((job.result_path, job.result_schema), start, page)
    body["rows"] = encode_rows(stored_fields, rows, int64_timestamps)
    if start + len(rows) < total:
        body["pageToken"] = str(start + len(rows))
    return body


# Loads ---------------------------------------------------------------------------------------


def schema_fields(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Return a table body's schema fields, checked, with types and modes normalised."""
    fields = (body.get("schema") or {}).get("fields")
    return checked_fields(fields) if fields else None


def check_load(principal: Any, project: Project, metadata: dict[str, Any]) -> None:
    """Refuse a resumable upload's job before its file is sent, as jobs.insert would refuse it."""
    fields.check(metadata, fields.JOB, "job")
    reference = metadata.get("jobReference") or {}
    _check_project(project, reference, "jobReference")
    check(principal, project, metadata.get("configuration") or {}, reference.get("jobId"))


# The Job resource ----------------------------------------------------------------------------


def job_reference(job: Job) -> dict[str, str]:
    return {"projectId": job.project.project_id, "jobId": job.job_id, "location": job.location}


# What a DML statement reports, in the job's statistics.query and in jobs.query's answer.
DML_KEYS = ("numDmlAffectedRows", "dmlStats")


def _with_dry_run_schema(body: dict[str, Any], job: Job) -> dict[str, Any]:
    """Add the schema a dry run found for a query's result, as BigQuery reports it."""
    if job.result_schema:
        body["schema"] = {"fields": api_fields(job.result_schema)}
    return body


def _query_statistics(job: Job) -> dict[str, Any]:
    stats = job.statistics or {}
    query: dict[str, Any] = {
        "totalBytesProcessed": str(stats.get("totalBytesProcessed", "0")),
        "totalBytesBilled": "0",
        "cacheHit": False,
    }
    for key in (
        "statementType",
        "ddlOperationPerformed",
        "ddlTargetTable",
        "exportDataStatistics",
        "ddlTargetRoutine",
        *DML_KEYS,
    ):
        if stats.get(key):
            query[key] = stats[key]
    if "totalSlotMs" in stats:
        query["totalSlotMs"] = str(stats["totalSlotMs"])
    if job.configuration.get("dryRun"):
        return _with_dry_run_schema(query, job)
    if stats.get("mlStatistics"):
        # As the engine recorded it when the training finished (engine.ml.ml_statistics).
        query["mlStatistics"] = stats["mlStatistics"]
    return query


def _script_statistics(job: Job) -> dict[str, Any]:
    """Return a script's numChildJobs, or a child job's parentJobId and scriptStatistics."""
    stats = job.statistics or {}
    found: dict[str, Any] = {}
    if stats.get("numChildJobs"):
        found["numChildJobs"] = str(stats["numChildJobs"])
    if job.parent_id is not None:
        found["parentJobId"] = job.parent.job_id
        if stats.get("scriptStatistics"):
            found["scriptStatistics"] = stats["scriptStatistics"]
    return found


def _load_statistics(job: Job) -> dict[str, Any]:
    stats = job.statistics or {}
    load = {"badRecords": "0"}
    for key in ("outputRows", "inputFiles", "inputFileBytes", "outputBytes", "badRecords"):
        if key in stats:
            load[key] = str(stats[key])
    return load


def _copy_statistics(job: Job) -> dict[str, Any]:
    stats = job.statistics or {}
    return {key: str(stats[key]) for key in ("copiedRows", "copiedLogicalBytes") if key in stats}


def job_resource(request: HttpRequest, job: Job) -> dict[str, Any]:
    """Return the Job resource the clients build QueryJob / LoadJob objects from."""
    ref = job_reference(job)
    configuration = {
        key: value for key, value in job.configuration.items() if key not in ("jobType",)
    }
    configuration["jobType"] = job.job_type
    destination = anonymous.shown_destination(job)
    if destination is not None:
        # As in BigQuery, a query's rows are a table: dbt, ibis and the clients read it back.
        configuration["query"] = {**configuration["query"], "destinationTable": destination}
    status: dict[str, Any] = {"state": job.state}
    if job.error_result:
        error = public_error(job.error_result)
        status["errorResult"] = error
        status["errors"] = [error]
    elif job.job_type == Job.Type.LOAD and (job.statistics or {}).get("errors"):
        # The rows a load skipped (maxBadRecords), as BigQuery lists them on a job that succeeded.
        status["errors"] = job.statistics["errors"]
    statistics: dict[str, Any] = {"creationTime": millis(job.created)}
    if (job.statistics or {}).get("sessionInfo"):
        # Every job of a session names it; clients read QueryJob.session_info from here.
        statistics["sessionInfo"] = job.statistics["sessionInfo"]
    if job.started:
        statistics["startTime"] = millis(job.started)
    if job.ended:
        statistics["endTime"] = millis(job.ended)
    if job.job_type == Job.Type.QUERY:
        statistics["query"] = _query_statistics(job)
        statistics["totalBytesProcessed"] = statistics["query"]["totalBytesProcessed"]
        statistics.update(_script_statistics(job))
    elif job.job_type == Job.Type.COPY:
        statistics["copy"] = _copy_statistics(job)
    elif job.job_type == Job.Type.EXTRACT:
        stats = job.statistics or {}
        statistics["extract"] = {
            key: stats[key] for key in ("destinationUriFileCounts", "inputBytes") if key in stats
        }
    else:
        statistics["load"] = _load_statistics(job)
    return {
        "kind": "bigquery#job",
        "etag": f"{job.pk}-{job.state}",
        "id": f"{ref['projectId']}:{ref['location']}.{ref['jobId']}",
        "selfLink": request.build_absolute_uri(
            f"/bigquery/v2/projects/{ref['projectId']}/jobs/{ref['jobId']}?location={job.location}"
        ),
        "user_email": job.user_email or ANONYMOUS_EMAIL,
        "jobReference": ref,
        "configuration": configuration,
        "status": status,
        "statistics": statistics,
    }
