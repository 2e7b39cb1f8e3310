"""Resumable upload sessions: a load's checked job metadata and the bytes received so far.

A session is files under the storage dir, named by an id Quarry generates: the metadata
(`<id>.session.json`), the bytes received (`<id>.part`) and, once its load job exists, that job's
ID (`<id>.job`). Requests on one session take turns, holding a lock on its metadata file, so a
resent chunk racing the original cannot append its bytes twice. A session no request touched for
QUARRY_UPLOAD_SESSION_IDLE_S is removed with its bytes by `expire_sessions`, which the janitor
calls; HTTP (Content-Range, 308) is the REST API's part.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from console.catalog import storage
from console.errors import InvalidError, NotFoundError

SESSION_ID_RE = re.compile(r"^[0-9a-f]{32}$")
SUFFIXES = ("session.json", "part", "job")
CHUNK = 1024 * 1024


def open_session(metadata: dict[str, Any]) -> str:
    """Store checked job metadata for a resumable upload; return the session id."""
    session_id = uuid.uuid4().hex
    expire_sessions()
    with storage.atomic_path(_relative(session_id, "session.json")) as temp:
        temp.write_text(json.dumps(metadata))
    return session_id


class Session:
    """One resumable upload, held by the request that locked it."""

    def __init__(self, session_id: str, metadata: dict[str, Any]) -> None:
        self.id = session_id
        self.metadata = metadata
        self.part = _path(session_id, "part")
        job = _path(session_id, "job")
        self.job_id = job.read_text() if job.exists() else None

    @property
    def received(self) -> int:
        """Return how many bytes of the file have arrived (they are bytes 0 to received - 1)."""
        return self.part.stat().st_size if self.part.exists() else 0

    def receive(self, body: IO[bytes], first: int, last: int | None = None) -> bool:
        """Append bytes first..last of the file from body, skipping any already received.

        Return False, reading nothing, when they start past the bytes received so far. A body
        that does not hold last - first + 1 bytes, or that would take the upload over the limit,
        is refused and appends nothing.
        """
        before = self.received
        if first > before:
            return False
        skip, count = before - first, 0
        limit = settings.QUARRY_MAX_UPLOAD_BYTES
        try:
            # A full disk raises StorageFullError; the truncate below frees what the chunk took.
            with storage.space_for(storage.PURPOSES["uploads"]), open(self.part, "ab") as out:
                for chunk in iter(lambda: body.read(CHUNK), b""):
                    # A resent chunk overlaps what arrived: only the bytes past it are new.
                    new = chunk[max(0, skip - count) :]
                    count += len(chunk)
                    if out.tell() + len(new) > limit:
                        raise InvalidError(f"Upload too large: the limit is {limit} bytes")
                    out.write(new)
            if last is not None and count != last - first + 1:
                raise InvalidError(
                    f"Content-Range names bytes {first}-{last} ({last - first + 1} bytes) but "
                    f"the request carried {count}"
                )
        except BaseException:
            os.truncate(self.part, before)
            raise
        return True

    def open(self) -> IO[bytes]:
        """Open the bytes received, for the load job to stage."""
        self.part.touch()
        return self.part.open("rb")

    def finish(self, job_id: str) -> None:
        """Record the load job the whole file went to and drop the bytes it staged for itself."""
        with storage.atomic_path(_relative(self.id, "job")) as temp:
            temp.write_text(job_id)
        self.job_id = job_id
        self.part.unlink(missing_ok=True)


@contextlib.contextmanager
def locked(session_id: str) -> Iterator[Session]:
    """Yield a session, the only request on it until the block ends."""
    with contextlib.ExitStack() as stack:
        try:
            handle = stack.enter_context(open(_path(session_id, "session.json"), "rb"))
        except FileNotFoundError:
            raise _unknown(session_id) from None
        fcntl.flock(handle, fcntl.LOCK_EX)
        if os.fstat(handle.fileno()).st_nlink == 0:
            raise _unknown(session_id)  # closed or expired while this request waited
        # Any request keeps a session alive, a client asking how far it got included.
        os.utime(handle.fileno())
        yield Session(session_id, json.load(handle))


def close_session(session_id: str) -> None:
    """Remove a session's files: its metadata, received bytes and job ID."""
    for suffix in SUFFIXES:
        _path(session_id, suffix).unlink(missing_ok=True)


def expire_sessions(now: dt.datetime | None = None) -> list[str]:
    """Remove sessions no request touched for QUARRY_UPLOAD_SESSION_IDLE_S; return their ids.

    A session a request holds right now is left alone, however old.
    """
    cutoff = (now.timestamp() if now else time.time()) - settings.QUARRY_UPLOAD_SESSION_IDLE_S
    removed = []
    for meta_path in storage.resolve("uploads").glob("*.session.json"):
        session_id = meta_path.name.removesuffix(".session.json")
        if not SESSION_ID_RE.match(session_id):
            continue
        with contextlib.suppress(FileNotFoundError, BlockingIOError), open(meta_path, "rb") as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(f.fileno()).st_mtime < cutoff:
                close_session(session_id)
                removed.append(session_id)
    return removed


def _relative(session_id: str, suffix: str) -> str:
    if not SESSION_ID_RE.match(session_id or ""):
        raise _unknown(session_id)
    return f"uploads/{session_id}.{suffix}"


def _path(session_id: str, suffix: str) -> Path:
    return storage.resolve(_relative(session_id, suffix))


def _unknown(session_id: str) -> NotFoundError:
    return NotFoundError(f"Not found: Upload session {session_id}")
