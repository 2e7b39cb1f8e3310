"""Rows and schemas on the wire: BigQuery's `{"f": [{"v": ...}]}` cells, every scalar a string.

TIMESTAMP is the one type whose form depends on the request: integer microseconds when the client
asked for `formatOptions.useInt64Timestamp` (the Python client does `int(v)`), float seconds
otherwise (bq does `float(v)`). Nested RECORD and REPEATED values follow the same rule.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import math
from typing import Any

from console.engine.text import float_text, numeric_text

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# The API speaks the legacy type names in schemas, whatever the table was created with.
LEGACY_TYPES = {
    "INT64": "INTEGER",
    "INT": "INTEGER",
    "FLOAT64": "FLOAT",
    "BOOL": "BOOLEAN",
    "STRUCT": "RECORD",
}


def api_fields(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return stored schema fields as the API shows them: legacy type names, a mode on each."""
    shown = []
    for field in fields:
        item = {
            "name": field["name"],
            "type": LEGACY_TYPES.get(field["type"].upper(), field["type"].upper()),
            "mode": field.get("mode") or "NULLABLE",
        }
        if field.get("description"):
            item["description"] = field["description"]
        if field.get("fields"):
            item["fields"] = api_fields(field["fields"])
        shown.append(item)
    return shown


def encode_rows(
    fields: list[dict[str, Any]], rows: list[list[Any]], int64_timestamps: bool
) -> list[dict[str, Any]]:
    """Return rows (Python values in schema order) as the API's row objects."""
    return [
        {
            "f": [
                {"v": _cell(field, value, int64_timestamps)}
                for field, value in zip(fields, row, strict=True)
            ]
        }
        for row in rows
    ]


def _cell(field: dict[str, Any], value: Any, int64_timestamps: bool) -> Any:
    if field.get("mode") == "REPEATED":
        return [{"v": _value(field, item, int64_timestamps)} for item in value or []]
    return _value(field, value, int64_timestamps)


def _value(field: dict[str, Any], value: Any, int64_timestamps: bool) -> Any:
    if value is None:
        return None
    kind = LEGACY_TYPES.get(field["type"].upper(), field["type"].upper())
    if kind == "RECORD":
        return {
            "f": [
                {"v": _cell(sub, value.get(sub["name"]), int64_timestamps)}
                for sub in field.get("fields", [])
            ]
        }
    if kind == "TIMESTAMP":
        return _timestamp(value, int64_timestamps)
    return _scalar(value)


def _timestamp(value: dt.datetime, int64_timestamps: bool) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    micros = (value - EPOCH) // dt.timedelta(microseconds=1)
    if int64_timestamps:
        return str(micros)
    seconds, fraction = divmod(micros, 1_000_000)
    return f"{seconds}.{fraction:06d}"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, decimal.Decimal):
        return numeric_text(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def json_number(value: float) -> float | str:
    """Return a double for a JSON body: the number, or its name when JSON has no spelling."""
    return value if math.isfinite(value) else float_text(value)
