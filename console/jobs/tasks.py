"""Celery tasks: thin wrappers that load a Job by id and hand it to the runner."""

from __future__ import annotations

from celery import shared_task
from celery.signals import task_failure, worker_process_init, worker_ready

from console.jobs.models import Job
from console.jobs.runner import fail_lost, run


@shared_task(name="quarry.run_job")
def run_job(job_pk: int, job_id: str | None = None) -> None:
    # The job ID too: a message from another catalog that reached this worker matches no job.
    job = Job.objects.filter(pk=job_pk, **({"job_id": job_id} if job_id else {})).first()
    if job is not None and job.mark_running():
        run(job)


@task_failure.connect(sender=run_job)
def end_lost_job(args: tuple = (), exception: BaseException | None = None, **_: object) -> None:
    """The worker's main process reports a task whose pool process died: end its job too."""
    job_pk, job_id = (*args, None)[:2]  # messages sent before job IDs were added have one arg
    fail_lost(job_pk, job_id, exception)


@worker_ready.connect
def requeue_pending(**_: object) -> None:
    """Wake a worker for every job still PENDING: its queue message may have been lost."""
    pending = Job.objects.filter(state=Job.State.PENDING).values_list("pk", "job_id")
    for pk, job_id in pending:
        run_job.delay(pk, job_id)


@worker_process_init.connect
def warm_up_training(**_: object) -> None:
    """Load mfcore's compiled solves as each pool process starts, not in a user's first training."""
    from mfcore import kernels

    kernels.warm_up()
