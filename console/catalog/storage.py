"""Files under the storage dir: atomic writes, catalog-generated names, and nothing else.

Every path handed out here is built from ids the catalog generated, then checked to stay inside
the storage dir, so no user-supplied name can ever reach the file system.
"""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from console.errors import StorageFullError

# The kinds of stored file, each with what writing one is for, as a full-storage error says it.
PURPOSES = {
    "tables": "writing a table",
    "models": "saving a model",
    "results": "writing query results",
    "uploads": "storing the file to load",
}
# A write that found no room: the file system is full, the user's quota is, or the file is over
# the largest size the system allows.
OUT_OF_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


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
    if kind not in PURPOSES:
        raise ValueError(f"unknown storage kind {kind!r}")
    (root() / kind).mkdir(parents=True, exist_ok=True)
    return f"{kind}/{uuid.uuid4().hex}{suffix}"


@contextlib.contextmanager
def space_for(purpose: str) -> Iterator[None]:
    """Turn running out of room inside the block into a StorageFullError saying what needed it."""
    try:
        yield
    except OSError as err:
        if err.errno not in OUT_OF_SPACE:
            raise
        # The directory's name only: its full path says nothing to an API client.
        name = Path(settings.QUARRY_STORAGE_DIR).name
        raise StorageFullError(
            f"Quarry's storage is full: {purpose} needs more space than its storage directory "
            f"({name}) allows. Delete tables or models that are no longer needed, or give the "
            "directory more space, then try again."
        ) from None


@contextlib.contextmanager
def atomic_path(relative: str, purpose: str = "") -> Iterator[Path]:
    """Yield a temporary path to write; on success fsync it and rename it to `relative`.

    Whatever happens, the temporary file is gone afterwards; running out of room raises a
    StorageFullError naming purpose (by default, what files of relative's kind are for).
    """
    final = resolve(relative)
    temp = final.with_name(f".tmp-{uuid.uuid4().hex}-{final.name}")
    try:
        with space_for(purpose or PURPOSES[relative.split("/")[0]]):
            final.parent.mkdir(parents=True, exist_ok=True)
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
