"""A cancel stops a job even in the middle of a long query, and each job's DuckDB has a memory
limit that fails a query clearly instead of the worker."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.test import Client

from console.catalog.models import Dataset, MLModel, Project, TrainingIteration
from console.celery import app as celery_app
from console.errors import CANCELLED_MESSAGE
from console.jobs.models import Job
from console.jobs.submit import submit
from tests.conftest import job_rows, run_here, started_worker, wait_for

pytestmark = pytest.mark.worker

API = "/bigquery/v2/projects/local-project"
STOPPED = {"reason": "stopped", "message": CANCELLED_MESSAGE}
# 27 billion rows: DuckDB computes for minutes before it has a first row to return. (It counts
# a bare COUNT(*) of a cross join in seconds, so each row needs some arithmetic.)
CPU_BOUND = (
    "SELECT SUM(MOD(a * b * c, 7)) AS s FROM UNNEST(GENERATE_ARRAY(1, 3000)) AS a, "
    "UNNEST(GENERATE_ARRAY(1, 3000)) AS b, UNNEST(GENERATE_ARRAY(1, 3000)) AS c"
)
# One aggregate state holding millions of strings, which DuckDB cannot spill to disk.
MEMORY_BOUND = (
    "SELECT STRING_AGG(CAST(x AS STRING), ',') AS s FROM UNNEST(GENERATE_ARRAY(1, 5000000)) AS x"
)


def _query(sql: str) -> Job:
    return submit(None, Project.default(), {"query": {"query": sql, "useLegacySql": False}})


def _cancel_when_busy(job: Job) -> dict:
    """Wait until the worker runs job and is inside DuckDB, then cancel it through the REST API."""
    deadline = time.monotonic() + 60
    while Job.objects.get(pk=job.pk).state != Job.State.RUNNING:
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.05)
    # Past the checkpoint before the statement: only an interrupt can stop it now.
    time.sleep(1.5)
    response = Client().post(f"{API}/jobs/{job.job_id}/cancel", content_type="application/json")
    assert response.status_code == 200
    return response.json()


def test_it_stops_a_cpu_bound_query_within_seconds_of_a_cancel(
    run_sql: Callable[..., Job],
) -> None:
    job = _query(CPU_BOUND)
    assert _cancel_when_busy(job)["kind"] == "bigquery#jobCancelResponse"

    job = wait_for(job, timeout_s=10)
    assert job.error_result == STOPPED
    status = Client().get(f"{API}/jobs/{job.job_id}").json()["status"]
    assert status["state"] == "DONE" and status["errorResult"] == STOPPED
    # The worker's only process is free again: DuckDB stopped, not just the job's record.
    after = run_sql("SELECT 17 AS x", timeout_s=10)
    assert after.error_result is None and job_rows(after)[1] == [[17]]


@pytest.mark.parametrize(
    "script",
    [
        "DECLARE i INT64 DEFAULT 0; LOOP SET i = i + 1; END LOOP",
        "WHILE TRUE DO END WHILE",
        "LOOP END LOOP",
    ],
    ids=["loop", "while-with-an-empty-body", "empty-loop"],
)
def test_it_stops_a_script_that_never_ends_within_seconds_of_a_cancel(
    run_sql: Callable[..., Job], script: str
) -> None:
    job = _query(script)
    _cancel_when_busy(job)

    job = wait_for(job, timeout_s=10)
    assert job.error_result == STOPPED
    after = run_sql("SELECT 17 AS x", timeout_s=10)
    assert after.error_result is None and job_rows(after)[1] == [[17]]


def test_it_stops_a_create_models_training_query_within_seconds_of_a_cancel(
    run_sql: Callable[..., Job],
) -> None:
    Dataset.create(Project.default(), "cancelled_training")
    job = _query(
        "CREATE MODEL cancelled_training.mf OPTIONS(model_type='matrix_factorization', "
        "user_col='user_id', item_col='item_id', rating_col='rating') AS "
        "SELECT a AS user_id, b AS item_id, 1.0 AS rating FROM UNNEST(GENERATE_ARRAY(1, 3000)) "
        "AS a, UNNEST(GENERATE_ARRAY(1, 3000)) AS b, UNNEST(GENERATE_ARRAY(1, 3000)) AS c "
        "WHERE a * b * c = 0"
    )
    _cancel_when_busy(job)

    assert wait_for(job, timeout_s=10).error_result == STOPPED
    assert not MLModel.objects.filter(model_id="mf").exists()
    assert not TrainingIteration.objects.filter(job=job).exists()
    assert run_sql("SELECT 1 AS x", timeout_s=10).error_result is None


def test_it_cancels_a_pending_job_at_once(db: None) -> None:
    job = _query("SELECT 1 AS x")  # the test's transaction never commits: no worker takes it

    response = Client().post(f"{API}/jobs/{job.job_id}/cancel", content_type="application/json")
    assert response.json()["job"]["status"] == {
        "state": "DONE",
        "errorResult": STOPPED,
        "errors": [STOPPED],
    }
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.error_result == STOPPED


def test_it_leaves_no_watcher_thread_behind_a_job(db: None) -> None:
    before = set(threading.enumerate())
    job = run_here({"query": {"query": "SELECT 1 AS x"}})
    assert job.error_result is None
    assert set(threading.enumerate()) == before


@pytest.fixture
def small_memory_worker(worker: None, worker_env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """A worker whose jobs' DuckDB may use 64 MB, on a queue of its own."""
    queue = f"small-memory-{uuid.uuid4().hex[:8]}"
    session_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    env = {**worker_env, "QUARRY_QUEUE": queue, "QUARRY_DUCKDB_MEMORY_LIMIT": "64MB"}
    try:
        with started_worker(env, queue) as process:
            yield process
    finally:
        celery_app.conf.task_default_queue = session_queue


def test_it_fails_a_query_beyond_the_memory_limit_clearly_and_runs_the_next(
    small_memory_worker: subprocess.Popen, transactional_db: None, storage_dir: Path
) -> None:
    job = wait_for(_query(MEMORY_BOUND), timeout_s=60)
    assert job.error_result["reason"] == "resourcesExceeded"
    assert job.error_result["message"].startswith(
        "Resources exceeded during query execution: The query could not be executed in the "
        "allotted memory of 61.0 MiB (QUARRY_DUCKDB_MEMORY_LIMIT=64MB)."
    )
    response = Client().get(f"{API}/queries/{job.job_id}")
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["reason"] == "resourcesExceeded"

    # A query larger than the limit that DuckDB can spill still runs, and leaves no spill.
    spilled = wait_for(
        _query(
            "SELECT COUNT(*) AS n FROM (SELECT x, COUNT(*) AS c "
            "FROM UNNEST(GENERATE_ARRAY(1, 5000000)) AS x GROUP BY x)"
        ),
        timeout_s=120,
    )
    assert spilled.error_result is None and job_rows(spilled)[1] == [[5_000_000]]
    assert list((storage_dir / "scratch").iterdir()) == []
    assert small_memory_worker.poll() is None


def test_it_refuses_to_start_with_a_memory_limit_it_cannot_read() -> None:
    env = {**os.environ, "QUARRY_DUCKDB_MEMORY_LIMIT": "lots"}
    started = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
    )
    assert started.returncode != 0
    assert "QUARRY_DUCKDB_MEMORY_LIMIT='lots' is not a memory size" in started.stderr
