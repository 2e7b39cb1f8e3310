"""Rows as Avro: BigQuery's Avro schema, schemaless rows for the Storage Read API, and the
container files extract jobs write.

The schema maps BigQuery's types as BigQuery's Avro exports and read sessions do: NULLABLE
fields are unions with "null" first, REPEATED ones arrays, RECORDs records; INT64 is long, DATE
int/date, TIME long/time-micros, TIMESTAMP long/timestamp-micros, DATETIME a string marked
datetime, NUMERIC and BIGNUMERIC bytes/decimal, JSON and GEOGRAPHY strings carrying sqlType.
Each ReadRowsResponse carries rows written one after another without a container header, which
is what the client's fastavro `schemaless_reader` reads back.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import IO, Any

import fastavro
import pyarrow as pa

ROOT = "__root__"
_SCALARS: dict[str, Any] = {
    "INT64": "long",
    "FLOAT64": "double",
    "BOOL": "boolean",
    "STRING": "string",
    "BYTES": "bytes",
    "DATE": {"type": "int", "logicalType": "date"},
    "TIME": {"type": "long", "logicalType": "time-micros"},
    "TIMESTAMP": {"type": "long", "logicalType": "timestamp-micros"},
    "DATETIME": {"type": "string", "logicalType": "datetime"},
    "NUMERIC": {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 9},
    "BIGNUMERIC": {"type": "bytes", "logicalType": "decimal", "precision": 77, "scale": 38},
    "JSON": {"type": "string", "sqlType": "JSON"},
    "GEOGRAPHY": {"type": "string", "sqlType": "GEOGRAPHY"},
}
_ALIASES = {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL", "STRUCT": "RECORD"}


def schema(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the Avro schema of rows with these BigQuery fields."""
    return {"type": "record", "name": ROOT, "fields": [_field(f, ROOT) for f in fields]}


def schema_json(fields: list[dict[str, Any]]) -> str:
    return json.dumps(schema(fields))


def _field(field: dict[str, Any], parent: str) -> dict[str, Any]:
    kind = _ALIASES.get(field["type"], field["type"])
    if kind == "RECORD":
        # Avro names must be unique in a schema: a nested record is named by its path.
        name = f"{parent}_{field['name']}"
        dtype: Any = {
            "type": "record",
            "name": name,
            "fields": [_field(child, name) for child in field.get("fields") or []],
        }
    else:
        dtype = _SCALARS[kind]
    mode = field.get("mode") or "NULLABLE"
    if mode == "REPEATED":
        dtype = {"type": "array", "items": dtype}
    elif mode == "NULLABLE":
        dtype = ["null", dtype]
    return {"name": field["name"], "type": dtype}


class Encoder:
    """Write batches of one schema as schemaless Avro rows."""

    def __init__(self, fields: list[dict[str, Any]]) -> None:
        self._schema = fastavro.parse_schema(schema(fields))
        self._fields = fields
        # Only DATETIME (an ISO string in Avro) and REPEATED (never null) need a value changed.
        self._adjust = _needs_adjusting(fields)

    def encode(self, batch: pa.RecordBatch) -> bytes:
        out = io.BytesIO()
        for row in self.records(batch):
            fastavro.schemaless_writer(out, self._schema, row)
        return out.getvalue()

    def records(self, batch: pa.RecordBatch) -> Iterator[dict[str, Any]]:
        """Yield a batch's rows as the values fastavro writes for the schema."""
        for row in batch.to_pylist():
            if self._adjust:
                _adjust_record(row, self._fields)
            yield row

    def write_file(
        self, out: IO[bytes], batches: Iterator[pa.RecordBatch], codec: str = "null"
    ) -> int:
        """Write batches as one Avro container file (as an extract job does); return the rows."""
        rows = 0

        def records() -> Iterator[dict[str, Any]]:
            nonlocal rows
            for batch in batches:
                rows += batch.num_rows
                yield from self.records(batch)

        fastavro.writer(out, self._schema, records(), codec=codec)
        return rows


def _needs_adjusting(fields: list[dict[str, Any]]) -> bool:
    return any(
        f.get("mode") == "REPEATED"
        or _ALIASES.get(f["type"], f["type"]) == "DATETIME"
        or _needs_adjusting(f.get("fields") or [])
        for f in fields
    )


def _adjust_record(row: dict[str, Any], fields: list[dict[str, Any]]) -> None:
    for field in fields:
        value = row.get(field["name"])
        if field.get("mode") == "REPEATED":
            # BigQuery has no NULL array: an absent one reads as empty.
            row[field["name"]] = [_adjust(v, field) for v in value or []]
        else:
            row[field["name"]] = _adjust(value, field)


def _adjust(value: Any, field: dict[str, Any]) -> Any:
    if value is None:
        return None
    kind = _ALIASES.get(field["type"], field["type"])
    if kind == "DATETIME":
        return value.isoformat()
    if kind == "RECORD":
        _adjust_record(value, field.get("fields") or [])
    return value
