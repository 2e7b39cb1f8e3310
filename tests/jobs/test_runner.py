"""The runner ends every job DONE; a bug in Quarry is reported without Python's own words."""

from __future__ import annotations

from console.catalog.models import Project
from console.jobs.models import Job
from console.jobs.runner import run


def test_it_reports_a_bug_without_python_text(db: None) -> None:
    # A configuration no submit() would let through: the engine fails on it unexpectedly.
    job = Job.objects.create(
        project=Project.default(), job_type=Job.Type.QUERY, configuration={"query": None}
    )
    assert job.mark_running()
    run(job)
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert job.error_result["reason"] == "internalError"
    message = job.error_result["message"]
    assert message.startswith("Internal error: Quarry failed unexpectedly")
    assert "NoneType" not in message and "object" not in message
