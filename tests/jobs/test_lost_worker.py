"""A worker's pool process killed under a job (kill -9, out of memory): the job still ends."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from billiard.exceptions import WorkerLostError

from console.catalog.models import Dataset, MLModel, Project, Table
from console.celery import app as celery_app
from console.jobs.models import Job
from console.jobs.runner import fail_lost
from console.jobs.submit import submit
from tests.conftest import started_worker, submit_test_load, synthetic_ratings, wait_for

pytestmark = pytest.mark.worker

# Long enough (seconds of DuckDB work) to be killed while it runs.
SLOW = (
    "SELECT SUM(a * b) AS s FROM UNNEST(GENERATE_ARRAY(1, 60000)) AS a, "
    "UNNEST(GENERATE_ARRAY(1, 60000)) AS b"
)


@pytest.fixture
def own_worker(worker: None, worker_env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """A worker on a queue of its own, so this test knows which process runs its job."""
    queue = f"lost-{uuid.uuid4().hex[:8]}"
    session_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        with started_worker({**worker_env, "QUARRY_QUEUE": queue}, queue) as process:
            yield process
    finally:
        celery_app.conf.task_default_queue = session_queue


def _pool_children(process: subprocess.Popen) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def test_it_ends_a_job_whose_worker_process_was_killed(
    own_worker: subprocess.Popen, transactional_db: None
) -> None:
    job = submit(None, Project.default(), {"query": {"query": SLOW, "useLegacySql": False}})
    deadline = time.monotonic() + 60
    while Job.objects.get(pk=job.pk).state != Job.State.RUNNING:
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.05)
    for pid in _pool_children(own_worker):
        os.kill(pid, signal.SIGKILL)
    job = wait_for(job, timeout_s=60)
    assert job.error_result["reason"] == "internalError"
    assert job.error_result["message"].startswith("The worker process running the job stopped")
    assert "run the job again" in job.error_result["message"]
    # The worker replaced its pool process and still runs jobs.
    after = wait_for(submit(None, Project.default(), {"query": {"query": "SELECT 1 AS x"}}))
    assert after.error_result is None and after.result_rows == 1


def _kill_pool_when(worker: subprocess.Popen, ready: object, what: str) -> None:
    deadline = time.monotonic() + 120
    while not ready():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"{what} never started"
        time.sleep(0.05)
    for pid in _pool_children(worker):
        os.kill(pid, signal.SIGKILL)


def _assert_lost(job: Job) -> Job:
    job = wait_for(job, timeout_s=60)
    assert job.error_result["message"].startswith("The worker process running the job stopped")
    return job


def test_it_ends_a_training_killed_mid_way_and_keeps_none_of_its_iterations(
    own_worker: subprocess.Popen, transactional_db: None
) -> None:
    dataset = Dataset.create(Project.default(), "lost_training")
    synthetic_ratings(dataset, n_users=3000, n_items=2000, n_ratings=400_000, random_state=5)
    sql = (
        "CREATE MODEL lost_training.mf OPTIONS (model_type='matrix_factorization', "
        "feedback_type='explicit', user_col='user_id', item_col='item_id', "
        "rating_col='rating', num_factors=64, max_iterations=200, early_stop=false) "
        "AS SELECT * FROM lost_training.ratings"
    )
    job = submit(None, Project.default(), {"query": {"query": sql, "useLegacySql": False}})
    _kill_pool_when(own_worker, lambda: job.iterations.exists(), "the training")
    job = _assert_lost(job)
    assert not job.iterations.exists()  # the Training tab of no model shows them
    assert not MLModel.objects.filter(dataset=dataset, model_id="mf").exists()


def test_it_ends_a_load_killed_mid_way_and_removes_its_staged_file(
    own_worker: subprocess.Popen, transactional_db: None, storage_dir: Path
) -> None:
    Dataset.create(Project.default(), "lost_load")
    rows = "".join(f"{i},{i * 7 % 1000},row {i}\n" for i in range(2_000_000)).encode()
    job = submit_test_load("lost_load", "t", io.BytesIO(rows), schema="a:INT64,b:INT64,c:STRING")
    staged = storage_dir / job.upload_path
    state = Job.objects.filter(pk=job.pk).values_list("state", flat=True)
    _kill_pool_when(own_worker, lambda: state.first() == Job.State.RUNNING, "the load")
    _assert_lost(job)
    assert not staged.exists()
    assert not Table.objects.filter(dataset__dataset_id="lost_load").exists()


def test_it_removes_a_lost_loads_staged_file(db: None, storage_dir: Path) -> None:
    Dataset.create(Project.default(), "ds")
    load = {
        "destinationTable": {"datasetId": "ds", "tableId": "t"},
        "schema": {"fields": [{"name": "x", "type": "INT64"}]},
    }
    job = submit(None, Project.default(), {"load": load}, io.BytesIO(b"1\n2\n"))
    assert job.mark_running() and (storage_dir / job.upload_path).exists()
    fail_lost(job.pk, job.job_id, WorkerLostError("Worker exited prematurely: signal 9"))
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert "signal 9" in job.error_result["message"]
    assert not (storage_dir / job.upload_path).exists()
