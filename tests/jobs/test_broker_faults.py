"""A running Quarry (`manage.py serve`) whose broker and worker fail under it keeps serving, and
every job reaches a terminal state: Redis killed and restarted mid-job, jobs submitted while Redis
is down, the worker's main process killed mid-job.

Everything here is real: a redis-server process this test kills with SIGKILL, the `serve`
command with its own worker and web server, requests over HTTP.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import kombu
import pytest
import redis
from kombu.common import ignore_errors

from console import services

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parent.parent.parent
LEASE_S = 6
# Seconds of DuckDB work on this machine: long enough to fail things under it.
SLOW = (
    "SELECT SUM(MOD(a * b + c, 7)) AS s FROM UNNEST(GENERATE_ARRAY(1, 3000)) AS a, "
    "UNNEST(GENERATE_ARRAY(1, 3000)) AS b, UNNEST(GENERATE_ARRAY(1, {n})) AS c"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Broker:
    """A redis-server of this test's own, on a TCP port, that it can kill and start again."""

    def __init__(self, directory: Path) -> None:
        self.port, self.directory = _free_port(), directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [services._redis_binary(), "--port", str(self.port), "--save", "", "--appendonly"]
            + ["no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while not services.redis_answers(self.url):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.02)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no goodbye to the clients, as in a crash
        self.process.wait()


@dataclass
class Quarry:
    url: str
    process: subprocess.Popen
    log: Path

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}/bigquery/v2/projects/local-project/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def insert_query(self, sql: str) -> str:
        configuration = {"query": {"query": sql, "useLegacySql": False}}
        job = self.call("POST", "jobs", {"configuration": configuration})
        return job["jobReference"]["jobId"]

    def job(self, job_id: str) -> dict[str, Any]:
        return self.call("GET", f"jobs/{job_id}")

    def wait_state(self, job_id: str, state: str, timeout_s: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while (job := self.job(job_id))["status"]["state"] != state:
            assert time.monotonic() < deadline, f"{job_id} still {job['status']}"
            time.sleep(0.1)
        return job

    def value(self, job_id: str) -> str:
        self.wait_state(job_id, "DONE", 120)
        return self.call("GET", f"queries/{job_id}")["rows"][0]["f"][0]["v"]

    def worker_pid(self, timeout_s: float = 60) -> int:
        """Return the pid of serve's worker main process, waiting for one to be running."""
        deadline = time.monotonic() + timeout_s
        while True:
            found = subprocess.run(
                ["pgrep", "-P", str(self.process.pid), "-f", "celery"],
                capture_output=True,
                text=True,
            ).stdout.split()
            if found:
                return int(found[0])
            assert time.monotonic() < deadline, "serve has no worker"
            time.sleep(0.2)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    server = Broker(tmp_path_factory.mktemp("broker"))
    yield server
    if server.process is not None and server.process.poll() is None:
        server.kill()


@pytest.fixture(scope="module")
def quarry(broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Quarry]:
    var = tmp_path_factory.mktemp("serve")
    port = _free_port()
    # A catalog of its own (SQLite in its var directory) whatever database the suite runs on.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "QUARRY_QUEUE", "QUARRY_STORAGE_DIR")
    }
    env.update(
        QUARRY_VAR_DIR=str(var),
        REDIS_URL=broker.url,
        QUARRY_NO_BOOTSTRAP="1",
        QUARRY_JOB_LEASE_S=str(LEASE_S),
        QUARRY_SWEEP_S="1",
    )
    log = var / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(port), "--concurrency", "1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = Quarry(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, log.read_text()
        try:
            running.call("GET", "datasets")
            break
        except OSError:
            assert time.monotonic() < deadline, "serve did not answer within 120 s"
            time.sleep(0.5)
    running.worker_pid()
    yield running
    process.terminate()  # serve stops its worker, web server and private Redis on SIGTERM
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def test_it_treats_a_broker_connection_closed_twice_as_lost_not_broken(broker: Broker) -> None:
    """The state kombu reaches when Redis dies twice in quick succession, made on purpose:
    Connection.collect() already dropped the transport, then Celery closes the connection."""
    connection = kombu.Connection(broker.url)
    channel = connection.default_channel
    queue = kombu.Queue("guard", kombu.Exchange("guard"), routing_key="guard")(channel)
    queue.declare()
    kombu.Producer(channel).publish({"job": 1}, exchange="guard", routing_key="guard")
    assert queue.get(no_ack=False).payload == {"job": 1}  # delivered, not acknowledged
    connection._do_close_transport()
    connection._default_channel = channel
    # Kombu raised AttributeError here, which Celery's consumer treats as unrecoverable.
    ignore_errors(connection, connection.close)
    # The message is not lost: Redis keeps it among the unacknowledged, to be restored.
    assert redis.Redis.from_url(broker.url).hlen("unacked") == 1


def test_it_keeps_its_worker_through_redis_crashes_during_a_job(
    quarry: Quarry, broker: Broker
) -> None:
    worker = quarry.worker_pid()
    # Long enough to outlast jobs.insert's own wait (10 s) on a fast machine: the crashes below
    # must hit a running job.
    job_id = quarry.insert_query(SLOW.format(n=300))
    quarry.wait_state(job_id, "RUNNING", 60)
    # Crashes in quick succession: each one while the worker is still recovering from the last
    # is what made kombu's reconnection fail with an "unrecoverable" AttributeError.
    for up_s in (0.3, 1.5, 0.1, 2.5, 0.5, 1.0, 0.2, 3.0):
        broker.kill()
        time.sleep(0.2)
        broker.start()
        time.sleep(up_s)
    done = quarry.wait_state(job_id, "DONE", 240)
    assert "errorResult" not in done["status"], done["status"]
    assert quarry.worker_pid() == worker, "the worker died: " + quarry.log.read_text()[-3000:]
    assert "Unrecoverable error" not in quarry.log.read_text()
    assert quarry.value(quarry.insert_query("SELECT 6 * 7")) == "42"


def test_it_runs_the_jobs_submitted_while_redis_was_down(quarry: Quarry, broker: Broker) -> None:
    broker.kill()
    try:
        submitted = []
        for n in (1, 2, 3):
            started = time.monotonic()
            submitted.append(quarry.insert_query(f"SELECT {n} * 100"))
            # No broker to wait for: the Job row is the truth and the answer comes at once.
            assert time.monotonic() - started < 5
        assert {quarry.job(job_id)["status"]["state"] for job_id in submitted} == {"PENDING"}
    finally:
        broker.start()
    # Re-queued by the worker when it reconnects (Redis came back empty: no message survived).
    assert [quarry.value(job_id) for job_id in submitted] == ["100", "200", "300"]


def test_it_restarts_a_killed_worker_and_ends_the_job_it_was_running(quarry: Quarry) -> None:
    worker = quarry.worker_pid()
    job_id = quarry.insert_query(SLOW.format(n=3000))
    quarry.wait_state(job_id, "RUNNING", 60)
    os.kill(worker, signal.SIGKILL)  # the main process: no failure signal, only the lease tells
    done = quarry.wait_state(job_id, "DONE", LEASE_S + 90)
    assert "worker" in done["status"]["errorResult"]["message"], done["status"]
    assert quarry.process.poll() is None, "serve stopped with its worker"
    assert quarry.worker_pid() != worker
    assert "The worker stopped" in quarry.log.read_text()
    assert quarry.value(quarry.insert_query("SELECT 'still here'")) == "still here"
