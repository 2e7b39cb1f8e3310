"""JSON functions and the JSON type, where DuckDB differs.

BigQuery's JSON values are held in DuckDB as JSON text, always in BigQuery's canonical form:
compact, object keys sorted and unique (the first of duplicates kept), numbers as BigQuery stores
them (INT64, UINT64 or FLOAT64). The engine computes them itself (Arrow UDFs below), because
DuckDB's JSON extension keeps keys in input order, reads JSONPath differently, types JSON_TYPE
by its own names and encodes SQL values otherwise than TO_JSON.

A JSON-formatted STRING and a JSON value behave differently in BigQuery (a JSON null is a SQL
NULL in the one and JSON 'null' in the other; a STRING keeps duplicate keys and their order), so
the handlers pass DuckDB's `typeof` of the argument, which DuckDB folds to a constant.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import functools
import json
import math
import re
from typing import Any

import pyarrow as pa
from sqlglot import exp

from console.engine.functions.base import Udf
from console.errors import InvalidError

PARSE = "quarry_json_parse"
QUERY = "quarry_json_query"
QUERY_ARRAY = "quarry_json_query_array"
TYPE = "quarry_json_type"
ENCODE = "quarry_json_encode"
OBJECT = "quarry_json_object"
ARRAY = "quarry_json_array"
TO_BOOL = "quarry_json_bool"
TO_INT64 = "quarry_json_int64"
TO_FLOAT64 = "quarry_json_float64"
TO_STRING = "quarry_json_string"

INT64_MIN, INT64_MAX, UINT64_MAX = -(2**63), 2**63 - 1, 2**64 - 1
# TO_JSON_STRING writes integers outside ±2^53 (which a double holds exactly) as strings.
EXACT_IN_DOUBLE = 2**53


# JSON values ----------------------------------------------------------------------------------


class Pairs(list):
    """A JSON object as (key, value) pairs: a JSON-formatted STRING keeps duplicates and order."""

    def get_first(self, key: str) -> Any:
        return next((v for k, v in self if k == key), _MISSING)


_MISSING = object()


class Wide(Exception):
    """A number BigQuery's JSON cannot hold without losing precision."""


def load(text: str, canonical: bool, wide_number_mode: str = "exact") -> Any:
    """Read JSON text; canonical (a JSON value) sorts keys and keeps the first of duplicates."""
    return _decoder(canonical, wide_number_mode).decode(text)


@functools.lru_cache(maxsize=8)
def _decoder(canonical: bool, wide_number_mode: str) -> json.JSONDecoder:
    def number(literal: str) -> Any:
        if re.fullmatch(r"-?\d+", literal):
            value = int(literal)
            if INT64_MIN <= value <= UINT64_MAX:
                return value
        value = float(literal)
        if math.isinf(value) or (wide_number_mode == "exact" and _loses_precision(literal, value)):
            raise Wide(literal)
        return value

    def pairs(items: list[tuple[str, Any]]) -> Pairs:
        if not canonical:
            return Pairs(items)
        first: dict[str, Any] = {}
        for key, value in items:
            first.setdefault(key, value)
        return Pairs(sorted(first.items()))

    return json.JSONDecoder(
        object_pairs_hook=pairs, parse_int=number, parse_float=number, parse_constant=_no_constant
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"invalid literal {name}")


def _loses_precision(literal: str, value: float) -> bool:
    # An integer past UINT64 needs more digits than a double keeps; a fraction is read as the
    # nearest double, as BigQuery reads it.
    if re.fullmatch(r"-?\d+", literal):
        return int(literal) != int(value)
    return False


def dump(value: Any, pretty: bool = False, indent: int = 0) -> str:
    """Write a JSON value compactly (or pretty-printed as TO_JSON_STRING's pretty_print)."""
    if isinstance(value, Pairs | list) and value:
        pad = "\n" + "  " * (indent + 1) if pretty else ""
        end = "\n" + "  " * indent if pretty else ""
        if isinstance(value, Pairs):
            colon = ": " if pretty else ":"
            parts = [f"{_string(k)}{colon}{dump(v, pretty, indent + 1)}" for k, v in value]
            return "{" + pad + ("," + pad).join(parts) + end + "}"
        parts = [dump(v, pretty, indent + 1) for v in value]
        return "[" + pad + ("," + pad).join(parts) + end + "]"
    if isinstance(value, Pairs):
        return "{}"
    if isinstance(value, list):
        return "[]"
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, Raw):
        return value.text
    return _string(value)


class Raw(str):
    """Text written into JSON as it is (a number TO_JSON_STRING spells itself)."""

    @property
    def text(self) -> str:
        return str(self)


def _float(value: float) -> str:
    # BigQuery writes a double in its shortest form: integral below 1e15 without a fraction,
    # from 1e15 in exponent form (9.007199254740992e+15), as C's %g writes 15 digits.
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text or abs(value) < 1e15:
        return text
    sign, digits, exponent = decimal.Decimal(text).normalize().as_tuple()
    power = len(digits) - 1 + int(exponent)
    mantissa = str(digits[0]) + ("." + "".join(map(str, digits[1:])) if len(digits) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e+{power:02d}"


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


# JSONPath -------------------------------------------------------------------------------------

# A compiled path is a JSON list of steps: object keys (strings) and array indexes (integers).
_KEY = r"[^.\[\]\"']+"
# A step: ['key'] (the legacy functions' escape), ."key" (the standard ones'), .key or [index].
# Quarry reads either escape in every function: sqlglot parses both kinds of function alike.
_STEP = re.compile(rf"\['((?:[^'\\]|\\.)*)'\]|\.\"((?:[^\"\\]|\\.)*)\"|\.({_KEY})|\[(\d+)\]")


@functools.lru_cache(maxsize=256)
def steps(path: str) -> tuple[Any, ...]:
    """Return the steps of a JSONPath (`$.a."b.c"[0]`, `$['b.c']`), or of a compiled one."""
    if path.startswith("["):
        return tuple(json.loads(path))
    if not path.startswith("$"):
        raise InvalidError(f"Invalid JSONPath: JSONPath must start with '$': {path}")
    rest, found = path[1:], []
    while rest:
        match = _STEP.match(rest)
        if not match:
            raise InvalidError(f"Invalid JSONPath: unsupported JSONPath token at {rest!r}")
        legacy_key, key, plain, index = match.groups()
        if index is not None:
            found.append(int(index))
        elif legacy_key is not None:
            found.append(legacy_key.replace("\\'", "'"))
        elif key is not None:
            found.append(json.loads(f'"{key}"'))
        else:
            found.append(plain)
        rest = rest[match.end() :]
    return tuple(found)


def select(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        if isinstance(step, int) and isinstance(value, list) and not isinstance(value, Pairs):
            value = value[step] if step < len(value) else _MISSING
        elif isinstance(step, str) and isinstance(value, Pairs):
            value = value.get_first(step)
        else:
            return _MISSING
        if value is _MISSING:
            return _MISSING
    return value


def _scalar_text(value: Any) -> str | None:
    # JSON_VALUE: a string unquoted, a number or boolean as JSON writes it; else SQL NULL.
    if value is None or isinstance(value, list):
        return None
    return value if isinstance(value, str) else dump(value)


# Arrow UDFs -----------------------------------------------------------------------------------


def _parse(texts: pa.Array, modes: pa.Array, sources: pa.Array) -> pa.Array:
    out = []
    for text, mode, source in zip(
        texts.to_pylist(), modes.to_pylist(), sources.to_pylist(), strict=True
    ):
        if text is None:
            out.append(None)
            continue
        if mode not in ("exact", "round"):
            raise InvalidError(f"Invalid wide_number_mode: {mode!r}; it must be 'exact' or 'round'")
        try:
            out.append(dump(_read(text, source, mode)))
        except InvalidError:
            if source != "SAFE.PARSE_JSON":
                raise
            out.append(None)
    return pa.array(out, pa.string())


def _read(text: str, source: str, mode: str = "exact") -> Any:
    """Read a JSON value, or raise BigQuery's error for source ('literal' or a function)."""
    what = "Invalid JSON literal" if source == "literal" else f"Invalid input to {source}"
    try:
        return load(text, canonical=True, wide_number_mode=mode)
    except Wide as wide:
        raise InvalidError(
            f"{what}: the number {wide} cannot be stored in JSON without loss of precision"
        ) from None
    except ValueError as err:
        raise InvalidError(f"{what}: syntax error while parsing JSON: {err}") from None


def _document(text: str, is_json: bool) -> Any:
    if is_json:
        return load(text, canonical=True, wide_number_mode="round")
    try:
        return load(text, canonical=False, wide_number_mode="round")
    except ValueError:
        return _MISSING


def _select_in(text: str, is_json: bool, path: tuple[Any, ...]) -> Any:
    found = select(_document(text, is_json), path)
    if found is _MISSING and not is_json:
        # A JSON-formatted STRING is read only as far as the value selected, as BigQuery
        # reads it: '{"hello": "world"' has a $.hello.
        return _lazy_select(text, path)
    return found


_SPACE = re.compile(r"[ \t\n\r]*")


def _lazy_select(text: str, path: tuple[Any, ...]) -> Any:
    decoder = _decoder(False, "round")

    def space(at: int) -> int:
        match = _SPACE.match(text, at)
        return match.end() if match else at

    try:
        at = space(0)
        for step in path:
            opening, closing = ("{", "}") if isinstance(step, str) else ("[", "]")
            if text[at] != opening:
                return _MISSING
            at, position = space(at + 1), 0
            while text[at] != closing:
                if isinstance(step, str):
                    key, at = json.decoder.scanstring(text, at + 1)
                    at = space(at)
                    if text[at] != ":":
                        return _MISSING
                    at = space(at + 1)
                    if key == step:
                        break
                elif position == step:
                    break
                _, at = decoder.raw_decode(text, at)
                at, position = space(at), position + 1
                if text[at] == ",":
                    at = space(at + 1)
            else:
                return _MISSING
        return decoder.raw_decode(text, at)[0]
    except (ValueError, IndexError):
        return _MISSING


def _query(docs: pa.Array, paths: pa.Array, types: pa.Array, scalar: pa.Array) -> pa.Array:
    out = []
    for doc, path, kind, value_only in zip(
        docs.to_pylist(),
        paths.to_pylist(),
        types.to_pylist(),
        scalar.to_pylist(),
        strict=True,
    ):
        if doc is None or path is None:
            out.append(None)
            continue
        is_json = kind == "JSON"
        found = _select_in(doc, is_json, steps(path))
        if found is _MISSING or (found is None and not is_json):
            out.append(None)
        elif value_only:
            out.append(_scalar_text(found))
        else:
            out.append(dump(found))
    return pa.array(out, pa.string())


def _query_array(docs: pa.Array, paths: pa.Array, types: pa.Array, scalar: pa.Array) -> pa.Array:
    out: list[list[str | None] | None] = []
    for doc, path, kind, value_only in zip(
        docs.to_pylist(),
        paths.to_pylist(),
        types.to_pylist(),
        scalar.to_pylist(),
        strict=True,
    ):
        found = (
            _MISSING
            if doc is None or path is None
            else _select_in(doc, kind == "JSON", steps(path))
        )
        if not isinstance(found, list) or isinstance(found, Pairs):
            out.append(None)
        elif not value_only:
            out.append([dump(item) for item in found])
        elif any(isinstance(item, list) for item in found):
            out.append(None)  # JSON_VALUE_ARRAY: only an array of scalars
        else:
            out.append([None if item is None else _scalar_text(item) for item in found])
    return pa.array(out, pa.list_(pa.string()))


def _json_type_name(value: Any) -> str:
    if isinstance(value, Pairs):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"


def _type(docs: pa.Array) -> pa.Array:
    return pa.array(
        [None if d is None else _json_type_name(_document(d, True)) for d in docs.to_pylist()],
        pa.string(),
    )


# Converters: BOOL, INT64, FLOAT64, STRING and their LAX_ forms --------------------------------


def _strict(name: str, wanted: str, value: Any) -> InvalidError:
    return InvalidError(
        f"The provided JSON input is not {wanted}: {name} cannot convert JSON "
        f"{_json_type_name(value)} {dump(value)}"
    )


def _to_bool(value: Any, lax: bool) -> bool | None:
    if isinstance(value, bool):
        return value
    if not lax:
        raise _strict("BOOL", "a boolean", value)
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.lower())
    if isinstance(value, int | float):
        return value != 0
    return None


# What LAX_INT64 and LAX_FLOAT64 read in a JSON string: a JSON number, with a sign allowed
# ("+1.5"); LAX_FLOAT64 also reads NaN and Inf[inity] in any case.
_NUMBER_TEXT = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")
_NON_FINITE = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE)


def _to_int64(value: Any, lax: bool) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        if not lax:
            raise _strict("INT64", "an integer", value)
        if isinstance(value, bool):
            return int(value)
        if not isinstance(value, str):
            return None
        if not _NUMBER_TEXT.fullmatch(value):
            return None
        value = int(value) if re.fullmatch(r"[+-]?\d+", value) else float(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if not value.is_integer():
            if not lax:
                raise InvalidError(
                    f"The provided JSON number {_float(value)} cannot be converted to an "
                    "int64 without loss of precision"
                )
            value = float(decimal.Decimal(value).quantize(0, decimal.ROUND_HALF_UP))
        value = int(value)
    if INT64_MIN <= value <= INT64_MAX:
        return value
    if lax:
        return None
    raise InvalidError(f"The provided JSON number {value} is out of the INT64 range")


def _to_float64(value: Any, lax: bool, mode: str = "round") -> float | None:
    if mode not in ("exact", "round"):
        raise InvalidError(f"Invalid wide_number_mode: {mode!r}; it must be 'exact' or 'round'")
    if isinstance(value, bool) or not isinstance(value, int | float):
        if not lax:
            raise _strict("FLOAT64", "a number", value)
        if not isinstance(value, str):
            return None
        if _NUMBER_TEXT.fullmatch(value) or _NON_FINITE.fullmatch(value):
            return float(value)
        return None
    result = float(value)
    if mode == "exact" and isinstance(value, int) and int(result) != value:
        raise InvalidError(
            f"The provided JSON number {value} cannot be converted to FLOAT64 without loss "
            "of precision"
        )
    return result


def _to_string(value: Any, lax: bool) -> str | None:
    if isinstance(value, str):
        return value
    if not lax:
        raise _strict("STRING", "a string", value)
    if value is None or isinstance(value, list):
        return None
    return dump(value)


def _convert_all(
    convert: Any, kind: pa.DataType, docs: pa.Array, hows: pa.Array, *modes: Any
) -> Any:
    # how: 'strict' (BOOL(json) and the rest), 'lax' (LAX_BOOL ...) or 'safe' (SAFE.BOOL ...,
    # which returns NULL where the strict form raises).
    extra = [m.to_pylist() for m in modes]
    out = []
    for row, (doc, how) in enumerate(zip(docs.to_pylist(), hows.to_pylist(), strict=True)):
        value = None if doc is None else _document(doc, True)
        if doc is None or (value is None and how == "lax"):
            out.append(None)
            continue
        try:
            out.append(convert(value, how == "lax", *(e[row] for e in extra)))
        except InvalidError:
            if how != "safe":
                raise
            out.append(None)
    return pa.array(out, kind)


def _converter(convert: Any, kind: pa.DataType) -> Any:
    # DuckDB counts a UDF's parameters, so each arity is a function of its own.
    return lambda docs, hows: _convert_all(convert, kind, docs, hows)


def _float64(docs: pa.Array, hows: pa.Array, modes: pa.Array) -> pa.Array:
    return _convert_all(_to_float64, pa.float64(), docs, hows, modes)


# TO_JSON, TO_JSON_STRING, JSON_OBJECT, JSON_ARRAY --------------------------------------------


def _duckdb_type(text: str) -> Any:
    """Read a DuckDB type name (typeof's answer) into a tree that marks its JSON parts:
    "JSON", ("LIST", element), ("STRUCT", [(name, type)]) or None for any other type."""
    return _type_at(text.strip())[0]


def _type_at(text: str) -> tuple[Any, str]:
    if text.startswith("STRUCT("):
        fields, rest = [], text[len("STRUCT(") :]
        while not rest.startswith(")"):
            if rest.startswith('"'):
                match = re.match(r'"((?:[^"]|"")*)"\s*', rest)
                assert match is not None
                name = match.group(1).replace('""', '"')
            else:
                match = re.match(r"([^\s]+)\s+", rest)
                assert match is not None
                name = match.group(1)
            field, rest = _type_at(rest[match.end() :])
            fields.append((name, field))
            rest = rest.lstrip(", ")
        tree: Any = ("STRUCT", fields)
        rest = rest[1:]
    else:
        match = re.match(r"[A-Z_0-9 ]+(\([^)]*\))?", text)
        word = match.group(0) if match else ""
        tree = "JSON" if word.strip() == "JSON" else None
        rest = text[len(word) :]
    while rest.startswith("["):
        rest = rest[rest.index("]") + 1 :]
        tree = ("LIST", tree)
    return tree, rest


def stored_json(column: str) -> str:
    """Return the DuckDB SQL that reads a stored JSON column as a JSON value in BigQuery's form."""
    return f"CAST({PARSE}(CAST({column} AS VARCHAR), 'round', 'literal') AS JSON)"


def with_json_types(schema: pa.Schema, types: list[Any]) -> pa.Schema:
    """Return a result's Arrow schema with its JSON parts typed as Arrow's JSON extension, as
    DuckDB's column types (the relation's `types`) say they are."""
    return pa.schema(
        [
            pa.field(f.name, _json_typed(f.type, _duckdb_type(str(kind))), f.nullable)
            for f, kind in zip(schema, types, strict=True)
        ]
    )


def _json_typed(kind: pa.DataType, tree: Any) -> pa.DataType:
    if tree == "JSON" and (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return pa.json_(pa.string())
    if isinstance(tree, tuple) and tree[0] == "LIST" and pa.types.is_list(kind):
        return pa.list_(_json_typed(kind.value_type, tree[1]))
    if isinstance(tree, tuple) and tree[0] == "STRUCT" and pa.types.is_struct(kind):
        subs = dict(tree[1])
        return pa.struct(
            [pa.field(f.name, _json_typed(f.type, subs.get(f.name)), f.nullable) for f in kind]
        )
    return kind


def encode(value: Any, kind: pa.DataType, tree: Any, for_string: bool, stringify: bool) -> Any:
    """Return a SQL value as the JSON value TO_JSON (or TO_JSON_STRING) makes of it."""
    if value is None:
        return None
    if tree == "JSON":
        return load(value, canonical=True, wide_number_mode="round")
    if pa.types.is_struct(kind):
        fields = tree[1] if isinstance(tree, tuple) else [(f.name, None) for f in kind]
        items = [
            (f.name, encode(value.get(f.name), f.type, sub, for_string, stringify))
            for f, (_, sub) in zip(kind, fields, strict=True)
        ]
        if for_string:
            return Pairs(items)
        first: dict[str, Any] = {}
        for key, item in items:
            first.setdefault(key, item)
        return Pairs(sorted(first.items()))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        sub = tree[1] if isinstance(tree, tuple) else None
        return [encode(item, kind.value_type, sub, for_string, stringify) for item in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        wide = not -EXACT_IN_DOUBLE <= value <= EXACT_IN_DOUBLE
        return str(value) if wide and (for_string or stringify) else value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, decimal.Decimal):
        return _numeric(value, for_string, stringify)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if pa.types.is_interval(kind):
        return _interval(*value)
    return str(value)


def _interval(months: int, days: int, nanoseconds: int) -> str:
    """Return an INTERVAL as BigQuery's JSON writes it, in ISO 8601: P-2Y-1M, P1DT5H30M."""
    years, months = int(months / 12), months - 12 * int(months / 12)
    sign = "-" if nanoseconds < 0 else ""
    hours, rest = divmod(abs(nanoseconds), 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds = f"{rest // 1_000_000_000}.{rest % 1_000_000_000:09d}".rstrip("0").rstrip(".")
    date = "".join(f"{n}{unit}" for n, unit in ((years, "Y"), (months, "M"), (days, "D")) if n)
    time = "".join(f"{sign}{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n) + (
        f"{sign}{seconds}S" if rest else ""
    )
    return f"P{date}" + (f"T{time}" if time else "") if date or time else "PT0S"


def _numeric(value: decimal.Decimal, for_string: bool, stringify: bool) -> Any:
    integral = value == value.to_integral_value()
    text = format(value.normalize(), "f") if value else "0"
    in_double = integral and abs(value) <= EXACT_IN_DOUBLE
    if for_string:
        return Raw(text) if in_double else text
    # TO_JSON's FLOAT64 domain: the value survives a round trip through a double.
    if stringify and decimal.Decimal(repr(float(value))) != value:
        return text
    return Raw(text)


def _encode(values: pa.Array, types: pa.Array, modes: pa.Array) -> pa.Array:
    tree = _duckdb_type(types[0].as_py()) if len(types) else None
    mode = modes[0].as_py() if len(modes) else "json"
    for_string = mode.startswith("string")
    out = [
        dump(
            encode(v, values.type, tree, for_string, mode == "json stringify"),
            pretty=mode == "string pretty",
        )
        for v in values.to_pylist()
    ]
    return pa.array(out, pa.string())


def _object(keys: pa.Array, values: pa.Array, arrays: pa.Array) -> pa.Array:
    # Keys and values arrive as JSON (TO_JSON's encoding); `arrays` says the call is
    # JSON_OBJECT(key_array, value_array) rather than key-value pairs.
    out = []
    for names, items, of_arrays in zip(
        keys.to_pylist(), values.to_pylist(), arrays.to_pylist(), strict=True
    ):
        names = [_load(n) for n in names]
        items = [_load(i) for i in items]
        if of_arrays:
            if names[0] is None:
                raise InvalidError("The keys array can't be NULL")
            if items[0] is None:
                raise InvalidError("The values array can't be NULL")
            names, items = names[0], items[0]
            if len(names) != len(items):
                raise InvalidError("The number of keys and values must match")
        first: dict[str, Any] = {}
        for name, item in zip(names, items, strict=True):
            if name is None:
                raise InvalidError("A key can't be NULL")
            first.setdefault(name, item)
        out.append(dump(Pairs(sorted(first.items()))))
    return pa.array(out, pa.string())


def _load(text: str) -> Any:
    return load(text, canonical=True, wide_number_mode="round")


def _array(values: pa.Array) -> pa.Array:
    out = [
        None
        if items is None
        else dump([load(i, canonical=True, wide_number_mode="round") for i in items])
        for items in values.to_pylist()
    ]
    return pa.array(out, pa.string())


# Each sees NULLs itself: JSON_QUERY and the rest return NULL for rows that select nothing,
# which DuckDB's default handling does not let a UDF return.
UDFS = [
    Udf(name, function, parameters, returns, null_handling="special")
    for name, function, parameters, returns in [
        (PARSE, _parse, ["VARCHAR", "VARCHAR", "VARCHAR"], "VARCHAR"),
        (QUERY, _query, ["VARCHAR", "VARCHAR", "VARCHAR", "BOOLEAN"], "VARCHAR"),
        (
            QUERY_ARRAY,
            _query_array,
            ["VARCHAR", "VARCHAR", "VARCHAR", "BOOLEAN"],
            "VARCHAR[]",
        ),
        (TYPE, _type, ["VARCHAR"], "VARCHAR"),
        (ENCODE, _encode, None, "VARCHAR"),
        (OBJECT, _object, ["VARCHAR[]", "VARCHAR[]", "BOOLEAN"], "VARCHAR"),
        (ARRAY, _array, ["VARCHAR[]"], "VARCHAR"),
        (TO_BOOL, _converter(_to_bool, pa.bool_()), ["VARCHAR", "VARCHAR"], "BOOLEAN"),
        (TO_INT64, _converter(_to_int64, pa.int64()), ["VARCHAR", "VARCHAR"], "BIGINT"),
        (
            TO_FLOAT64,
            _float64,
            ["VARCHAR", "VARCHAR", "VARCHAR"],
            "DOUBLE",
        ),
        (TO_STRING, _converter(_to_string, pa.string()), ["VARCHAR", "VARCHAR"], "VARCHAR"),
    ]
]


# Rewrites -------------------------------------------------------------------------------------


def _text(self: Any, sql: str) -> str:
    return f"CAST({sql} AS VARCHAR)"


def _typeof(sql: str) -> str:
    return f"typeof({sql})"


_GOOGLESQL_TYPES = {
    "VARCHAR": "STRING",
    "BIGINT": "INT64",
    "INTEGER": "INT64",
    "DOUBLE": "FLOAT64",
    "BOOLEAN": "BOOL",
}


def _json_arg(self: Any, node: exp.Expression, function: str) -> str:
    """Return a JSON argument as text for a UDF, refusing another type as BigQuery does (a
    STRING is not JSON to BOOL, JSON_TYPE or JSON_SET). DuckDB folds the check to a constant."""
    sql = self.sql(node)
    kind = _typeof(sql)
    names = " ".join(f"WHEN '{duck}' THEN '{google}'" for duck, google in _GOOGLESQL_TYPES.items())
    message = (
        f"'No matching signature for function {function} for argument types: ' || "
        f"CASE {kind} {names} ELSE {kind} END || '. Supported signature: {function}(JSON)'"
    )
    return (
        # A bare NULL is typed "NULL" by DuckDB; BigQuery takes it as a JSON NULL.
        f"""CASE WHEN {kind} IN ('JSON', '"NULL"') THEN CAST({sql} AS VARCHAR) """
        f"ELSE error({message}) END"
    )


def _like(doc: str, result: str) -> str:
    # The result takes the document's type: JSON for JSON, VARCHAR for a JSON-formatted STRING.
    # DuckDB types the CASE as both branches' common type and folds the dead branch away.
    return f"CASE WHEN FALSE THEN {doc} ELSE {result} END"


def _extract(scalar: bool, array: bool) -> Any:
    def handler(self: Any, node: exp.Expression) -> str:
        doc = self.sql(node, "this")
        path = node.args.get("expression") or exp.Literal.string("$")
        call = self.func(
            QUERY_ARRAY if array else QUERY,
            _text(self, doc),
            _text(self, self.sql(path)),
            _typeof(doc),
            "TRUE" if scalar else "FALSE",
        )
        if scalar:
            return call
        return _like(f"[{doc}]" if array else doc, call)

    return handler


def _parse_json(self: Any, node: exp.ParseJSON, safe: bool = False) -> str:
    mode = node.args.get("expression")
    mode_sql = self.sql(mode, "expression") if isinstance(mode, exp.Kwarg) else "'exact'"
    source = "'literal'" if node.args.get("is_literal") else "'PARSE_JSON'"
    if safe:
        source = "'SAFE.PARSE_JSON'"
    return (
        f"CAST({self.func(PARSE, _text(self, self.sql(node, 'this')), mode_sql, source)} AS JSON)"
    )


def _converter_call(function: str, how: str) -> Any:
    def handler(self: Any, node: exp.Expression) -> str:
        name = ("LAX_" if how == "lax" else "") + _CONVERTER_NAMES[function]
        args = [_json_arg(self, node.this, name), f"'{how}'"]
        if function == TO_FLOAT64:
            mode = node.args.get("expression")
            args.append(self.sql(mode, "expression") if isinstance(mode, exp.Kwarg) else "'round'")
        return self.func(function, *args)

    return handler


_CONVERTER_NAMES = {TO_BOOL: "BOOL", TO_INT64: "INT64", TO_FLOAT64: "FLOAT64", TO_STRING: "STRING"}

_SAFE = {
    exp.JSONBool: _converter_call(TO_BOOL, "safe"),
    exp.Int64: _converter_call(TO_INT64, "safe"),
    exp.Float64: _converter_call(TO_FLOAT64, "safe"),
}


def _safe(self: Any, node: exp.SafeFunc) -> str | None:
    # SAFE.BOOL(json) and the rest return NULL where the plain function raises.
    inner = node.this
    if isinstance(inner, exp.String) and not inner.args.get("zone"):
        value = self.sql(inner, "this")
        return (
            f"CASE WHEN {_typeof(value)} = 'JSON' THEN "
            f"{self.func(TO_STRING, _text(self, value), repr('safe'))} "
            f"ELSE CAST({value} AS VARCHAR) END"
        )
    if isinstance(inner, exp.ParseJSON):
        return _parse_json(self, inner, safe=True)
    handler = _SAFE.get(type(inner))
    return handler(self, inner) if handler else None


def _string_of_json(self: Any, node: exp.String) -> str | None:
    # STRING(json) unquotes a JSON string; STRING(timestamp[, zone]) is another function.
    if node.args.get("zone"):
        return None
    value = self.sql(node, "this")
    return (
        f"CASE WHEN {_typeof(value)} = 'JSON' THEN "
        f"{self.func(TO_STRING, _text(self, value), repr('strict'))} "
        f"ELSE CAST({value} AS VARCHAR) END"
    )


def _encoded(self: Any, value: exp.Expression, mode: str) -> str:
    sql = self.sql(value)
    return self.func(ENCODE, sql, _typeof(sql), f"'{mode}'")


def _json_format(self: Any, node: exp.JSONFormat) -> str:
    options = node.args.get("options")
    if node.args.get("to_json"):
        stringify = isinstance(options, exp.Kwarg) and options.expression.sql().upper() == "TRUE"
        return (
            f"CAST({_encoded(self, node.this, 'json stringify' if stringify else 'json')} AS JSON)"
        )
    if options is None:
        return _encoded(self, node.this, "string")
    return (
        f"CASE WHEN {self.sql(options)} THEN {_encoded(self, node.this, 'string pretty')} "
        f"ELSE {_encoded(self, node.this, 'string')} END"
    )


def _json_object(self: Any, node: exp.JSONObject) -> str:
    pairs = node.expressions
    if not all(isinstance(p, exp.JSONKeyValue) for p in pairs):
        raise InvalidError(
            "No matching signature for function JSON_OBJECT: it takes keys and values in "
            "pairs, or an array of keys and an array of values"
        )
    keys = ", ".join(_encoded(self, p.this, "json") for p in pairs)
    values = ", ".join(_encoded(self, p.expression, "json") for p in pairs)
    # One pair whose key is an array is JSON_OBJECT(json_key_array, json_value_array).
    arrays = f"{_typeof(self.sql(pairs[0], 'this'))} LIKE '%[]'" if len(pairs) == 1 else "FALSE"
    call = self.func(OBJECT, _varchars(keys), _varchars(values), arrays)
    return f"CAST({call} AS JSON)"


def _varchars(items: str) -> str:
    return f"CAST([{items}] AS VARCHAR[])"


def _json_array(self: Any, node: exp.JSONArray) -> str:
    values = ", ".join(_encoded(self, v, "json") for v in node.expressions)
    return f"CAST({self.func(ARRAY, f'CAST([{values}] AS VARCHAR[])')} AS JSON)"


def _json_type(self: Any, node: exp.JSONType) -> str:
    return self.func(TYPE, _json_arg(self, node.this, "JSON_TYPE"))


def _bracket(self: Any, node: exp.Bracket) -> str | None:
    # json['key'] and json[0]: a field or an element of JSON, counted from 0. Only these two
    # forms are JSON's; OFFSET(i), ORDINAL(i) and the rest are arrays'.
    if len(node.expressions) != 1 or node.args.get("offset") is not None or node.args.get("safe"):
        return None  # x[OFFSET(i)], x[ORDINAL(i)], x[SAFE_OFFSET(i)]: arrays only
    index = node.expressions[0]
    if not (index.is_string or index.is_int):
        return None
    doc = self.sql(node, "this")
    step = index.name if index.is_string else int(index.name)
    if index.is_int and not _is_json(node.this):
        if not isinstance(node.this, exp.Column | exp.JSONExtract):
            return None
        # A column may be JSON or an ARRAY: DuckDB counts a JSON array's elements from 0 and a
        # list's from 1, and folds typeof to a constant.
        return f"{doc}[{step} + CASE WHEN {_typeof(doc)} = 'JSON' THEN 0 ELSE 1 END]"
    path = self.sql(exp.Literal.string(json.dumps([step])))
    call = self.func(QUERY, _text(self, doc), path, "'JSON'", "FALSE")
    return f"CAST({call} AS JSON)"


def _is_json(node: exp.Expression) -> bool:
    """Whether node is JSON by its form alone (a column's type is unknown here)."""
    if isinstance(node, exp.Paren):
        return _is_json(node.this)
    if isinstance(node, exp.Cast):
        return node.to.this == exp.DataType.Type.JSON
    if isinstance(node, exp.Bracket):
        return _is_json(node.this) or node.expressions[0].is_string
    if isinstance(node, exp.JSONExtract):
        return _is_json(node.this)
    if isinstance(node, exp.JSONFormat):
        return bool(node.args.get("to_json"))  # TO_JSON; TO_JSON_STRING makes a STRING
    return isinstance(
        node,
        exp.ParseJSON
        | exp.JSONObject
        | exp.JSONArray
        | exp.JSONSet
        | exp.JSONRemove
        | exp.JSONStripNulls
        | exp.JSONArrayAppend
        | exp.JSONArrayInsert,
    )


REWRITES = {
    exp.ParseJSON: _parse_json,
    exp.JSONExtract: _extract(scalar=False, array=False),
    exp.JSONExtractScalar: _extract(scalar=True, array=False),
    exp.JSONExtractArray: _extract(scalar=False, array=True),
    exp.JSONValueArray: _extract(scalar=True, array=True),
    exp.JSONType: _json_type,
    exp.JSONBool: _converter_call(TO_BOOL, "strict"),
    exp.Int64: _converter_call(TO_INT64, "strict"),
    exp.Float64: _converter_call(TO_FLOAT64, "strict"),
    exp.LaxBool: _converter_call(TO_BOOL, "lax"),
    exp.LaxInt64: _converter_call(TO_INT64, "lax"),
    exp.LaxFloat64: _converter_call(TO_FLOAT64, "lax"),
    exp.LaxString: _converter_call(TO_STRING, "lax"),
    exp.String: _string_of_json,
    exp.JSONFormat: _json_format,
    exp.JSONObject: _json_object,
    exp.JSONArray: _json_array,
    exp.Bracket: _bracket,
    exp.SafeFunc: _safe,
}


# Mutators, JSON_KEYS and JSON_CONTAINS ------------------------------------------------------

_UNCHANGED = object()


def _set(node: Any, path: tuple[Any, ...], value: Any, create: bool) -> Any:
    """Return node with value at path (JSON_SET), or _UNCHANGED where the path does not fit."""
    if not path:
        return value
    step, rest = path[0], path[1:]
    if node is None:
        if not create:
            return _UNCHANGED
        node = Pairs() if isinstance(step, str) else []
    if isinstance(step, str):
        if not isinstance(node, Pairs):
            return _UNCHANGED
        child = node.get_first(step)
        if child is _MISSING and not create:
            return _UNCHANGED
        new = _set(None if child is _MISSING else child, rest, value, create)
        if new is _UNCHANGED:
            return _UNCHANGED
        return Pairs(sorted([(k, v) for k, v in node if k != step] + [(step, new)]))
    if not _is_array(node) or (step >= len(node) and not create):
        return _UNCHANGED
    new = _set(node[step] if step < len(node) else None, rest, value, create)
    if new is _UNCHANGED:
        return _UNCHANGED
    out = list(node) + [None] * (step + 1 - len(node))
    out[step] = new
    return out


def _is_array(value: Any) -> bool:
    return isinstance(value, list) and not isinstance(value, Pairs)


def _mutation_path(text: str, function: str) -> tuple[Any, ...]:
    try:
        return steps(text)
    except InvalidError as err:
        raise InvalidError(f"{function}: {err}") from None


def _set_all(doc: Any, paths: list, values: list, create: bool) -> Any:
    for path, value in zip(paths, values, strict=True):
        if path is None:
            continue
        new = _set(doc, _mutation_path(path, "JSON_SET"), _load(value), create)
        doc = doc if new is _UNCHANGED else new
    return doc


def _remove(doc: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        raise InvalidError("JSON_REMOVE: The JSONPath can't be '$'")
    parent = select(doc, path[:-1])
    last = path[-1]
    if isinstance(last, str) and isinstance(parent, Pairs):
        changed: Any = Pairs([(k, v) for k, v in parent if k != last])
    elif isinstance(last, int) and _is_array(parent) and last < len(parent):
        changed = parent[:last] + parent[last + 1 :]
    else:
        return doc
    new = _set(doc, path[:-1], changed, False)
    return doc if new is _UNCHANGED else new


def _add_to_array(doc: Any, path: tuple[Any, ...], items: list[Any], insert: bool) -> Any:
    # JSON_ARRAY_APPEND adds at the end of the array at path; JSON_ARRAY_INSERT at the index
    # path ends with, padding with nulls. A JSON null there becomes an array.
    at = path[:-1] if insert else path
    if insert and (not path or not isinstance(path[-1], int)):
        return doc
    target = select(doc, at)
    if target is None:
        target = []
    elif not _is_array(target):
        return doc
    if insert:
        index = path[-1]
        padded = list(target) + [None] * (index - len(target))
        changed = padded[:index] + items + padded[index:]
    else:
        changed = list(target) + items
    new = _set(doc, at, changed, False)
    return doc if new is _UNCHANGED else new


def _strip(value: Any, arrays: bool, empty: bool) -> Any:
    def removable(item: Any) -> bool:
        if item is None:
            return True
        if not empty:
            return False
        return (isinstance(item, Pairs) and not item) or (arrays and _is_array(item) and not item)

    if isinstance(value, Pairs):
        stripped = [(k, _strip(v, arrays, empty)) for k, v in value if v is not None]
        return Pairs([(k, v) for k, v in stripped if not removable(v)])
    if _is_array(value):
        if not arrays:
            return [_strip(v, arrays, empty) for v in value]
        stripped = [_strip(v, arrays, empty) for v in value if v is not None]
        return [v for v in stripped if not removable(v)]
    return value


def _strip_nulls(doc: Any, path: tuple[Any, ...], arrays: bool, empty: bool) -> Any:
    target = select(doc, path)
    if target is _MISSING:
        return doc
    stripped = _strip(target, arrays, empty)
    if empty and isinstance(stripped, list) and not stripped:
        stripped = None  # nothing left: a JSON null
    new = _set(doc, path, stripped, False)
    result = doc if new is _UNCHANGED else new
    return result


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _keys(value: Any, depth: int | None, mode: str) -> list[str]:
    found: set[str] = set()

    def name(key: str) -> str:
        # Inferred: keys that JSONPath could not write bare are double-quoted, as in `$."a.b"`.
        return key if _PLAIN_KEY.fullmatch(key) else json.dumps(key)

    def walk(node: Any, prefix: str, level: int, in_array: bool) -> None:
        if isinstance(node, Pairs):
            if depth is not None and level >= depth:
                return
            for key, child in node:
                path = f"{prefix}.{name(key)}" if prefix else name(key)
                found.add(path)
                walk(child, path, level + 1, False)
        elif _is_array(node):
            if mode == "strict" or (mode == "lax" and in_array):
                return
            for child in node:
                walk(child, prefix, level, True)

    walk(value, "", 0, False)
    return sorted(found)


def _contains(big: Any, small: Any, top: bool = True) -> bool:
    if isinstance(small, Pairs):
        return isinstance(big, Pairs) and all(
            (found := big.get_first(k)) is not _MISSING and _contains(found, v, False)
            for k, v in small
        )
    if _is_array(small):
        return _is_array(big) and all(any(_contains(b, s, False) for b in big) for s in small)
    if _is_array(big):
        return top and any(_same_scalar(b, small) for b in big)
    return _same_scalar(big, small)


def _same_scalar(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return not isinstance(a, list) and not isinstance(b, list) and a == b


def _mutate(docs: pa.Array, rows: list[list[Any]], change: Any) -> pa.Array:
    out = []
    for doc, *args in zip(docs.to_pylist(), *rows, strict=True):
        out.append(None if doc is None else dump(change(_load(doc), *args)))
    return pa.array(out, pa.string())


def _json_set(docs: pa.Array, paths: pa.Array, values: pa.Array, create: pa.Array) -> pa.Array:
    def change(doc: Any, paths: list, values: list, create: bool | None) -> Any:
        return doc if create is None else _set_all(doc, paths, values, create)

    return _mutate(docs, [paths.to_pylist(), values.to_pylist(), create.to_pylist()], change)


def _json_remove(docs: pa.Array, paths: pa.Array) -> pa.Array:
    def change(doc: Any, paths: list) -> Any:
        for path in paths:
            if path is not None:
                doc = _remove(doc, _mutation_path(path, "JSON_REMOVE"))
        return doc

    return _mutate(docs, [paths.to_pylist()], change)


def _array_adder(insert: bool) -> Any:
    name = "JSON_ARRAY_INSERT" if insert else "JSON_ARRAY_APPEND"

    def run(
        docs: pa.Array, paths: pa.Array, values: pa.Array, arrays: pa.Array, each: pa.Array
    ) -> pa.Array:
        def change(doc: Any, paths: list, values: list, arrays: list, each: bool | None) -> Any:
            if each is None:
                return doc
            for path, value, is_array in zip(paths, values, arrays, strict=True):
                if path is None:
                    continue
                item = _load(value)
                items = list(item) if each and is_array and item is not None else [item]
                doc = _add_to_array(doc, _mutation_path(path, name), items, insert)
            return doc

        rows = [paths.to_pylist(), values.to_pylist(), arrays.to_pylist(), each.to_pylist()]
        return _mutate(docs, rows, change)

    return run


def _json_strip_nulls(
    docs: pa.Array, paths: pa.Array, arrays: pa.Array, empty: pa.Array
) -> pa.Array:
    def change(doc: Any, path: str | None, arrays: bool | None, empty: bool | None) -> Any:
        if path is None or arrays is None or empty is None:
            return doc
        return _strip_nulls(doc, _mutation_path(path, "JSON_STRIP_NULLS"), arrays, empty)

    rows = [paths.to_pylist(), arrays.to_pylist(), empty.to_pylist()]
    return _mutate(docs, rows, change)


def _json_keys(docs: pa.Array, depths: pa.Array, modes: pa.Array) -> pa.Array:
    out: list[list[str] | None] = []
    for doc, depth, mode in zip(
        docs.to_pylist(), depths.to_pylist(), modes.to_pylist(), strict=True
    ):
        if doc is None or mode is None:
            out.append(None)
            continue
        if depth is not None and depth <= 0:
            raise InvalidError("JSON_KEYS: max_depth must be positive")
        if mode not in ("strict", "lax", "lax recursive"):
            raise InvalidError(
                f"JSON_KEYS: mode must be 'strict', 'lax' or 'lax recursive', not {mode!r}"
            )
        out.append(_keys(_load(doc), depth, mode))
    return pa.array(out, pa.list_(pa.string()))


def _json_contains(bigs: pa.Array, smalls: pa.Array) -> pa.Array:
    return pa.array(
        [
            None if big is None or small is None else _contains(_load(big), _load(small))
            for big, small in zip(bigs.to_pylist(), smalls.to_pylist(), strict=True)
        ],
        pa.bool_(),
    )


SET, REMOVE, APPEND, INSERT = (
    "quarry_json_set",
    "quarry_json_remove",
    "quarry_json_array_append",
    "quarry_json_array_insert",
)
STRIP_NULLS, KEYS, CONTAINS = "quarry_json_strip_nulls", "quarry_json_keys", "quarry_json_contains"

UDFS += [
    Udf(name, function, parameters, returns, null_handling="special")
    for name, function, parameters, returns in [
        (SET, _json_set, ["VARCHAR", "VARCHAR[]", "VARCHAR[]", "BOOLEAN"], "VARCHAR"),
        (REMOVE, _json_remove, ["VARCHAR", "VARCHAR[]"], "VARCHAR"),
        (
            APPEND,
            _array_adder(insert=False),
            ["VARCHAR", "VARCHAR[]", "VARCHAR[]", "BOOLEAN[]", "BOOLEAN"],
            "VARCHAR",
        ),
        (
            INSERT,
            _array_adder(insert=True),
            ["VARCHAR", "VARCHAR[]", "VARCHAR[]", "BOOLEAN[]", "BOOLEAN"],
            "VARCHAR",
        ),
        (STRIP_NULLS, _json_strip_nulls, ["VARCHAR", "VARCHAR", "BOOLEAN", "BOOLEAN"], "VARCHAR"),
        (KEYS, _json_keys, ["VARCHAR", "BIGINT", "VARCHAR"], "VARCHAR[]"),
        (CONTAINS, _json_contains, ["VARCHAR", "VARCHAR"], "BOOLEAN"),
    ]
]


def _kwarg(node: exp.Expression, name: str) -> exp.Expression | None:
    return next(
        (
            e.expression
            for e in node.expressions
            if isinstance(e, exp.Kwarg) and e.this.name.lower() == name
        ),
        None,
    )


def _path_value_pairs(self: Any, node: exp.Expression) -> tuple[list[str], list[str], list[str]]:
    args = [e for e in node.expressions if not isinstance(e, exp.Kwarg)]
    if len(args) % 2:
        raise InvalidError(
            f"No matching signature for function {node.key.upper()}: it takes JSONPath and "
            "value pairs"
        )
    paths = [_text(self, self.sql(a)) for a in args[0::2]]
    values = [_encoded(self, v, "json") for v in args[1::2]]
    arrays = [f"{_typeof(self.sql(v))} LIKE '%[]'" for v in args[1::2]]
    return paths, values, arrays


def _flag(self: Any, node: exp.Expression, name: str, default: str) -> str:
    value = _kwarg(node, name)
    return self.sql(value) if value is not None else default


def _as_json(call: str) -> str:
    return f"CAST({call} AS JSON)"


def _json_set_sql(self: Any, node: exp.JSONSet) -> str:
    paths, values, _ = _path_value_pairs(self, node)
    doc = _json_arg(self, node.this, "JSON_SET")
    create = _flag(self, node, "create_if_missing", "TRUE")
    return _as_json(
        self.func(SET, doc, _varchars(", ".join(paths)), _varchars(", ".join(values)), create)
    )


def _json_remove_sql(self: Any, node: exp.JSONRemove) -> str:
    paths = ", ".join(_text(self, self.sql(p)) for p in node.expressions)
    return _as_json(self.func(REMOVE, _json_arg(self, node.this, "JSON_REMOVE"), _varchars(paths)))


def _array_adder_sql(function: str, flag: str) -> Any:
    name = "JSON_ARRAY_INSERT" if function == INSERT else "JSON_ARRAY_APPEND"

    def handler(self: Any, node: exp.Expression) -> str:
        paths, values, arrays = _path_value_pairs(self, node)
        return _as_json(
            self.func(
                function,
                _json_arg(self, node.this, name),
                _varchars(", ".join(paths)),
                _varchars(", ".join(values)),
                f"CAST([{', '.join(arrays)}] AS BOOLEAN[])",
                _flag(self, node, flag, "TRUE"),
            )
        )

    return handler


def _json_strip_nulls_sql(self: Any, node: exp.JSONStripNulls) -> str:
    path = node.args.get("expression")
    arrays, empty = node.args.get("include_arrays"), node.args.get("remove_empty")
    return _as_json(
        self.func(
            STRIP_NULLS,
            _json_arg(self, node.this, "JSON_STRIP_NULLS"),
            _text(self, self.sql(path)) if path is not None else "'$'",
            self.sql(arrays, "expression") if arrays is not None else "TRUE",
            self.sql(empty, "expression") if empty is not None else "FALSE",
        )
    )


def _json_keys_sql(self: Any, node: exp.JSONKeysAtDepth) -> str:
    depth = node.args.get("expression")
    mode = node.args.get("mode")
    if isinstance(depth, exp.Kwarg):  # JSON_KEYS(json, mode => ...) without max_depth
        depth, mode = None, depth
    return self.func(
        KEYS,
        _json_arg(self, node.this, "JSON_KEYS"),
        f"CAST({self.sql(depth)} AS BIGINT)" if depth is not None else "CAST(NULL AS BIGINT)",
        self.sql(mode, "expression") if mode is not None else "'strict'",
    )


def _json_contains_sql(self: Any, node: exp.Anonymous) -> str:
    if len(node.expressions) != 2:
        raise InvalidError("No matching signature for function JSON_CONTAINS: it takes 2 JSON")
    return self.func(CONTAINS, *(_json_arg(self, a, "JSON_CONTAINS") for a in node.expressions))


REWRITES.update(
    {
        exp.JSONSet: _json_set_sql,
        exp.JSONRemove: _json_remove_sql,
        exp.JSONStripNulls: _json_strip_nulls_sql,
        exp.JSONArrayAppend: _array_adder_sql(APPEND, "append_each_element"),
        exp.JSONArrayInsert: _array_adder_sql(INSERT, "insert_each_element"),
        exp.JSONKeysAtDepth: _json_keys_sql,
    }
)


def _flatten(value: Any) -> list[Any]:
    return [v for item in value for v in _flatten(item)] if _is_array(value) else [value]


def _json_flatten(docs: pa.Array) -> pa.Array:
    return pa.array(
        [None if d is None else [dump(v) for v in _flatten(_load(d))] for d in docs.to_pylist()],
        pa.list_(pa.string()),
    )


FLATTEN = "quarry_json_flatten"
UDFS.append(Udf(FLATTEN, _json_flatten, ["VARCHAR"], "VARCHAR[]", null_handling="special"))


def _json_flatten_sql(self: Any, node: exp.Anonymous) -> str:
    if len(node.expressions) != 1:
        raise InvalidError("No matching signature for function JSON_FLATTEN: it takes one JSON")
    call = self.func(FLATTEN, _json_arg(self, node.expressions[0], "JSON_FLATTEN"))
    return f"CAST({call} AS JSON[])"


def _not_comparable(self: Any, node: exp.Binary) -> str | None:
    # BigQuery defines neither equality nor order on JSON. Only JSON known by its form is
    # caught here; a JSON column's type is not known to the transpiler.
    if _is_json(node.this) or _is_json(node.expression):
        what = "Equality" if isinstance(node, exp.EQ | exp.NEQ) else "Comparison"
        raise InvalidError(f"{what} is not defined for arguments of type JSON")
    return None


REWRITES.update(
    {kind: _not_comparable for kind in (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE)}
)
ANONYMOUS = {"JSON_CONTAINS": _json_contains_sql, "JSON_FLATTEN": _json_flatten_sql}

PARTIAL = {
    "TO_JSON": "a STRUCT with two fields of one name is refused (DuckDB's structs cannot hold it)",
    "TO_JSON_STRING": "a STRUCT with two fields of one name is refused, not written twice",
    "JSON_QUERY": "a JSONPath may escape a key either way ($.\"a.b\" or $['a.b']) in every "
    "extractor, standard or legacy",
    "JSON_VALUE": "a JSON-formatted STRING that is not JSON is read only as far as the value "
    "selected, by Quarry's own reader",
}
