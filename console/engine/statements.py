"""What each kind of statement is, in one table: its statement type, its targets and how it runs.

Like sqlglot's own dispatch tables, STATEMENTS is keyed by the parsed node's type; CREATE and DROP
are keyed by (type, kind), since CREATE TABLE and CREATE MODEL share a node. A statement's targets
are every name it reads or writes with the permission it needs there: authorize checks them all,
for every statement of a script, before anything runs, and a dry run checks the same ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from console.engine import alter, ddl, dml, extract, ml, procedures, routines, views
from console.engine.dialect import MLFunction
from console.engine.query import Context, reads_catalog_table, run_select
from console.errors import AccessDenied, BigQueryError, InvalidError
from console.iam.roles import (
    DATASETS_CREATE,
    DATASETS_DELETE,
    DATASETS_UPDATE,
    JOBS_CREATE,
    MODELS_CREATE,
    MODELS_DELETE,
    MODELS_GET_DATA,
    MODELS_UPDATE_DATA,
    ROUTINES_CREATE,
    ROUTINES_DELETE,
    ROUTINES_UPDATE,
    TABLES_CREATE,
    TABLES_DELETE,
    TABLES_GET_DATA,
    TABLES_UPDATE,
    TABLES_UPDATE_DATA,
)

# A name a statement touches: (the name, "Table" | "Model" | "Dataset" | "Routine", the
# permission it needs).
Target = tuple[exp.Table, str, str]


def _no_writes(ctx: Context, statement: Any) -> Iterator[Target]:
    return iter(())


def _whole(statement: Any) -> exp.Expression | None:
    return statement


def _query_part(statement: Any) -> exp.Expression | None:
    return statement.expression


def _nothing_read(statement: Any) -> exp.Expression | None:
    return None


def _exported_query(statement: exp.Export) -> exp.Expression | None:
    return statement.this


@dataclass(frozen=True)
class StatementKind:
    """One kind of statement.

    statement_type is BigQuery's statementType (a function of the statement where it depends on
    it); writes yields the names the statement creates, changes or drops; reads returns the part
    of the statement whose tables and models it reads (None if it reads none); run executes it.
    """

    statement_type: str | Callable[[Any], str]
    run: Callable[[Context, Any], None]
    writes: Callable[[Context, Any], Iterator[Target]] = _no_writes
    reads: Callable[[Any], exp.Expression | None] = _whole

    def type_of(self, statement: exp.Expression) -> str:
        if callable(self.statement_type):
            return self.statement_type(statement)
        return self.statement_type

    def targets(self, ctx: Context, statement: exp.Expression) -> Iterator[Target]:
        """Yield every name the statement reads or writes, with the permission it needs."""
        yield from self.writes(ctx, statement)
        yield from read_targets(self.reads(statement))


def read_targets(tree: exp.Expression | None) -> Iterator[Target]:
    """Yield the catalog tables and the models a query (or a statement's query part) reads."""
    if tree is None:
        return
    cte_names = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for node in tree.find_all(exp.Table):
        if isinstance(node.this, MLFunction):
            yield node.this.this, "Model", MODELS_GET_DATA
        elif reads_catalog_table(node, cte_names):
            yield node, "Table", TABLES_GET_DATA


# What each kind writes ------------------------------------------------------------------------


def _destination_written(ctx: Context, statement: exp.Expression) -> Iterator[Target]:
    if ctx.destination is not None:
        yield ctx.destination.name, "Table", ctx.destination.permission(ctx)


def _table_created(ctx: Context, statement: exp.Create) -> Iterator[Target]:
    yield ddl.created_table(statement), "Table", TABLES_CREATE
    if statement.args.get("replace"):
        yield ddl.created_table(statement), "Table", TABLES_UPDATE_DATA


def _view_created(ctx: Context, statement: exp.Create) -> Iterator[Target]:
    yield ddl.created_table(statement), "Table", TABLES_CREATE
    if statement.args.get("replace"):
        yield ddl.created_table(statement), "Table", TABLES_UPDATE


def _model_created(ctx: Context, statement: exp.Create) -> Iterator[Target]:
    yield ml.created_model(statement), "Model", MODELS_CREATE
    yield ml.created_model(statement), "Model", MODELS_UPDATE_DATA


def _schema_created(ctx: Context, statement: exp.Create) -> Iterator[Target]:
    yield ddl.created_schema(statement), "Dataset", DATASETS_CREATE


def _routine_created(ctx: Context, statement: exp.Create) -> Iterator[Target]:
    if routines.is_temporary(statement):
        return
    yield routines.created_routine(statement), "Routine", ROUTINES_CREATE
    if statement.args.get("replace"):
        yield routines.created_routine(statement), "Routine", ROUTINES_UPDATE


def _routine_dropped(ctx: Context, statement: exp.Drop) -> Iterator[Target]:
    yield routines.dropped_routine(statement), "Routine", ROUTINES_DELETE


def _table_dropped(ctx: Context, statement: exp.Drop) -> Iterator[Target]:
    yield ddl.dropped(statement), "Table", TABLES_DELETE


def _model_dropped(ctx: Context, statement: exp.Drop) -> Iterator[Target]:
    yield ddl.dropped(statement), "Model", MODELS_DELETE


def _schema_dropped(ctx: Context, statement: exp.Drop) -> Iterator[Target]:
    yield ddl.schema_name(ddl.dropped(statement)), "Dataset", DATASETS_DELETE


def _table_altered(ctx: Context, statement: exp.Alter) -> Iterator[Target]:
    yield alter.altered_table(statement), "Table", TABLES_UPDATE


def _schema_altered(ctx: Context, statement: exp.Alter) -> Iterator[Target]:
    yield alter.altered_schema(statement), "Dataset", DATASETS_UPDATE


def _dml_written(ctx: Context, statement: exp.Expression) -> Iterator[Target]:
    yield dml.target_name(statement), "Table", TABLES_UPDATE_DATA


def _create_table_type(statement: exp.Create) -> str:
    return "CREATE_TABLE" if statement.expression is None else "CREATE_TABLE_AS_SELECT"


SELECT = StatementKind("SELECT", run_select, _destination_written)
# A system procedure (BQ.ABORT_SESSION) reads and writes no catalog name.
CALL = StatementKind("CALL", procedures.run_call, reads=_nothing_read)

STATEMENTS: dict[type[exp.Expression] | tuple[type[exp.Expression], str], StatementKind] = {
    exp.Select: SELECT,
    exp.Union: SELECT,
    exp.Intersect: SELECT,
    exp.Except: SELECT,
    (exp.Create, "TABLE"): StatementKind(
        _create_table_type, ddl.create_table, _table_created, _query_part
    ),
    (exp.Create, "MODEL"): StatementKind(
        "CREATE_MODEL", ml.create_model, _model_created, _query_part
    ),
    (exp.Create, "SCHEMA"): StatementKind(
        "CREATE_SCHEMA", ddl.create_schema, _schema_created, _nothing_read
    ),
    (exp.Create, "VIEW"): StatementKind(
        "CREATE_VIEW", views.create_view, _view_created, _query_part
    ),
    (exp.Create, "FUNCTION"): StatementKind(
        "CREATE_FUNCTION", routines.create_function, _routine_created, _nothing_read
    ),
    (exp.Drop, "FUNCTION"): StatementKind(
        "DROP_FUNCTION", routines.drop_function, _routine_dropped, _nothing_read
    ),
    (exp.Drop, "TABLE"): StatementKind("DROP_TABLE", ddl.drop_table, _table_dropped, _nothing_read),
    (exp.Drop, "VIEW"): StatementKind("DROP_VIEW", ddl.drop_view, _table_dropped, _nothing_read),
    (exp.Drop, "MODEL"): StatementKind("DROP_MODEL", ddl.drop_model, _model_dropped, _nothing_read),
    (exp.Drop, "SCHEMA"): StatementKind(
        "DROP_SCHEMA", ddl.drop_schema, _schema_dropped, _nothing_read
    ),
    (exp.Alter, "TABLE"): StatementKind(
        "ALTER_TABLE", alter.alter_table, _table_altered, _nothing_read
    ),
    (exp.Alter, "SCHEMA"): StatementKind(
        "ALTER_SCHEMA", alter.alter_schema, _schema_altered, _nothing_read
    ),
    # INSERT reads only its source; the others read the table they change, too.
    exp.Insert: StatementKind("INSERT", dml.run_insert, _dml_written, _query_part),
    exp.Delete: StatementKind("DELETE", dml.run_delete, _dml_written),
    exp.Update: StatementKind("UPDATE", dml.run_update, _dml_written),
    exp.TruncateTable: StatementKind("TRUNCATE_TABLE", dml.run_truncate, _dml_written),
    exp.Merge: StatementKind("MERGE", dml.run_merge, _dml_written),
    exp.Export: StatementKind("EXPORT_DATA", extract.run_export_data, reads=_exported_query),
}


def statement_kind(ctx: Context, statement: exp.Expression) -> StatementKind:
    """Return what kind of statement this is, or raise InvalidError if Quarry does not run it."""
    if isinstance(statement, exp.Create | exp.Drop | exp.Alter):
        kind = (statement.args.get("kind") or "").upper()
        found = STATEMENTS.get((type(statement), kind))
        # sqlglot parses CREATE MATERIALIZED / TEMP VIEW as a VIEW with a flag: not the same thing.
        modifier = _modifier(statement)
        if modifier:
            kind = f"{modifier} {kind}"
            found = None
        if found is None:
            verb = statement.key.upper()
            raise InvalidError(f"{verb} {kind} is not supported by Quarry{ctx.location(statement)}")
        return found
    if procedures.is_call(statement):
        return CALL
    found = STATEMENTS.get(type(statement))
    if found is None and routines.is_aggregate_function(statement):
        raise InvalidError(
            f"CREATE AGGREGATE FUNCTION is not supported by Quarry{ctx.location(statement)}"
        )
    if found is None:
        name = statement.this if isinstance(statement, exp.Command) else statement.key.upper()
        raise InvalidError(
            f"Unsupported statement: {name}{ctx.location(statement)}. Quarry runs SELECT, "
            "CREATE, ALTER, DROP, INSERT, DELETE, UPDATE, MERGE, TRUNCATE TABLE and EXPORT DATA "
            "statements."
        )
    return found


def _modifier(statement: exp.Create | exp.Drop) -> str:
    """Return MATERIALIZED or TEMP if a CREATE or DROP VIEW says so, else ""."""
    if statement.args.get("kind", "").upper() != "VIEW":
        return ""
    if statement.args.get("materialized"):
        return "MATERIALIZED"
    properties = statement.args.get("properties")
    for prop in properties.expressions if properties else []:
        if isinstance(prop, exp.MaterializedProperty):
            return "MATERIALIZED"
        if isinstance(prop, exp.TemporaryProperty):
            return "TEMP"
    return ""


def authorize(ctx: Context, statements: list[exp.Expression]) -> None:
    """Check, before any statement runs, that the principal may run jobs and touch every target.

    Names that do not resolve are left for the statement to report when it runs.
    """
    ctx.check(JOBS_CREATE, ctx.project)
    for statement in statements:
        for node, kind, permission in statement_kind(ctx, statement).targets(ctx, statement):
            try:
                resource = ctx.reference(node, kind)
            except AccessDenied:
                raise
            except BigQueryError:
                continue
            ctx.check(permission, resource)
