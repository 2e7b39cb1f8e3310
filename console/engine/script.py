"""A QUERY job's script: dispatch each statement on its kind, or dry-run it without running."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from sqlglot import exp

from console.catalog.models import Project
from console.engine import ddl, dml, ml
from console.engine.dialect import MLFunction, MLPredict
from console.engine.outcome import Outcome, RunContext
from console.engine.parse import check_functions, parse_script
from console.engine.query import Context, reads_catalog_table, run_select, scanned_bytes
from console.errors import AccessDenied, BigQueryError, InvalidError
from console.iam.roles import (
    DATASETS_CREATE,
    DATASETS_DELETE,
    JOBS_CREATE,
    MODELS_CREATE,
    MODELS_DELETE,
    MODELS_GET_DATA,
    MODELS_UPDATE_DATA,
    TABLES_CREATE,
    TABLES_DELETE,
    TABLES_GET_DATA,
    TABLES_UPDATE_DATA,
)

DML = (exp.Insert, exp.Delete, exp.Update, exp.TruncateTable, exp.Merge)

STATEMENT_HANDLERS: dict[type[exp.Expression], Callable[[Context, Any], None]] = {
    exp.Select: run_select,
    exp.Union: run_select,
    exp.Intersect: run_select,
    exp.Except: run_select,
    exp.Create: ddl.run_create,
    exp.Drop: ddl.run_drop,
    exp.Insert: dml.run_insert,
    exp.Delete: dml.run_delete,
    exp.Update: dml.run_update,
    exp.TruncateTable: dml.run_truncate,
    exp.Merge: dml.run_merge,
}

STATEMENT_TYPES: dict[type[exp.Expression], str] = {
    exp.Select: "SELECT",
    exp.Union: "SELECT",
    exp.Intersect: "SELECT",
    exp.Except: "SELECT",
    exp.Insert: "INSERT",
    exp.Delete: "DELETE",
    exp.Update: "UPDATE",
    exp.TruncateTable: "TRUNCATE_TABLE",
    exp.Merge: "MERGE",
}


def _unsupported(ctx: Context, statement: exp.Expression) -> InvalidError:
    name = statement.this if isinstance(statement, exp.Command) else statement.key.upper()
    return InvalidError(
        f"Unsupported statement: {name}{ctx.location(statement)}. Quarry runs SELECT, CREATE, "
        "DROP, INSERT, DELETE, UPDATE, MERGE and TRUNCATE TABLE statements."
    )


def statement_type(statement: exp.Expression) -> str:
    kind = (statement.args.get("kind") or "").upper()
    if isinstance(statement, exp.Create):
        if kind == "TABLE" and statement.expression is not None:
            return "CREATE_TABLE_AS_SELECT"
        return f"CREATE_{kind}"
    if isinstance(statement, exp.Drop):
        return f"DROP_{kind}"
    return STATEMENT_TYPES[type(statement)]


def _schema_name(node: exp.Table) -> exp.Table:
    # sqlglot reads `CREATE SCHEMA ds` as a table whose dataset part is ds (see ddl).
    return exp.table_("_", db=node.db or node.name, catalog=node.catalog or None)


def _dml_target(statement: exp.Expression) -> exp.Table | None:
    node = statement.this if isinstance(statement.this, exp.Table) else None
    if isinstance(statement.this, exp.Schema):
        node = statement.this.this
    if node is None:
        node = (statement.args.get("tables") or statement.args.get("expressions") or [None])[0]
    return node


def accesses(statement: exp.Expression) -> Iterator[tuple[exp.Table, str, str]]:
    """Yield (name, kind, permission) for everything a statement reads or writes."""
    reads: exp.Expression | None = statement
    written: exp.Table | None = None
    kind = (statement.args.get("kind") or "").upper()
    if isinstance(statement, exp.Create):
        target = statement.this.this if isinstance(statement.this, exp.Schema) else statement.this
        if kind == "TABLE":
            yield target, "Table", TABLES_CREATE
            if statement.args.get("replace"):
                yield target, "Table", TABLES_UPDATE_DATA
        elif kind == "MODEL":
            yield target, "Model", MODELS_CREATE
            yield target, "Model", MODELS_UPDATE_DATA
        elif kind == "SCHEMA":
            yield _schema_name(target), "Dataset", DATASETS_CREATE
        reads = statement.expression
    elif isinstance(statement, exp.Drop):
        node = statement.this or (statement.args.get("tables") or [None])[0]
        drops = {"TABLE": ("Table", TABLES_DELETE), "MODEL": ("Model", MODELS_DELETE)}
        if kind == "SCHEMA":
            yield _schema_name(node), "Dataset", DATASETS_DELETE
        elif kind in drops and node is not None:
            yield node, *drops[kind]
        return
    elif isinstance(statement, DML):
        written = _dml_target(statement)
        if written is not None:
            yield written, "Table", TABLES_UPDATE_DATA
    if reads is None:
        return
    cte_names = {cte.alias_or_name for cte in reads.find_all(exp.CTE)}
    for node in reads.find_all(exp.Table):
        if isinstance(node.this, MLFunction):
            yield node.this.this, "Model", MODELS_GET_DATA
        elif node is written and isinstance(statement, exp.Insert):
            continue
        elif reads_catalog_table(node, cte_names):
            yield node, "Table", TABLES_GET_DATA


def authorize(ctx: Context, statements: list[exp.Expression]) -> None:
    """Check, before any statement runs, that the principal may run jobs and touch every name.

    Names that do not resolve are left for the statement to report; the resolution points in
    Context check again as each statement runs.
    """
    ctx.check(JOBS_CREATE, ctx.project)
    for statement in statements:
        for node, kind, permission in accesses(statement):
            try:
                resource = ctx.reference(node, kind)
            except AccessDenied:
                raise
            except BigQueryError:
                continue
            ctx.check(permission, resource)


@contextlib.contextmanager
def query_errors() -> Iterator[None]:
    """Word a script's failures as BigQuery does: its own mistakes are invalidQuery, in "query"."""
    try:
        yield
    except BigQueryError as err:
        if err.reason == "invalid":
            err.reason = "invalidQuery"
            err.location = err.location or "query"
        raise


def dry_run(
    project: Project, sql: str, *, principal: Any, default_dataset: str | None = None
) -> dict[str, Any]:
    """Check a script without running it; return its statement type and the bytes it would read.

    Raises BigQueryError for anything that would make the real run fail before reading data:
    syntax, unknown functions, permissions, missing datasets, tables and models.
    """
    with query_errors():
        return _dry_run(project, sql, principal, default_dataset)


def _dry_run(
    project: Project, sql: str, principal: Any, default_dataset: str | None
) -> dict[str, Any]:
    ctx = Context(project=project, default_dataset=default_dataset, con=None, principal=principal)
    kind = ""
    statements = parse_script(sql)
    for statement in statements:
        if type(statement) not in STATEMENT_HANDLERS:
            raise _unsupported(ctx, statement)
    authorize(ctx, statements)
    for statement in statements:
        kind = statement_type(statement)
        if isinstance(statement, exp.Drop):
            continue
        reads = statement.expression if isinstance(statement, exp.Create) else statement
        if reads is None:
            continue
        check_functions(reads)
        cte_names = {cte.alias_or_name for cte in reads.find_all(exp.CTE)}
        for node in reads.find_all(exp.Table):
            if isinstance(node.this, MLFunction):
                if not isinstance(node.this, MLPredict):
                    ctx.bytes_processed += ml.bytes_read(ctx.model(node.this.this), node.this)
            elif reads_catalog_table(node, cte_names):
                table = ctx.table(node)
                ctx.bytes_processed += scanned_bytes(reads, node, table.schema, table.column_bytes)
    return {"statementType": kind, "totalBytesProcessed": ctx.bytes_processed}


def run_query(run: RunContext, outcome: Outcome) -> None:
    """Execute every statement of a QUERY job; the last SELECT's rows become the job's result."""
    ctx = Context.for_run(run, outcome)
    try:
        with query_errors():
            _run_statements(ctx, run.configuration.get("query", {}).get("query", ""))
    finally:
        outcome.statistics["totalBytesProcessed"] = str(ctx.bytes_processed)
        ctx.con.close()


def _run_statements(ctx: Context, sql: str) -> None:
    statements = parse_script(sql)
    for statement in statements:
        if type(statement) not in STATEMENT_HANDLERS:
            raise _unsupported(ctx, statement)
    authorize(ctx, statements)
    for statement in statements:
        ctx.check_cancelled()
        STATEMENT_HANDLERS[type(statement)](ctx, statement)
    if len(statements) > 1:
        ctx.outcome.statistics["statementType"] = "SCRIPT"
