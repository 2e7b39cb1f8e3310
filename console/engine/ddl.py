"""DDL statements: CREATE TABLE / MODEL / SCHEMA and DROP, each recorded in the job's statistics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
from sqlglot import exp

from console.catalog.models import Dataset, Table
from console.engine import ml, tables
from console.engine.query import Context, execute
from console.engine.types import arrow_schema, checked_fields
from console.errors import DuplicateError, InvalidError, NotFoundError
from console.iam.roles import (
    DATASETS_CREATE,
    DATASETS_DELETE,
    MODELS_DELETE,
    TABLES_CREATE,
    TABLES_DELETE,
    TABLES_UPDATE_DATA,
)


def run_create(ctx: Context, statement: exp.Create) -> None:
    kind = (statement.args.get("kind") or "").upper()
    handler = CREATE_HANDLERS.get(kind)
    if handler is None:
        raise InvalidError(f"CREATE {kind} is not supported by Quarry{ctx.location(statement)}")
    handler(ctx, statement)


def _target_ref(ctx: Context, dataset: Dataset, key: str, name: str) -> dict[str, str]:
    return {"projectId": ctx.project.project_id, "datasetId": dataset.dataset_id, key: name}


def create_table(ctx: Context, statement: exp.Create) -> None:
    """CREATE [OR REPLACE] TABLE [IF NOT EXISTS] name (columns) | AS query."""
    target = statement.this
    columns = target.expressions if isinstance(target, exp.Schema) else []
    if isinstance(target, exp.Schema):
        target = target.this
    dataset = ctx.dataset(target, permission=TABLES_CREATE)
    existing = Table.objects.filter(dataset=dataset, table_id=target.name).first()
    if existing is not None and statement.args.get("replace"):
        ctx.check(TABLES_UPDATE_DATA, existing)
    if existing is not None and existing.expired:
        existing.delete_with_files()
        existing = None
    query = statement.expression
    ctx.outcome.statistics.update(
        {
            "statementType": "CREATE_TABLE_AS_SELECT" if query is not None else "CREATE_TABLE",
            "ddlTargetTable": _target_ref(ctx, dataset, "tableId", target.name),
        }
    )
    if existing and statement.args.get("exists"):
        ctx.outcome.statistics["ddlOperationPerformed"] = "SKIP"
        return
    if existing and not statement.args.get("replace"):
        raise DuplicateError(f"Already Exists: Table {dataset.full_id}.{target.name}")
    if query is None and not columns:
        raise InvalidError(f"CREATE TABLE {target.name} needs a column list or AS SELECT")
    fields = checked_fields([field_from_column(c) for c in columns], "query") if columns else None
    if query is not None:
        reader = execute(ctx, query)
        if fields:
            reader = _cast_reader(reader, fields)
        tables.write_version(dataset, target.name, reader.schema, fields, reader)
    else:
        tables.write_version(dataset, target.name, arrow_schema(fields), fields, [])
    ctx.outcome.statistics["ddlOperationPerformed"] = "REPLACE" if existing else "CREATE"


def _cast_reader(reader: pa.RecordBatchReader, fields: list[dict[str, Any]]) -> Any:
    schema = arrow_schema(fields)
    if len(schema) != len(reader.schema):
        raise InvalidError(
            f"The query returns {len(reader.schema)} columns but the column list has {len(schema)}"
        )

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in reader:
            try:
                yield batch.rename_columns(schema.names).cast(schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
                raise InvalidError(
                    f"Query column types do not match the column list: {err}"
                ) from None

    return pa.RecordBatchReader.from_batches(schema, batches())


def field_from_column(column: exp.ColumnDef) -> dict[str, Any]:
    """Return the BigQuery field a column definition declares."""
    required = any(
        isinstance(c.args.get("kind"), exp.NotNullColumnConstraint)
        for c in column.args.get("constraints") or []
    )
    field = field_from_type(column.name, column.args["kind"])
    if required and field["mode"] == "NULLABLE":
        field["mode"] = "REQUIRED"
    return field


def field_from_type(name: str, dtype: exp.DataType) -> dict[str, Any]:
    if dtype.is_type(exp.DataType.Type.ARRAY):
        inner = field_from_type(name, dtype.expressions[0])
        return {**inner, "mode": "REPEATED"}
    if dtype.is_type(exp.DataType.Type.STRUCT):
        return {
            "name": name,
            "type": "RECORD",
            "mode": "NULLABLE",
            "fields": [field_from_column(c) for c in dtype.expressions],
        }
    # Checked, with the rest of the column list, by types.checked_fields.
    return {"name": name, "type": dtype.sql(dialect="bigquery").split("(")[0], "mode": "NULLABLE"}


def create_model(ctx: Context, statement: exp.Create) -> None:
    ml.create_model(ctx, statement)


def create_schema(ctx: Context, statement: exp.Create) -> None:
    node = statement.this
    # sqlglot reads `CREATE SCHEMA ds` as a table whose dataset part is ds.
    dataset_id = node.db or node.name
    project_id = node.catalog or ctx.project.project_id
    if project_id != ctx.project.project_id:
        raise NotFoundError(f"Not found: Project {project_id}")
    ctx.check(DATASETS_CREATE, Dataset(project=ctx.project, dataset_id=dataset_id))
    exists = Dataset.objects.filter(project=ctx.project, dataset_id=dataset_id).exists()
    ctx.outcome.statistics.update({"statementType": "CREATE_SCHEMA"})
    if exists and statement.args.get("exists"):
        ctx.outcome.statistics["ddlOperationPerformed"] = "SKIP"
        return
    Dataset.create(ctx.project, dataset_id)
    ctx.outcome.statistics["ddlOperationPerformed"] = "CREATE"


def run_drop(ctx: Context, statement: exp.Drop) -> None:
    """DROP TABLE | MODEL | SCHEMA [IF EXISTS] name [CASCADE]."""
    kind = (statement.args.get("kind") or "").upper()
    node = statement.this or (statement.args.get("tables") or [None])[0]
    if_exists = bool(statement.args.get("exists"))
    ctx.outcome.statistics.update(
        {"statementType": f"DROP_{kind}", "ddlOperationPerformed": "DROP"}
    )
    if kind == "SCHEMA":
        _drop_schema(ctx, node, if_exists, bool(statement.args.get("cascade")))
        return
    if kind not in ("TABLE", "MODEL"):
        raise InvalidError(f"DROP {kind} is not supported by Quarry{ctx.location(statement)}")
    try:
        if kind == "TABLE":
            target = ctx.table(node, TABLES_DELETE)
        else:
            target = ctx.model(node, MODELS_DELETE)
    except NotFoundError:
        if if_exists:
            ctx.outcome.statistics["ddlOperationPerformed"] = "SKIP"
            return
        raise
    dataset = target.dataset
    key = "tableId" if kind == "TABLE" else "modelId"
    ctx.outcome.statistics[f"ddlTarget{kind.title()}"] = _target_ref(ctx, dataset, key, node.name)
    target.delete_with_files()


def _drop_schema(ctx: Context, node: exp.Table, if_exists: bool, cascade: bool) -> None:
    # sqlglot reads `DROP SCHEMA ds` as a table whose dataset part is ds.
    dataset_id = node.db or node.name
    project_id = node.catalog or ctx.project.project_id
    dataset = Dataset.objects.filter(project=ctx.project, dataset_id=dataset_id).first()
    if project_id == ctx.project.project_id:
        ctx.check(DATASETS_DELETE, dataset or Dataset(project=ctx.project, dataset_id=dataset_id))
    if dataset is None or project_id != ctx.project.project_id:
        if if_exists:
            ctx.outcome.statistics["ddlOperationPerformed"] = "SKIP"
            return
        raise NotFoundError(f"Not found: Dataset {project_id}:{dataset_id}")
    dataset.delete_with_contents(cascade)


CREATE_HANDLERS: dict[str, Callable[[Context, exp.Create], None]] = {
    "TABLE": create_table,
    "MODEL": create_model,
    "SCHEMA": create_schema,
}
