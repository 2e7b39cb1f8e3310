"""Two instances on one Redis: each catalog has its own queue; a stray message is a no-op."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from console.catalog.models import Project
from console.jobs.models import Job
from console.jobs.submit import submit
from console.jobs.tasks import run_job

ROOT = Path(__file__).resolve().parent.parent.parent


def _queue(**env: str) -> str:
    """Return the queue a fresh process with env sends jobs to (as serve, its worker and bq do)."""
    base = {k: v for k, v in os.environ.items() if k not in ("QUARRY_QUEUE", "DATABASE_URL")}
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'console.settings');"
        "django.setup(); from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "from console.jobs import queues; print(queues.name())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_it_gives_each_catalog_its_own_queue_whatever_path_reaches_it(tmp_path: Path) -> None:
    first = _queue(QUARRY_VAR_DIR=str(tmp_path / "a"))
    assert first.startswith("quarry-") and len(first) == len("quarry-") + 12
    assert _queue(QUARRY_VAR_DIR=str(tmp_path / "b")) != first
    # Another host reaching the same catalog by another name meets on the same queue.
    (tmp_path / "same-catalog").symlink_to(tmp_path / "a")
    assert _queue(QUARRY_VAR_DIR=str(tmp_path / "same-catalog")) == first
    assert _queue(QUARRY_VAR_DIR=str(tmp_path / "a"), QUARRY_QUEUE="mine") == "mine"


def test_it_leaves_a_job_alone_when_a_message_names_another_catalogs_job(db: None) -> None:
    job = submit(None, Project.default(), {"query": {"query": "SELECT 1"}})
    run_job(job.pk, "job_from_another_instance")
    job.refresh_from_db()
    assert job.state == Job.State.PENDING and job.started is None
