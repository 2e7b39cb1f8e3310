"""Submitting a job: the one way any front end (console, REST, bq, tests) creates one.

`submit` takes BigQuery's own JobConfiguration, so every option a client sends reaches the worker
as the client sent it (checked and normalised by the engine), and bad input creates nothing: no
job row, no staged file.
"""

from __future__ import annotations

import logging
import re
from typing import IO, Any

from django.db import IntegrityError, transaction
from kombu.exceptions import OperationalError

from console.catalog import storage
from console.catalog.models import Project
from console.engine import configuration as job_configuration
from console.engine import loads, params
from console.engine.outcome import ChildJob
from console.engine.script import dry_run
from console.errors import BigQueryError, DuplicateError, InvalidError
from console.iam import access
from console.iam.roles import JOBS_CREATE
from console.jobs import anonymous, queues, sessions
from console.jobs.models import Job, Session
from console.jobs.tasks import run_job

log = logging.getLogger(__name__)
JOB_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,1024}$")
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}


def submit(
    principal: Any,
    project: Project,
    configuration: dict[str, Any],
    upload: IO[bytes] | Any = None,
    job_id: str | None = None,
) -> Job:
    """Check a job's configuration and create its job: PENDING, or DONE for a dry run.

    upload is a load's file (a binary file or a Django upload); it is staged before the job
    exists and removed again if the job cannot be created.
    """
    checked = check(principal, project, configuration, job_id)
    job_type = job_configuration.job_type(checked)
    named = {"job_id": job_id} if job_id else {}
    who = _submitter(principal)
    if checked.get("dryRun"):
        session = sessions.for_submit(principal, project, checked)
        return _dry_run_job(principal, project, checked, session, **named, **who)
    upload_path = ""
    if job_type == Job.Type.LOAD:
        uris = checked["load"].get("sourceUris")
        if upload is not None and uris:
            raise InvalidError(
                "A load job reads either its uploaded file or sourceUris, not both",
                location="sourceUris",
            )
        if upload is None and not uris:
            raise BigQueryError(
                "A load job needs its file: upload it to /upload/bigquery/v2/projects/"
                f"{project.project_id}/jobs, or name gs:// sourceUris (docs/clients.md)"
            )
        upload_path = (
            loads.stage(upload, checked["load"]) if upload else loads.stage_uris(checked["load"])
        )
    try:
        with transaction.atomic():
            # In the transaction: a job that cannot be created leaves no new session behind.
            session = sessions.for_submit(principal, project, checked)
            job = Job.objects.create(
                project=project,
                job_type=job_type,
                configuration=checked,
                upload_path=upload_path,
                session=session,
                statistics=sessions.session_info(session),
                **named,
                **who,
            )
            transaction.on_commit(lambda: _wake_worker(job))
    except IntegrityError:
        storage.remove(upload_path)
        raise _already_exists(project, job_id) from None
    except BaseException:
        storage.remove(upload_path)
        raise
    return job


def check(
    principal: Any, project: Project, configuration: dict[str, Any], job_id: str | None = None
) -> dict[str, Any]:
    """Return configuration checked as submit checks it, creating nothing (a resumable upload
    is refused this way before its file is sent)."""
    access.check(principal, JOBS_CREATE, project)
    if job_id is not None:
        _check_job_id(project, job_id)
    return job_configuration.check(principal, project, configuration)


def _wake_worker(job: Job) -> None:
    try:
        # One immediate retry (a pooled connection may predate a broker restart), no waiting.
        run_job.apply_async((job.pk, job.job_id), queue=queues.name(), retry_policy=PUBLISH_RETRY)
    except OperationalError:
        # The row is the source of truth: workers re-queue PENDING jobs when they reconnect to
        # the broker and in their periodic sweep (console/jobs/sweep.py).
        log.warning("no broker reachable; job %s waits PENDING for a worker", job.job_id)
        job.queued = False


def _submitter(principal: Any) -> dict[str, Any]:
    """Return the Job fields that record who submitted a job."""
    if principal is None or not principal.is_authenticated:
        return {"user": None, "user_email": ""}
    return {"user": principal, "user_email": anonymous.submitter_email(principal)}


def _check_job_id(project: Project, job_id: str) -> None:
    if not JOB_ID_RE.match(job_id):
        raise InvalidError(
            f'Invalid job ID "{job_id}". Job IDs must be alphanumeric (plus underscores and '
            "dashes) and must be at most 1024 characters long."
        )
    # Checked before a load stages its file, so a retried upload does not copy it for nothing.
    if Job.objects.filter(job_id=job_id).exists():
        raise _already_exists(project, job_id)


def _already_exists(project: Project, job_id: str | None) -> BigQueryError:
    return DuplicateError(f"Already Exists: Job {project.project_id}:US.{job_id}")


def _dry_run_job(
    principal: Any,
    project: Project,
    configuration: dict[str, Any],
    session: Session | None,
    **fields: Any,
) -> Job:
    """Check a query without running it; the DONE job is kept so that jobs.get finds it (bq)."""
    query = configuration["query"]
    default = (query.get("defaultDataset") or {}).get("datasetId")
    result = dry_run(
        project,
        query["query"],
        principal=principal,
        default_dataset=default,
        parameters=params.check(query),
        temp_dataset=session.dataset_id if session is not None else "",
    )
    statistics = {
        **sessions.session_info(session),
        "statementType": result["statementType"],
        "totalBytesProcessed": str(result["totalBytesProcessed"]),
    }
    try:
        return Job.objects.create(
            project=project,
            job_type=Job.Type.QUERY,
            state=Job.State.DONE,
            configuration=configuration,
            statistics=statistics,
            session=session,
            result_schema=result.get("schema", []),
            **fields,
        )
    except IntegrityError:
        raise _already_exists(project, fields.get("job_id")) from None


def record_child(parent: Job, ran: ChildJob) -> Job:
    """Record a statement a script ran as a DONE child job of the script's job.

    The script's job was checked and created here; its children are what it ran, so they are
    recorded finished, as BigQuery lists them (jobs.list with parentJobId).
    """
    query = {"query": ran.query, "useLegacySql": False}
    default = (parent.configuration.get("query") or {}).get("defaultDataset")
    if default:
        query["defaultDataset"] = default
    return Job.objects.create(
        job_id=ran.job_id,
        project=parent.project,
        location=parent.location,
        job_type=Job.Type.QUERY,
        state=Job.State.DONE,
        configuration={"query": query},
        statistics=ran.statistics,
        error_result=ran.error,
        user=parent.user,
        user_email=parent.user_email,
        result_path=ran.outcome.result_path,
        result_schema=ran.outcome.result_schema,
        result_rows=ran.outcome.result_rows,
        created=ran.started,
        started=ran.started,
        ended=ran.ended,
        parent=parent,
    )
