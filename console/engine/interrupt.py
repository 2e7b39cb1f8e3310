"""Stop a job's DuckDB work as soon as someone cancels the job, not at its next checkpoint.

The engine checks for a cancel between result batches, statements and training sweeps, but a
query that computes for minutes before its first row (a cross join, a large aggregate) reaches
no checkpoint. A thread of the job's own reads whether the job was cancelled and interrupts
DuckDB, which stops within milliseconds; the checkpoints then read the watcher's answer instead
of the database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType

import duckdb
from django.db import DatabaseError, connections

log = logging.getLogger(__name__)

# How often the watcher reads whether someone cancelled the job.
POLL_S = 0.5


class Watcher:
    """Read cancelled() in a thread of its own while a job runs; once it is True, interrupt.

    Use it as a context manager around the job: the thread starts on entry and is stopped and
    joined on exit, so no thread outlives its job.
    """

    def __init__(self, cancelled: Callable[[], bool]) -> None:
        self._read = cancelled
        self._seen = threading.Event()
        self._stop = threading.Event()
        # Held while interrupting, and while a connection is forgotten before it is closed:
        # interrupting a connection another thread is closing would touch freed memory.
        self._lock = threading.Lock()
        self._connections: list[duckdb.DuckDBPyConnection] = []
        self._thread = threading.Thread(target=self._watch, name="quarry-cancel-watcher")

    def cancelled(self) -> bool:
        """Return True once the watcher has seen the job's cancel request."""
        return self._seen.is_set()

    def watch(self, con: duckdb.DuckDBPyConnection) -> None:
        """Interrupt con's running query when the job is cancelled, until con is forgotten."""
        with self._lock:
            self._connections.append(con)

    def forget(self, con: duckdb.DuckDBPyConnection) -> None:
        """Stop interrupting con; call this before closing it."""
        with self._lock:
            self._connections.remove(con)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        try:
            while not self._stop.wait(POLL_S):
                if self._seen.is_set() or self._asked():
                    self._seen.set()
                    # Again at every poll: an interrupt stops only the query running at that
                    # moment, and the job may start another before it reaches a checkpoint.
                    self._interrupt()
        finally:
            # cancelled() reads the Job row, and Django opens a connection per thread that only
            # this thread can close.
            connections.close_all()

    def _asked(self) -> bool:
        try:
            return self._read()
        except DatabaseError:
            # A lost catalog connection must not end the watch: reconnect at the next poll.
            log.warning("could not read whether a job was cancelled", exc_info=True)
            connections.close_all()
            return False

    def _interrupt(self) -> None:
        with self._lock:
            for con in self._connections:
                con.interrupt()
