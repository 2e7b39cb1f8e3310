"""Shared fixtures: a real Redis and a real Celery worker process for the tests that need them.

The worker is a separate process, so it reads the test database through its own connection: tests
that submit jobs use `transactional_db`, which commits, and the SQLite test database is a file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from django.conf import settings
from django.db import connection

from console import services, tls
from console.catalog.models import Dataset, Project, Table
from console.celery import app as celery_app
from console.engine import tables
from console.engine.results import read_rows
from console.jobs.models import Job
from console.jobs.submit import submit
from mfcore import make_ratings
from tests import tutorial

# The Storage Read API's certificate for the whole test session. gRPC reads the roots it trusts
# once, at the first secure channel a process opens, so they are named before any test runs.
# It sits where a var dir keeps it, so a Quarry process started with QUARRY_VAR_DIR=its parent
# presents the same certificate.
TEST_TLS_DIR = Path(tempfile.gettempdir()) / f"quarry-test-{os.getuid()}" / "tls"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    os.environ["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = str(tls.ensure(TEST_TLS_DIR).cert_path)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Remove a previous run's SQLite WAL files: beside a new database they cause I/O errors."""
    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and test_name:
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{test_name}{suffix}").unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def anonymous_access(settings: Any) -> None:
    """Let requests without credentials act as anonymous, as Quarry's embedded default does.

    The IAM tests turn it off where they check that credentials are required.
    """
    settings.QUARRY_ANONYMOUS_ACCESS = True


@pytest.fixture(scope="session", autouse=True)
def storage_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keep every test's tables and models out of the developer's var/storage."""
    path = tmp_path_factory.mktemp("storage")
    settings.QUARRY_STORAGE_DIR = path
    return path


@pytest.fixture(scope="session", autouse=True)
def buckets_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Keep every test's gs:// files out of the developer's var/buckets."""
    path = tmp_path_factory.mktemp("buckets")
    settings.QUARRY_BUCKETS_DIR = path
    return path


@pytest.fixture
def own_storage_dir(settings: Any, tmp_path: Path) -> Path:
    """Give this test a storage dir of its own, for tests that judge every file in it."""
    settings.QUARRY_STORAGE_DIR = tmp_path / "storage"
    return settings.QUARRY_STORAGE_DIR


@pytest.fixture(scope="session")
def broker_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Return a reachable Redis: REDIS_URL, localhost:6379, or a private one started here."""
    url = services.local_redis_url()
    private = None
    if url is None:
        private = services.PrivateRedis(tmp_path_factory.mktemp("redis"))
        url = private.url
    yield url
    if private is not None:
        private.stop()


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def worker_env(
    django_db_setup: None,
    django_db_blocker: pytest.FixtureRequest,
    broker_url: str,
    storage_dir: Path,
    buckets_dir: Path,
) -> dict[str, str]:
    """Return the environment that points a Quarry process at this test session's parts.

    The worker runs with it, and so does `manage.py bq` started as a command of its own.
    """
    queue = f"quarry-test-{uuid.uuid4().hex[:8]}"
    return {
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker_url,
        "QUARRY_QUEUE": queue,
        "QUARRY_STORAGE_DIR": str(storage_dir),
        "QUARRY_BUCKETS_DIR": str(buckets_dir),
        "QUARRY_NO_BOOTSTRAP": "1",
        # Jobs submitted without a user run as anonymous, as in the embedded default.
        "QUARRY_ANONYMOUS_ACCESS": "true",
    }


@pytest.fixture(scope="session")
def worker(worker_env: dict[str, str]) -> Iterator[None]:
    """Run a real Celery worker on a queue of this test session's own."""
    queue = worker_env["QUARRY_QUEUE"]
    celery_app.conf.broker_url = worker_env["REDIS_URL"]
    celery_app.conf.task_default_queue = queue
    with started_worker(worker_env, queue):
        yield


@contextlib.contextmanager
def started_worker(env: dict[str, str], name: str, prefix: Sequence[str] = ()) -> Iterator[Any]:
    """Start a real worker process named name with env, wait until it answers, stop it after.

    prefix is a command the worker runs under (see services.start_worker).
    """
    process = services.start_worker(env, name=name, concurrency=1, prefix=prefix)
    try:
        _wait_for_worker(name, process)
        yield process
    finally:
        services.stop(process)


def _wait_for_worker(name: str, process: object) -> None:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:  # type: ignore[attr-defined]
            raise RuntimeError("the Celery worker exited at start-up; see its output above")
        replies = celery_app.control.ping(timeout=0.5)
        if any(name in host for reply in replies for host in reply):
            return
    raise RuntimeError("the Celery worker did not answer within 60 s")


def wait_for(job: Job, timeout_s: float = 180) -> Job:
    """Return the job once the worker has finished it."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state == Job.State.DONE:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job.job_id} still {job.state} after {timeout_s} s")


def run_here(configuration: dict[str, Any]) -> Job:
    """Submit a job and run it in this process, as a worker would; return the finished job.

    For tests on the `db` fixture: its transaction never commits, so no worker is woken.
    """
    from console.jobs.runner import run

    job = submit(None, Project.default(), configuration)
    assert job.mark_running()
    run(job)
    job.refresh_from_db()
    return job


def job_rows(
    job: Job, start: int = 0, max_rows: int = 100
) -> tuple[list[dict[str, Any]], list[list[Any]], int]:
    """Return (fields, rows, total rows) for one page of a finished query job's result."""
    return read_rows((job.result_path, job.result_schema), start, max_rows)


@pytest.fixture
def run_sql(worker: None, transactional_db: None):
    """Submit SQL as a QUERY job to the real worker and return the finished Job."""

    def run(sql: str, *, default_dataset: str | None = None, timeout_s: float = 180) -> Job:
        config: dict = {"query": {"query": sql, "useLegacySql": False}}
        if default_dataset:
            config["query"]["defaultDataset"] = {"datasetId": default_dataset}
        return wait_for(submit(None, Project.default(), config), timeout_s)

    return run


def load_configuration(dataset_id: str, table_id: str, **options: Any) -> dict[str, Any]:
    """Return a load job's configuration; options are load options in snake_case (schema may be
    bq's name:TYPE,... text or a list of fields)."""
    from console.engine.formats import option_name
    from console.engine.types import parse_schema_string

    load: dict[str, Any] = {"destinationTable": {"datasetId": dataset_id, "tableId": table_id}}
    load.update({option_name(name): value for name, value in options.items()})
    schema = load.get("schema")
    if schema is not None:
        load["schema"] = {
            "fields": parse_schema_string(schema) if isinstance(schema, str) else schema
        }
    return {"load": load}


def submit_test_load(dataset_id: str, table_id: str, upload: Any, **options: Any) -> Job:
    """Submit a load of upload (a binary file) as anonymous; return the PENDING job."""
    return submit(
        None, Project.default(), load_configuration(dataset_id, table_id, **options), upload
    )


# A movies.dat made up in MovieLens's shape and encoding (ISO-8859-1), for the tutorial's movie
# load; 0x92 is Windows-1252's apostrophe, a byte ISO-8859-1 has no character for.
MOVIES_DAT = (
    "1::Toy Story (1995)::Animation|Children's|Comedy\n"
    "73::Misérables, Les (1995)::Drama|Musical\n"
    "4973::Amélie (2001)::Comedy|Romance\n"
).encode("latin-1") + b"527::Schindler\x92s List (1993)::Drama|War\n"
MOVIE_ROWS = [
    [1, "Toy Story (1995)", "Animation|Children's|Comedy"],
    [73, "Misérables, Les (1995)", "Drama|Musical"],
    [4973, "Amélie (2001)", "Comedy|Romance"],
    [527, "Schindler\ufffds List (1993)", "Drama|War"],
]
MOVIES_SCHEMA = "movie_id:INT64,movie_title:STRING,genre:STRING"


def tutorial_sed(movies_dat: bytes) -> bytes:
    """Return movies.dat as the tutorial's `sed 's/::/@/g'` writes movie_titles.csv."""
    return movies_dat.replace(b"::", b"@")


@pytest.fixture(scope="session")
def movielens(tmp_path_factory: pytest.TempPathFactory) -> tutorial.MovieLens:
    """Return the tutorial's download, ml-1m.zip: real MovieLens 1M, or a synthetic stand-in."""
    return tutorial.movielens_zip(tmp_path_factory.mktemp("grouplens"))


@pytest.fixture(scope="session")
def grouplens(movielens: tutorial.MovieLens) -> Iterator[dict[str, str]]:
    """Serve the download at files.grouplens.org through a local proxy; return its environment."""
    proxy = tutorial.GroupLensProxy(movielens.zip_path)
    yield proxy.env
    proxy.close()


def synthetic_ratings(dataset: Dataset, table_id: str = "ratings", **kw: Any) -> Table:
    """Store MovieLens-shaped synthetic ratings as a table, the way a load writes one."""
    params = {"n_users": 120, "n_items": 80, "n_ratings": 3000, "random_state": 3, **kw}
    frame = make_ratings(**params)[["user_id", "item_id", "rating"]]
    data = pa.Table.from_pandas(frame, preserve_index=False)
    return tables.write_version(dataset, table_id, data.schema, None, data.to_batches())
