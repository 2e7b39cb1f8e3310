"""serve's supervision: a child that exits is started again, after a backoff that grows."""

from __future__ import annotations

import subprocess
import sys

from console.services import Supervised


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _exits(code: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", f"raise SystemExit({code})"])
    process.wait()
    return process


def test_it_restarts_a_process_that_exited_after_a_growing_backoff() -> None:
    clock, starts = Clock(), []
    child = Supervised("worker", lambda: starts.append(1) or _exits(3), clock)
    assert child.poll() == "The worker stopped (exit code 3); starting it again in 1 s"
    assert child.poll() is None and len(starts) == 1  # not yet due
    clock.now = 1.0
    assert child.poll().startswith("Restarted the worker (pid ")
    assert child.poll() == "The worker stopped (exit code 3); starting it again in 2 s"
    clock.now = 3.0
    child.poll()
    assert child.poll().endswith("starting it again in 4 s")
    assert len(starts) == 3


def test_it_forgets_old_failures_once_a_process_ran_for_a_while() -> None:
    clock = Clock()
    child = Supervised("web server", lambda: _exits(1), clock)
    child.poll()
    clock.now = 1.0
    child.poll()  # restarted
    clock.now = 1.0 + Supervised.STABLE_S
    assert child.poll().endswith("starting it again in 1 s")


def test_it_keeps_trying_when_a_restart_itself_fails() -> None:
    clock, attempts = Clock(), []

    def start() -> subprocess.Popen:
        attempts.append(1)
        if len(attempts) > 1:
            raise RuntimeError("the private Redis server exited at start-up")
        return _exits(0)

    child = Supervised("private Redis", start, clock)
    child.poll()
    clock.now = 1.0
    assert child.poll() == (
        "The private Redis could not start: the private Redis server exited at start-up; "
        "starting it again in 2 s"
    )
    child.stop()  # stopping a process that already exited is harmless
