"""BigQuery's types and Arrow's, both ways, for schemas, loads and results."""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from console.errors import InvalidError

# Legacy names that bq and the REST API still accept, mapped to the standard ones.
TYPE_ALIASES = {
    "INTEGER": "INT64",
    "INT": "INT64",
    "FLOAT": "FLOAT64",
    "BOOLEAN": "BOOL",
    "RECORD": "STRUCT",
}
SCALAR_ARROW = {
    "INT64": pa.int64(),
    "FLOAT64": pa.float64(),
    "NUMERIC": pa.decimal128(38, 9),
    "BIGNUMERIC": pa.decimal256(76, 38),
    "BOOL": pa.bool_(),
    "STRING": pa.string(),
    "BYTES": pa.binary(),
    "DATE": pa.date32(),
    "DATETIME": pa.timestamp("us"),
    "TIME": pa.time64("us"),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
    "JSON": pa.string(),
}


class IntervalType(pa.ExtensionType):
    """BigQuery's INTERVAL, stored as its canonical text ('1-2 3 4:5:6.5').

    Parquet cannot hold Arrow's month_day_nano_interval; the text can, reads back as the same
    INTERVAL (the extension's name travels in the file's Arrow schema) and is what BigQuery's
    REST API and console show.
    """

    def __init__(self) -> None:
        super().__init__(pa.string(), "quarry.bigquery.interval")

    def __arrow_ext_serialize__(self) -> bytes:
        return b""

    @classmethod
    def __arrow_ext_deserialize__(
        cls, storage_type: pa.DataType, serialized: bytes
    ) -> IntervalType:
        return cls()


INTERVAL = IntervalType()
pa.register_extension_type(INTERVAL)
SCALAR_ARROW["INTERVAL"] = INTERVAL
FIELD_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,299}$")


def normalize_type(name: str) -> str:
    upper = name.strip().upper()
    return TYPE_ALIASES.get(upper, upper)


MODES = ("NULLABLE", "REQUIRED", "REPEATED")
# What a field may carry besides name, type, mode and fields; everything else is dropped.
FIELD_EXTRAS = ("description",)


def checked_fields(fields: Any, location: str = "schema") -> list[dict[str, Any]]:
    """Return BigQuery schema fields checked and normalised, or raise InvalidError naming the field.

    The one schema check: load configurations, tables.insert / patch, bq's inline schemas and
    CREATE TABLE's column list all come through here. Types take their standard names (INTEGER
    becomes INT64, RECORD stays RECORD), modes default to NULLABLE, and names must be unique
    at each level, ignoring case, as BigQuery's are.
    """
    if not isinstance(fields, list):
        raise InvalidError("Invalid schema: schema.fields must be a list of fields", location)
    checked, seen = [], set()
    for position, field in enumerate(fields, start=1):
        checked.append(_checked_field(field, position, location))
        name = checked[-1]["name"].lower()
        if name in seen:
            raise InvalidError(
                f"Invalid schema: duplicate field name {checked[-1]['name']}", location
            )
        seen.add(name)
    return checked


def _checked_field(field: Any, position: int, location: str) -> dict[str, Any]:
    if not isinstance(field, dict):
        raise InvalidError(f"Invalid schema: {field!r} is not a field", location)
    name = str(field.get("name") or "")
    if not FIELD_NAME_RE.match(name):
        raise InvalidError(
            f'Invalid schema: field {position} has an invalid name "{name}": fields must '
            "contain only letters, numbers and underscores and start with a letter or "
            "underscore",
            location,
        )
    type_name = normalize_type(str(field.get("type") or "STRING"))
    mode = str(field.get("mode") or "NULLABLE").upper()
    if mode not in MODES:
        raise InvalidError(f"Invalid schema: field {name} has unknown mode {mode}", location)
    extras = {key: field[key] for key in FIELD_EXTRAS if field.get(key)}
    if type_name == "STRUCT":
        if not field.get("fields"):
            raise InvalidError(f"Invalid schema: RECORD field {name} has no fields", location)
        children = checked_fields(field["fields"], location)
        return {"name": name, "type": "RECORD", "mode": mode, "fields": children, **extras}
    if type_name not in SCALAR_ARROW:
        raise InvalidError(
            f"Invalid schema: field {name} has unsupported type {type_name}; expected one of "
            + ", ".join([*SCALAR_ARROW, "RECORD"]),
            location,
        )
    return {"name": name, "type": type_name, "mode": mode, **extras}


def parse_schema_string(text: str) -> list[dict[str, Any]]:
    """Return BigQuery fields for bq's inline schema `name:TYPE,...` (TYPE defaults to STRING)."""
    fields = []
    for part in text.split(","):
        name, _, type_name = part.strip().partition(":")
        fields.append({"name": name.strip(), "type": type_name or "STRING"})
    if any(normalize_type(f["type"]) == "STRUCT" for f in fields):
        raise InvalidError(
            "Invalid schema: an inline schema cannot declare RECORD fields; use a JSON schema file",
            "schema",
        )
    return checked_fields(fields)


def field_from_arrow(name: str, dtype: pa.DataType, nullable: bool = True) -> dict[str, Any]:
    """Return the BigQuery field that describes an Arrow column."""
    mode = "NULLABLE" if nullable else "REQUIRED"
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        inner = field_from_arrow(name, dtype.value_type)
        return {**inner, "mode": "REPEATED"}
    if pa.types.is_struct(dtype):
        return {
            "name": name,
            "type": "RECORD",
            "mode": mode,
            "fields": [field_from_arrow(f.name, f.type, f.nullable) for f in dtype],
        }
    return {"name": name, "type": _scalar_name(dtype), "mode": mode}


def googlesql_type_of(dtype: pa.DataType) -> str:
    """Return GoogleSQL's name for the type of an Arrow value: INT64, ARRAY<STRING>, STRUCT<…>."""
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return f"ARRAY<{googlesql_type_of(dtype.value_type)}>"
    if pa.types.is_struct(dtype):
        return f"STRUCT<{', '.join(f'{f.name} {googlesql_type_of(f.type)}' for f in dtype)}>"
    return _scalar_name(dtype)


def _scalar_name(dtype: pa.DataType) -> str:
    if isinstance(dtype, pa.JsonType):
        return "JSON"
    if isinstance(dtype, IntervalType):
        return "INTERVAL"
    if pa.types.is_integer(dtype):
        return "INT64"
    if pa.types.is_floating(dtype):
        return "FLOAT64"
    if pa.types.is_boolean(dtype):
        return "BOOL"
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "STRING"
    if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
        return "BYTES"
    if pa.types.is_decimal(dtype):
        return "NUMERIC" if dtype.precision <= 38 and dtype.scale <= 9 else "BIGNUMERIC"
    if pa.types.is_date(dtype):
        return "DATE"
    if pa.types.is_timestamp(dtype):
        return "TIMESTAMP" if dtype.tz else "DATETIME"
    if pa.types.is_time(dtype):
        return "TIME"
    if pa.types.is_null(dtype):
        return "INT64"
    return "STRING"


def standard_sql_field(name: str, dtype: pa.DataType) -> dict[str, Any]:
    """Return the StandardSqlField (the models API's column form) that describes an Arrow column."""
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        element = standard_sql_field(name, dtype.value_type)["type"]
        return {"name": name, "type": {"typeKind": "ARRAY", "arrayElementType": element}}
    if pa.types.is_struct(dtype):
        fields = [standard_sql_field(f.name, f.type) for f in dtype]
        return {"name": name, "type": {"typeKind": "STRUCT", "structType": {"fields": fields}}}
    return {"name": name, "type": {"typeKind": _scalar_name(dtype)}}


def standard_sql_text(data_type: dict[str, Any]) -> str:
    """Return a StandardSqlDataType as GoogleSQL writes it: INT64, ARRAY<STRING>, STRUCT<…>."""
    kind = data_type.get("typeKind", "")
    if kind == "ARRAY":
        return f"ARRAY<{standard_sql_text(data_type.get('arrayElementType') or {})}>"
    if kind == "STRUCT":
        fields = (data_type.get("structType") or {}).get("fields") or []
        inner = ", ".join(
            f"{f.get('name') or ''} {standard_sql_text(f['type'])}".strip() for f in fields
        )
        return f"STRUCT<{inner}>"
    return kind


def schema_from_arrow(schema: pa.Schema) -> list[dict[str, Any]]:
    return [field_from_arrow(f.name, f.type) for f in schema]


def arrow_type(field: dict[str, Any]) -> pa.DataType:
    """Return the Arrow type that stores a BigQuery field."""
    type_name = normalize_type(field["type"])
    if type_name == "STRUCT":
        dtype: pa.DataType = pa.struct(
            [pa.field(f["name"], arrow_type(f)) for f in field.get("fields", [])]
        )
    else:
        dtype = SCALAR_ARROW[type_name]
    if field.get("mode") == "REPEATED":
        return pa.list_(dtype)
    return dtype


def arrow_schema(fields: list[dict[str, Any]]) -> pa.Schema:
    return pa.schema([pa.field(f["name"], arrow_type(f)) for f in fields])


# DuckDB's scales of products of NUMERICs (DECIMAL(38, 9) times DECIMAL(38, 9) is DECIMAL(38, 18));
# BigQuery's product is a NUMERIC, rounded half away from zero to nine decimals.
NUMERIC_PRODUCTS = (18, 27, 36)


def bigquery_arrow_type(dtype: pa.DataType) -> pa.DataType:
    """Return the Arrow type BigQuery would give a value of dtype (INT64, FLOAT64, UTC, …)."""
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return pa.list_(bigquery_arrow_type(dtype.value_type))
    if pa.types.is_struct(dtype):
        return pa.struct([pa.field(f.name, bigquery_arrow_type(f.type)) for f in dtype])
    if pa.types.is_integer(dtype) or pa.types.is_null(dtype):
        return pa.int64()
    if dtype == pa.month_day_nano_interval():
        return INTERVAL
    if pa.types.is_decimal(dtype) and dtype.precision == 38 and dtype.scale in NUMERIC_PRODUCTS:
        return pa.decimal128(38, 9)
    # BigQuery reads 1.5 as FLOAT64 where DuckDB reads DECIMAL; only explicit NUMERIC stays exact.
    if pa.types.is_floating(dtype) or (pa.types.is_decimal(dtype) and dtype.scale > 9):
        return pa.float64()
    if pa.types.is_decimal(dtype) and dtype.scale == 0:
        return pa.int64()  # DuckDB sums INT64 into HUGEINT; BigQuery keeps INT64
    if pa.types.is_decimal(dtype):
        return pa.float64() if dtype.precision < 38 else pa.decimal128(38, 9)
    if pa.types.is_timestamp(dtype):
        return pa.timestamp("us", tz="UTC") if dtype.tz else pa.timestamp("us")
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype) or dtype == pa.string_view():
        return pa.string()
    if pa.types.is_large_binary(dtype) or dtype == pa.binary_view():
        return pa.binary()
    return dtype


def interval_text(months: int, days: int, nanos: int) -> str:
    """Return an INTERVAL's canonical text, as BigQuery writes it: '[-]Y-M [-]D [-]H:M:S[.F]'."""
    years, month = divmod(abs(months), 12)
    hours, rest = divmod(abs(nanos), 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds, fraction = divmod(rest, 1_000_000_000)
    text = (
        f"{'-' if months < 0 else ''}{years}-{month} {days} "
        f"{'-' if nanos < 0 else ''}{hours}:{minutes}:{seconds}"
    )
    return text + (f".{fraction:09d}".rstrip("0") if fraction else "")


def cast_array(values: pa.Array, dtype: pa.DataType) -> pa.Array:
    """Return DuckDB's column as BigQuery's Arrow type dtype (see bigquery_arrow_type)."""
    if values.type == dtype:
        return values
    if pa.types.is_decimal(values.type) and values.type.scale in NUMERIC_PRODUCTS:
        rounded = pc.round(values, ndigits=9, round_mode="half_towards_infinity")
        return rounded.cast(dtype)
    if isinstance(dtype, IntervalType):
        texts = [None if v is None else interval_text(*v) for v in values.to_pylist()]
        return pa.ExtensionArray.from_storage(INTERVAL, pa.array(texts, pa.string()))
    if pa.types.is_struct(dtype) and pa.types.is_struct(values.type):
        children = [cast_array(values.field(i), f.type) for i, f in enumerate(dtype)]
        return pa.StructArray.from_arrays(children, fields=list(dtype), mask=values.is_null())
    if (pa.types.is_list(dtype) or pa.types.is_large_list(dtype)) and (
        pa.types.is_list(values.type) or pa.types.is_large_list(values.type)
    ):
        # flatten() leaves out what slicing and NULL lists hide; the offsets are rebuilt to match.
        lengths = pc.cumulative_sum(values.value_lengths().fill_null(0).cast(pa.int32()))
        offsets = pa.concat_arrays([pa.array([0], pa.int32()), lengths])
        items = cast_array(values.flatten(), dtype.value_type)
        return pa.ListArray.from_arrays(offsets, items, dtype, mask=values.is_null())
    return values.cast(dtype)


def cast_batch(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """Return DuckDB's batch in BigQuery's types; raises pa.ArrowInvalid for a value that does
    not fit."""
    columns = [cast_array(batch.column(i), f.type) for i, f in enumerate(schema)]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def bigquery_arrow_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, bigquery_arrow_type(f.type)) for f in schema])


def check_string_or_bytes(values: pa.Array, function: str) -> None:
    """Refuse, in BigQuery's words, an argument of a function that takes STRING or BYTES only
    (one the engine computes itself, so DuckDB hands it any type)."""
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_binary(kind) or pa.types.is_null(kind):
        return
    if pa.types.is_large_string(kind) or pa.types.is_large_binary(kind):
        return
    raise InvalidError(
        f"No matching signature for function {function} for argument types: "
        f"{googlesql_type_of(kind)}. "
        f"Supported signatures: {function}(STRING); {function}(BYTES)"
    )


# DuckDB's type names, as GoogleSQL names them; an untyped NULL is INT64 to BigQuery.
_GOOGLESQL_OF_DUCKDB = [
    (r"VARCHAR|STRING_LITERAL", "STRING"),
    (r"BLOB", "BYTES"),
    (r"U?(?:BIG|SMALL|TINY|HUGE)?INT(?:EGER)?(?:_LITERAL)?|\"NULL\"", "INT64"),
    (r"DOUBLE|FLOAT|REAL", "FLOAT64"),
    (r"DECIMAL(?:\(\d+, ?\d+\))?", "NUMERIC"),
    (r"BOOLEAN", "BOOL"),
    (r"TIMESTAMP WITH TIME ZONE", "TIMESTAMP"),
    (r"TIMESTAMP(?:_NS|_MS|_S)?", "DATETIME"),
]


def googlesql_type_names(duckdb_types: str) -> list[str]:
    """Return GoogleSQL's names for DuckDB's comma-separated argument types."""
    return [googlesql_type_name(part) for part in _top_level_parts(duckdb_types)]


def googlesql_type_name(name: str) -> str:
    """Return GoogleSQL's name for a DuckDB type name (INTEGER[] is ARRAY<INT64>)."""
    if name.endswith("[]"):
        return f"ARRAY<{googlesql_type_name(name[:-2])}>"
    fields = re.fullmatch(r"STRUCT\((.*)\)", name)
    if fields:
        members = [
            re.fullmatch(r'("(?:[^"]|"")*"|\S+) (.*)', part)
            for part in _top_level_parts(fields.group(1))
        ]
        shown = [
            f"{m.group(1).strip(chr(34))} {googlesql_type_name(m.group(2))}" for m in members if m
        ]
        return f"STRUCT<{', '.join(shown)}>"
    for pattern, googlesql in _GOOGLESQL_OF_DUCKDB:
        if re.fullmatch(pattern, name):
            return googlesql
    return name


def _top_level_parts(text: str) -> list[str]:
    """Split a DuckDB type list at the commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [part for part in [*parts, current.strip()] if part]
