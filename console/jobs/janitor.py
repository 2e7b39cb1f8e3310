"""The periodic sweep of the storage dir, knowing what jobs still use (the catalog cannot)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings

from console.catalog import janitor
from console.jobs.models import Job

log = logging.getLogger(__name__)


def sweep(now: dt.datetime | None = None) -> janitor.Report:
    """Remove stored files nothing uses, keeping each job's result and each unrun load's file."""
    results = Job.objects.exclude(result_path="").values_list("result_path", flat=True)
    unfinished = Job.objects.exclude(state=Job.State.DONE).exclude(upload_path="")
    uploads = unfinished.values_list("upload_path", flat=True)
    # A running job writes its files after it starts and is stopped at the time limit, so a file
    # untouched for longer than that belongs to no running job.
    grace = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    report = janitor.collect({*results, *uploads}, grace=grace, now=now)
    if report.removed:
        log.info(
            "janitor removed %d leftover files (%d bytes) from the storage dir",
            len(report.removed),
            report.freed_bytes,
        )
    return report
