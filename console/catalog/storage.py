"""Files under the storage dir: atomic writes, catalog-generated names, and nothing else.

Every path handed out here is built from ids the catalog generated, then checked to stay inside
the storage dir, so no user-supplied name can ever reach the file system.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings


def root() -> Path:
    path = Path(settings.QUARRY_STORAGE_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve(relative: str) -> Path:
    """Return the absolute path of a stored file, refusing anything that leaves the storage dir."""
    base = root().resolve()
    path = (base / relative).resolve()
    if base not in path.parents:
        raise ValueError(f"storage path escapes the storage dir: {relative!r}")
    return path


def new_path(kind: str, suffix: str) -> str:
    """Return a fresh relative path such as tables/3f2a….parquet."""
    if kind not in ("tables", "models", "results", "uploads"):
        raise ValueError(f"unknown storage kind {kind!r}")
    (root() / kind).mkdir(parents=True, exist_ok=True)
    return f"{kind}/{uuid.uuid4().hex}{suffix}"


@contextlib.contextmanager
def atomic_path(relative: str) -> Iterator[Path]:
    """Yield a temporary path to write; on success fsync it and rename it to `relative`."""
    final = resolve(relative)
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.with_name(f".tmp-{uuid.uuid4().hex}-{final.name}")
    try:
        yield temp
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, final)
        directory = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def remove(relative: str) -> None:
    """Delete a stored file if it exists; an empty path means nothing was stored."""
    if relative:
        with contextlib.suppress(FileNotFoundError):
            resolve(relative).unlink()
