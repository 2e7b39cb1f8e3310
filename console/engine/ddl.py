"""DDL statements: CREATE TABLE / SCHEMA and DROP, each recorded in the job's statistics.

CREATE's PARTITION BY, CLUSTER BY and OPTIONS(...) are read in options.py; ALTER is in alter.py.

Each statement's targets were authorised before the script ran (see statements.py), so the names
here resolve with TARGET, without a permission check of their own. CREATE MODEL is in ml.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from sqlglot import exp

from console.catalog.models import Dataset, Table, check_id
from console.engine import metadata, options, tables
from console.engine.parse import location
from console.engine.query import SESSION_QUALIFIER, TARGET, Context, execute
from console.engine.types import arrow_schema, checked_fields, schema_from_arrow
from console.errors import DuplicateError, InvalidError, NotFoundError


def created_table(statement: exp.Create) -> exp.Table:
    """Return the name CREATE TABLE creates, once BigQuery's rule for table IDs accepts it.

    A temporary table's name comes back as `_SESSION.name`, which Context resolves to the
    hidden dataset of the job's session or script.
    """
    target = statement.this
    target = target.this if isinstance(target, exp.Schema) else target
    check_id("Table", target.name)
    if not is_temporary_table(statement):
        return target
    if target.catalog or (target.db and target.db.upper() != SESSION_QUALIFIER):
        written = ".".join(part.name for part in target.parts)
        raise InvalidError(
            f"Temporary table {written}{location(target)} cannot be qualified with a dataset: "
            f"name it {target.name} or {SESSION_QUALIFIER}.{target.name}"
        )
    named = target.copy()
    named.set("db", exp.to_identifier(SESSION_QUALIFIER))
    return named


def is_temporary_table(statement: exp.Expression) -> bool:
    """Return True for CREATE TEMP (or TEMPORARY) TABLE."""
    properties = statement.args.get("properties")
    return bool(
        isinstance(statement, exp.Create)
        and (statement.args.get("kind") or "").upper() == "TABLE"
        and properties is not None
        and properties.find(exp.TemporaryProperty)
    )


def dropped(statement: exp.Drop) -> exp.Table:
    """Return the name a DROP statement drops."""
    return statement.this or (statement.args.get("tables") or [None])[0]


def created_schema(statement: exp.Create) -> exp.Table:
    """Return the name CREATE SCHEMA creates, once BigQuery's rule for dataset IDs accepts it."""
    name = schema_name(statement.this)
    check_id("Dataset", name.db)
    return name


def schema_name(node: exp.Table) -> exp.Table:
    """Return `CREATE/DROP SCHEMA [project.]ds`'s name as a name whose dataset part is ds.

    sqlglot reads `CREATE SCHEMA ds` as a table named ds, `CREATE SCHEMA p.ds` as table ds in p.
    """
    return exp.table_("_", db=node.db or node.name, catalog=node.catalog or None)


def _target_ref(ctx: Context, dataset: Dataset, key: str, name: str) -> dict[str, str]:
    return {"projectId": ctx.project.project_id, "datasetId": dataset.dataset_id, key: name}


def create_table(ctx: Context, statement: exp.Create) -> None:
    """CREATE [OR REPLACE] TABLE [IF NOT EXISTS] name (columns) | AS query."""
    columns = statement.this.expressions if isinstance(statement.this, exp.Schema) else []
    target = created_table(statement)
    if is_temporary_table(statement):
        if not (ctx.in_session or ctx.in_script):
            raise InvalidError(
                f"Use of CREATE TEMPORARY TABLE requires a script or session{location(statement)}"
            )
        dataset = ctx.temporary_dataset(statement, create=True)
    else:
        dataset = ctx.dataset(target, permission=TARGET)
    existing = Table.objects.filter(dataset=dataset, table_id=target.name).first()
    if existing is not None and existing.expired:
        existing.delete_with_files()
        existing = None
    query = statement.expression
    ctx.outcome.statistics["ddlTargetTable"] = _target_ref(ctx, dataset, "tableId", target.name)
    if existing and statement.args.get("exists"):
        ctx.outcome.statistics["ddlOperationPerformed"] = "SKIP"
        return
    if existing and not statement.args.get("replace"):
        raise DuplicateError(f"Already Exists: Table {dataset.full_id}.{target.name}")
    if query is None and not columns:
        raise InvalidError(f"CREATE TABLE {target.name} needs a column list or AS SELECT")
    fields = checked_fields([field_from_column(c) for c in columns], "query") if columns else None
    body = options.create_table_body(ctx, statement)
    if query is not None:
        reader = execute(ctx, query)
        if fields:
            reader = _cast_reader(reader, fields)
        # Checked against the query's columns before a row is written.
        changes = _metadata(dataset, target.name, body, fields or schema_from_arrow(reader.schema))
        table = tables.write_version(dataset, target.name, reader.schema, fields, reader)
    else:
        changes = _metadata(dataset, target.name, body, fields)
        table = tables.write_version(dataset, target.name, arrow_schema(fields), fields, [])
    metadata.assign(table, changes)
    ctx.outcome.statistics["ddlOperationPerformed"] = "REPLACE" if existing else "CREATE"


def _metadata(
    dataset: Dataset, table_id: str, body: dict[str, Any], fields: list[dict[str, Any]]
) -> dict[str, Any]:
    """Return the checked metadata a new table (or a replacement) starts with."""
    fresh = Table(dataset=dataset, table_id=table_id)
    return metadata.table_changes(fresh, body, schema=fields, new=True)


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
    if column.args.get("kind") is None:  # `(a, b INT64)`: sqlglot takes a column with no type
        raise InvalidError(f"Syntax error: Expected a type for column {column.name}")
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


def create_schema(ctx: Context, statement: exp.Create) -> None:
    """CREATE SCHEMA [IF NOT EXISTS] name."""
    name = created_schema(statement)
    dataset_id = name.db
    project_id = name.catalog or ctx.project.project_id
    if project_id != ctx.project.project_id:
        raise NotFoundError(f"Not found: Project {project_id}")
    exists = Dataset.objects.filter(project=ctx.project, dataset_id=dataset_id).exists()
    if exists and statement.args.get("exists"):
        ctx.outcome.statistics["ddlOperationPerformed"] = "SKIP"
        return
    body = options.schema_body(ctx, statement)
    location = body.pop("location", "") or "US"
    changes = metadata.dataset_changes(Dataset(project=ctx.project, dataset_id=dataset_id), body)
    metadata.assign(Dataset.create(ctx.project, dataset_id, location=location), changes)
    ctx.outcome.statistics["ddlOperationPerformed"] = "CREATE"


def drop_table(ctx: Context, statement: exp.Drop) -> None:
    """DROP TABLE [IF EXISTS] name."""
    _drop(ctx, statement, "Table", Table.Type.TABLE)


def drop_view(ctx: Context, statement: exp.Drop) -> None:
    """DROP VIEW [IF EXISTS] name."""
    _drop(ctx, statement, "Table", Table.Type.VIEW)


def drop_model(ctx: Context, statement: exp.Drop) -> None:
    """DROP MODEL [IF EXISTS] name."""
    _drop(ctx, statement, "Model")


def _drop(ctx: Context, statement: exp.Drop, kind: str, table_type: str = "") -> None:
    node = dropped(statement)
    ctx.outcome.statistics["ddlOperationPerformed"] = "DROP"
    try:
        target = ctx.table(node, TARGET) if kind == "Table" else ctx.model(node, TARGET)
    except NotFoundError:
        if statement.args.get("exists"):
            ctx.outcome.statistics["ddlOperationPerformed"] = "SKIP"
            return
        raise
    key = "tableId" if kind == "Table" else "modelId"
    ref = _target_ref(ctx, target.dataset, key, node.name)
    ctx.outcome.statistics[f"ddlTarget{kind}"] = ref
    if table_type and target.table_type != table_type:
        # DROP TABLE leaves a view alone and DROP VIEW a table, as in BigQuery.
        raise tables.not_allowed(target)
    target.delete_with_files()


def drop_schema(ctx: Context, statement: exp.Drop) -> None:
    """DROP SCHEMA [IF EXISTS] name [CASCADE]."""
    name = schema_name(dropped(statement))
    dataset_id = name.db
    project_id = name.catalog or ctx.project.project_id
    ctx.outcome.statistics["ddlOperationPerformed"] = "DROP"
    dataset = Dataset.objects.filter(project=ctx.project, dataset_id=dataset_id).first()
    if dataset is None or project_id != ctx.project.project_id:
        if statement.args.get("exists"):
            ctx.outcome.statistics["ddlOperationPerformed"] = "SKIP"
            return
        raise NotFoundError(f"Not found: Dataset {project_id}:{dataset_id}")
    dataset.delete_with_contents(bool(statement.args.get("cascade")))
