"""The DuckDB connection a job runs in: in memory, no file or network access, settings locked.

Tables reach it only as Arrow datasets the engine registers, so even SQL that slipped past the
checker could read nothing but what the engine handed over.
"""

from __future__ import annotations

import os

import duckdb


def connect() -> duckdb.DuckDBPyConnection:
    """Return a locked-down in-memory DuckDB connection."""
    con = duckdb.connect(":memory:", config={"threads": max(1, min(4, os.cpu_count() or 1))})
    con.execute("SET enable_external_access = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET lock_configuration = true")
    return con
