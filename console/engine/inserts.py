"""tabledata.insertAll: rows streamed into a table as a new version, answered at once.

BigQuery's streaming inserts are not jobs, and clients (`insert_rows`, `insert_rows_json`,
`bq insert`) wait for the answer, so this runs in the request. The rows are read by the
newline-delimited JSON loader, so a value means the same as in a load; the table's current rows
and the new ones are written to a new version, which a concurrent writer cannot lose. Inserts
into one table take turns, so concurrent ones all land, as BigQuery's streaming does.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, transaction

from console.catalog import storage
from console.catalog.models import Table
from console.engine import tables
from console.engine.formats import BadRecords, LoadOptions
from console.engine.formats.ndjson import JsonSource
from console.engine.types import arrow_schema, normalize_type
from console.errors import ConcurrentUpdateError, InvalidError

# BigQuery's own per-request limit; it recommends about 500 rows per request.
MAX_ROWS = 50_000
COMMIT_ATTEMPTS = 5
# Tables share this many lock files, so the locks folder stays small however many tables exist.
LOCK_FILES = 64
_LOADER_PREFIX = re.compile(
    r"^Error while reading data, error message: JSON parsing error in line \d+: "
)


def insert_rows(
    table: Table,
    rows: list[Any],
    *,
    skip_invalid_rows: bool = False,
    ignore_unknown_values: bool = False,
) -> list[dict[str, Any]]:
    """Append rows ({"json": {...}, "insertId": ...}) to table; return BigQuery's insertErrors.

    Without skip_invalid_rows one bad row keeps every row out: the bad ones are reported as
    "invalid" and the rest as "stopped", as BigQuery does. Rows repeating an insertId already
    seen in the same request are dropped (BigQuery's best-effort de-duplication).
    """
    if not rows:
        raise InvalidError("No rows present in the request.")
    if len(rows) > MAX_ROWS:
        raise InvalidError(f"Too many rows present in the request, limit: {MAX_ROWS}.")
    fields = table.schema
    kept, lines, seen = [], [], set()
    invalid: dict[int, tuple[str, str]] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("json"), dict):
            raise InvalidError(
                f"rows[{index}].json must be a JSON object", location=f"rows[{index}]"
            )
        insert_id = row.get("insertId")
        if insert_id:
            if insert_id in seen:
                continue
            seen.add(insert_id)
        try:
            record = _record(row["json"], fields, "", ignore_unknown_values)
        except RowError as err:
            invalid[index] = (err.location, err.message)
            continue
        kept.append(index)
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    bad = BadRecords(len(lines), "JSON")
    source = JsonSource(io.BytesIO("\n".join(lines).encode()), LoadOptions(), bad)
    batches = list(source.batches(fields)) if lines else []
    for error in bad.errors:
        if "location" not in error:  # a misfit the loader could not place: refuse them all
            raise InvalidError(error["message"])
        index = kept[int(error["location"].split()[1]) - 1]  # "line N" of the lines above
        invalid[index] = ("", _LOADER_PREFIX.sub("", error["message"]))
    errors = [_error(index, "invalid", *invalid[index]) for index in sorted(invalid)]
    if errors and not skip_invalid_rows:
        stopped = [_error(index, "stopped", "", "") for index in kept if index not in invalid]
        return sorted(errors + stopped, key=lambda e: e["index"])
    if sum(batch.num_rows for batch in batches):
        _append(table, fields, batches)
    return errors


def _append(table: Table, fields: list[dict[str, Any]], batches: list[Any]) -> None:
    schema = arrow_schema(fields)
    with _append_lock(table):
        for attempt in range(COMMIT_ATTEMPTS):
            table.refresh_from_db()
            try:
                tables.write_next_version(table, schema, batches, append=True)
                return
            except ConcurrentUpdateError:
                # A statement committed between the read and the commit (on SQLite the lock
                # keeps out other inserts only); append to its version instead.
                if attempt == COMMIT_ATTEMPTS - 1:
                    raise


@contextlib.contextmanager
def _append_lock(table: Table) -> Iterator[None]:
    """Hold table's append lock from reading its current version until the new one commits."""
    if connection.features.has_select_for_update:
        with transaction.atomic():
            Table.objects.select_for_update().filter(pk=table.pk).first()
            yield
        return
    # SQLite locks the whole database while a transaction writes, and holding that over a
    # Parquet rewrite would stall every job; its catalog is a file on this host, so a file
    # lock reaches every process that can write to it.
    path = storage.resolve(f"locks/table-{table.pk % LOCK_FILES}.lock")
    path.parent.mkdir(exist_ok=True)
    with open(path, "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield  # closing the file releases the lock


class RowError(Exception):
    """One row that does not fit the table: what is wrong and in which field."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(message)
        self.location = location
        self.message = message


def _record(
    values: dict[str, Any], fields: list[dict[str, Any]], prefix: str, ignore_unknown: bool
) -> dict[str, Any]:
    """Check one JSON object against fields; return it with numbers in their JSON types.

    The Python client sends INT64 values as strings ("3") and BigQuery takes "4.5" for a
    FLOAT64 and "true" for a BOOL; the JSON loader reads such columns as numbers and booleans.
    """
    by_name = {f["name"].lower(): f for f in fields}
    record: dict[str, Any] = {}
    for name, value in values.items():
        field = by_name.get(name.lower())
        if field is None:
            if ignore_unknown:
                continue
            raise RowError(prefix + name, f"no such field: {prefix}{name}.")
        record[field["name"]] = _value(value, field, prefix + field["name"], ignore_unknown)
    for field in fields:
        name = prefix + field["name"]
        if field.get("mode") == "REQUIRED" and record.get(field["name"]) is None:
            raise RowError(name, f"Missing required field: {name}.")
    return record


def _value(value: Any, field: dict[str, Any], location: str, ignore_unknown: bool) -> Any:
    if value is None:
        return None
    if field.get("mode") == "REPEATED":
        if not isinstance(value, list):
            raise RowError(location, f"Array specified for non-repeated field: {location}.")
        single = {**field, "mode": "NULLABLE"}
        return [_value(item, single, location, ignore_unknown) for item in value]
    type_name = normalize_type(field["type"])
    if type_name == "STRUCT":
        if not isinstance(value, dict):
            raise RowError(location, f"This field: {location} is not a record.")
        return _record(value, field.get("fields", []), f"{location}.", ignore_unknown)
    convert = SCALARS.get(type_name)
    if convert is None:
        return value  # strings, dates, timestamps, bytes: the JSON loader reads and checks them
    try:
        return convert(value)
    except (TypeError, ValueError):
        raise RowError(
            location, f"Cannot convert value to {type_name} (bad value): {value}"
        ) from None


def _int64(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(value)
    return int(value)


def _float64(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    return float(value)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(value)


SCALARS: dict[str, Callable[[Any], Any]] = {"INT64": _int64, "FLOAT64": _float64, "BOOL": _bool}


def _error(index: int, reason: str, location: str, message: str) -> dict[str, Any]:
    return {
        "index": index,
        "errors": [{"reason": reason, "location": location, "debugInfo": "", "message": message}],
    }
