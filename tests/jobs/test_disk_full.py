"""A storage dir that fills up: a clear error on every front end, nothing of the failed write kept,
the previous table still served, and queries that work again once there is room.

The storage dir is a size-capped tmpfs mounted in a mount namespace of its own (`unshare --user
--map-root-user --mount`, so no privileges are needed and nothing outlives the test). The worker,
the web server and `bq` run inside it through `nsenter`; this test reaches the directory through
/proc/<pid>/root.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery

from console import services
from console.catalog.models import Dataset, Project, TableVersion
from console.iam.models import RoleBinding
from console.jobs.models import Job
from tests.api.conftest import make_client
from tests.conftest import started_worker

pytestmark = pytest.mark.worker

CAPACITY_MB = 30
SCHEMA = [bigquery.SchemaField("x", "INT64")]


@dataclass
class Quarry:
    """A Quarry whose processes run in the capped mount namespace."""

    url: str
    env: dict[str, str]
    prefix: list[str]
    storage: Path  # the storage dir, as this test process reaches it
    ballast: Path  # a file beside it that fills the file system


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[str], Path, Path]]:
    """Mount a small tmpfs in a namespace of its own; return (nsenter prefix, mount, view)."""
    mount = tmp_path_factory.mktemp("capped")
    script = f'mount -t tmpfs -o size={CAPACITY_MB}m quarry "$0" && echo mounted && exec sleep 1d'
    try:
        holder = subprocess.Popen(
            ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script, str(mount)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except FileNotFoundError:
        pytest.skip("a size-capped storage dir needs util-linux's unshare and nsenter")
    if holder.stdout.readline().strip() != "mounted":
        reason = holder.communicate()[1].strip()
        pytest.skip(f"cannot mount a size-capped storage dir in a user namespace: {reason}")
    prefix = ["nsenter", f"--target={holder.pid}", "--user", "--mount", "--preserve-credentials"]
    # Entering a mount namespace starts in its root directory unless told otherwise.
    prefix.append(f"--wd={settings.BASE_DIR}")
    try:
        yield prefix, mount, Path(f"/proc/{holder.pid}/root{mount}")
    finally:
        services.stop(holder)


@pytest.fixture(scope="module")
def quarry(
    capped: tuple[list[str], Path, Path], worker: None, worker_env: dict[str, str]
) -> Iterator[Quarry]:
    """Run a worker and a web server whose storage dir is the capped one."""
    prefix, mount, view = capped
    queue = f"disk-{uuid.uuid4().hex[:8]}"
    env = {**worker_env, "QUARRY_QUEUE": queue, "QUARRY_STORAGE_DIR": str(mount / "storage")}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with started_worker(env, queue, prefix):
        server = subprocess.Popen(
            [*prefix, sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=settings.BASE_DIR,
            env={**os.environ, **env},
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_serving(url, server)
            yield Quarry(url, env, prefix, view / "storage", view / "ballast")
        finally:
            services.stop(server)


def _wait_until_serving(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the web server exited at start-up; see its output above"
        try:
            requests.get(f"{url}/discovery/v1/apis/bigquery/v2/rest", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError("the web server did not answer within 60 s")


@pytest.fixture
def client(quarry: Quarry, transactional_db: None) -> bigquery.Client:
    """Return a client of the capped Quarry, emptied, with table ds.t holding 1, 2 and 3."""
    shutil.rmtree(quarry.storage, ignore_errors=True)
    quarry.ballast.unlink(missing_ok=True)
    bq = make_client(quarry.url)
    bq.create_dataset("ds")
    _load(bq, b"1\n2\n3\n").result()
    return bq


def _load(
    bq: bigquery.Client, data: bytes, table: str = "t", schema: list[Any] = SCHEMA
) -> bigquery.LoadJob:
    config = bigquery.LoadJobConfig(
        source_format="CSV", schema=schema, write_disposition="WRITE_TRUNCATE"
    )
    return bq.load_table_from_file(
        io.BytesIO(data), f"ds.{table}", job_config=config, size=len(data)
    )


def _rows_of_t(bq: bigquery.Client) -> list[int]:
    return sorted(row.x for row in bq.list_rows("ds.t"))


def _numbers(size: int) -> bytes:
    """Return CSV rows of distinct numbers, about size bytes: Parquet cannot shrink them much."""
    count = size // 17
    return b"".join(b"%016d\n" % (n * 7919 % 10**16) for n in range(count))


def _fill(ballast: Path, leave: int = 0) -> None:
    """Write a ballast file until only leave bytes of its file system are free."""
    stats = os.statvfs(ballast.parent)
    remaining = stats.f_bavail * stats.f_frsize - leave
    with open(ballast, "wb", buffering=0) as out:
        while remaining > 0:
            remaining -= out.write(bytes(min(remaining, 1 << 20)))


def _unnamed_files(storage: Path) -> set[str]:
    """Return the stored files that neither a table version nor a job's result names."""
    named = {*TableVersion.objects.values_list("data_path", flat=True)}
    named |= {*Job.objects.values_list("result_path", flat=True)}
    stored = {str(path.relative_to(storage)) for path in storage.rglob("*") if path.is_file()}
    return stored - named


def _assert_storage_full_message(message: str, purpose: str, folder: str = "storage") -> None:
    assert f"Quarry's storage is full: {purpose} needs more space" in message
    # The directory's own name, never the machine's paths.
    assert f"({folder})" in message and "/" not in message


def test_it_refuses_an_upload_that_does_not_fit_and_keeps_none_of_it(
    quarry: Quarry, client: bigquery.Client
) -> None:
    data = _numbers((CAPACITY_MB + 10) * 1024 * 1024)
    with pytest.raises(BadRequest) as refused:
        _load(client, data)
    assert refused.value.errors[0]["reason"] == "resourcesExceeded"
    _assert_storage_full_message(refused.value.errors[0]["message"], "storing the file to load")
    assert _unnamed_files(quarry.storage) == set()
    assert _rows_of_t(client) == [1, 2, 3]
    # The failed upload freed what it used, so the next query has room for its result.
    assert [row.s for row in client.query("SELECT SUM(x) AS s FROM ds.t").result()] == [6]


def test_it_answers_a_multipart_upload_that_does_not_fit_with_a_json_error(
    quarry: Quarry, client: bigquery.Client
) -> None:
    _fill(quarry.ballast)
    metadata = b'{"configuration": {"load": {"destinationTable": {"datasetId": "ds", "tableId": "u"}, "schema": {"fields": [{"name": "x", "type": "INT64"}]}}}}'  # noqa: E501
    body = (
        b"--b\r\nContent-Type: application/json\r\n\r\n" + metadata + b"\r\n"
        b"--b\r\nContent-Type: text/csv\r\n\r\n1\n2\n\r\n--b--\r\n"
    )
    project = settings.QUARRY_DEFAULT_PROJECT
    response = requests.post(
        f"{quarry.url}/upload/bigquery/v2/projects/{project}/jobs?uploadType=multipart",
        data=body,
        headers={"Content-Type": 'multipart/related; boundary="b"'},
        timeout=60,
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["errors"][0]["reason"] == "resourcesExceeded"
    _assert_storage_full_message(error["message"], "storing the file to load")
    assert not Job.objects.filter(job_type=Job.Type.LOAD).exclude(state=Job.State.DONE).exists()
    assert _unnamed_files(quarry.storage) == set()


def test_it_fails_a_load_whose_table_does_not_fit_and_still_serves_the_old_one(
    quarry: Quarry, client: bigquery.Client
) -> None:
    # Under 5 MB, so the client sends it in one multipart request, staged as it arrives.
    data = _numbers(4 * 1024 * 1024)
    # Room for the staged file, not for the Parquet version the worker writes from it.
    _fill(quarry.ballast, leave=len(data) + 256 * 1024)
    job = _load(client, data)
    with pytest.raises(BadRequest):
        job.result(timeout=120)
    assert job.error_result["reason"] == "resourcesExceeded"
    _assert_storage_full_message(
        job.error_result["message"], f"writing table {settings.QUARRY_DEFAULT_PROJECT}:ds.t"
    )
    assert _unnamed_files(quarry.storage) == set()
    assert _rows_of_t(client) == [1, 2, 3]


def test_it_answers_queries_again_once_space_is_freed(
    quarry: Quarry, client: bigquery.Client
) -> None:
    _fill(quarry.ballast)
    query = "SELECT x FROM ds.t ORDER BY x"
    with pytest.raises(BadRequest) as refused:
        client.query(query).result(timeout=120)
    assert refused.value.errors[0]["reason"] == "resourcesExceeded"
    _assert_storage_full_message(refused.value.errors[0]["message"], "writing query results")
    assert _unnamed_files(quarry.storage) == set()
    quarry.ballast.unlink()
    assert [row.x for row in client.query(query).result(timeout=120)] == [1, 2, 3]


def test_it_fails_a_training_whose_model_does_not_fit(
    quarry: Quarry, client: bigquery.Client
) -> None:
    ratings = b"".join(b"%d,%d,%d\n" % (u, i, (u * i) % 5 + 1) for u in range(30) for i in range(9))
    schema = [bigquery.SchemaField(name, "INT64") for name in ("u", "i", "r")]
    _load(client, ratings, "ratings", schema).result()
    _fill(quarry.ballast)
    train = (
        "CREATE MODEL ds.m OPTIONS(model_type='matrix_factorization', user_col='u', "
        "item_col='i', rating_col='r', num_factors=2, max_iterations=2) AS "
        "SELECT u, i, CAST(r AS FLOAT64) AS r FROM ds.ratings"
    )
    with pytest.raises(BadRequest) as refused:
        client.query(train).result(timeout=120)
    assert refused.value.errors[0]["reason"] == "resourcesExceeded"
    project = settings.QUARRY_DEFAULT_PROJECT
    _assert_storage_full_message(refused.value.errors[0]["message"], f"saving model {project}:ds.m")
    assert list(client.list_models("ds")) == []
    assert _unnamed_files(quarry.storage) == set()


def test_it_prints_one_line_from_bq_when_the_file_does_not_fit(
    quarry: Quarry, client: bigquery.Client, tmp_path: Path
) -> None:
    source = tmp_path / "more.csv"
    source.write_bytes(b"4\n5\n")
    _fill(quarry.ballast)
    done = subprocess.run(
        [*quarry.prefix, sys.executable, "manage.py", "bq", "load", "ds.t", str(source), "x:INT64"],
        cwd=settings.BASE_DIR,
        env={**os.environ, **quarry.env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    assert line.startswith("BigQuery error in load operation: Quarry's storage is full")
    _assert_storage_full_message(line, "storing the file to load")
    assert _unnamed_files(quarry.storage) == set()
    assert _rows_of_t(client) == [1, 2, 3]


def test_it_shows_the_console_user_why_the_upload_failed(
    quarry: Quarry, client: bigquery.Client
) -> None:
    user = get_user_model().objects.create_user("alice", "alice@example.com", "alice-password")
    RoleBinding.grant(Project.default(), user, "roles/owner")
    browser = _signed_in(quarry.url, "alice", "alice-password")
    _fill(quarry.ballast)
    response = browser.post(
        f"{quarry.url}/d/ds/tables/new",
        data={
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "source_format": "CSV",
            "table_id": "u",
            "schema": "x:INT64",
            "field_delimiter": ",",
            "skip_leading_rows": "0",
            "write_disposition": "WRITE_EMPTY",
        },
        files={"upload": ("more.csv", b"4\n5\n", "text/csv")},
        timeout=60,
    )
    assert response.status_code == 400
    assert "storage is full: storing the file to load needs more space" in response.text
    assert _unnamed_files(quarry.storage) == set()


def _signed_in(url: str, username: str, password: str) -> Any:
    browser = requests.Session()
    browser.get(f"{url}/signin", timeout=30)
    response = browser.post(
        f"{url}/signin",
        data={
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
            "username": username,
            "password": password,
        },
        timeout=30,
    )
    assert response.ok and "sessionid" in browser.cookies
    return browser


def test_it_says_a_file_over_the_size_the_system_allows_does_not_fit(
    worker_env: dict[str, str], transactional_db: None, tmp_path: Path
) -> None:
    Dataset.create(Project.default(), "ds")
    source = tmp_path / "big.csv"
    source.write_bytes(_numbers(2 * 1024 * 1024))
    limit = 1024 * 1024
    done = subprocess.run(
        [sys.executable, "manage.py", "bq", "load", "ds.t", str(source), "x:INT64"],
        cwd=settings.BASE_DIR,
        env={**os.environ, **worker_env},
        # A process's file size limit: writing past it fails with EFBIG, as on a file system
        # whose largest file is smaller.
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    [line] = done.stderr.splitlines()
    storage_dir = Path(worker_env["QUARRY_STORAGE_DIR"])
    _assert_storage_full_message(line, "storing the file to load", storage_dir.name)
    assert not Job.objects.exists()
    assert not list(storage_dir.glob("uploads/.tmp-*"))
