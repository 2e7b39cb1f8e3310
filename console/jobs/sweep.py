"""What every worker does beside running jobs: re-queue PENDING jobs whose message was lost, end
RUNNING jobs whose worker is gone, and (less often) remove stored files nothing uses.

The Job row is the truth and the broker only a wake-up call: a message can be lost (Redis
restarted without persistence, a submission while Redis was down), and a worker can vanish
without a word. The sweep runs when the worker connects to the broker — at start and after every
reconnection — and every QUARRY_SWEEP_S seconds after that; the storage janitor, the expiry
of abandoned resumable uploads and of idle BigQuery sessions run every JANITOR_EVERY sweeps.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import bootsteps
from celery.worker.state import active_requests
from django.conf import settings
from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from console.engine import resumable
from console.errors import Cancelled
from console.jobs import janitor, queues, sessions
from console.jobs.models import Job
from console.jobs.runner import fail_lost
from console.jobs.tasks import run_job

log = logging.getLogger(__name__)
JANITOR_EVERY = 30  # sweeps: every 5 minutes by default


class WorkerLost(Exception):
    """The worker running a job stopped renewing its lease."""


def requeue_pending(older_than_s: float = 0) -> int:
    """Send a wake-up message for every PENDING job created more than older_than_s ago."""
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    # A cancel that stopped half-way (the flag set, the state not yet DONE) ends here.
    Job.objects.filter(state=Job.State.PENDING, cancel_requested=True).update(
        state=Job.State.DONE, ended=timezone.now(), error_result=Cancelled().as_error_result()
    )
    pending = list(
        Job.objects.filter(state=Job.State.PENDING, created__lte=cutoff).values_list("pk", "job_id")
    )
    for pk, job_id in pending:
        # A duplicate is harmless: only one worker can claim a job.
        run_job.apply_async((pk, job_id), queue=queues.name())
    return len(pending)


def end_lapsed_leases() -> int:
    """End every RUNNING job whose worker has not renewed its lease in QUARRY_JOB_LEASE_S."""
    cutoff = timezone.now() - timedelta(seconds=settings.QUARRY_JOB_LEASE_S)
    lapsed = Job.objects.filter(state=Job.State.RUNNING).filter(
        Q(heartbeat__lt=cutoff) | Q(heartbeat__isnull=True, started__lt=cutoff)
    )
    cause = WorkerLost(f"no sign of life for {settings.QUARRY_JOB_LEASE_S} s")
    ended = list(lapsed.values_list("pk", "job_id"))
    for pk, job_id in ended:
        fail_lost(pk, job_id, cause)
    return len(ended)


class Sweeper(bootsteps.StartStopStep):
    """A worker consumer step: sweep on every broker connection, then periodically."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, consumer: Any, **kwargs: Any) -> None:
        super().__init__(consumer, **kwargs)
        self.entry: Any = None
        self.sweeps = 0

    def start(self, consumer: Any) -> None:
        # Right after (re)connecting every PENDING job may have lost its message: wake them all.
        _safely(requeue_pending)
        _safely(end_lapsed_leases)
        every = settings.QUARRY_SWEEP_S
        self.entry = consumer.timer.call_repeatedly(every, self.sweep, (consumer,))

    def sweep(self, consumer: Any) -> None:
        # A PENDING job older than one sweep while this worker has a free process lost its
        # message: had it one, this worker would have taken it. A busy worker re-queues nothing,
        # so a long queue behind a long job does not fill up with duplicates.
        if len(active_requests) < consumer.pool.num_processes:
            _safely(requeue_pending, settings.QUARRY_SWEEP_S)
        _safely(end_lapsed_leases)
        self.sweeps += 1
        if self.sweeps % JANITOR_EVERY == 1:  # the first sweep after start, then every 30th
            _safely(resumable.expire_sessions)
            _safely(sessions.expire)
            _safely(janitor.sweep)

    def stop(self, consumer: Any) -> None:
        if self.entry is not None:
            self.entry.cancel()
            self.entry = None


def _safely(step: Any, *args: Any) -> None:
    # The sweep runs in the worker's event loop: an error must cost one sweep, not the worker.
    try:
        close_old_connections()  # the catalog may have restarted since the last sweep
        step(*args)
    except OperationalError as err:
        log.warning("sweep: the broker is unreachable (%s); the next sweep tries again", err)
    except Exception:
        log.exception("sweep: %s failed; the next sweep tries again", step.__name__)
