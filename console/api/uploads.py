"""Media uploads for load jobs: multipart (metadata and file in one body) and resumable sessions.

A resumable session (kept by `console.engine.resumable`) follows Google's protocol on retries:
each PUT names its bytes with Content-Range, bytes that already arrived are skipped, and any
request the session cannot take yet is answered 308 with the Range received, so the client
resumes from there. Nothing is loaded until the last byte; a refused request leaves the session
as it was, except one that can never fit the upload limit.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from console.api import jobs, resources
from console.catalog.models import Project
from console.engine import resumable
from console.errors import BigQueryError, InvalidError, StorageFullError
from console.jobs.models import Job

CONTENT_RANGE_RE = re.compile(r"^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$")
CHUNK = 1024 * 1024


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


def put(request: HttpRequest, project: Project, session_id: str) -> Job | HttpResponse:
    """Take one PUT on a resumable session: a chunk, a resent chunk or a status query.

    Return the load job once every byte has arrived (again on any later PUT, so a client that
    lost that answer gets it), else a 308 naming the bytes received.
    """
    first, last, total = content_range(request)
    ranged = "Content-Range" in request.headers
    declared = _declared_length(request)
    end = total if total is not None else (last + 1 if last is not None else 0)
    if end > limit():
        # This upload can never be loaded: keeping its bytes would only hold the disk.
        resumable.close_session(session_id)
        raise InvalidError(f"Upload too large: the limit is {limit()} bytes")
    if ranged and first is None and declared:
        raise InvalidError("Content-Range bytes */N asks for the upload's status: send no bytes")
    if last is not None and declared not in (None, last - first + 1):
        raise InvalidError(
            f"Content-Range names {last - first + 1} bytes but Content-Length is {declared}"
        )
    try:
        return _take(request, project, session_id, ranged, first, last, total)
    except StorageFullError:
        # Clients do not retry this error: the bytes received would only hold the disk.
        resumable.close_session(session_id)
        raise


def _take(
    request: HttpRequest,
    project: Project,
    session_id: str,
    ranged: bool,
    first: int | None,
    last: int | None,
    total: int | None,
) -> Job | HttpResponse:
    with resumable.locked(session_id) as session:
        if session.job_id:
            return resources.get_job(request, project.project_id, session.job_id)
        if not ranged:
            # bq's single PUT may leave Content-Range out: the body is the rest of the file.
            session.receive(request, session.received)
            total = session.received
        elif first is not None and not session.receive(request, first, last):
            return _resume_from(session.received)  # a gap: the client resends from the end
        if total is None or session.received < total:
            return _resume_from(session.received)
        if session.received > total:
            raise InvalidError(
                f"Content-Range gives the file's size as {total}, but {session.received} bytes "
                "have already arrived"
            )
        with session.open() as handle:
            job = jobs.insert(request.principal, project, session.metadata, handle)
        session.finish(job.job_id)
    return job


def content_range(request: HttpRequest) -> tuple[int | None, int | None, int | None]:
    """Return (first byte, last byte, total) from Content-Range; None where it says `*`."""
    header = request.headers.get("Content-Range", "")
    if not header:
        return None, None, None
    match = CONTENT_RANGE_RE.match(header.strip())
    if not match:
        raise InvalidError(
            f"Invalid Content-Range header: {header} (expected bytes FIRST-LAST/TOTAL, "
            "bytes */TOTAL or bytes */*)"
        )
    first, last, total = (int(g) if g and g != "*" else None for g in match.groups())
    if first is not None and (last < first or (total is not None and last >= total)):
        raise InvalidError(f"Invalid Content-Range header: {header} names no bytes of the file")
    return first, last, total


def _declared_length(request: HttpRequest) -> int | None:
    declared = request.headers.get("Content-Length", "")
    return int(declared) if declared.isdigit() else None


def _resume_from(received: int) -> HttpResponse:
    """Return Google's 308: the upload is incomplete and holds bytes 0 to received - 1."""
    response = HttpResponse(status=308)
    if received:
        response["Range"] = f"bytes=0-{received - 1}"
    return response
