"""Media uploads for load jobs: multipart (metadata and file in one body) and resumable sessions.

A resumable session is the checked job metadata in a file under the storage dir, named by an id
Quarry generates; chunks append to a part file beside it. Nothing is loaded until the last chunk,
a refused request leaves no session behind, and a session idle for a week is removed when the next
one opens.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from console.catalog import storage
from console.errors import BigQueryError

SESSION_ID_RE = re.compile(r"^[0-9a-f]{32}$")
CONTENT_RANGE_RE = re.compile(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$")
CHUNK = 1024 * 1024
SESSION_LIFETIME_S = 7 * 24 * 3600


def limit() -> int:
    return settings.QUARRY_MAX_UPLOAD_BYTES


def check_length(request: HttpRequest, already: int = 0, header: str = "CONTENT_LENGTH") -> None:
    """Refuse an upload whose declared size (in header) is over the limit before reading it."""
    declared = request.META.get(header)
    if declared and declared.isdigit() and already + int(declared) > limit() + 64 * 1024:
        raise BigQueryError(f"Upload too large: the limit is {limit()} bytes")


def read_limited(request: HttpRequest, max_bytes: int) -> bytes:
    """Read the request body, refusing one over max_bytes (without Django's memory cap)."""
    chunks, size = [], 0
    while True:
        chunk = request.read(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise BigQueryError(f"Upload too large: the limit is {limit()} bytes")
        chunks.append(chunk)


def split_multipart(request: HttpRequest) -> tuple[dict[str, Any], bytes]:
    """Return (job metadata, file bytes) from a multipart/related upload."""
    content_type = request.META.get("CONTENT_TYPE", "")
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/related") or not match:
        raise BigQueryError(
            "A multipart upload needs Content-Type multipart/related with a boundary"
        )
    check_length(request)
    body = read_limited(request, limit() + 64 * 1024)
    delimiter = b"--" + match.group(1).encode()
    parts = [p for p in body.split(delimiter)[1:] if not p.startswith(b"--")]
    if len(parts) != 2:
        raise BigQueryError("A multipart upload has two parts: the job metadata and the file")
    metadata, data = (_part_body(p) for p in parts)
    try:
        parsed = json.loads(metadata)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BigQueryError(f"Invalid JSON payload received in the metadata part. {err}") from None
    if not isinstance(parsed, dict):
        raise BigQueryError("Invalid JSON payload received: the metadata part must be an object")
    if len(data) > limit():
        raise BigQueryError(f"Upload too large: the limit is {limit()} bytes")
    return parsed, data


def _part_body(part: bytes) -> bytes:
    _headers, _, content = part.partition(b"\r\n\r\n")
    return content[:-2] if content.endswith(b"\r\n") else content


# Resumable sessions --------------------------------------------------------------------------


def _session_paths(session_id: str) -> tuple[Path, Path]:
    if not SESSION_ID_RE.match(session_id or ""):
        raise BigQueryError(f"Unknown upload session: {session_id}", "notFound")
    return (
        storage.resolve(f"uploads/{session_id}.session.json"),
        storage.resolve(f"uploads/{session_id}.part"),
    )


def open_session(metadata: dict[str, Any]) -> str:
    """Store checked job metadata for a resumable upload; return the session id."""
    session_id = uuid.uuid4().hex
    meta_path, _ = _session_paths(session_id)
    meta_path.parent.mkdir(parents=True, exist_ok=True)
    prune_sessions(meta_path.parent)
    meta_path.write_text(json.dumps(metadata))
    return session_id


def prune_sessions(folder: Path, now: float | None = None) -> None:
    """Remove sessions idle for longer than a session lives (a client that gave up mid-way).

    Google's resumable session URIs expire after a week; a session's last activity is the
    newer of its metadata file and its part file, which every chunk touches.
    """
    cutoff = (now or time.time()) - SESSION_LIFETIME_S
    for meta_path in folder.glob("*.session.json"):
        session_id = meta_path.name.removesuffix(".session.json")
        if not SESSION_ID_RE.match(session_id):
            continue
        paths = _session_paths(session_id)
        with contextlib.suppress(FileNotFoundError):
            if max(path.stat().st_mtime for path in paths if path.exists()) < cutoff:
                close_session(session_id)


def session_metadata(session_id: str) -> dict[str, Any]:
    meta_path, _ = _session_paths(session_id)
    try:
        return json.loads(meta_path.read_text())
    except FileNotFoundError:
        raise BigQueryError(f"Unknown upload session: {session_id}", "notFound") from None


def content_range(request: HttpRequest) -> tuple[int | None, int | None, int | None]:
    """Return (first byte, last byte, total) from Content-Range; None where bq sends `*`."""
    header = request.META.get("HTTP_CONTENT_RANGE", "")
    if not header:
        return None, None, None
    match = CONTENT_RANGE_RE.match(header.strip())
    if not match:
        raise BigQueryError(f"Invalid Content-Range header: {header}")
    first, last, total = match.groups()
    return (
        int(first) if first is not None else None,
        int(last) if last is not None else None,
        int(total) if total and total != "*" else None,
    )


def append_chunk(session_id: str, request: HttpRequest, first: int | None) -> int:
    """Append the request body to the session's part file; return the bytes now received."""
    _, part_path = _session_paths(session_id)
    received = part_path.stat().st_size if part_path.exists() else 0
    if first is not None and first != received:
        raise BigQueryError(f"Chunk starts at byte {first} but {received} bytes were received")
    check_length(request, received)
    with open(part_path, "ab") as out:
        while True:
            chunk = request.read(CHUNK)
            if not chunk:
                break
            received += len(chunk)
            if received > limit():
                raise BigQueryError(f"Upload too large: the limit is {limit()} bytes")
            out.write(chunk)
    return received


def part_file(session_id: str) -> Path:
    _, part_path = _session_paths(session_id)
    part_path.touch()
    return part_path


def close_session(session_id: str) -> None:
    for path in _session_paths(session_id):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
