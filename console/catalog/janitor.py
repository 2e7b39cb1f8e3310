"""Remove stored files no one will read again: what failed or interrupted writes left behind.

A write goes to a dot-named temporary file renamed into place (`storage.atomic_path`, mfcore's
`save`), then a row names the file. A process killed in between, or a removal queued for after a
commit that never ran, leaves a file nothing names. `collect` removes such files once they are
older than a grace period, which the caller picks so that no running writer's file can be that old.
"""

from __future__ import annotations

import datetime as dt
import shutil
import stat
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.utils import timezone

from console.catalog import storage

SESSION_SUFFIX = ".session.json"
PART_SUFFIX = ".part"


@dataclass
class Report:
    """What one collection removed: relative paths, and the bytes that freed."""

    removed: list[str] = field(default_factory=list)
    freed_bytes: int = 0


def named_paths() -> set[str]:
    """Return every stored path a catalog row names (each `*_path` field of a catalog model)."""
    paths: set[str] = set()
    for model in apps.get_app_config("catalog").get_models():
        for column in model._meta.concrete_fields:
            if column.name.endswith("_path"):
                named = model.objects.exclude(**{column.name: ""})
                paths.update(named.values_list(column.name, flat=True))
    return paths


def collect(
    keep: Collection[str], *, grace: dt.timedelta, now: dt.datetime | None = None
) -> Report:
    """Remove stored files that no catalog row names, keep does not list, and grace has passed.

    keep holds the paths layers above the catalog still use (a job's result, a waiting load's
    file). Files of an open resumable upload session are left to the session's own expiry.
    """
    # Names first, files second: a file committed after this snapshot is younger than grace.
    kept = named_paths() | set(keep)
    cutoff = ((now or timezone.now()) - grace).timestamp()
    report = Report()
    for kind in storage.PURPOSES:
        folder = storage.root() / kind
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            relative = f"{kind}/{path.name}"
            if relative in kept or _in_open_session(path):
                continue
            try:
                status = path.lstat()
            except FileNotFoundError:
                continue
            # Only regular files: storage never makes links or folders here, so leave any alone.
            if not stat.S_ISREG(status.st_mode) or status.st_mtime >= cutoff:
                continue
            storage.remove(relative)
            report.removed.append(relative)
            report.freed_bytes += status.st_size
    _collect_scratch(cutoff, report)
    return report


def _collect_scratch(cutoff: float, report: Report) -> None:
    """Remove the spill folders of DuckDB connections that are gone (a killed worker's).

    DuckDB removes its own folder when a connection closes; one untouched since before cutoff
    belongs to no running job.
    """
    scratch = storage.root() / "scratch"
    if not scratch.is_dir():
        return
    for folder in scratch.iterdir():
        status = folder.lstat()
        if not stat.S_ISDIR(status.st_mode) or status.st_mtime >= cutoff:
            continue
        spilled = [path.lstat().st_size for path in folder.rglob("*") if path.is_file()]
        shutil.rmtree(folder, ignore_errors=True)
        report.removed.append(f"scratch/{folder.name}")
        report.freed_bytes += sum(spilled)


def _in_open_session(path: Path) -> bool:
    """Return True for a resumable upload session's files while its metadata file exists."""
    if path.name.endswith(SESSION_SUFFIX):
        return True
    return path.name.endswith(PART_SUFFIX) and path.with_suffix(SESSION_SUFFIX).exists()
