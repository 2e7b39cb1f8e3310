"""Celery tasks: thin wrappers that load a Job by id and hand it to the runner."""

from __future__ import annotations

from celery import shared_task
from celery.signals import task_failure, worker_process_init

from console.jobs import lease
from console.jobs.models import Job
from console.jobs.runner import fail_lost, run


@shared_task(name="quarry.run_job")
def run_job(job_pk: int, job_id: str | None = None) -> None:
    # The job ID too: a message from another catalog that reached this worker matches no job.
    job = Job.objects.filter(pk=job_pk, **({"job_id": job_id} if job_id else {})).first()
    if job is not None and job.mark_running():
        with lease.held(job):
            run(job)


@task_failure.connect(sender=run_job)
def end_lost_job(args: tuple = (), exception: BaseException | None = None, **_: object) -> None:
    """The worker's main process reports a task whose pool process died: end its job too."""
    job_pk, job_id = (*args, None)[:2]  # messages sent before job IDs were added have one arg
    fail_lost(job_pk, job_id, exception)


@worker_process_init.connect
def warm_up_training(**_: object) -> None:
    """Load mfcore's compiled solves as each pool process starts, not in a user's first training."""
    from mfcore import kernels

    kernels.warm_up()
