"""The engine's one entry point for a job: run a query, load or copy and fill in its Outcome."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from console.engine import copy, extract, loads, script
from console.engine.interrupt import Watcher
from console.engine.outcome import Outcome, RunContext

JOB_TYPES: dict[str, Callable[[RunContext, Outcome], None]] = {
    "QUERY": script.run_query,
    "LOAD": loads.run_load,
    "COPY": copy.run_copy,
    "EXTRACT": extract.run_extract,
}


def execute(job_type: str, run: RunContext, outcome: Outcome) -> None:
    """Run one job of job_type (QUERY, LOAD, COPY or EXTRACT), recording what it did in outcome.

    outcome is filled in as the job goes, so a job that raises still leaves what it recorded
    (such as the bytes a failed query read) for the caller to keep. Failures a user should see
    are raised as BigQueryError; a cancel stops the job within a second, even mid-query.
    """
    with Watcher(run.cancelled) as watcher:
        watched = dataclasses.replace(run, cancelled=watcher.cancelled, watcher=watcher)
        JOB_TYPES[job_type](watched, outcome)
