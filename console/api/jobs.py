"""Jobs through the API: create them from a request's configuration, wait, and show them.

The worker runs every job; the API creates the Job row and long-polls it. Nothing here runs SQL
or reads files: the engine does both (`dry_run`, `submit_load`, `read_rows`).
"""

from __future__ import annotations

import re
import time
from typing import IO, Any

from django.db import IntegrityError
from django.http import HttpRequest

from console.api import fields
from console.api.errors import public_error
from console.api.resources import millis
from console.api.rows import api_fields, encode_rows
from console.catalog.models import Project
from console.engine import copy as engine_copy
from console.engine import script as engine_script
from console.engine.loads import check_configuration, submit_load
from console.engine.results import read_rows
from console.engine.types import arrow_schema
from console.errors import BigQueryError
from console.iam import access
from console.iam.roles import JOBS_CREATE
from console.jobs.models import Job

ANONYMOUS_EMAIL = "anonymous"
JOB_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,1024}$")
DEFAULT_WAIT_MS = 10_000
MAX_WAIT_MS = 60_000
DEFAULT_PAGE_ROWS = 20_000
POLL_S = 0.05


def wait(job: Job, timeout_ms: int) -> Job:
    """Return the job once DONE or when timeout_ms has passed, whichever comes first."""
    deadline = time.monotonic() + min(timeout_ms, MAX_WAIT_MS) / 1000
    while job.state != Job.State.DONE and time.monotonic() < deadline:
        time.sleep(POLL_S)
        job.refresh_from_db()
    return job


def _job_id(reference: dict[str, Any] | None) -> dict[str, Any]:
    job_id = (reference or {}).get("jobId")
    if job_id is None:
        return {}
    if not JOB_ID_RE.match(job_id):
        raise BigQueryError(
            f'Invalid job ID "{job_id}". Job IDs must be alphanumeric (plus underscores and '
            "dashes) and must be at most 1024 characters long."
        )
    return {"job_id": job_id}


def _check_project(project: Project, reference: dict[str, Any] | None, what: str) -> None:
    named = (reference or {}).get("projectId")
    if named and named != project.project_id:
        raise BigQueryError(
            f"{what} names project {named} but the request is for project {project.project_id}"
        )


def _already_exists(project: Project, job_id: str | None) -> BigQueryError:
    return BigQueryError(f"Already Exists: Job {project.project_id}:US.{job_id}", "duplicate")


def _create(
    principal: Any, project: Project, job_type: str, configuration: dict[str, Any], **kw: Any
) -> Job:
    access.check(principal, JOBS_CREATE, project)
    try:
        return Job.submit(
            project, job_type, configuration, **access.job_user_fields(principal), **kw
        )
    except IntegrityError:
        raise _already_exists(project, kw.get("job_id")) from None


# Queries -------------------------------------------------------------------------------------


def query_configuration(config: dict[str, Any], project: Project) -> dict[str, Any]:
    """Return a query job's stored configuration, refusing what the engine cannot honour."""
    sql = config.get("query")
    if not sql:
        raise BigQueryError("Required parameter is missing: query", "required")
    if config.get("useLegacySql"):
        raise BigQueryError(
            "Legacy SQL is not supported by Quarry: set useLegacySql to false (GoogleSQL)",
            location="query",
        )
    if config.get("queryParameters"):
        raise BigQueryError("Query parameters are not supported by Quarry yet", location="query")
    if config.get("destinationTable"):
        raise BigQueryError(
            "configuration.query.destinationTable is not supported by Quarry yet: write "
            "CREATE OR REPLACE TABLE dataset.table AS SELECT ... instead",
            location="destinationTable",
        )
    _check_project(project, config.get("defaultDataset"), "defaultDataset")
    # A missing useLegacySql (bq without --nouse_legacy_sql) is read as GoogleSQL on purpose.
    return {**config, "useLegacySql": False}


def _dry_run_job(principal: Any, project: Project, config: dict[str, Any], **kw: Any) -> Job:
    """Check a query without running it; the DONE job is kept so that jobs.get finds it (bq)."""
    default = (config.get("defaultDataset") or {}).get("datasetId")
    result = engine_script.dry_run(
        project, config["query"], principal=principal, default_dataset=default
    )
    statistics = {
        "statementType": result["statementType"],
        "totalBytesProcessed": str(result["totalBytesProcessed"]),
    }
    try:
        return Job.objects.create(
            project=project,
            job_type=Job.Type.QUERY,
            state=Job.State.DONE,
            configuration={"query": config, "dryRun": True},
            statistics=statistics,
            **access.job_user_fields(principal),
            **kw,
        )
    except IntegrityError:
        raise _already_exists(project, kw.get("job_id")) from None


def submit_query(
    principal: Any,
    project: Project,
    config: dict[str, Any],
    *,
    reference: dict[str, Any] | None = None,
    dry_run: bool = False,
    labels: dict[str, str] | None = None,
) -> Job:
    """Create a query job (or a finished dry-run job) from a jobs.insert or jobs.query request."""
    _check_project(project, reference, "jobReference")
    kw = _job_id(reference)
    stored = query_configuration(config, project)
    if dry_run:
        return _dry_run_job(principal, project, stored, **kw)
    configuration: dict[str, Any] = {"query": stored}
    if labels:
        configuration["labels"] = labels
    return _create(principal, project, Job.Type.QUERY, configuration, **kw)


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
        return body
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
    stored_fields, rows, total = read_rows(job, start, page)
    body["rows"] = encode_rows(stored_fields, rows, int64_timestamps)
    if start + len(rows) < total:
        body["pageToken"] = str(start + len(rows))
    return body


# Loads ---------------------------------------------------------------------------------------


def schema_fields(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Return a table body's schema fields, checked, with modes filled in."""
    schema_fields = (body.get("schema") or {}).get("fields")
    if not schema_fields:
        return None
    for field in schema_fields:
        if not field.get("name") or not field.get("type"):
            raise BigQueryError("Invalid schema: every field needs a name and a type")
    try:
        arrow_schema(schema_fields)
    except KeyError as err:
        raise BigQueryError(f"Invalid schema: unsupported type {err.args[0]}") from None
    return [{**f, "mode": f.get("mode") or "NULLABLE"} for f in schema_fields]


def check_load(principal: Any, project: Project, metadata: dict[str, Any]) -> dict[str, Any]:
    """Return an upload's load job configuration, checked: the engine checks the options."""
    fields.check(metadata, fields.JOB, "job")
    _check_project(project, metadata.get("jobReference"), "jobReference")
    _job_id(metadata.get("jobReference"))
    return check_configuration(principal, project, metadata.get("configuration") or {})


def submit_upload(
    principal: Any, project: Project, metadata: dict[str, Any], upload: IO[bytes] | Any
) -> Job:
    """Stage an uploaded file and submit its LOAD job with the configuration the client sent."""
    fields.check(metadata, fields.JOB, "job")
    reference = metadata.get("jobReference") or {}
    _check_project(project, reference, "jobReference")
    job_id = _job_id(reference).get("job_id")
    if job_id and Job.objects.filter(job_id=job_id).exists():
        raise _already_exists(project, job_id)
    try:
        return submit_load(
            principal, project, metadata.get("configuration") or {}, upload, job_id=job_id
        )
    except IntegrityError:
        raise _already_exists(project, job_id) from None


# Copies --------------------------------------------------------------------------------------


def submit_copy(
    principal: Any,
    project: Project,
    config: dict[str, Any],
    *,
    reference: dict[str, Any] | None = None,
    labels: dict[str, str] | None = None,
) -> Job:
    """Create a copy job from a jobs.insert request; the worker checks the tables."""
    _check_project(project, reference, "jobReference")
    kw = _job_id(reference)
    configuration: dict[str, Any] = {"copy": engine_copy.copy_configuration(project, config)}
    if labels:
        configuration["labels"] = labels
    return _create(principal, project, Job.Type.COPY, configuration, **kw)


# The Job resource ----------------------------------------------------------------------------


def job_reference(job: Job) -> dict[str, str]:
    return {"projectId": job.project.project_id, "jobId": job.job_id, "location": job.location}


# What a DML statement reports, in the job's statistics.query and in jobs.query's answer.
DML_KEYS = ("numDmlAffectedRows", "dmlStats")


def _query_statistics(job: Job) -> dict[str, Any]:
    stats = job.statistics or {}
    query: dict[str, Any] = {
        "totalBytesProcessed": str(stats.get("totalBytesProcessed", "0")),
        "totalBytesBilled": "0",
        "cacheHit": False,
    }
    for key in ("statementType", "ddlOperationPerformed", "ddlTargetTable", *DML_KEYS):
        if stats.get(key):
            query[key] = stats[key]
    if "totalSlotMs" in stats:
        query["totalSlotMs"] = str(stats["totalSlotMs"])
    if job.configuration.get("dryRun"):
        return query
    if stats.get("mlStatistics"):
        # Recorded when the training finished: the model may since have been retrained or
        # deleted, taking these iterations' rows with it.
        query["mlStatistics"] = _ml_statistics(stats["mlStatistics"])
    return query


def _ml_statistics(recorded: dict[str, Any]) -> dict[str, Any]:
    results = [
        {key: value for key, value in result.items() if value is not None}
        for result in recorded.get("iterationResults", [])
    ]
    return {**recorded, "iterationResults": results}


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
    status: dict[str, Any] = {"state": job.state}
    if job.error_result:
        error = public_error(job.error_result)
        status["errorResult"] = error
        status["errors"] = [error]
    elif job.job_type == Job.Type.LOAD and (job.statistics or {}).get("errors"):
        # The rows a load skipped (maxBadRecords), as BigQuery lists them on a job that succeeded.
        status["errors"] = job.statistics["errors"]
    statistics: dict[str, Any] = {"creationTime": millis(job.created)}
    if job.started:
        statistics["startTime"] = millis(job.started)
    if job.ended:
        statistics["endTime"] = millis(job.ended)
    if job.job_type == Job.Type.QUERY:
        statistics["query"] = _query_statistics(job)
        statistics["totalBytesProcessed"] = statistics["query"]["totalBytesProcessed"]
    elif job.job_type == Job.Type.COPY:
        statistics["copy"] = _copy_statistics(job)
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
