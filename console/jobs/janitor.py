"""The periodic sweep of the storage dir, knowing what jobs still use (the catalog cannot)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Min
from django.utils import timezone

from console.catalog import janitor
from console.jobs.models import Job

log = logging.getLogger(__name__)


MIN_GRACE = dt.timedelta(minutes=10)


def _grace(now: dt.datetime | None) -> dt.timedelta:
    """Return how old a file must be before it can be nobody's.

    A running job writes its files after it starts, so a file older than every RUNNING job was
    written by none of them; MIN_GRACE covers what requests write before their job exists (a
    load's staged file).
    """
    now = now or timezone.now()
    oldest = Job.objects.filter(state=Job.State.RUNNING).aggregate(Min("started"))["started__min"]
    return max(MIN_GRACE, now - oldest) if oldest else MIN_GRACE


def sweep(now: dt.datetime | None = None) -> janitor.Report:
    """Remove stored files nothing uses, keeping each job's result and each unrun load's file."""
    results = Job.objects.exclude(result_path="").values_list("result_path", flat=True)
    unfinished = Job.objects.exclude(state=Job.State.DONE).exclude(upload_path="")
    uploads = unfinished.values_list("upload_path", flat=True)
    report = janitor.collect({*results, *uploads}, grace=_grace(now), now=now)
    if report.removed:
        log.info(
            "janitor removed %d leftover files (%d bytes) from the storage dir",
            len(report.removed),
            report.freed_bytes,
        )
    return report
