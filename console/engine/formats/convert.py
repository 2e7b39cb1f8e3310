"""Text (and JSON) values to BigQuery types, a column at a time, finding the rows that misfit."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Collection
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from console.engine.types import arrow_type, normalize_type

TRUE_WORDS = pa.array(["true", "t", "yes", "y", "1"])
FALSE_WORDS = pa.array(["false", "f", "no", "n", "0"])
CONVERSION_ERRORS = (pa.ArrowException, ValueError, TypeError, OverflowError)


class ConversionError(Exception):
    """A column whose values could not all be read as its field's type."""

    def __init__(self, position: int, field: dict[str, Any]) -> None:
        super().__init__(f"field {field['name']} (position {position})")
        self.position = position
        self.field = field


def json_read_type(
    field: dict[str, Any], quoted: Collection[str] = (), path: str = ""
) -> pa.DataType:
    """Return the Arrow type pyarrow's JSON reader should produce for a field before conversion.

    quoted names the INT64, FLOAT64 and BOOL fields (by the reader's paths: /a/b, /tags/[])
    written as JSON strings, which are read as text: BigQuery loads `"42"` into an INT64 column
    (its own JSON export quotes every INT64), and pyarrow's reader takes a string only as text.
    """
    path = f"{path}/{field['name']}"
    inner = f"{path}/[]" if field.get("mode") == "REPEATED" else path
    type_name = normalize_type(field["type"])
    if type_name == "STRUCT":
        dtype: pa.DataType = pa.struct(
            [pa.field(f["name"], json_read_type(f, quoted, inner)) for f in field.get("fields", [])]
        )
    elif type_name == "STRING" or (
        type_name in ("INT64", "FLOAT64", "BOOL") and inner not in quoted
    ):
        dtype = arrow_type({"type": type_name})
    else:
        dtype = pa.string()
    return pa.list_(dtype) if field.get("mode") == "REPEATED" else dtype


def convert_array(column: pa.Array, field: dict[str, Any]) -> pa.Array:
    """Return column as the Arrow type that stores field; raise an Arrow error on a misfit."""
    target = arrow_type(field)
    repeated = field.get("mode") == "REPEATED"
    if column.type == target and not (repeated and column.null_count):
        return column
    if repeated:
        if column.null_count:
            # BigQuery has no NULL array: a missing or null one reads as [].
            column = pc.coalesce(column, pa.scalar([], column.type))
        inner = convert_array(column.values, {**field, "mode": "NULLABLE"})
        return pa.ListArray.from_arrays(column.offsets, inner)
    type_name = normalize_type(field["type"])
    if type_name == "STRUCT":
        children = [
            convert_array(child, sub)
            for child, sub in zip(column.flatten(), field.get("fields", []), strict=True)
        ]
        return pa.StructArray.from_arrays(children, fields=list(target), mask=column.is_null())
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return pc.cast(column, target)
    if type_name in ("STRING", "JSON"):
        return column.cast(target)
    convert = STRING_CONVERTERS.get(type_name, _cast)
    try:
        # Most files hold clean values: one pass, no copies.
        return convert(column, target)
    except CONVERSION_ERRORS:
        pass
    text = pc.utf8_trim_whitespace(column)
    # An empty field is NULL for every type but STRING, whatever the null marker.
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    return convert(text, target)


def _cast(text: pa.Array, target: pa.DataType) -> pa.Array:
    return pc.cast(text, target)


def _bool(text: pa.Array, target: pa.DataType) -> pa.Array:
    lower = pc.utf8_lower(text)
    true = pc.is_in(lower, value_set=TRUE_WORDS)
    known = pc.or_(true, pc.is_in(lower, value_set=FALSE_WORDS))
    if not pc.all(pc.or_(known, pc.is_null(text))).as_py():
        raise pa.ArrowInvalid("not a boolean")
    return pc.if_else(pc.is_null(text), pa.scalar(None, pa.bool_()), true)


def _bytes(text: pa.Array, target: pa.DataType) -> pa.Array:
    # BigQuery reads BYTES in text formats as base64.
    try:
        values = [
            None if v is None else base64.b64decode(v, validate=True) for v in text.to_pylist()
        ]
    except binascii.Error as err:
        raise pa.ArrowInvalid(str(err)) from None
    return pa.array(values, pa.binary())


def _time(text: pa.Array, target: pa.DataType) -> pa.Array:
    text = pc.replace_substring_regex(text, r"^(\d):", r"0\1:")
    stamped = pc.binary_join_element_wise("1970-01-01T", text, "")
    return pc.cast(pc.cast(stamped, pa.timestamp("us")), target)


def _datetime(text: pa.Array, target: pa.DataType) -> pa.Array:
    text = pc.replace_substring_regex(text, r"^(\d{4}-\d\d-\d\d)$", r"\1T00:00:00")
    return pc.cast(text, target)


def _timestamp(text: pa.Array, target: pa.DataType) -> pa.Array:
    # Integer epoch seconds load into TIMESTAMP, as BigQuery accepts them (the tutorial does this).
    try:
        seconds = pc.cast(text, pa.int64())
    except CONVERSION_ERRORS:
        pass
    else:
        return pc.multiply_checked(seconds, 1_000_000).cast(target)
    text = pc.replace_substring_regex(text, r"\s*(UTC|utc|Z|z)$", "+00:00")
    text = pc.replace_substring_regex(text, r"^(\d{4}-\d\d-\d\d)$", r"\1T00:00:00")
    clock = r"(\d:\d\d(?::\d\d(?:\.\d+)?)?)"
    text = pc.replace_substring_regex(text, clock + r"\s*([+-]\d\d)$", r"\1\2:00")
    text = pc.replace_substring_regex(text, clock + r"\s+([+-]\d\d:?\d\d)$", r"\1\2")
    # A value without a zone is UTC, as in BigQuery.
    zoned = pc.match_substring_regex(text, r"[+-]\d\d:?\d\d$")
    text = pc.if_else(zoned, text, pc.binary_join_element_wise(text, "+00:00", ""))
    return pc.cast(text, target)


STRING_CONVERTERS: dict[str, Callable[[pa.Array, pa.DataType], pa.Array]] = {
    "BOOL": _bool,
    "BYTES": _bytes,
    "TIME": _time,
    "DATETIME": _datetime,
    "TIMESTAMP": _timestamp,
}


def convert_columns(columns: list[pa.Array], fields: list[dict[str, Any]]) -> list[pa.Array]:
    """Convert every column to its field's type; raise ConversionError naming the first misfit."""
    converted = []
    for position, (column, field) in enumerate(zip(columns, fields, strict=True)):
        try:
            converted.append(convert_array(column, field))
        except CONVERSION_ERRORS:
            raise ConversionError(position, field) from None
    return converted


def convert_rows(
    columns: list[pa.Array],
    fields: list[dict[str, Any]],
    on_bad_row: Callable[[int, ConversionError, Any], None],
) -> list[pa.Array]:
    """Convert columns, dropping the rows that do not fit after telling on_bad_row about each.

    The common case is one vectorised conversion. When it fails, the rows are halved until each
    misfit is a single row: a handful of bad rows cost a logarithmic number of conversions.
    on_bad_row(index, error, value) may raise to stop the load.
    """
    try:
        return convert_columns(columns, fields)
    except ConversionError:
        pass
    parts: list[list[pa.Array]] = []

    def convert(start: int, length: int) -> None:
        piece = [column.slice(start, length) for column in columns]
        try:
            parts.append(convert_columns(piece, fields))
            return
        except ConversionError as err:
            if length == 1:
                on_bad_row(start, err, piece[err.position][0].as_py())
                return
        half = length // 2
        convert(start, half)
        convert(start + half, length - half)

    convert(0, len(columns[0]))
    return [
        pa.concat_arrays([part[i] for part in parts]) if parts else pa.array([], arrow_type(field))
        for i, field in enumerate(fields)
    ]
