"""DDL's OPTIONS(...), PARTITION BY and CLUSTER BY, as the REST resource's own fields.

An OPTIONS list becomes `labels`, `expirationTime`, `timePartitioning`, ..., so DDL sets
metadata through the same checks as tables.patch and datasets.patch (see metadata.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlglot import exp

from console.engine import metadata
from console.engine.query import Context, _constant
from console.errors import InvalidError

# OPTIONS(...) ---------------------------------------------------------------------------------


def _days_ms(value: Any) -> int | None:
    return None if value is None else round(float(value) * metadata.MS_PER_DAY)


def _millis(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        raise InvalidError(f"Expected a TIMESTAMP, got {value!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp() * 1000)


def _labels(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(pair, tuple | list) and len(pair) == 2 for pair in value
    ):
        raise InvalidError('labels must be an ARRAY of ("key", "value") pairs')
    return {str(key): str(val) for key, val in value}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _moment(value: Any) -> dt.datetime | None:
    if value is not None and not isinstance(value, dt.datetime):
        raise InvalidError(f"Expected a TIMESTAMP, got {value!r}")
    return value if value is None or value.tzinfo else value.replace(tzinfo=dt.UTC)


# Each option: the resource field it sets and how its SQL value becomes that field's value.
TABLE_OPTIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "description": ("description", _text),
    "friendly_name": ("friendlyName", _text),
    "labels": ("labels", _labels),
    "expiration_timestamp": ("expirationTime", _millis),
    "partition_expiration_days": ("partitionExpirationMs", _days_ms),
    "require_partition_filter": ("requirePartitionFilter", bool),
}
SCHEMA_OPTIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "description": ("description", _text),
    "friendly_name": ("friendlyName", _text),
    "labels": ("labels", _labels),
    "default_table_expiration_days": ("defaultTableExpirationMs", _days_ms),
    "default_partition_expiration_days": ("defaultPartitionExpirationMs", _days_ms),
    "location": ("location", _text),
}
# A view's options set its catalog row's fields directly (a view has no resource body to patch).
VIEW_OPTIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "description": ("description", _text),
    "friendly_name": ("friendly_name", _text),
    "labels": ("labels", lambda value: _labels(value) or {}),
    "expiration_timestamp": ("expiration_time", _moment),
}
COLUMN_OPTIONS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "description": ("description", _text),
}


def _value(ctx: Context, node: exp.Expression) -> Any:
    """Return an option's value: a literal as it is, anything else evaluated as a constant."""
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Literal):
        return node.name if node.is_string else float(node.name)
    if isinstance(node, exp.Boolean):
        return node.this
    if isinstance(node, exp.Array):
        return [_value(ctx, item) for item in node.expressions]
    if isinstance(node, exp.Tuple | exp.Struct):
        return tuple(_value(ctx, item) for item in node.expressions)
    return _constant(ctx, node)


def options_body(
    ctx: Context,
    properties: exp.Properties | None,
    allowed: dict[str, tuple[str, Callable[[Any], Any]]],
    what: str,
) -> dict[str, Any]:
    """Return the resource fields an OPTIONS(...) list sets, refusing an option what lacks."""
    body: dict[str, Any] = {}
    for prop in properties.expressions if properties else []:
        if isinstance(prop, exp.LocationProperty):
            # sqlglot reads `location=...` as its own property kind.
            prop = exp.Property(this=exp.var("location"), value=prop.this)
        if not isinstance(prop, exp.Property):
            raise InvalidError(f"Unsupported option {prop.sql('bigquery')}{ctx.location(prop)}")
        name = prop.name.lower()
        if name not in allowed:
            raise InvalidError(
                f"Unknown option: {name}{ctx.location(prop)}. Options for {what} are "
                + ", ".join(allowed)
            )
        key, convert = allowed[name]
        try:
            body[key] = convert(_value(ctx, prop.args["value"]))
        except (TypeError, ValueError) as err:
            raise InvalidError(f"Invalid value for option {name}: {err}") from None
    return body


def table_options(ctx: Context, properties: exp.Properties | None) -> dict[str, Any]:
    """Return a table's OPTIONS(...) as resource fields; labels given replace every label."""
    body = options_body(ctx, properties, TABLE_OPTIONS, "tables")
    if "expirationTime" in body and body["expirationTime"] is not None:
        body["expirationTime"] = str(body["expirationTime"])
    return body


def with_partition_expiration(
    body: dict[str, Any], time_partitioning: dict[str, Any] | None, table: str
) -> dict[str, Any] | None:
    """Fold partition_expiration_days into the time partitioning it belongs to."""
    if "partitionExpirationMs" not in body:
        return time_partitioning
    expiration = body.pop("partitionExpirationMs")
    if time_partitioning is None:
        raise InvalidError(
            f"partition_expiration_days needs a table partitioned by time; {table} is not"
        )
    shaped = {k: v for k, v in time_partitioning.items() if k != "expirationMs"}
    if expiration is not None:
        shaped["expirationMs"] = str(expiration)
    return shaped


def replacing_labels(old: dict[str, str], body: dict[str, Any]) -> None:
    """Make a labels option replace the labels, as BigQuery's SET OPTIONS(labels=...) does."""
    if "labels" in body:
        body["labels"] = {**dict.fromkeys(old or {}), **(body["labels"] or {})}


# CREATE TABLE's PARTITION BY, CLUSTER BY and OPTIONS ----------------------------------------


def _column_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Column | exp.Identifier):
        return node.name
    raise InvalidError(f"Expected a column name in PARTITION BY, got {node.sql('bigquery')}")


def _partition_spec(ctx: Context, node: exp.Expression) -> dict[str, Any]:
    """Return the resource fields PARTITION BY's expression stands for."""
    pseudo = ("_PARTITIONDATE", "_PARTITIONTIME")
    if isinstance(node, exp.RangeBucket):
        series = node.expression
        if not isinstance(series, exp.GenerateSeries):
            raise InvalidError(
                "RANGE_BUCKET in PARTITION BY needs GENERATE_ARRAY(start, end, interval)"
            )
        bounds = {
            key: _value(ctx, series.args[arg])
            for key, arg in (("start", "start"), ("end", "end"), ("interval", "step"))
        }
        return {
            "rangePartitioning": {
                "field": _column_name(node.this),
                "range": {key: int(value) for key, value in bounds.items()},
            }
        }
    unit = "DAY"
    column = node
    if isinstance(node, exp.Date | exp.TsOrDsToDate):
        column = node.this
    elif isinstance(node, exp.TimestampTrunc | exp.DatetimeTrunc | exp.DateTrunc):
        column = node.this
        given = node.args.get("unit") or exp.var("DAY")
        # sqlglot reads WEEK as WEEK(SUNDAY); the message should show what was written.
        unit = (given.name if isinstance(given, exp.Var) else given.sql("bigquery")).upper()
    elif not isinstance(node, exp.Column | exp.Identifier):
        raise InvalidError(
            f"Unsupported PARTITION BY expression {node.sql('bigquery')}: expected a DATE column, "
            "DATE(col), TIMESTAMP_TRUNC(col, unit), DATETIME_TRUNC(col, unit), "
            "DATE_TRUNC(col, MONTH|YEAR), RANGE_BUCKET(col, GENERATE_ARRAY(a, b, c)) or "
            "_PARTITIONDATE"
        )
    name = _column_name(column)
    spec: dict[str, Any] = {"type": unit}
    if name.upper() not in pseudo:
        spec["field"] = name
    return {"timePartitioning": spec}


def create_table_body(ctx: Context, statement: exp.Create) -> dict[str, Any]:
    """Return the metadata CREATE TABLE sets, as resource fields, every one present.

    Every field is given so that CREATE OR REPLACE leaves nothing of the old table's metadata.
    """
    body: dict[str, Any] = {
        "description": "",
        "friendlyName": "",
        "labels": {},
        "timePartitioning": None,
        "rangePartitioning": None,
        "clustering": None,
        "requirePartitionFilter": False,
    }
    properties = statement.args.get("properties")
    options = []
    for prop in properties.expressions if properties else []:
        if isinstance(prop, exp.PartitionedByProperty):
            body.update(_partition_spec(ctx, prop.this))
        elif isinstance(prop, exp.ClusterProperty | exp.Cluster):
            body["clustering"] = {"fields": [_column_name(c) for c in prop.expressions]}
        elif isinstance(prop, exp.TemporaryProperty):
            continue  # TEMP says where the table lives (ddl.create_table), not its metadata
        else:
            options.append(prop)
    body.update(table_options(ctx, exp.Properties(expressions=options)))
    name = statement.this.this if isinstance(statement.this, exp.Schema) else statement.this
    body["timePartitioning"] = with_partition_expiration(
        body, body["timePartitioning"], name.sql("bigquery")
    )
    return body


def schema_body(ctx: Context, statement: exp.Create) -> dict[str, Any]:
    """Return the metadata CREATE SCHEMA's OPTIONS(...) sets, as dataset resource fields."""
    return options_body(ctx, statement.args.get("properties"), SCHEMA_OPTIONS, "schemas")
