"""DML: INSERT, DELETE, UPDATE, MERGE and TRUNCATE TABLE, each writing a whole new table version.

A version is immutable, so every statement computes the table's new contents with DuckDB and
commits them as the next version; readers keep the old one until the commit. The version read is
checked at commit, so two concurrent statements cannot lose each other's rows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
from sqlglot import exp

from console.catalog.models import Table
from console.engine import tables
from console.engine.query import TARGET, Context, execute
from console.engine.types import arrow_schema, bigquery_arrow_type
from console.errors import InvalidError

# Columns Quarry adds to a joined statement's two sides: which side a row came from, and a
# number for each target row (to find a target row that two source rows match).
TARGET_MARK = "__quarry_target"
SOURCE_MARK = "__quarry_source"
ROW_ID = "__quarry_row"
TWO_MATCHES = "UPDATE/MERGE must match at most one source row for each target row"


def target_name(statement: exp.Expression) -> exp.Table:
    """Return the table a DML statement writes: the one its targets authorise and it rewrites."""
    node = statement.this if isinstance(statement.this, exp.Table) else None
    if isinstance(statement.this, exp.Schema):
        node = statement.this.this
    if node is None:
        node = (statement.args.get("tables") or statement.args.get("expressions") or [None])[0]
    if not isinstance(node, exp.Table):
        raise InvalidError(f"{statement.key.upper()} must name the table it changes")
    return node


def _target(ctx: Context, statement: exp.Expression) -> tuple[exp.Table, Table]:
    node = target_name(statement)
    table = ctx.table(node, TARGET)
    if table.table_type == Table.Type.VIEW:
        raise tables.not_allowed(table)
    return node, table


def _record(
    ctx: Context,
    verb: str,
    table: Table,
    affected: int,
    counts: dict[str, int] | None = None,
) -> None:
    """Record a DML statement's statistics; counts splits a MERGE's rows by what it did."""
    counts = counts or {verb: affected}
    ctx.outcome.statistics.update(
        {
            "numDmlAffectedRows": str(affected),
            "dmlStats": {
                "insertedRowCount": str(counts.get("INSERT", 0)),
                "deletedRowCount": str(counts.get("DELETE", 0)),
                "updatedRowCount": str(counts.get("UPDATE", 0)),
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

    tables.write_next_version(table, schema, counted(), append=True)
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
        matched = exp.column(SOURCE_MARK, joined.alias).is_(exp.null()).not_()
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


def _update_source(
    ctx: Context, target: exp.Table, source: exp.Expression, condition: exp.Expression
) -> tuple[exp.Subquery, int]:
    """Mark the FROM source's rows; return it and how many target rows it updates.

    BigQuery refuses an UPDATE that would give a target row two values, so each target row
    must match at most one source row.
    """
    marked = _marked(source, source.alias_or_name, SOURCE_MARK)
    numbered = _marked(target, target.alias, TARGET_MARK, numbered=True)
    pairs = exp.func("COUNT", exp.Star())
    targets = exp.Count(this=exp.Distinct(expressions=[exp.column(ROW_ID, target.alias)]))
    query = exp.select(pairs, targets).from_(numbered).join(marked.copy(), on=_matches(condition))
    counts = execute(ctx, query).read_all()
    n_pairs, n_targets = counts.column(0)[0].as_py(), counts.column(1)[0].as_py()
    if n_pairs > n_targets:
        raise InvalidError(TWO_MATCHES)
    return marked, n_targets


def run_truncate(ctx: Context, statement: exp.TruncateTable) -> None:
    """TRUNCATE TABLE table."""
    _, table = _target(ctx, statement)
    deleted = table.num_rows
    tables.write_next_version(table, arrow_schema(table.schema), [])
    _record(ctx, "TRUNCATE_TABLE", table, deleted)


def run_merge(ctx: Context, statement: exp.Merge) -> None:
    """MERGE target USING source ON condition WHEN [NOT] MATCHED [BY SOURCE|TARGET] ... THEN ...

    One pass over target FULL JOIN source: each joined row takes the first WHEN clause whose kind
    and condition hold, as in BigQuery; updated and untouched target rows and inserted source
    rows become the table's next version.
    """
    node, table = _target(ctx, statement)
    names = [f["name"] for f in table.schema]
    target, source = _source(node), statement.args["using"]
    t_alias, s_alias = target.alias, source.alias_or_name
    source_names = execute(ctx, exp.select("*").from_(source.copy()).limit(0)).schema.names
    marked_target = _marked(target, t_alias, TARGET_MARK, numbered=True)
    marked_source = _marked(source, s_alias, SOURCE_MARK)
    in_target = exp.column(TARGET_MARK, t_alias).is_(exp.null()).not_()
    in_source = exp.column(SOURCE_MARK, s_alias).is_(exp.null()).not_()
    kinds = {
        "MATCHED": exp.and_(in_target.copy(), in_source.copy()),
        "NOT MATCHED BY TARGET": exp.not_(in_target.copy()),
        "NOT MATCHED BY SOURCE": exp.not_(in_source.copy()),
    }
    clauses = [
        _merge_clause(when, names, source_names, table, t_alias, s_alias)
        for when in _whens(statement)
    ]
    action = exp.Case(
        ifs=[
            exp.If(
                this=exp.and_(kinds[kind].copy(), _matches(condition)),
                true=exp.Literal.number(index),
            )
            for index, (kind, condition, _, _) in enumerate(clauses)
        ],
        default=exp.Literal.number(-1),
    )
    joined = (
        exp.select()
        .from_(marked_target)
        .join(marked_source, on=_matches(statement.args["on"]), join_type="FULL")
    )
    counts = _merge_counts(ctx, joined, action, clauses, t_alias, kinds["MATCHED"])
    projections = []
    for name in names:
        ifs = [
            exp.If(this=action.copy().eq(exp.Literal.number(i)), true=values[name].copy())
            for i, (_, _, verb, values) in enumerate(clauses)
            if verb in ("UPDATE", "INSERT") and name in values
        ]
        value = exp.column(name, t_alias)
        projections.append(exp.alias_(exp.Case(ifs=ifs, default=value) if ifs else value, name))
    # Target rows stay unless deleted; source-only rows enter only through an INSERT clause.
    keep = exp.or_(
        exp.and_(in_target.copy(), exp.not_(_takes(action, clauses, "DELETE"))),
        exp.and_(exp.not_(in_target.copy()), _takes(action, clauses, "INSERT")),
    )
    rewrite = joined.select(*projections).where(keep)
    schema = arrow_schema(table.schema)
    tables.write_next_version(table, schema, _conform(execute(ctx, rewrite), table, names))
    _record(ctx, "MERGE", table, sum(counts.values()), counts)


def _marked(
    relation: exp.Expression, alias: str, mark: str, numbered: bool = False
) -> exp.Subquery:
    """(SELECT *, TRUE AS mark [, ROW_NUMBER() OVER () AS row] FROM relation) AS alias."""
    inner = relation.copy()
    if isinstance(inner, exp.Table):
        inner.set("alias", None)
    extra = [exp.alias_(exp.true(), mark)]
    if numbered:
        extra.append(exp.alias_(exp.Window(this=exp.func("ROW_NUMBER")), ROW_ID))
    return exp.Subquery(
        this=exp.select(exp.Star(), *extra).from_(inner),
        alias=exp.TableAlias(this=exp.to_identifier(alias)),
    )


def _whens(statement: exp.Merge) -> list[exp.When]:
    whens = statement.args.get("whens")
    return list(whens.expressions) if whens is not None else statement.expressions


def _merge_clause(
    when: exp.When,
    names: list[str],
    source_names: list[str],
    table: Table,
    t_alias: str,
    s_alias: str,
) -> tuple[str, exp.Expression, str, dict[str, exp.Expression]]:
    """Return (kind, condition, verb, new values by column) for one WHEN clause."""
    if when.args.get("matched"):
        kind = "MATCHED"
    else:
        kind = "NOT MATCHED BY SOURCE" if when.args.get("source") else "NOT MATCHED BY TARGET"
    # Only one side exists in an unmatched row, so bare column names there mean that side's.
    alone = {"NOT MATCHED BY SOURCE": t_alias, "NOT MATCHED BY TARGET": s_alias}.get(kind)
    when = _qualified(when, alone) if alone else when
    condition = when.args.get("condition") or exp.true()
    then = when.args["then"]
    if isinstance(then, exp.Update):
        values = {}
        for assignment in then.expressions:
            column = assignment.this.name
            if column not in names:
                raise InvalidError(f"Column {column} is not present in table {table.full_id}")
            values[column] = assignment.expression
        verb = "UPDATE"
    elif isinstance(then, exp.Insert):
        if isinstance(then.this, exp.Var):  # INSERT ROW: the source's columns, by position
            if len(source_names) != len(names):
                raise InvalidError(
                    f"INSERT ROW needs a source with the target's {len(names)} columns; it has "
                    f"{len(source_names)}"
                )
            values = {
                name: exp.column(src, s_alias)
                for name, src in zip(names, source_names, strict=True)
            }
        else:
            columns = [c.name for c in then.this.expressions] if then.this else names
            given = then.expression.expressions
            unknown = [c for c in columns if c not in names]
            if unknown:
                raise InvalidError(f"Column {unknown[0]} is not present in table {table.full_id}")
            if len(given) != len(columns):
                raise InvalidError(
                    f"INSERT has {len(columns)} columns but {len(given)} values in a MERGE"
                )
            values = dict(zip(columns, given, strict=True))
            values.update({n: exp.null() for n in names if n not in values})
        verb = "INSERT"
    elif isinstance(then, exp.Var) and then.name.upper() == "DELETE":
        values, verb = {}, "DELETE"
    else:
        raise InvalidError(f"Unsupported MERGE action: {then.sql(dialect='bigquery')}")
    if kind == "NOT MATCHED BY TARGET" and verb != "INSERT":
        raise InvalidError("WHEN NOT MATCHED [BY TARGET] clauses must INSERT")
    if kind != "NOT MATCHED BY TARGET" and verb == "INSERT":
        raise InvalidError("INSERT is allowed only in WHEN NOT MATCHED [BY TARGET] clauses")
    return kind, condition, verb, values


def _qualified(when: exp.When, alias: str) -> exp.When:
    """Give bare column references in a clause's condition and values the table alias."""
    when = when.copy()
    then = when.args["then"]
    targets = {id(a.this) for a in then.expressions} if isinstance(then, exp.Update) else set()
    if isinstance(then, exp.Insert) and isinstance(then.this, exp.Tuple):
        targets |= {id(column) for column in then.this.expressions}
    for column in list(when.find_all(exp.Column)):
        if not column.table and id(column) not in targets:
            column.set("table", exp.to_identifier(alias))
    return when


def _merge_counts(
    ctx: Context,
    joined: exp.Select,
    action: exp.Expression,
    clauses: list[tuple[str, exp.Expression, str, dict[str, exp.Expression]]],
    t_alias: str,
    matched: exp.Expression,
) -> dict[str, int]:
    """Count the rows each verb touches; refuse a target row that two source rows match."""

    def count_where(condition: exp.Expression) -> exp.Expression:
        return exp.Filter(this=exp.func("COUNT", exp.Star()), expression=exp.Where(this=condition))

    distinct_targets = exp.Filter(
        this=exp.Count(this=exp.Distinct(expressions=[exp.column(ROW_ID, t_alias)])),
        expression=exp.Where(this=matched.copy()),
    )
    verbs = ["UPDATE", "DELETE", "INSERT"]
    per_verb = [count_where(_takes(action, clauses, verb)) for verb in verbs]
    query = joined.copy().select(count_where(matched.copy()), distinct_targets, *per_verb)
    pairs, targets, *numbers = [column[0].as_py() for column in execute(ctx, query).read_all()]
    if any(c[0] == "MATCHED" for c in clauses) and pairs > targets:
        raise InvalidError(TWO_MATCHES)
    return dict(zip(verbs, numbers, strict=True))


def _takes(
    action: exp.Expression,
    clauses: list[tuple[str, exp.Expression, str, dict[str, exp.Expression]]],
    verb: str,
) -> exp.Expression:
    """Whether a joined row's chosen clause is one of verb's (FALSE when no clause has verb)."""
    indices = [exp.Literal.number(i) for i, clause in enumerate(clauses) if clause[2] == verb]
    return action.copy().isin(*indices) if indices else exp.false()
