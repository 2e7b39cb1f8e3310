"""A running job's lease: the worker renews it while the job runs, and a sweep ends any job whose
lease lapsed, whatever stopped its worker (a killed main process, a lost host, a frozen machine).

Celery's failure signal covers a pool process that dies under a job; a worker whose main process
dies, or whose host goes away, sends no signal at all, so only the row itself can tell.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from console.jobs.models import Job

log = logging.getLogger(__name__)


def heartbeat_s() -> float:
    """Return how often a running job's worker renews its lease: six times per lease."""
    return settings.QUARRY_JOB_LEASE_S / 6


@contextmanager
def held(job: Job) -> Iterator[None]:
    """Renew job's lease from a thread for as long as the block runs."""
    stop = threading.Event()
    renewer = threading.Thread(
        target=_renew, args=(job.pk, stop), name=f"lease-{job.job_id}", daemon=True
    )
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()


def _renew(job_pk: int, stop: threading.Event) -> None:
    try:
        while not stop.wait(heartbeat_s()):
            try:
                Job.objects.filter(pk=job_pk, state=Job.State.RUNNING).update(
                    heartbeat=timezone.now()
                )
            except DatabaseError as err:  # a busy catalog: the next beat tries again
                log.warning("could not renew the lease of job %s: %s", job_pk, err)
    finally:
        connection.close()  # Django's connections are per thread: this one ends with the thread
