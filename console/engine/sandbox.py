"""The DuckDB connection a job runs in: in memory, settings locked, files reachable only in the
storage dir's table versions, memory capped per job.

User SQL never names a file: the checker refuses file functions and the engine alone writes the
views that read table versions. DuckDB's own sandbox is the second wall, should the first fail.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from django.conf import settings

from console.catalog import storage
from console.engine import functions
from console.engine.types import check_string_or_bytes
from console.errors import BigQueryError, Cancelled

FARM_FINGERPRINT = "quarry_farm_fingerprint"
RAND_OF_ROW = "quarry_rand_of_row"
SHA512 = "quarry_sha512"


def _farm_fingerprint(values: Any) -> Any:
    # Imported on first call: numba costs about a second to import, which most jobs never need.
    from console.engine import farmhash

    return farmhash.fingerprint64(values)


def _sha512(values: pa.Array) -> pa.Array:
    # BigQuery hashes a STRING's UTF-8 bytes and a BYTES value as it is.
    check_string_or_bytes(values, "SHA512")
    return pa.array(
        [None if v is None else hashlib.sha512(v).digest() for v in values.cast(pa.binary())],
        pa.binary(),
    )


def _rand_of_row(row: Any) -> pa.Array:
    return pa.array(np.random.default_rng().random(len(row)))


# DuckDB's words for what it held and could hold when it ran out: "(32.3 MiB/47.6 MiB used)".
_MEMORY_USED = re.compile(r"\(([\d.]+ \w+)/([\d.]+ \w+) used\)")


def connect_to_storage() -> duckdb.DuckDBPyConnection:
    """Return a job's connection: it reads table versions and query results, spilling to scratch.

    Query results are readable because a query's anonymous result table is its result file.
    """
    root = storage.root()
    return connect([root / "tables", root / "results"], root / "scratch")


def connect(readable_dirs: Sequence[Path], spill_dir: Path) -> duckdb.DuckDBPyConnection:
    """Return a locked-down in-memory DuckDB connection that reads files only in readable_dirs.

    What does not fit in the job's memory spills to a folder of its own in spill_dir, which
    DuckDB removes when the connection closes.
    """
    spill_dir.mkdir(parents=True, exist_ok=True)
    config = {
        "threads": max(1, min(4, os.cpu_count() or 1)),
        "memory_limit": settings.QUARRY_DUCKDB_MEMORY_LIMIT,
        "temp_directory": str(spill_dir / uuid.uuid4().hex),
    }
    try:
        con = duckdb.connect(":memory:", config=config)
        con.execute("SET allowed_directories = $dirs", {"dirs": [str(d) for d in readable_dirs]})
        con.execute("SET enable_external_access = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute("SET autoinstall_known_extensions = false")
        # BigQuery's default time zone is UTC, whatever the host's is.
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET lock_configuration = true")
        # GoogleSQL functions DuckDB lacks, under names user SQL cannot call (check_functions
        # lets only ANONYMOUS_FUNCTIONS through); the transpiler spells the calls.
        con.create_function(
            FARM_FINGERPRINT,
            _farm_fingerprint,
            None,
            "BIGINT",
            type="arrow",
            null_handling="special",
            side_effects=False,
        )
        # SHA512, which DuckDB lacks (sqlglot would quietly write SHA256 instead).
        con.create_function(SHA512, _sha512, None, "BLOB", type="arrow", side_effects=False)
        # RAND() where DuckDB refuses a volatile expression (a window's ORDER BY): declared pure,
        # it takes a column of the row only so that DuckDB cannot fold it into one constant.
        con.create_function(
            RAND_OF_ROW,
            _rand_of_row,
            None,
            "DOUBLE",
            type="arrow",
            null_handling="special",
            side_effects=False,
        )
        register_functions(con)
    except duckdb.OutOfMemoryException as err:  # a limit too small for DuckDB to start in
        raise why_stopped(err) from None
    return con


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Register the function areas' Arrow UDFs on con (their macros come per statement)."""
    for udf in functions.UDFS:
        con.create_function(
            udf.name,
            udf.function,
            udf.parameters,
            udf.returns,
            type="arrow",
            null_handling=udf.null_handling,
            side_effects=udf.side_effects,
        )


def define_macros(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Create on con the GoogleSQL macros sql calls that it does not have yet."""
    for statement in functions.macros_for(sql):
        con.execute(statement)


def why_stopped(err: Exception) -> BigQueryError | None:
    """Return the BigQuery error for a DuckDB failure a cancel or the memory limit caused.

    err is what DuckDB raised, or the OSError Arrow raises for it while streaming a result;
    None means it is neither.
    """
    message = str(err)
    if isinstance(err, duckdb.InterruptException) or message.startswith("INTERRUPT Error"):
        return Cancelled()
    if isinstance(err, duckdb.OutOfMemoryException) or message.startswith("Out of Memory Error"):
        used = _MEMORY_USED.search(message)
        limit = f" of {used[2]}" if used and "max_temp_directory_size" not in message else ""
        return BigQueryError(
            "Resources exceeded during query execution: The query could not be executed in the "
            f"allotted memory{limit} (QUARRY_DUCKDB_MEMORY_LIMIT="
            f"{settings.QUARRY_DUCKDB_MEMORY_LIMIT}).",
            reason="resourcesExceeded",
        )
    return None


def quote_path(path: Path) -> str:
    """Return a SQL string literal for an engine-generated storage path."""
    return "'" + str(path).replace("'", "''") + "'"
