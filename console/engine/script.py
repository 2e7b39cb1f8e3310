"""A QUERY job's script: check every statement, then run each; or dry-run it without running."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from sqlglot import exp

from console.catalog.models import Project, Table
from console.engine import ml, params, procedural, routines, sandbox, scripting
from console.engine.destination import Destination
from console.engine.dialect import MLFunction, MLPredict
from console.engine.outcome import Outcome, RunContext
from console.engine.parse import check_functions, parse_script
from console.engine.query import (
    MAX_VIEW_NESTING,
    Context,
    execute,
    reads_catalog_table,
    scanned_bytes,
    view_tree,
)
from console.engine.statements import SELECT, authorize, statement_kind
from console.engine.types import schema_from_arrow
from console.errors import BigQueryError, InvalidError


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
    project: Project,
    sql: str,
    *,
    principal: Any,
    default_dataset: str | None = None,
    parameters: list[params.Parameter] | None = None,
    temp_dataset: str = "",
) -> dict[str, Any]:
    """Check a script without running it; return its statement type, the bytes it would read and,
    for a single query, the schema of its result.

    temp_dataset is the hidden dataset of the session the dry run is in ("" for none): its
    temporary tables resolve as they would when the job runs.

    Raises BigQueryError for anything that would make the real run fail before reading data:
    syntax, unknown functions, permissions, missing datasets, tables and models.
    """
    with query_errors():
        return _dry_run(project, sql, principal, default_dataset, parameters or [], temp_dataset)


def _dry_run(
    project: Project,
    sql: str,
    principal: Any,
    default_dataset: str | None,
    parameters: list[params.Parameter],
    temp_dataset: str,
) -> dict[str, Any]:
    ctx = Context(
        project=project,
        default_dataset=default_dataset,
        con=None,
        principal=principal,
        temp_dataset=temp_dataset,
        in_session=bool(temp_dataset),
    )
    body, statements, evaluated = _parsed(sql, parameters)
    kinds = [statement_kind(ctx, statement) for statement in statements]
    authorize(ctx, [*statements, *evaluated])
    reads_of = [(kind.reads(s), kind.type_of(s)) for s, kind in zip(statements, kinds, strict=True)]
    for statement in statements:
        routines.check_declaration(ctx, statement)
    for reads, statement_type in [*reads_of, *((e, "SELECT") for e in evaluated)]:
        if reads is None:
            continue
        reads = routines.expand(ctx, reads)
        before = ctx.bytes_processed
        _count_bytes(ctx, reads)
        if statement_type == "CREATE_VIEW":
            # Its query is checked (names, permissions) but never read: a view stores no rows.
            ctx.bytes_processed = before
    script = _is_script(body, statements)
    checked: dict[str, Any] = {
        "statementType": "SCRIPT" if script else kinds[-1].type_of(statements[-1]),
        "totalBytesProcessed": ctx.bytes_processed,
    }
    if kinds == [SELECT] and not script:
        checked["schema"] = _result_schema(project, principal, default_dataset, statements[0])
    return checked


def _parsed(
    sql: str, parameters: list[params.Parameter]
) -> tuple[list[procedural.Node], list[exp.Expression], list[exp.Select]]:
    """Parse a script; return its statements, its SQL statements and the expressions it
    evaluates (as one-row SELECTs), with the query parameters bound into all of them."""
    body = procedural.parse(sql)
    nodes = list(procedural.walk(body))
    statements = [node.tree for node in nodes if isinstance(node, procedural.Statement)]
    evaluated = [select for node in nodes for select in procedural.expressions(node)]
    params.bind([*statements, *evaluated], parameters)
    return body, statements, evaluated


def _is_script(body: list[procedural.Node], statements: list[exp.Expression]) -> bool:
    """Return whether a query is a script; `CREATE TEMP FUNCTION …; SELECT …` is not."""
    if not all(isinstance(node, procedural.Statement) for node in body):
        return True
    return len(routines.without_temporary(statements)) > 1


def _result_schema(
    project: Project, principal: Any, default_dataset: str | None, statement: exp.Expression
) -> list[dict[str, Any]]:
    """Return a query's result fields, as DuckDB plans them over no rows (LIMIT 0 reads none)."""
    con = sandbox.connect_to_storage()
    ctx = Context(
        project=project,
        default_dataset=default_dataset,
        con=con,
        principal=principal,
        schema_only=True,
    )
    try:
        empty = exp.select("*").from_(statement.copy().subquery("_dry_run")).limit(0)
        return schema_from_arrow(execute(ctx, empty).schema)
    finally:
        ctx.close()


def _count_bytes(ctx: Context, reads: exp.Expression, views: tuple[str, ...] = ()) -> None:
    """Add what a query would read to ctx.bytes_processed: a view counts the tables it reads."""
    check_functions(reads)
    cte_names = {cte.alias_or_name for cte in reads.find_all(exp.CTE)}
    for node in reads.find_all(exp.Table):
        if isinstance(node.this, MLFunction):
            if not isinstance(node.this, MLPredict):
                ctx.bytes_processed += ml.bytes_read(ctx.model(node.this.this), node.this)
        elif reads_catalog_table(node, cte_names):
            if isinstance(node.this, exp.Func):
                # As the run refuses it (query.bind): no table is named by a call.
                raise InvalidError(f"Table-valued function not found: {node.this.sql()}")
            table = ctx.table(node)
            if table.table_type == Table.Type.VIEW:
                if table.full_id not in views and len(views) < MAX_VIEW_NESTING:
                    _count_bytes(ctx, view_tree(table), (*views, table.full_id))
                continue
            ctx.bytes_processed += scanned_bytes(reads, node, table.schema, table.column_bytes)


def run_query(run: RunContext, outcome: Outcome) -> None:
    """Execute every statement of a QUERY job; the last SELECT's rows become the job's result.

    A script's statements run as child jobs (`scripting`), and, in a session, its
    variables end in outcome.session_variables, whether it succeeds or fails.
    """
    ctx = Context.for_run(run, outcome)
    try:
        with query_errors():
            _declare_session_functions(ctx, run)
            _run_statements(ctx, run, run.configuration.get("query", {}))
    finally:
        outcome.statistics["totalBytesProcessed"] = str(ctx.bytes_processed)
        if run.session is not None:
            # What the statements that ran declared stays, even if a later one failed.
            outcome.session_functions = list(ctx.function_texts.values())
        ctx.drop_script_tables()
        ctx.close()


def _declare_session_functions(ctx: Context, run: RunContext) -> None:
    """Declare the temporary functions earlier jobs of the job's session created."""
    for text in run.session.functions if run.session is not None else ():
        routines.declare_temporary(ctx, parse_script(text)[0])


def _run_statements(ctx: Context, run: RunContext, query: dict[str, Any]) -> None:
    body, statements, evaluated = _parsed(query.get("query", ""), params.check(query))
    kinds = [statement_kind(ctx, statement) for statement in statements]
    script = _is_script(body, statements)
    ctx.in_script = script
    ctx.destination = Destination.from_configuration(query)
    if ctx.destination is not None and script:
        raise InvalidError(
            "configuration.query.destinationTable cannot be set for scripts",
            location="destinationTable",
        )
    main = routines.without_temporary(statements)
    first = kinds[len(statements) - len(main)] if main else None
    if ctx.destination is not None and first is not SELECT:
        raise InvalidError(
            "configuration.query.destinationTable cannot be set for "
            f"{first.type_of(main[0])} statements",
            location="destinationTable",
        )
    authorize(ctx, [*statements, *evaluated])
    # A session's variables carry from job to job; outside one, a script starts with none.
    session = run.session
    interpreter = scripting.Script(
        ctx, variables=session.variables if session else {}, children=script
    )
    try:
        interpreter.run(body)
    finally:
        if session is not None:
            ctx.outcome.session_variables = interpreter.variables
        if script:
            ctx.outcome.statistics["statementType"] = "SCRIPT"
            ctx.outcome.statistics["numChildJobs"] = str(interpreter.num_children)
