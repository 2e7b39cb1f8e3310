"""Cloud Storage URIs on a local disk: `gs://bucket/object` is QUARRY_BUCKETS_DIR/bucket/object.

Scripts written for BigQuery load from and extract to Cloud Storage; Quarry maps each bucket to a
directory, so they run unchanged against files on this machine. A URI is the one place a user's
text becomes a path, so it is checked part by part (a bucket name as Cloud Storage allows it, an
object name with no empty, `.` or `..` segment) and the resolved path must stay inside its
bucket's directory, symbolic links included. Writes are atomic: a new object appears whole or
not at all.
"""

from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

from console.errors import InvalidError, NotFoundError

BUCKET = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,220}[a-z0-9]$")
# BigQuery numbers the files of a wildcard URI with twelve digits, from 000000000000.
SHARD_DIGITS = 12


def root() -> Path:
    return Path(settings.QUARRY_BUCKETS_DIR).resolve()


@dataclass(frozen=True)
class Uri:
    """A checked gs:// URI: its bucket and object name (which may hold one `*`)."""

    bucket: str
    name: str

    def __str__(self) -> str:
        return f"gs://{self.bucket}/{self.name}"

    @property
    def wildcard(self) -> bool:
        return "*" in self.name

    def shard(self, number: int) -> Uri:
        """Return the URI of a wildcard's numbered file (the URI itself if it has no `*`)."""
        return Uri(self.bucket, self.name.replace("*", f"{number:0{SHARD_DIGITS}d}", 1))

    def path(self) -> Path:
        """Return the object's file, refusing any path that would leave the bucket."""
        bucket = root() / self.bucket
        path = (bucket / self.name).resolve()
        if not path.is_relative_to(bucket.resolve()) or path == bucket.resolve():
            raise InvalidError(f"Invalid URI {self}: it leaves bucket {self.bucket}")
        return path


def parse(uri: str, location: str) -> Uri:
    """Return a gs:// URI checked; raise InvalidError naming the option for anything else."""
    if not isinstance(uri, str) or not uri.startswith("gs://"):
        raise InvalidError(
            f"Invalid URI {uri!r}: Quarry reads and writes gs://bucket/object URIs, kept in "
            "QUARRY_BUCKETS_DIR on this machine",
            location=location,
        )
    bucket, _, name = uri[len("gs://") :].partition("/")
    if not BUCKET.match(bucket) or ".." in bucket:
        raise InvalidError(f"Invalid URI {uri}: {bucket!r} is not a bucket name", location=location)
    segments = name.split("/")
    if not name or any(s in ("", ".", "..") for s in segments) or "\\" in name or "\0" in name:
        raise InvalidError(
            f"Invalid URI {uri}: the object name must be a path of non-empty parts without . or ..",
            location=location,
        )
    if name.count("*") > 1:
        raise InvalidError(
            f"Invalid URI {uri}: only one wildcard (*) is allowed", location=location
        )
    return Uri(bucket, name)


def matching(uri: Uri) -> list[Path]:
    """Return the files a source URI names, sorted; raise NotFoundError if there are none."""
    if not uri.wildcard:
        path = uri.path()
        if not path.is_file():
            raise NotFoundError(f"Not found: URI {uri}")
        return [path]
    bucket = root() / uri.bucket
    files = []
    if bucket.is_dir():
        for path in sorted(bucket.rglob("*")):
            name = path.relative_to(bucket).as_posix()
            if path.is_file() and fnmatch.fnmatchcase(name, uri.name):
                files.append(Uri(uri.bucket, name).path())
    if not files:
        raise NotFoundError(f"Not found: URI {uri}")
    return files


@contextlib.contextmanager
def writing(uri: Uri, *, overwrite: bool = True) -> Iterator[IO[bytes]]:
    """Yield a binary file that becomes the object only if the block ends without an error."""
    path = uri.path()
    if not overwrite and path.exists():
        raise InvalidError(
            f"Invalid value for uri: {uri} already holds data; set overwrite=true to replace it",
            location="uri",
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".quarry-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        # mkstemp makes the file private; an object in a bucket is readable like any export.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
