"""DML: INSERT, DELETE, UPDATE and TRUNCATE TABLE, each writing a whole new table version.

A version is immutable, so every statement computes the table's new contents with DuckDB and
commits them as the next version; readers keep the old one until the commit. The version read is
checked at commit, so two concurrent statements cannot lose each other's rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pyarrow as pa
from sqlglot import exp

from console.catalog.models import Table
from console.engine import tables
from console.engine.errors import InvalidError
from console.engine.query import Context, execute
from console.engine.types import arrow_schema, bigquery_arrow_type
from console.iam.roles import TABLES_UPDATE_DATA


def _target(ctx: Context, statement: exp.Expression) -> tuple[exp.Table, Table]:
    node = statement.this if isinstance(statement.this, exp.Table) else None
    if isinstance(statement.this, exp.Schema):
        node = statement.this.this
    if node is None:
        node = (statement.args.get("tables") or statement.args.get("expressions") or [None])[0]
    return node, ctx.table(node, TABLES_UPDATE_DATA)


def _record(ctx: Context, statement_type: str, table: Table, affected: int) -> None:
    ctx.job.statistics.update(
        {
            "statementType": statement_type,
            "numDmlAffectedRows": str(affected),
            "dmlStats": {
                "insertedRowCount": str(affected) if statement_type == "INSERT" else "0",
                "deletedRowCount": str(affected) if statement_type == "DELETE" else "0",
                "updatedRowCount": str(affected) if statement_type == "UPDATE" else "0",
            },
        }
    )


def _conform(
    reader: pa.RecordBatchReader, table: Table, names: list[str]
) -> Iterator[pa.RecordBatch]:
    """Yield the query's rows as the table's columns: named ones cast, the others NULL."""
    schema = arrow_schema(table.schema)
    if len(reader.schema) != len(names):
        raise InvalidError(
            f"Inserted row has wrong column count; Has {len(reader.schema)}, {len(names)} are "
            "expected"
        )
    positions = {name: index for index, name in enumerate(names)}
    for batch in reader:
        columns = []
        for field in schema:
            if field.name not in positions:
                columns.append(pa.nulls(batch.num_rows, field.type))
                continue
            value = batch.column(positions[field.name])
            try:
                columns.append(value.cast(field.type))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise InvalidError(
                    f"Value of type {bigquery_arrow_type(value.type)} cannot be assigned to "
                    f"{field.name}, which has type {field.type}"
                ) from None
        yield pa.RecordBatch.from_arrays(columns, schema=schema)


def run_insert(ctx: Context, statement: exp.Insert) -> None:
    """INSERT [INTO] table [(columns)] VALUES (...) | query."""
    node, table = _target(ctx, statement)
    names = [f["name"] for f in table.schema]
    if isinstance(statement.this, exp.Schema):
        listed = [column.name for column in statement.this.expressions]
        unknown = [name for name in listed if name not in names]
        if unknown:
            raise InvalidError(f"Column {unknown[0]} is not present in table {table.full_id}")
        names = listed
    source = statement.expression
    if isinstance(source, exp.Values):
        values = source.copy()
        values.set(
            "alias",
            exp.TableAlias(
                this=exp.to_identifier("__values"),
                columns=[exp.to_identifier(f"c{i}") for i in range(len(names))],
            ),
        )
        source = exp.select("*").from_(values)
    new_rows = _conform(execute(ctx, source), table, names)
    schema = arrow_schema(table.schema)
    inserted = 0

    def counted() -> Iterator[pa.RecordBatch]:
        nonlocal inserted
        for batch in new_rows:
            inserted += batch.num_rows
            yield batch

    current = tables.existing_batches(table, schema)
    tables.write_next_version(table, schema, itertools.chain(current, counted()))
    _record(ctx, "INSERT", table, inserted)


def _require_where(statement: exp.Expression, verb: str) -> exp.Expression:
    where = statement.args.get("where")
    if where is None:
        raise InvalidError(f"{verb} must have a WHERE clause")
    return where.this


def _source(node: exp.Table) -> exp.Table:
    source = node.copy()
    if not source.alias:
        source.set("alias", exp.TableAlias(this=exp.to_identifier(node.name)))
    return source


def _matches(condition: exp.Expression) -> exp.Expression:
    # NULL conditions leave the row alone, as in BigQuery.
    return exp.func("COALESCE", condition.copy(), exp.false())


def _count(ctx: Context, node: exp.Table, condition: exp.Expression) -> int:
    query = (
        exp.select(exp.func("COUNT", exp.Star())).from_(_source(node)).where(_matches(condition))
    )
    return execute(ctx, query).read_all().column(0)[0].as_py()


def run_delete(ctx: Context, statement: exp.Delete) -> None:
    """DELETE [FROM] table WHERE condition."""
    node, table = _target(ctx, statement)
    condition = _require_where(statement, "DELETE")
    deleted = _count(ctx, node, condition)
    keep = exp.select("*").from_(_source(node)).where(exp.not_(_matches(condition)))
    schema = arrow_schema(table.schema)
    tables.write_next_version(
        table, schema, _conform(execute(ctx, keep), table, [f["name"] for f in table.schema])
    )
    _record(ctx, "DELETE", table, deleted)


def run_update(ctx: Context, statement: exp.Update) -> None:
    """UPDATE table SET column = expression, ... [FROM source] WHERE condition."""
    node, table = _target(ctx, statement)
    condition = _require_where(statement, "UPDATE")
    names = [f["name"] for f in table.schema]
    assignments: dict[str, exp.Expression] = {}
    for assignment in statement.expressions:
        column = assignment.this.name
        if column not in names:
            raise InvalidError(f"Column {column} is not present in table {table.full_id}")
        assignments[column] = assignment.expression
    target = _source(node)
    source = statement.args.get("from_")
    if source is None:
        updated = _count(ctx, node, condition)
        matched = _matches(condition)
        rows = exp.select().from_(target)
    else:
        joined, updated = _update_source(ctx, target, source.this, condition)
        matched = exp.not_(exp.Is(this=exp.column(MATCHED, joined.alias), expression=exp.null()))
        rows = exp.select().from_(target).join(joined, on=_matches(condition), join_type="LEFT")
    # Target columns are qualified: a source may have columns of the same names.
    projections = [
        exp.alias_(
            exp.Case(
                ifs=[exp.If(this=matched.copy(), true=assignments[name].copy())],
                default=exp.column(name, target.alias),
            ),
            name,
        )
        if name in assignments
        else exp.alias_(exp.column(name, target.alias), name)
        for name in names
    ]
    rewrite = rows.select(*projections)
    schema = arrow_schema(table.schema)
    tables.write_next_version(table, schema, _conform(execute(ctx, rewrite), table, names))
    _record(ctx, "UPDATE", table, updated)


MATCHED = "__quarry_matched"
ROW_ID = "__quarry_row"


def _update_source(
    ctx: Context, target: exp.Table, source: exp.Expression, condition: exp.Expression
) -> tuple[exp.Subquery, int]:
    """Mark the FROM source's rows; return it and how many target rows it updates.

    BigQuery refuses an UPDATE that would give a target row two values, so each target row
    must match at most one source row.
    """
    alias = source.alias_or_name
    marked = exp.Subquery(
        this=exp.select(exp.Star(), exp.alias_(exp.true(), MATCHED)).from_(source.copy()),
        alias=exp.TableAlias(this=exp.to_identifier(alias)),
    )
    bare = target.copy()
    bare.set("alias", None)
    numbered = exp.Subquery(
        this=exp.select(
            exp.Star(), exp.alias_(exp.Window(this=exp.func("ROW_NUMBER")), ROW_ID)
        ).from_(bare),
        alias=exp.TableAlias(this=exp.to_identifier(target.alias)),
    )
    pairs = exp.func("COUNT", exp.Star())
    targets = exp.Count(this=exp.Distinct(expressions=[exp.column(ROW_ID, target.alias)]))
    query = exp.select(pairs, targets).from_(numbered).join(marked.copy(), on=_matches(condition))
    counts = execute(ctx, query).read_all()
    n_pairs, n_targets = counts.column(0)[0].as_py(), counts.column(1)[0].as_py()
    if n_pairs > n_targets:
        raise InvalidError("UPDATE/MERGE must match at most one source row for each target row")
    return marked, n_targets


def run_truncate(ctx: Context, statement: exp.TruncateTable) -> None:
    """TRUNCATE TABLE table."""
    _, table = _target(ctx, statement)
    deleted = table.num_rows
    tables.write_next_version(table, arrow_schema(table.schema), [])
    _record(ctx, "TRUNCATE_TABLE", table, deleted)
