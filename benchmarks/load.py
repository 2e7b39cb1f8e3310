"""Time console pages and REST queries under concurrent clients against a real `manage.py serve`.

    python -m benchmarks.load [--clients 1,8,32] [--seconds 20] [--database sqlite|postgres]
                              [--port P] [--quick]

It starts Quarry as a user does (`manage.py serve`, state in a temporary QUARRY_VAR_DIR; the
Redis on 127.0.0.1:6379 if it answers, else serve's private one; with `--database postgres` a
throwaway database on postgres://postgres@127.0.0.1:5432, dropped at the end), builds a table of
100,000 rows through the REST API and signs the console's admin in. Then, at each client level,
that many threads (loopback HTTP, a session each) run for the given seconds as "pages" clients
(the project home, the dataset, the table's Preview and the job history, signed in) and then as
"queries" clients (jobs.query: an aggregate and a point lookup, each answer checked). It prints
p50/p95/max latency and throughput per level and kind, and exits 1 if any request failed or
answered wrongly. `--quick` is a smoke run: 1 and 4 clients for 3 s.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import requests
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432"
API = "/bigquery/v2/projects/local-project"
ROWS = 100_000
CATEGORIES = 7
USERS = 1000
# Bounds: a request that takes longer has failed, and a level waits this long for its clients.
REQUEST_TIMEOUT_S = 30.0
QUERY_DEADLINE_S = 60.0
START_TIMEOUT_S = 180.0
CREATE_EVENTS = (
    f"CREATE TABLE bench.events AS SELECT n AS id, MOD(n, {USERS}) AS user_id, "
    f"CONCAT('c', CAST(MOD(n, {CATEGORIES}) AS STRING)) AS category, n * 0.25 AS amount "
    f"FROM UNNEST(GENERATE_ARRAY(1, {ROWS})) AS n"
)
AGGREGATE = (
    "SELECT category, COUNT(*) AS n, SUM(user_id) AS users FROM bench.events "
    "GROUP BY category ORDER BY category"
)
LOOKUP = "SELECT user_id, category FROM bench.events WHERE id = {id}"
# Each page and a text it must show, so that a sign-in page or an error page counts as a failure.
PAGES = {
    "/": "bench",
    "/d/bench/": "events",
    "/d/bench/t/events/?tab=preview": "category",
    "/jobs/?history=project": "bench.events",
}


class WrongAnswer(Exception):
    """A request answered, but not what a working Quarry answers."""


@dataclass
class Level:
    """The outcome of one kind of client at one client level."""

    clients: int
    kind: str
    elapsed_s: float = 0.0
    times_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def row(self) -> str:
        """Return the level's line of the results table."""
        times = sorted(self.times_ms) or [0.0]
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        rate = len(self.times_ms) / self.elapsed_s if self.elapsed_s else 0.0
        errors = sum(self.errors.values())
        return (
            f"{self.clients:>6} {self.kind:<8} {len(self.times_ms):>9} {errors:>7}"
            f" {statistics.median(times):>9.1f} {p95:>9.1f} {times[-1]:>9.1f} {rate:>8.1f}"
        )


HEADER = (
    f"{'level':>6} {'kind':<8} {'requests':>9} {'errors':>7} {'p50 ms':>9} {'p95 ms':>9}"
    f" {'max ms':>9} {'req/s':>8}"
)


def main(argv: list[str] | None = None) -> None:
    """Start Quarry, prepare its catalog, run every client level and print the figures."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load",
        description="Latency of console pages and REST queries at several concurrent clients.",
    )
    parser.add_argument("--clients", default="1,8,32", help="client levels, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="run time of each level")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--port", type=int, default=0, help="serve's port (default: a free one)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1 and 4 clients, 3 s")
    args = parser.parse_args(argv)
    levels = [1, 4] if args.quick else _levels(parser, args.clients)
    if args.seconds <= 0:
        parser.error("--seconds must be more than 0")
    seconds = 3.0 if args.quick else args.seconds
    with (
        tempfile.TemporaryDirectory(prefix="quarry-bench-load-") as var,
        _database(args.database) as database_url,
        _serve(Path(var), args.port or _free_port(), database_url) as base,
    ):
        _prepare(base)
        cookies = _sign_in(base, (Path(var) / "admin-password.txt").read_text().strip())
        print(
            f"{args.database} catalog, {ROWS:,} rows, {os.cpu_count()} CPUs, {seconds:g} s a level"
        )
        print(HEADER, flush=True)
        results = []
        for clients in levels:
            for kind, steps in (
                ("pages", _page_steps(base, cookies)),
                ("queries", _query_steps(base)),
            ):
                results.append(_run_level(clients, kind, seconds, steps))
                print(results[-1].row(), flush=True)
    failures = sum((level.errors for level in results), Counter())
    if failures:
        for message, count in failures.most_common(5):
            print(f"{count} x {message}", file=sys.stderr)
        raise SystemExit(f"{sum(failures.values())} requests failed")


def _levels(parser: argparse.ArgumentParser, text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",")]
    except ValueError:
        parser.error(f"--clients must be whole numbers separated by commas, not {text!r}")
    if not levels or min(levels) < 1:
        parser.error("--clients must be at least 1 each")
    return levels


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _database(kind: str) -> Iterator[str | None]:
    """Yield the catalog's DATABASE_URL: None for serve's SQLite, else a throwaway database."""
    if kind == "sqlite":
        yield None
        return
    name = f"quarry_bench_load_{secrets.token_hex(4)}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"{POSTGRES}/{name}"
        finally:
            # FORCE: a worker that has not quite exited must not keep the database alive.
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextlib.contextmanager
def _serve(var: Path, port: int, database_url: str | None) -> Iterator[str]:
    """Run `manage.py serve` on port with its state in var; yield its URL once the API answers."""
    # Serve decides the broker itself (localhost:6379 or a private Redis), and derives its queue
    # and storage from the catalog, as on a fresh install: nothing is inherited from the caller.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "QUARRY_QUEUE", "QUARRY_STORAGE_DIR")
    }
    env.update(QUARRY_VAR_DIR=str(var), QUARRY_NO_BOOTSTRAP="1")
    if database_url:
        env["DATABASE_URL"] = database_url
    base = f"http://127.0.0.1:{port}"
    log = var / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(f"{base}{API}/datasets"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"serve did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()  # serve stops its worker and web server on SIGTERM
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


def _prepare(base: str) -> None:
    """Create the dataset and the events table through the REST API."""
    with requests.Session() as session:
        body = {"datasetReference": {"datasetId": "bench"}}
        response = session.post(f"{base}{API}/datasets", json=body, timeout=REQUEST_TIMEOUT_S)
        if not response.ok:
            raise SystemExit(f"could not create the dataset: {response.text[:500]}")
        # The first job also waits for serve's worker to come up.
        _query(session, base, CREATE_EVENTS, deadline_s=START_TIMEOUT_S)


def _sign_in(base: str, password: str) -> requests.cookies.RequestsCookieJar:
    """Sign the admin in through the console's form and return the session's cookies."""
    with requests.Session() as session:
        session.get(f"{base}/signin", timeout=REQUEST_TIMEOUT_S)
        response = session.post(
            f"{base}/signin",
            data={
                "username": "admin",
                "password": password,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT_S,
        )
        if response.status_code != 302:
            raise SystemExit(f"could not sign in: HTTP {response.status_code}")
        return session.cookies


def _page_steps(base: str, cookies: Any) -> Callable[[int], Iterator[Callable[[], None]]]:
    """Return a factory of each pages client's endless round of signed-in page loads."""

    def steps(client: int) -> Iterator[Callable[[], None]]:
        session = requests.Session()
        session.cookies.update(cookies)
        # Clients start at different pages, so every level has all of them in flight at once.
        pages = list(PAGES.items())
        pages = pages[client % len(pages) :] + pages[: client % len(pages)]
        for path, marker in itertools.cycle(pages):
            yield lambda path=path, marker=marker: _page(session, base + path, marker)

    return steps


def _page(session: requests.Session, url: str, marker: str) -> None:
    response = session.get(url, allow_redirects=False, timeout=REQUEST_TIMEOUT_S)
    if response.status_code != 200 or marker not in response.text:
        raise WrongAnswer(f"GET {url}: HTTP {response.status_code} without {marker!r}")


def _query_steps(base: str) -> Callable[[int], Iterator[Callable[[], None]]]:
    """Return a factory of each queries client's alternating aggregates and point lookups."""
    expected = [
        [f"c{c}", str(len(ids)), str(sum(n % USERS for n in ids))]
        for c in range(CATEGORIES)
        for ids in [range(c or CATEGORIES, ROWS + 1, CATEGORIES)]
    ]

    def steps(client: int) -> Iterator[Callable[[], None]]:
        session = requests.Session()
        rng = random.Random(client)
        while True:
            yield lambda: _check(_query(session, base, AGGREGATE), expected, AGGREGATE)
            row = rng.randint(1, ROWS)
            want = [[str(row % USERS), f"c{row % CATEGORIES}"]]
            yield lambda row=row, want=want: _check(
                _query(session, base, LOOKUP.format(id=row)), want, f"lookup of id {row}"
            )

    return steps


def _check(rows: list[list[str]], expected: list[list[str]], what: str) -> None:
    if rows != expected:
        raise WrongAnswer(f"{what}: got {rows[:3]}, expected {expected[:3]}")


def _query(
    session: requests.Session, base: str, text: str, deadline_s: float = QUERY_DEADLINE_S
) -> list[list[str]]:
    """Run text with jobs.query, following getQueryResults until DONE, and return its rows."""
    deadline = time.monotonic() + deadline_s
    body = {"query": text, "useLegacySql": False, "timeoutMs": 10_000}
    answer = _api(session.post(f"{base}{API}/queries", json=body, timeout=REQUEST_TIMEOUT_S))
    while not answer.get("jobComplete"):
        if time.monotonic() > deadline:
            raise WrongAnswer(f"not done within {deadline_s:g} s: {text[:60]}")
        job_id = answer["jobReference"]["jobId"]
        url = f"{base}{API}/queries/{job_id}?timeoutMs=10000"
        answer = _api(session.get(url, timeout=REQUEST_TIMEOUT_S))
    return [[cell["v"] for cell in row["f"]] for row in answer.get("rows", [])]


def _api(response: requests.Response) -> dict[str, Any]:
    if not response.ok:
        message = re.sub(r"\s+", " ", response.text[:300])
        raise WrongAnswer(f"HTTP {response.status_code}: {message}")
    answer = response.json()
    if answer.get("errors"):
        raise WrongAnswer(answer["errors"][0].get("message", "the job failed"))
    return answer


def _run_level(
    clients: int, kind: str, seconds: float, steps: Callable[[int], Iterator[Callable[[], None]]]
) -> Level:
    """Run clients threads of one kind for seconds and gather every request's outcome."""
    level = Level(clients, kind)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(number: int) -> None:
        for step in steps(number):
            if time.monotonic() >= stop_at:
                return
            started = time.perf_counter()
            error = ""
            try:
                step()
            # Any failure is a failed request to count, never a client thread that dies unseen.
            except Exception as exc:  # noqa: BLE001
                error = str(exc)[:200] or type(exc).__name__
            with lock:
                level.times_ms.append((time.perf_counter() - started) * 1000)
                if error:
                    level.errors[error] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, stop_at + QUERY_DEADLINE_S + REQUEST_TIMEOUT_S - time.monotonic()))
    level.elapsed_s = time.monotonic() - started
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        level.errors[f"{kind} clients still waiting at the level's end"] += stuck
    return level


if __name__ == "__main__":
    main()
