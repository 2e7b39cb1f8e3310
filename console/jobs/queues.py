"""The queue a catalog's jobs go to: one per catalog, named after the catalog's own key.

Two Quarry instances on one Redis (two checkouts on a machine) must not take each other's jobs,
while every web server and worker sharing one catalog must meet on one queue — however each of
them reaches the database. So the default name comes from a key stored in the catalog itself
(`catalog.Installation`); QUARRY_QUEUE overrides it.
"""

from __future__ import annotations

from celery import current_app

from console.catalog.models import Installation

UNRESOLVED = "quarry"  # the setting's value when QUARRY_QUEUE is not set
_resolved: str | None = None


def name() -> str:
    """Return the queue this process sends jobs to (and, in a worker, reads them from)."""
    global _resolved
    configured = current_app.conf.task_default_queue
    if configured != UNRESOLVED:
        return configured
    if _resolved is None:
        _resolved = f"quarry-{Installation.key_of_this_catalog()[:12]}"
    return _resolved
