"""Run one claimed job to completion: hand it to the engine, record the outcome, never raise."""

from __future__ import annotations

import logging
from typing import Any

from console.catalog import storage
from console.catalog.models import MLModel
from console.engine.outcome import ChildJob, Outcome, RunContext
from console.engine.run import execute
from console.errors import BigQueryError
from console.jobs import sessions
from console.jobs.models import Job

log = logging.getLogger(__name__)


def run(job: Job) -> None:
    """Execute a RUNNING job and leave it DONE, with error_result set if it failed.

    What the engine recorded is kept either way: a failed query still shows the bytes it read.
    """
    outcome = Outcome(statistics=dict(job.statistics))
    try:
        execute(job.job_type, run_context(job), outcome)
    except BigQueryError as err:
        error = err.as_error_result()
    except Exception:  # the job must end DONE whatever broke, or it would hang forever
        log.exception("job %s failed unexpectedly", job.job_id)
        error = unexpected_error()
    else:
        error = None
    sessions.record(job, outcome)
    job.statistics = outcome.statistics
    job.result_path = outcome.result_path
    job.result_schema = outcome.result_schema
    job.result_rows = outcome.result_rows
    job.mark_done(error)


def unexpected_error() -> dict[str, str]:
    """Return what a job reports for a bug in Quarry: Python's own words stay in the log."""
    return {
        "reason": "internalError",
        "message": "Internal error: Quarry failed unexpectedly while running this job. The "
        "worker's log has the details under the job's ID; please report it.",
    }


def fail_lost(job_pk: int, job_id: str | None, cause: BaseException | None) -> None:
    """End a job whose worker process died under it, and remove what its run left behind.

    The process was killed (by a person, the kernel's out-of-memory killer or the job time
    limit), so the runner never recorded an outcome: without this the job stays RUNNING.
    """
    lost = Job.objects.filter(pk=job_pk, state=Job.State.RUNNING)
    job = (lost.filter(job_id=job_id) if job_id else lost).first()
    if job is None:
        return
    log.error("job %s lost its worker process: %r", job.job_id, cause)
    # What the run left behind goes first: whoever sees the job DONE sees it clean.
    storage.remove(job.upload_path)
    # A training the job did not commit: the model it was creating goes (it has no artifact),
    # and so do the iterations it recorded beside a model it was replacing.
    MLModel.objects.filter(training_job=job, state=MLModel.State.TRAINING).delete()
    job.iterations.exclude(model__training_job=job, model__state=MLModel.State.READY).delete()
    job.mark_done(
        {
            "reason": "internalError",
            "message": f"The worker process running the job stopped ({type(cause).__name__}: "
            f"{cause}); run the job again.",
        }
    )


def run_context(job: Job) -> RunContext:
    """Return what the engine needs to know of a job to run it."""

    def progress(statistics: dict[str, Any]) -> None:
        Job.objects.filter(pk=job.pk).update(statistics=statistics)

    def child(ran: ChildJob) -> None:
        # submit imports the task module, which imports this one: import it when first used.
        from console.jobs.submit import record_child

        record_child(job, ran)

    return RunContext(
        project=job.project,
        principal=job.principal(),
        configuration=job.configuration,
        location=job.location,
        upload_path=job.upload_path,
        job_pk=job.pk,
        cancelled=job.cancelled,
        progress=progress,
        job_id=job.job_id,
        created=job.created,
        child=child,
        **sessions.run_fields(job),
    )
