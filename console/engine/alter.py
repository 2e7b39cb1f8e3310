"""ALTER TABLE and ALTER SCHEMA, each action checked before any is applied.

Schema changes that touch the stored columns (ADD COLUMN, DROP COLUMN, RENAME COLUMN, SET DATA
TYPE, and widening through tables.patch) write a new table version: DuckDB reads a version's
Parquet file by its own column names and types, so a column the file lacks, or names or types
differently, would not read as the schema says. The new version commits with the version check,
the old one serves until then and stays for time travel. Changes only the schema's words carry
(descriptions, DROP NOT NULL) and SET OPTIONS are metadata-only: the file reads the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from django.db import transaction
from sqlglot import exp

from console.catalog.models import Dataset, Table, check_id
from console.engine import metadata, tables
from console.engine.ddl import field_from_column, field_from_type
from console.engine.dialect import AlterColumnOptions
from console.engine.options import (
    COLUMN_OPTIONS,
    SCHEMA_OPTIONS,
    options_body,
    replacing_labels,
    table_options,
    with_partition_expiration,
)
from console.engine.query import TARGET, Context
from console.engine.types import arrow_schema, checked_fields
from console.errors import DuplicateError, InvalidError, NotFoundError

# ALTER SCHEMA ---------------------------------------------------------------------------------


def altered_schema(statement: exp.Alter) -> exp.Table:
    """Return `ALTER SCHEMA [project.]ds`'s name as a name whose dataset part is ds."""
    node = statement.this
    return exp.table_("_", db=node.name, catalog=node.db or None)


def alter_schema(ctx: Context, statement: exp.Alter) -> None:
    """ALTER SCHEMA [IF EXISTS] ds SET OPTIONS(...)."""
    name = altered_schema(statement)
    project_id = name.catalog or ctx.project.project_id
    dataset = Dataset.objects.filter(project=ctx.project, dataset_id=name.db).first()
    if dataset is None or project_id != ctx.project.project_id:
        if statement.args.get("exists"):
            return
        raise NotFoundError(f"Not found: Dataset {project_id}:{name.db}")
    body: dict[str, Any] = {}
    for action in statement.args.get("actions") or []:
        if not isinstance(action, exp.AlterSet):
            raise InvalidError(
                f"ALTER SCHEMA supports SET OPTIONS(...) only{ctx.location(statement)}"
            )
        for properties in action.expressions:
            body.update(options_body(ctx, properties, SCHEMA_OPTIONS, "schemas"))
    if "location" in body:
        raise InvalidError(
            f"Cannot change the location of dataset {dataset.full_id}: a dataset's location is "
            "set when it is created"
        )
    replacing_labels(dataset.labels, body)
    metadata.update_dataset(dataset, body)


# ALTER TABLE ----------------------------------------------------------------------------------


def altered_table(statement: exp.Alter) -> exp.Table:
    return statement.this


class _Plan:
    """The new shape of a table as ALTER TABLE's actions build it, before anything is written.

    fields are the new schema; sources name, for each, the stored column it reads from (None
    for a new column of NULLs); rewrite says the stored file must be written again.
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self.fields = [dict(f) for f in table.schema or []]
        self.sources: list[str | None] = [f["name"] for f in self.fields]
        self.rewrite = False
        self.body: dict[str, Any] = {}
        self.new_name: str | None = None

    def index(self, name: str) -> int | None:
        for position, field in enumerate(self.fields):
            if field["name"].lower() == name.lower():
                return position
        return None

    def column(self, name: str, exists: bool) -> int | None:
        """Return a column's position; None if it is missing and IF EXISTS allows that."""
        position = self.index(name)
        if position is None and not exists:
            raise NotFoundError(f"Column not found: {name} in table {self.table.full_id}")
        return position

    def check_unused(self, name: str, verb: str) -> None:
        """Refuse changing a column the table is partitioned or clustered by."""
        used = set(self.table.clustering_fields or [])
        for part in (self.table.time_partitioning, self.table.range_partitioning):
            if part and part.get("field"):
                used.add(part["field"])
        if name.lower() in {u.lower() for u in used}:
            raise InvalidError(
                f"Cannot {verb} column {name} of table {self.table.full_id}: the table is "
                "partitioned or clustered by it"
            )


# Widening SET DATA TYPE allows: BigQuery's coercions that lose nothing.
WIDER_TYPES = {
    "INT64": ("NUMERIC", "BIGNUMERIC", "FLOAT64"),
    "NUMERIC": ("BIGNUMERIC", "FLOAT64"),
}


def _add_column(ctx: Context, plan: _Plan, action: exp.ColumnDef) -> None:
    if plan.index(action.name) is not None:
        if action.args.get("exists"):
            return
        raise DuplicateError(f"Column already exists: {action.name} in table {plan.table.full_id}")
    field = field_from_column(action)
    if field["mode"] == "REQUIRED":
        raise InvalidError(
            f"Cannot add REQUIRED column {action.name} to table {plan.table.full_id}: an added "
            "column must be NULLABLE or REPEATED"
        )
    for constraint in action.args.get("constraints") or []:
        if isinstance(constraint.args.get("kind"), exp.Properties):
            field.update(options_body(ctx, constraint.args["kind"], COLUMN_OPTIONS, "columns"))
    field = checked_fields([field], "query")[0]
    if not field.get("description"):
        field.pop("description", None)
    plan.fields.append(field)
    plan.sources.append(None)
    plan.rewrite = True


def _drop_column(plan: _Plan, action: exp.Drop) -> None:
    for column in action.args.get("tables") or [action.this]:
        position = plan.column(column.name, bool(action.args.get("exists")))
        if position is None:
            continue
        plan.check_unused(plan.fields[position]["name"], "drop")
        if len(plan.fields) == 1:
            raise InvalidError(
                f"Cannot drop column {column.name}: it is the only column of table "
                f"{plan.table.full_id}"
            )
        del plan.fields[position]
        del plan.sources[position]
        plan.rewrite = True


def _rename_column(plan: _Plan, action: exp.RenameColumn) -> None:
    old, new = action.this.name, action.args["to"].name
    position = plan.column(old, bool(action.args.get("exists")))
    if position is None:
        return
    plan.check_unused(plan.fields[position]["name"], "rename")
    clash = plan.index(new)
    if clash is not None and clash != position:
        raise DuplicateError(f"Column already exists: {new} in table {plan.table.full_id}")
    checked_fields([{**plan.fields[position], "name": new}], "query")
    plan.fields[position]["name"] = new
    plan.rewrite = True


def _alter_column(ctx: Context, plan: _Plan, action: exp.Expression) -> None:
    position = plan.column(action.name, bool(action.args.get("exists")))
    if position is None:
        return
    field = plan.fields[position]
    if isinstance(action, AlterColumnOptions):
        field.update(options_body(ctx, action.args["properties"], COLUMN_OPTIONS, "columns"))
        if not field.get("description"):
            field.pop("description", None)
    elif action.args.get("allow_null") and action.args.get("drop"):
        if field["mode"] == "REQUIRED":
            field["mode"] = "NULLABLE"
    elif action.args.get("dtype") is not None:
        new_type = checked_fields([field_from_type(field["name"], action.args["dtype"])], "query")[
            0
        ]["type"]
        if new_type != field["type"]:
            if field["mode"] == "REPEATED" or new_type not in WIDER_TYPES.get(field["type"], ()):
                raise InvalidError(
                    f"ALTER TABLE ALTER COLUMN SET DATA TYPE requires that the existing column "
                    f"type ({field['type']}) is assignable to the new type ({new_type}); column "
                    f"{field['name']} of table {plan.table.full_id}"
                )
            plan.check_unused(field["name"], "change the type of")
            field["type"] = new_type
            plan.rewrite = True
    else:
        raise InvalidError(
            f"Unsupported ALTER COLUMN action{ctx.location(action)}: Quarry runs SET OPTIONS, "
            "DROP NOT NULL and SET DATA TYPE"
        )


def _apply(ctx: Context, plan: _Plan, action: exp.Expression) -> None:
    if isinstance(action, exp.AlterSet):
        for properties in action.expressions:
            plan.body.update(table_options(ctx, properties))
    elif isinstance(action, exp.ColumnDef):
        _add_column(ctx, plan, action)
    elif isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() == "COLUMN":
        _drop_column(plan, action)
    elif isinstance(action, exp.RenameColumn):
        _rename_column(plan, action)
    elif isinstance(action, exp.AlterRename):
        plan.new_name = action.this.name
    elif isinstance(action, exp.AlterColumn | AlterColumnOptions):
        _alter_column(ctx, plan, action)
    else:
        raise InvalidError(
            f"Unsupported ALTER TABLE action{ctx.location(action)}: Quarry runs SET OPTIONS, "
            "ADD COLUMN, DROP COLUMN, RENAME TO, RENAME COLUMN and ALTER COLUMN"
        )


def alter_table(ctx: Context, statement: exp.Alter) -> None:
    """ALTER TABLE [IF EXISTS] name action, ... — every action checked before any is applied."""
    node = altered_table(statement)
    try:
        table = ctx.table(node, TARGET)
    except NotFoundError:
        if statement.args.get("exists"):
            return
        raise
    ctx.outcome.statistics["ddlTargetTable"] = {
        "projectId": table.dataset.project.project_id,
        "datasetId": table.dataset.dataset_id,
        "tableId": table.table_id,
    }
    if table.table_type == Table.Type.VIEW:
        raise InvalidError(
            f"{table.full_id} is a view: use ALTER VIEW to change it{ctx.location(statement)}"
        )
    if statement.args.get("options"):
        raise InvalidError(
            f"Unsupported ALTER TABLE clause{ctx.location(statement)}: use SET OPTIONS(...)"
        )
    plan = _Plan(table)
    for action in statement.args.get("actions") or []:
        _apply(ctx, plan, action)
    if "partitionExpirationMs" in plan.body:
        plan.body["timePartitioning"] = with_partition_expiration(
            plan.body, table.time_partitioning, table.full_id
        )
    replacing_labels(table.labels, plan.body)
    changes = metadata.table_changes(table, plan.body)
    if plan.new_name is not None:
        _check_new_name(table, plan.new_name)
    if plan.rewrite:
        table = rewrite(table, plan.fields, plan.sources)
    elif plan.fields != table.schema:
        changes["schema"] = plan.fields
    with transaction.atomic():
        if plan.new_name is not None:
            changes["table_id"] = plan.new_name
        metadata.assign(table, changes)


def _check_new_name(table: Table, name: str) -> None:
    check_id("Table", name)
    if table.dataset.tables.filter(table_id=name).exclude(pk=table.pk).exists():
        raise DuplicateError(f"Already Exists: Table {table.dataset.full_id}.{name}")
    table.dataset.check_name_free(name, "table")


# Writing a new shape --------------------------------------------------------------------------


def rewrite(table: Table, fields: list[dict[str, Any]], sources: list[str | None]) -> Table:
    """Write table's rows in a new shape as its next version, and return the committed table.

    fields is the new schema; sources[i] is the stored column field i reads (None: NULLs). A
    column of a wider type is cast; a RECORD that gained fields gets NULL for them. The commit
    fails if another writer committed after this one read the table.
    """
    schema = arrow_schema(fields)

    def batches() -> Iterator[pa.RecordBatch]:
        if not table.data_path:
            return
        for batch in tables.open_dataset(table.data_path).to_batches():
            columns = [
                pa.nulls(batch.num_rows, target.type)
                if source is None
                else _widen(batch.column(source), target.type)
                for target, source in zip(schema, sources, strict=True)
            ]
            yield pa.RecordBatch.from_arrays(columns, schema=schema)

    return tables.write_version(
        table.dataset, table.table_id, schema, fields, batches(), read=table
    )


def _widen(array: pa.Array, target: pa.DataType) -> pa.Array:
    if pa.types.is_struct(target) and pa.types.is_struct(array.type):
        children = []
        for child in target:
            index = array.type.get_field_index(child.name)
            children.append(
                _widen(array.field(index), child.type)
                if index >= 0
                else pa.nulls(len(array), child.type)
            )
        return pa.StructArray.from_arrays(children, fields=list(target), mask=array.is_null())
    return array.cast(target)


def patch_schema(table: Table, new_fields: list[dict[str, Any]]) -> Table:
    """Apply tables.patch's schema once it only widens the old one, as BigQuery allows.

    Columns may be added (NULLABLE or REPEATED, after the old ones; in a RECORD too), REQUIRED
    may become NULLABLE and descriptions may change; anything else is refused with BigQuery's
    "Provided Schema does not match Table" message. A new version is written only when the
    stored columns change.
    """
    check_widening(table, new_fields)
    if arrow_schema(new_fields) == arrow_schema(table.schema or []) or not table.data_path:
        table.schema = new_fields
        table.save(update_fields=["schema", "modified"])
        return table
    old_names = {f["name"].lower(): f["name"] for f in table.schema or []}
    sources = [old_names.get(f["name"].lower()) for f in new_fields]
    return rewrite(table, new_fields, sources)


def check_widening(table: Table, new_fields: list[dict[str, Any]]) -> None:
    """Refuse a new schema for table unless it only widens the old one (see patch_schema)."""
    _check_widening(table.full_id, table.schema or [], new_fields)


def _check_widening(
    table_id: str, old: list[dict[str, Any]], new: list[dict[str, Any]], prefix: str = ""
) -> None:
    refusal = f"Provided Schema does not match Table {table_id}."
    by_name = {f["name"].lower(): f for f in new}
    for field in old:
        name = prefix + field["name"]
        given = by_name.get(field["name"].lower())
        if given is None:
            raise InvalidError(f"{refusal} Field {name} is missing in new schema", "schema")
        if given["type"] != field["type"]:
            raise InvalidError(
                f"{refusal} Field {name} has changed type from {field['type']} to {given['type']}",
                "schema",
            )
        if given["mode"] != field["mode"] and not (
            field["mode"] == "REQUIRED" and given["mode"] == "NULLABLE"
        ):
            raise InvalidError(
                f"{refusal} Field {name} has changed mode from {field['mode']} to {given['mode']}",
                "schema",
            )
        if field["type"] == "RECORD":
            _check_widening(table_id, field["fields"], given["fields"], f"{name}.")
    known = {f["name"].lower() for f in old}
    for field in new:
        if field["name"].lower() not in known and field["mode"] == "REQUIRED":
            raise InvalidError(
                f"{refusal} Cannot add required fields to an existing schema. (field: "
                f"{prefix}{field['name']})",
                "schema",
            )
    if [f["name"].lower() for f in new[: len(old)]] != [f["name"].lower() for f in old]:
        raise InvalidError(
            f"{refusal} New fields must come after the existing ones, in the same order",
            "schema",
        )
