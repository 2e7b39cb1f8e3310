"""Table reads for the Storage Read API: one table version as streams of Arrow record batches.

`plan` fixes what a read session reads: the version current when it was created (or at its
snapshot time), the fields it selects, and its row restriction, which is parsed with the BigQuery
dialect, checked as any query's SQL is (only the table's columns, only allowed functions, no
subquery or table) and generated for DuckDB; the text itself never reaches DuckDB. `split` cuts
the version's rows into contiguous parts, one per stream, on row-group boundaries when there are
enough of them, so parallel readers decode disjoint row groups. `batches` streams one part with
pyarrow's Parquet reader: memory holds the row group being decoded and one batch, never the table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlglot
from sqlglot import exp

from console.catalog import storage
from console.catalog.models import Table
from console.engine import sandbox
from console.engine.dialect import MLFunction
from console.engine.parse import DIALECT, check_functions
from console.engine.tables import not_allowed
from console.engine.transpile import to_duckdb
from console.engine.types import arrow_schema
from console.errors import BigQueryError, InvalidError, NotFoundError

# Rows per ReadRows message: about 3 MB for the tutorial's three numeric columns, few enough
# messages that per-message costs vanish, small enough to keep a stream's memory flat.
BATCH_ROWS = 128 * 1024
# The most streams BigQuery gives one session.
MAX_STREAMS = 1000
# Streams when the client leaves max_stream_count at 0 ("the server picks"): one per core of a
# small machine keeps both the server's decoding and the client's conversion busy.
DEFAULT_STREAMS = 2
# The relation a row restriction is evaluated over; no BigQuery column can be named like it.
_ROWS = "__quarry_rows"
# What a row restriction may not contain: it filters one table's rows, it does not query.
_REFUSED = {
    exp.Query: "a subquery",
    exp.Subquery: "a subquery",
    exp.Table: "a table",
    exp.Star: "*",
    exp.Parameter: "a query parameter",
    exp.Placeholder: "a query parameter",
    exp.AggFunc: "an aggregate function",
    exp.Window: "an analytic function",
    MLFunction: "an ML function",
}


@dataclass(frozen=True)
class Part:
    """Rows start (inclusive) to stop (exclusive) of a version's file: what one stream reads."""

    start: int
    stop: int


@dataclass(frozen=True)
class Read:
    """What one read session reads, fixed when the session is created."""

    table_id: str
    data_path: str
    fields: list[dict[str, Any]]
    schema: pa.Schema
    columns: tuple[str, ...]
    restriction: str
    num_rows: int
    estimated_bytes: int


def plan(
    table: Table,
    selected_fields: Sequence[str] = (),
    row_restriction: str = "",
    snapshot_time: dt.datetime | None = None,
) -> Read:
    """Return what a session reads of table, refusing a name or restriction BigQuery would."""
    if table.table_type == Table.Type.VIEW:
        raise not_allowed(table)
    data_path, fields, num_rows, column_bytes = _version(table, snapshot_time)
    file_schema = _file_schema(table, data_path, fields)
    chosen = _select(table, fields, selected_fields)
    out_fields = [_project_field(f, paths) for f, paths in chosen]
    schema = pa.schema([_project_arrow(file_schema.field(f["name"]), p) for f, p in chosen])
    columns = [".".join(path) for field, paths in chosen for path in (paths or [[field["name"]]])]
    restriction, used = "", set()
    if row_restriction.strip():
        restriction, used = _check_restriction(table, row_restriction, fields, file_schema)
        columns += sorted(name for name in used if name not in columns)
    read_names = {field["name"] for field, _ in chosen} | used
    estimated = sum(int(column_bytes.get(name, 0)) for name in read_names)
    return Read(
        table_id=table.full_id,
        data_path=data_path,
        fields=out_fields,
        schema=schema,
        columns=tuple(columns),
        restriction=restriction,
        num_rows=num_rows,
        estimated_bytes=estimated,
    )


def split(read: Read, count: int) -> list[Part]:
    """Return up to count parts that cover the version's rows once, in order (0: the server's
    choice). Parts end on row-group boundaries when there are at least count row groups."""
    if read.num_rows == 0:
        return []
    count = min(count or DEFAULT_STREAMS, MAX_STREAMS, read.num_rows)
    starts = _row_group_starts(read)
    if len(starts) - 1 >= count:
        cuts = [starts[0]]
        for i in range(1, count):
            ideal = read.num_rows * i / count
            cut = min(starts, key=lambda s: abs(s - ideal))
            if cut > cuts[-1]:
                cuts.append(cut)
    else:
        cuts = [read.num_rows * i // count for i in range(count)]
    cuts.append(read.num_rows)
    return [Part(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def split_part(read: Read, part: Part, fraction: float) -> tuple[Part, Part] | None:
    """Return part cut at fraction of its rows (primary, remainder), or None if it is too small.

    As in BigQuery, the cut is on the rows before the restriction filters them, and moves to a
    row-group boundary when one falls inside the part.
    """
    if part.stop - part.start < 2:
        return None
    ideal = part.start + (part.stop - part.start) * fraction
    inside = [s for s in _row_group_starts(read) if part.start < s < part.stop]
    cut = min(inside, key=lambda s: abs(s - ideal)) if inside else round(ideal)
    cut = min(max(cut, part.start + 1), part.stop - 1)
    return Part(part.start, cut), Part(cut, part.stop)


def batches(read: Read, part: Part, offset: int = 0) -> Iterator[pa.RecordBatch]:
    """Yield the rows of part, after the first offset rows it yields, as batches of read.schema."""
    if offset < 0:
        raise InvalidError(f"Invalid offset {offset}: it cannot be negative")
    parquet = _open(read)
    # Without a restriction a stream's row n is the file's row start + n: skip straight there.
    start = part.start if read.restriction else min(part.start + offset, part.stop)
    skip = offset if read.restriction else 0
    groups, position, first = [], 0, 0
    for index in range(parquet.metadata.num_row_groups):
        rows = parquet.metadata.row_group(index).num_rows
        if position + rows > start and position < part.stop:
            if not groups:
                first = position
            groups.append(index)
        position += rows
    if not groups:
        return
    con = _restriction_connection() if read.restriction else None
    try:
        position = first
        for batch in parquet.iter_batches(
            batch_size=BATCH_ROWS, row_groups=groups, columns=list(read.columns)
        ):
            begin, end = position, position + batch.num_rows
            position = end
            if end <= start:
                continue
            if begin >= part.stop:
                break
            batch = batch.slice(max(start - begin, 0), min(end, part.stop) - max(start, begin))
            if con is not None:
                batch = batch.filter(_keep(con, read.restriction, batch))
                if skip:
                    dropped = min(skip, batch.num_rows)
                    batch, skip = batch.slice(dropped), skip - dropped
            if batch.num_rows:
                yield _conform(batch, read.schema)
    finally:
        if con is not None:
            con.close()


# The version and its fields ------------------------------------------------------------------


def _version(
    table: Table, moment: dt.datetime | None
) -> tuple[str, list[dict[str, Any]], int, dict[str, int]]:
    """Return (file, fields, rows, bytes per column) of the version current at moment (or now)."""
    if moment is None:
        return table.data_path, table.schema, table.num_rows, table.column_bytes or {}
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    if table.pk is None:
        # A query's anonymous table never changes: it has one version, from when the job ended.
        if table.created is not None and moment < table.created:
            raise InvalidError(
                f"Invalid snapshot time {moment.isoformat()} for table {table.full_id}: the "
                "table did not exist then"
            )
        return table.data_path, table.schema, table.num_rows, table.column_bytes or {}
    try:
        version = table.version_at(moment)
    except BigQueryError as err:
        raise InvalidError(err.message) from None
    return version.data_path, version.schema, version.num_rows, version.column_bytes or {}


def _open(read: Read) -> pq.ParquetFile:
    try:
        # No pre-buffering: a stream reads its row groups one at a time, not the file at once.
        return pq.ParquetFile(storage.resolve(read.data_path), pre_buffer=False)
    except FileNotFoundError:
        # The table was deleted (and its versions' files with it) after the session began.
        raise NotFoundError(f"Not found: Table {read.table_id}") from None


def _file_schema(table: Table, data_path: str, fields: list[dict[str, Any]]) -> pa.Schema:
    if not data_path:
        return arrow_schema(fields)
    try:
        return pq.read_schema(storage.resolve(data_path))
    except FileNotFoundError:
        raise NotFoundError(f"Not found: Table {table.full_id}") from None


def _row_group_starts(read: Read) -> list[int]:
    """Return the first row of every row group, then the number of rows."""
    metadata = _open(read).metadata
    starts = [0]
    for index in range(metadata.num_row_groups):
        starts.append(starts[-1] + metadata.row_group(index).num_rows)
    return starts


# Selected fields -----------------------------------------------------------------------------


Chosen = list[tuple[dict[str, Any], list[list[str]] | None]]


def _select(table: Table, fields: list[dict[str, Any]], selected: Sequence[str]) -> Chosen:
    """Return the top-level fields read, in the table's order, each with the nested paths
    selected in it (None: the whole field). Names match as BigQuery's do, ignoring case."""
    if not selected:
        return [(field, None) for field in fields]
    by_name = {field["name"].lower(): field for field in fields}
    wanted: dict[str, list[list[str]] | None] = {}
    for text in selected:
        parts = text.split(".")
        top = by_name.get(parts[0].lower())
        if top is None or not all(parts):
            raise InvalidError(
                f"Invalid selected field {text!r}: table {table.full_id} has no such field"
            )
        path, field = [top["name"]], top
        for part in parts[1:]:
            children = {f["name"].lower(): f for f in field.get("fields") or []}
            if field.get("mode") == "REPEATED" or part.lower() not in children:
                raise InvalidError(
                    f"Invalid selected field {text!r}: table {table.full_id} has no such "
                    "field, or it is inside a repeated record (select the whole record)"
                )
            field = children[part.lower()]
            path.append(field["name"])
        if len(path) == 1 or wanted.get(top["name"], []) is None:
            wanted[top["name"]] = None
        else:
            wanted.setdefault(top["name"], []).append(path)  # type: ignore[union-attr]
    return [(field, wanted[field["name"]]) for field in fields if field["name"] in wanted]


def _project_field(field: dict[str, Any], paths: list[list[str]] | None) -> dict[str, Any]:
    """Return field with only the nested fields paths name (all of it for None)."""
    if paths is None:
        return field
    children = []
    for child in field.get("fields") or []:
        below = [p[1:] for p in paths if p[1] == child["name"]]
        if below:
            whole = any(len(p) == 1 for p in below)
            children.append(_project_field(child, None if whole else below))
    return {**field, "fields": children}


def _project_arrow(field: pa.Field, paths: list[list[str]] | None) -> pa.Field:
    if paths is None:
        return field
    children = []
    for child in field.type:
        below = [p[1:] for p in paths if p[1] == child.name]
        if below:
            whole = any(len(p) == 1 for p in below)
            children.append(_project_arrow(child, None if whole else below))
    return pa.field(field.name, pa.struct(children), field.nullable)


def _conform(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """Return batch as schema: its columns in order, structs cut to the selected fields."""
    if batch.schema == schema:
        return batch
    columns = [_conform_array(batch.column(f.name), f.type) for f in schema]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _conform_array(array: pa.Array, dtype: pa.DataType) -> pa.Array:
    if array.type == dtype or not pa.types.is_struct(dtype):
        return array
    children = [_conform_array(array.field(f.name), f.type) for f in dtype]
    return pa.StructArray.from_arrays(children, fields=list(dtype), mask=array.is_null())


# Row restrictions ----------------------------------------------------------------------------


def _check_restriction(
    table: Table, text: str, fields: list[dict[str, Any]], file_schema: pa.Schema
) -> tuple[str, set[str]]:
    """Return a row restriction as DuckDB SQL over the table's columns, and the columns it reads.

    The text is parsed as one expression with BigQuery's grammar, its names are bound to the
    table's columns, its functions checked; then DuckDB evaluates it over no rows, so a type
    error is refused now, as BigQuery refuses it when the session is created.
    """
    where = f"Invalid row_restriction for table {table.full_id}"
    try:
        tree = sqlglot.parse_one(text, dialect=DIALECT, into=exp.Condition)
    except sqlglot.errors.SqlglotError:
        raise InvalidError(f"{where}: {text!r} is not a SQL boolean expression") from None
    for node in tree.walk():
        for kind, what in _REFUSED.items():
            if isinstance(node, kind):
                raise InvalidError(f"{where}: it may not contain {what}")
    by_name = {field["name"].lower(): field for field in fields}
    used: set[str] = set()
    for column in list(tree.find_all(exp.Column)):
        parts = [part.name for part in column.parts]
        top = by_name.get(parts[0].lower())
        if top is None:
            raise InvalidError(f"{where}: Unrecognized name: {parts[0]}")
        used.add(top["name"])
        node: exp.Expression = exp.column(exp.to_identifier(top["name"], quoted=True))
        field = top
        for part in parts[1:]:
            children = {f["name"].lower(): f for f in field.get("fields") or []}
            if field.get("mode") == "REPEATED" or part.lower() not in children:
                raise InvalidError(f"{where}: Field name {part} does not exist in {field['name']}")
            field = children[part.lower()]
            node = exp.Dot(this=node, expression=exp.to_identifier(field["name"], quoted=True))
        column.replace(node)
    check_functions(tree)
    sql = to_duckdb(tree)
    con = _restriction_connection()
    sandbox.define_macros(con, sql)
    try:
        empty = pa.schema([file_schema.field(name) for name in sorted(used)]).empty_table()
        con.register(_ROWS, empty)
        kind = con.sql(f"SELECT ({sql}) AS keep FROM {_ROWS}").to_arrow_table()
    except duckdb.Error as err:
        raise InvalidError(f"{where}: {str(err).splitlines()[0]}") from None
    finally:
        con.close()
    if kind.schema.field(0).type not in (pa.bool_(), pa.null()):
        raise InvalidError(f"{where}: it must be a BOOL expression")
    return sql, used


def _restriction_connection() -> duckdb.DuckDBPyConnection:
    # The same locked-down connection a job gets: it evaluates one expression over batches
    # handed to it and can read no file.
    root = storage.root()
    return sandbox.connect([], root / "scratch")


def _keep(con: duckdb.DuckDBPyConnection, sql: str, batch: pa.RecordBatch) -> pa.Array:
    """Return which of batch's rows the restriction keeps (NULL drops a row, as in WHERE)."""
    con.register(_ROWS, pa.Table.from_batches([batch]))
    try:
        mask = con.sql(f"SELECT ({sql}) AS keep FROM {_ROWS}").to_arrow_table().column(0)
    except duckdb.Error as err:
        raise InvalidError(f"Row restriction failed: {str(err).splitlines()[0]}") from None
    finally:
        con.unregister(_ROWS)
    return pc.fill_null(mask.combine_chunks().cast(pa.bool_()), False)
