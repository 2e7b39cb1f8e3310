"""The DuckDB connection a job runs in: in memory, settings locked, files reachable only in the
storage dir's table versions.

User SQL never names a file: the checker refuses file functions and the engine alone writes the
views that read table versions. DuckDB's own sandbox is the second wall, should the first fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from console.errors import BigQueryError, Cancelled


def connect(readable_dir: Path) -> duckdb.DuckDBPyConnection:
    """Return a locked-down in-memory DuckDB connection that reads files only in readable_dir."""
    con = duckdb.connect(":memory:", config={"threads": max(1, min(4, os.cpu_count() or 1))})
    con.execute("SET allowed_directories = $dirs", {"dirs": [str(readable_dir)]})
    con.execute("SET enable_external_access = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET lock_configuration = true")
    return con


def why_stopped(err: Exception) -> BigQueryError | None:
    """Return the BigQuery error for a DuckDB failure a cancel caused, or None if it is not one.

    err is what DuckDB raised, or the OSError Arrow raises for it while streaming a result.
    """
    if isinstance(err, duckdb.InterruptException) or str(err).startswith("INTERRUPT Error"):
        return Cancelled()
    return None


def quote_path(path: Path) -> str:
    """Return a SQL string literal for an engine-generated storage path."""
    return "'" + str(path).replace("'", "''") + "'"
