"""Query parameters: BigQuery's QueryParameter objects, checked, then bound into the parsed tree.

A parameter never becomes SQL text. `check` reads each value into a Python value of its type,
refusing what BigQuery would refuse before the job exists; `bind` replaces every `@name` and `?`
node of the parsed statements with a typed constant built from that value (a literal node inside
a CAST), so the generated DuckDB SQL holds the value only as a quoted, escaped literal of the
declared type, and a parameter can never change the statement's shape.

`from_cli` reads bq's `--parameter` syntax (`name:TYPE:value`) into the same objects, for the
console's query settings and `manage.py bq`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from console.engine.functions.numbers import interval_parts
from console.engine.parse import location
from console.engine.types import interval_text
from console.errors import InvalidError

SCALARS = {
    "INT64": "INT64",
    "INTEGER": "INT64",
    "FLOAT64": "FLOAT64",
    "FLOAT": "FLOAT64",
    "NUMERIC": "NUMERIC",
    "DECIMAL": "NUMERIC",
    "BOOL": "BOOL",
    "BOOLEAN": "BOOL",
    "STRING": "STRING",
    "BYTES": "BYTES",
    "DATE": "DATE",
    "DATETIME": "DATETIME",
    "TIME": "TIME",
    "TIMESTAMP": "TIMESTAMP",
    "JSON": "JSON",
    "INTERVAL": "INTERVAL",
}
# Types BigQuery has that Quarry cannot hold yet: refused by name rather than misread (BIGNUMERIC
# as SQL refuses it: see engine/functions/numbers).
UNSUPPORTED = ("GEOGRAPHY", "RANGE", "BIGNUMERIC", "BIGDECIMAL")

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
NUMERIC_LIMIT = decimal.Decimal(10) ** 29


@dataclass(frozen=True)
class ParamType:
    """A parameter's type: a scalar's name, or ARRAY of one element type, or STRUCT of fields."""

    kind: str
    element: ParamType | None = None
    fields: tuple[tuple[str | None, ParamType], ...] = ()

    def sql(self) -> str:
        """Return the type in GoogleSQL, built only from checked type and field names."""
        if self.kind == "ARRAY":
            return f"ARRAY<{self.element.sql()}>"
        if self.kind == "STRUCT":
            inner = ", ".join(
                f"{name} {kind.sql()}" if name else kind.sql() for name, kind in self.fields
            )
            return f"STRUCT<{inner}>"
        return self.kind

    def data_type(self) -> exp.DataType:
        return exp.DataType.build(self.sql(), dialect="bigquery")


@dataclass(frozen=True)
class Parameter:
    """One checked parameter: its name (None when positional), type and Python value."""

    name: str | None
    type: ParamType
    value: Any


# Checking the wire format -----------------------------------------------------------------------


def check(query: dict[str, Any]) -> list[Parameter]:
    """Return a query configuration's parameters, checked; raise InvalidError naming the fault."""
    given = query.get("queryParameters") or []
    mode = str(query.get("parameterMode") or "").upper()
    if mode not in ("", "NAMED", "POSITIONAL"):
        raise InvalidError(
            f"Invalid value for parameterMode: {query['parameterMode']!r}; expected NAMED or "
            "POSITIONAL",
            location="parameterMode",
        )
    if not isinstance(given, list):
        raise InvalidError("queryParameters must be a list", location="queryParameters")
    if not mode and given:
        mode = "NAMED" if isinstance(given[0], dict) and given[0].get("name") else "POSITIONAL"
    checked = []
    seen: set[str] = set()
    for index, parameter in enumerate(given, start=1):
        where = f"queryParameters[{index - 1}]"
        if not isinstance(parameter, dict):
            raise InvalidError(f"{where} must be a QueryParameter object", location=where)
        name = parameter.get("name")
        if mode == "NAMED":
            if not name:
                raise InvalidError(
                    f"{where} has no name: in NAMED parameter mode every parameter is named",
                    location=where,
                )
            if not isinstance(name, str) or not NAME.match(name):
                raise InvalidError(f"Invalid query parameter name: {name!r}", location=where)
            if name.lower() in seen:
                raise InvalidError(f"Duplicate query parameter name: {name}", location=where)
            seen.add(name.lower())
        elif name:
            raise InvalidError(
                f"{where} is named {name!r}, but positional parameters have no names",
                location=where,
            )
        label = name or f"at position {index}"
        kind = _type(parameter.get("parameterType"), label, where)
        value = _value(kind, parameter.get("parameterValue"), label, where)
        checked.append(Parameter(name if mode == "NAMED" else None, kind, value))
    return checked


def _type(given: Any, label: str, where: str) -> ParamType:
    if not isinstance(given, dict) or not given.get("type"):
        raise InvalidError(f"Query parameter {label} has no parameterType.type", location=where)
    name = str(given["type"]).upper()
    if name == "ARRAY":
        element = _type(given.get("arrayType"), label, where)
        if element.kind == "ARRAY":
            raise InvalidError(
                f"Query parameter {label}: an ARRAY cannot hold an ARRAY", location=where
            )
        return ParamType("ARRAY", element=element)
    if name in ("STRUCT", "RECORD"):
        fields = []
        names: set[str] = set()
        for field in given.get("structTypes") or []:
            field_name = (field or {}).get("name") or None
            if field_name is not None:
                if not NAME.match(str(field_name)):
                    raise InvalidError(
                        f"Query parameter {label} has an invalid STRUCT field name: {field_name!r}",
                        location=where,
                    )
                if field_name.lower() in names:
                    raise InvalidError(
                        f"Query parameter {label} has a duplicate STRUCT field name: {field_name}",
                        location=where,
                    )
                names.add(field_name.lower())
            fields.append((field_name, _type((field or {}).get("type"), label, where)))
        if not fields:
            raise InvalidError(f"Query parameter {label}: a STRUCT needs fields", location=where)
        return ParamType("STRUCT", fields=tuple(fields))
    if name in UNSUPPORTED:
        raise InvalidError(
            f"Query parameter {label} has type {name}, which Quarry does not support yet",
            location=where,
        )
    if name not in SCALARS:
        raise InvalidError(f"Query parameter {label} has an unknown type: {name}", location=where)
    return ParamType(SCALARS[name])


def _value(kind: ParamType, given: Any, label: str, where: str) -> Any:
    """Return the Python value of a QueryParameterValue of type kind; None is NULL."""
    if given is None:
        return None
    if not isinstance(given, dict):
        raise InvalidError(f"Query parameter {label} has no parameterValue object", location=where)
    if kind.kind == "ARRAY":
        values = given.get("arrayValues")
        if values is None:
            return None
        if not isinstance(values, list):
            raise InvalidError(
                f"Query parameter {label}: arrayValues must be a list", location=where
            )
        items = [_value(kind.element, item, label, where) for item in values]
        if any(item is None for item in items):
            raise InvalidError(
                f"Query parameter {label}: an ARRAY cannot hold a NULL element", location=where
            )
        return items
    if kind.kind == "STRUCT":
        values = given.get("structValues")
        if values is None:
            return None
        if not isinstance(values, dict):
            raise InvalidError(
                f"Query parameter {label}: structValues must be an object", location=where
            )
        names = [name for name, _ in kind.fields]
        unknown = [key for key in values if key not in names]
        if unknown:
            raise InvalidError(
                f"Query parameter {label}: structValues names {unknown[0]}, which is not a field "
                "of its STRUCT type",
                location=where,
            )
        return {name: _value(field, values.get(name), label, where) for name, field in kind.fields}
    value = given.get("value")
    if value is None:
        return None
    try:
        return _scalar(kind.kind, value)
    except (ValueError, ArithmeticError, binascii.Error, TypeError):
        raise InvalidError(
            f"Query parameter {label} has an invalid {kind.kind} value: {value!r}", location=where
        ) from None


def _scalar(kind: str, value: Any) -> Any:
    """Return a scalar parameter's wire value (a string, or a JSON number or boolean) as Python."""
    text = value if isinstance(value, str) else json.dumps(value)
    if kind == "STRING":
        if not isinstance(value, str):
            raise TypeError(value)
        return value
    if kind == "INT64":
        number = int(text.strip())
        if not INT64_MIN <= number <= INT64_MAX:
            raise ValueError(text)
        return number
    if kind == "FLOAT64":
        return float(text.strip())
    if kind == "NUMERIC":
        number = decimal.Decimal(text.strip())
        if not number.is_finite() or abs(number) >= NUMERIC_LIMIT:
            raise ValueError(text)
        if number.as_tuple().exponent < -9:
            number = number.quantize(decimal.Decimal("1e-9"), rounding=decimal.ROUND_HALF_EVEN)
        return number
    if kind == "BOOL":
        if isinstance(value, bool):
            return value
        if text.strip().lower() not in ("true", "false"):
            raise ValueError(text)
        return text.strip().lower() == "true"
    if kind == "BYTES":
        return base64.b64decode(text, validate=True)
    if kind == "DATE":
        return dt.date.fromisoformat(text.strip())
    if kind == "DATETIME":
        moment = dt.datetime.fromisoformat(text.strip())
        if moment.tzinfo is not None:
            raise ValueError(text)
        return moment
    if kind == "TIME":
        return dt.time.fromisoformat(text.strip())
    if kind == "TIMESTAMP":
        return _timestamp(text.strip())
    if kind == "JSON":
        json.loads(text)
        return text
    if kind == "INTERVAL":
        return _interval(text.strip())
    raise ValueError(kind)


def _interval(text: str) -> tuple[int, int, int]:
    """Read an INTERVAL in BigQuery's canonical form, 'Y-M D H:M:S[.F]': (months, days, micros)."""
    try:
        return interval_parts(text, "YEAR", "SECOND")
    except InvalidError:
        raise ValueError(text) from None


def _timestamp(text: str) -> dt.datetime:
    """Read a TIMESTAMP as BigQuery does: a time zone offset or name, UTC when none is given."""
    if text.upper().endswith(" UTC"):
        text = text[:-4]
    elif text.endswith("Z"):
        text = text[:-1]
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


# Binding into the parsed statements ------------------------------------------------------------


def bind(statements: list[exp.Expression], parameters: list[Parameter]) -> None:
    """Replace every @name and ? in statements with its parameter's typed constant.

    Positional parameters are numbered in the order their `?` appear in the script's text.
    """
    named = {p.name.lower(): p for p in parameters if p.name is not None}
    positional = [p for p in parameters if p.name is None]
    placeholders = []
    for statement in statements:
        for node in list(statement.find_all(exp.Parameter)):
            if _is_system_variable(node):
                continue
            name = node.name
            if name.lower() in named:
                node.replace(constant(named[name.lower()]))
                continue
            if positional:
                raise InvalidError(
                    f"Named parameter @{name} cannot be used with positional parameters"
                    f"{location(node)}"
                )
            raise InvalidError(f"Query parameter '{name}' not found{location(node)}")
        placeholders.extend(statement.find_all(exp.Placeholder))
    if not placeholders:
        return
    if named:
        raise InvalidError(
            f"Positional parameters cannot be used with named parameters{location(placeholders[0])}"
        )
    placeholders.sort(key=lambda node: node.meta.get("start", 0))
    if len(placeholders) != len(positional):
        raise InvalidError(
            f"The query has {len(placeholders)} positional parameter"
            f"{'s' if len(placeholders) != 1 else ''} but {len(positional)} "
            f"{'were' if len(positional) != 1 else 'was'} given{location(placeholders[0])}"
        )
    for node, parameter in zip(placeholders, positional, strict=True):
        node.replace(constant(parameter))


def _is_system_variable(node: exp.Parameter) -> bool:
    """Return whether node is part of `@@name`, a system variable rather than a parameter."""
    return isinstance(node.this, exp.Parameter) or isinstance(node.parent, exp.Parameter)


def constant(parameter: Parameter) -> exp.Expression:
    """Return a parameter's value as a typed constant expression."""
    return _constant(parameter.type, parameter.value)


def _constant(kind: ParamType, value: Any) -> exp.Expression:
    if value is None:
        return exp.cast(exp.null(), kind.data_type())
    if kind.kind == "ARRAY":
        items = [_constant(kind.element, item) for item in value]
        return exp.cast(exp.Array(expressions=items), kind.data_type())
    if kind.kind == "STRUCT":
        items = [
            exp.PropertyEQ(this=exp.to_identifier(name), expression=_constant(field, value[name]))
            if name
            else _constant(field, value[name])
            for name, field in kind.fields
        ]
        return exp.cast(exp.Struct(expressions=items), kind.data_type())
    if kind.kind == "STRING":
        return exp.Literal.string(value)
    if kind.kind == "BOOL":
        return exp.Boolean(this=value)
    if kind.kind == "BYTES":
        return exp.FromBase64(this=exp.Literal.string(base64.b64encode(value).decode()))
    if kind.kind == "JSON":
        return exp.ParseJSON(this=exp.Literal.string(value))
    if kind.kind == "INTERVAL":
        span = exp.IntervalSpan(this=exp.var("YEAR"), expression=exp.var("SECOND"))
        return exp.Interval(this=exp.Literal.string(_text(kind.kind, value)), unit=span)
    return exp.cast(exp.Literal.string(_text(kind.kind, value)), kind.data_type())


def _text(kind: str, value: Any) -> str:
    if kind == "FLOAT64":
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if kind == "TIMESTAMP":
        return value.strftime("%Y-%m-%d %H:%M:%S.%f+00:00")
    if kind in ("DATETIME", "TIME", "DATE"):
        return value.isoformat()
    if kind == "INTERVAL":
        months, days, micros = value
        return interval_text(months, days, micros * 1000)
    return str(value)


# Script variables: a declared type, and a value as a QueryParameter -------------------------


def declared_type(text: str, where: str = "") -> ParamType:
    """Return the type a DECLARE names (`INT64`, `ARRAY<STRING>`, `STRUCT<a INT64>`)."""
    try:
        data_type = exp.DataType.build(text, dialect="bigquery")
    except Exception:
        raise InvalidError(f"Syntax error: Unexpected type {text}{where}") from None
    return type_of(data_type, where)


def type_of(data_type: exp.DataType, where: str = "") -> ParamType:
    """Return a sqlglot type as a ParamType, refusing one Quarry cannot hold."""
    name = data_type.sql("bigquery")
    try:
        return _type(_wire_type(data_type, name), name, "")
    except InvalidError as err:
        raise InvalidError(f"{err.message}{where}") from None


def to_wire(parameter: Parameter) -> dict[str, Any]:
    """Return a parameter as BigQuery's QueryParameter JSON, which `check` reads back."""
    wire: dict[str, Any] = {
        "parameterType": _type_to_wire(parameter.type),
        "parameterValue": _value_to_wire(parameter.type, parameter.value),
    }
    if parameter.name is not None:
        wire["name"] = parameter.name
    return wire


def _type_to_wire(kind: ParamType) -> dict[str, Any]:
    if kind.kind == "ARRAY":
        return {"type": "ARRAY", "arrayType": _type_to_wire(kind.element)}
    if kind.kind == "STRUCT":
        return {
            "type": "STRUCT",
            "structTypes": [
                {**({"name": name} if name else {}), "type": _type_to_wire(field)}
                for name, field in kind.fields
            ],
        }
    return {"type": kind.kind}


def _value_to_wire(kind: ParamType, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if kind.kind == "ARRAY":
        return {"arrayValues": [_value_to_wire(kind.element, item) for item in value]}
    if kind.kind == "STRUCT":
        return {
            "structValues": {
                name: _value_to_wire(field, value.get(name)) for name, field in kind.fields
            }
        }
    if kind.kind == "BOOL":
        return {"value": "true" if value else "false"}
    if kind.kind == "BYTES":
        return {"value": base64.b64encode(value).decode()}
    if kind.kind in ("STRING", "JSON"):
        return {"value": value}
    return {"value": _text(kind.kind, value)}


# bq's --parameter syntax ------------------------------------------------------------------------


def from_cli(text: str) -> dict[str, Any]:
    """Return the QueryParameter that bq's `--parameter=name:TYPE:value` describes.

    `name::value` is a STRING; an empty name (`:TYPE:value`) is positional. ARRAY and STRUCT
    values are JSON (`[1, 2]`, `{"a": 1}`); the value NULL is a NULL.
    """
    name, sep, rest = text.partition(":")
    if not sep:
        raise InvalidError(
            f"Invalid query parameter {text!r}: expected name:TYPE:value (or name::value for a "
            "STRING)",
            location="parameter",
        )
    type_text, value_text = _split_type(rest, text)
    kind = _cli_type(type_text or "STRING", text)
    parameter: dict[str, Any] = {
        "parameterType": kind,
        "parameterValue": _cli_value(kind, value_text, text),
    }
    if name:
        parameter["name"] = name
    return parameter


def _split_type(rest: str, text: str) -> tuple[str, str]:
    """Split `TYPE:value`, where TYPE may hold colons only inside <...> (never in practice)."""
    depth = 0
    for index, char in enumerate(rest):
        if char == "<":
            depth += 1
        elif char == ">":
            depth -= 1
        elif char == ":" and depth == 0:
            return rest[:index].strip(), rest[index + 1 :]
    raise InvalidError(
        f"Invalid query parameter {text!r}: expected name:TYPE:value", location="parameter"
    )


def _cli_type(type_text: str, text: str) -> dict[str, Any]:
    try:
        data_type = exp.DataType.build(type_text, dialect="bigquery")
    except Exception:
        raise InvalidError(
            f"Invalid query parameter {text!r}: unknown type {type_text}", location="parameter"
        ) from None
    return _wire_type(data_type, text)


def _wire_type(data_type: exp.DataType, text: str) -> dict[str, Any]:
    if data_type.is_type(exp.DataType.Type.ARRAY):
        return {"type": "ARRAY", "arrayType": _wire_type(data_type.expressions[0], text)}
    if data_type.is_type(exp.DataType.Type.STRUCT):
        fields = []
        for field in data_type.expressions:
            inner = field.args.get("kind") if isinstance(field, exp.ColumnDef) else field
            entry: dict[str, Any] = {"type": _wire_type(inner, text)}
            if isinstance(field, exp.ColumnDef):
                entry["name"] = field.name
            fields.append(entry)
        return {"type": "STRUCT", "structTypes": fields}
    return {"type": data_type.sql("bigquery").upper()}


def _cli_value(kind: dict[str, Any], value_text: str, text: str) -> dict[str, Any]:
    if value_text == "NULL":
        return {}
    if kind["type"] not in ("ARRAY", "STRUCT"):
        return {"value": value_text}
    try:
        value = json.loads(value_text)
    except ValueError:
        raise InvalidError(
            f"Invalid query parameter {text!r}: an {kind['type']} value is written in JSON",
            location="parameter",
        ) from None
    return _wire_value(kind, value)


def _wire_value(kind: dict[str, Any], value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if kind["type"] == "ARRAY":
        return {"arrayValues": [_wire_value(kind["arrayType"], item) for item in value]}
    if kind["type"] == "STRUCT":
        return {
            "structValues": {
                field["name"]: _wire_value(field["type"], value.get(field["name"]))
                for field in kind["structTypes"]
                if isinstance(value, dict)
            }
        }
    if isinstance(value, bool):
        return {"value": "true" if value else "false"}
    return {"value": value if isinstance(value, str) else json.dumps(value)}


def to_cli(parameter: dict[str, Any]) -> str:
    """Return a QueryParameter in bq's --parameter syntax, the inverse of from_cli."""
    kind = parameter.get("parameterType") or {}
    value = parameter.get("parameterValue")
    name = parameter.get("name") or ""
    if kind.get("type") in ("ARRAY", "STRUCT", "RECORD"):
        text = "NULL" if not value else json.dumps(_json_value(kind, value))
    else:
        given = (value or {}).get("value")
        text = "NULL" if given is None else str(given)
    # The configuration was checked when the job was made, so its type reads back as checked.
    return f"{name}:{_type(kind, name, 'queryParameters').sql()}:{text}"


def _json_value(kind: dict[str, Any], value: Any) -> Any:
    if not value:
        return None
    if kind.get("type") == "ARRAY":
        return [
            _json_value(kind.get("arrayType") or {}, item)
            for item in value.get("arrayValues") or []
        ]
    if kind.get("type") in ("STRUCT", "RECORD"):
        values = value.get("structValues") or {}
        return {
            field.get("name"): _json_value(field.get("type") or {}, values.get(field.get("name")))
            for field in kind.get("structTypes") or []
        }
    return value.get("value")
