"""Run one claimed job to completion: dispatch on its type, record the outcome, never raise."""

from __future__ import annotations

import logging

from console.errors import BigQueryError
from console.jobs.models import Job

log = logging.getLogger(__name__)


def run(job: Job) -> None:
    """Execute a RUNNING job and leave it DONE, with error_result set if it failed."""
    from console.engine import copy, loads, script

    handlers = {
        Job.Type.QUERY: script.run_query_job,
        Job.Type.LOAD: loads.run_load_job,
        Job.Type.COPY: copy.run_copy_job,
    }
    try:
        handlers[job.job_type](job)
    except BigQueryError as err:
        job.mark_done(err.as_error_result())
    except Exception as err:  # the job must end DONE whatever broke, or it would hang forever
        log.exception("job %s failed unexpectedly", job.job_id)
        job.mark_done({"reason": "internalError", "message": f"Internal error: {err}"})
    else:
        job.mark_done()
