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
    """Return the queue a fresh process with env would use (as serve's web and worker do)."""
    base = {k: v for k, v in os.environ.items() if k not in ("QUARRY_QUEUE", "DATABASE_URL")}
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'console.settings');"
        "from django.conf import settings; print(settings.CELERY_TASK_DEFAULT_QUEUE)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_it_gives_each_catalog_its_own_queue(tmp_path: Path) -> None:
    first = _queue(QUARRY_VAR_DIR=str(tmp_path / "a"))
    assert first.startswith("quarry-")
    assert _queue(QUARRY_VAR_DIR=str(tmp_path / "a")) == first
    assert _queue(QUARRY_VAR_DIR=str(tmp_path / "b")) != first
    other = _queue(DATABASE_URL="postgres://postgres@127.0.0.1:5432/quarry_other")
    assert other not in (first, _queue(DATABASE_URL="postgres://postgres@127.0.0.1:5432/q2"))
    assert _queue(QUARRY_QUEUE="mine") == "mine"


def test_it_leaves_a_job_alone_when_a_message_names_another_catalogs_job(db: None) -> None:
    job = submit(None, Project.default(), {"query": {"query": "SELECT 1"}})
    run_job(job.pk, "job_from_another_instance")
    job.refresh_from_db()
    assert job.state == Job.State.PENDING and job.started is None
