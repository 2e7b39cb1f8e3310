"""Django for the benchmarks that run jobs in-process against a throwaway catalog."""

from __future__ import annotations

import os
from pathlib import Path


def setup_throwaway_django(var: Path) -> None:
    """Point settings at a catalog and storage dir under var, then migrate it.

    Jobs are run by calling the worker's task in the benchmark's process; the in-memory broker
    takes the wake-up that submitting a job sends, so no Redis or worker is needed.
    """
    os.environ["QUARRY_VAR_DIR"] = str(var)
    os.environ["DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    os.environ["QUARRY_STORAGE_DIR"] = str(var / "storage")
    os.environ["QUARRY_MAX_UPLOAD_BYTES"] = str(64 * 1024**3)
    os.environ["REDIS_URL"] = "memory://localhost/"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
