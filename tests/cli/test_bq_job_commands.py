"""`manage.py bq` job verbs: --nosync, cancel, rm -j, and query --maximum_bytes_billed."""

from __future__ import annotations

import io
import re
import sys

import pyarrow as pa
import pytest

from console.catalog.models import Dataset, Project
from console.engine import tables
from console.jobs.models import Job
from tests.cli.test_bq_command import bq

pytestmark = pytest.mark.worker


@pytest.fixture
def ratings(worker: None, transactional_db: None) -> None:
    dataset = Dataset.create(Project.default(), "ds")
    schema = pa.schema([("user_id", pa.int64()), ("rating", pa.float64())])
    rows = pa.record_batch([list(range(50)), [2.0] * 50], schema=schema)
    tables.write_version(dataset, "ratings", schema, None, [rows])


def _pending_job() -> Job:
    """Return a job no worker was told about, so it stays PENDING until cancelled."""
    return Job.objects.create(
        project=Project.default(),
        job_type=Job.Type.QUERY,
        configuration={"query": {"query": "SELECT 1", "useLegacySql": False}},
    )


def test_it_starts_a_query_without_waiting_with_nosync(ratings: None) -> None:
    code, out, _ = bq("--nosync", "query", "--nouse_legacy_sql", "SELECT 1")
    assert code == 0
    started = re.fullmatch(r"Successfully started query local-project:(\S+)\n", out)
    assert started, out
    assert Job.objects.filter(job_id=started.group(1)).exists()


def test_it_cancels_a_pending_job(ratings: None) -> None:
    job = _pending_job()
    code, out, _ = bq("cancel", job.job_id)
    assert code == 0
    assert out.startswith(f"Job local-project:{job.job_id}\n")
    assert out.rstrip().endswith("Job has been cancelled successfully.")
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.error_result["reason"] == "stopped"


def test_it_says_a_done_job_ended_before_the_cancel(ratings: None) -> None:
    bq("query", "--nouse_legacy_sql", "SELECT 1")
    job = Job.objects.get()
    code, out, _ = bq("cancel", job.job_id)
    assert code == 0 and out.rstrip().endswith("Job completed before it could be cancelled.")


def test_it_deletes_a_jobs_metadata_with_rm_j(ratings: None, monkeypatch) -> None:
    bq("query", "--nouse_legacy_sql", "SELECT 1")
    job = Job.objects.get()
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    code, out, _ = bq("rm", "-j", job.job_id)
    assert code == 0
    reference = f"job 'local-project:{job.job_id}'"
    assert out == f"rm: remove {reference}? (y/N) NOT deleting {reference}, exiting.\n"
    assert Job.objects.filter(pk=job.pk).exists()
    assert bq("rm", "-f", "-j", job.job_id) == (0, "", "")
    assert not Job.objects.filter(pk=job.pk).exists()
    assert bq("rm", "-f", "-j", job.job_id)[0] == 0
    code, _, err = bq("rm", "-j", job.job_id)
    assert code == 2 and f"Not found: Job local-project:US.{job.job_id}" in err


def test_it_refuses_to_delete_a_job_that_has_not_ended(ratings: None) -> None:
    job = _pending_job()
    code, _, err = bq("rm", "-f", "-j", job.job_id)
    assert code == 1 and f"{job.job_id} is PENDING" in err
    assert Job.objects.filter(pk=job.pk).exists()


def test_it_enforces_maximum_bytes_billed(ratings: None) -> None:
    sql = "SELECT SUM(rating) AS s FROM ds.ratings"
    code, _, err = bq("query", "--maximum_bytes_billed=1000", "--nouse_legacy_sql", sql)
    assert code == 1
    assert "Query exceeded limit for bytes billed: 1000. 10485760 or higher required." in err
    code, out, _ = bq("query", "--maximum_bytes_billed=10485760", "--nouse_legacy_sql", sql)
    assert code == 0 and "100" in out
