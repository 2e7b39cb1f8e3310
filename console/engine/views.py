"""Views: a saved GoogleSQL query that reads like a table.

A view is a Table row of type VIEW holding its query as written and the schema that query had
when the view was written; it stores no rows. Writing one runs its query with LIMIT 0 to check
every name and column (with the writer's permissions) and to learn its schema. Reading one is
query.bind's work: the view's name becomes its query.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from sqlglot import exp

from console.catalog.models import Dataset, Table, check_id
from console.engine import sandbox
from console.engine.ddl import created_table
from console.engine.options import VIEW_OPTIONS, options_body
from console.engine.parse import parse_script
from console.engine.query import (
    QUERY_TYPES,
    TARGET,
    Context,
    execute,
    qualify_view_names,
)
from console.engine.tables import not_allowed
from console.engine.types import schema_from_arrow
from console.errors import DuplicateError, InvalidError


def create_view(ctx: Context, statement: exp.Create) -> None:
    """CREATE [OR REPLACE] VIEW [IF NOT EXISTS] name [(columns)] [OPTIONS(...)] AS query."""
    target = created_table(statement)
    columns = (
        [c.name for c in statement.this.expressions]
        if isinstance(statement.this, exp.Schema)
        else []
    )
    dataset = ctx.dataset(target, permission=TARGET)
    existing = Table.objects.filter(dataset=dataset, table_id=target.name).first()
    if existing is not None and existing.expired:
        existing.delete_with_files()
        existing = None
    ctx.outcome.statistics["ddlTargetTable"] = {
        "projectId": dataset.project.project_id,
        "datasetId": dataset.dataset_id,
        "tableId": target.name,
    }
    if existing and statement.args.get("exists"):
        ctx.outcome.statistics["ddlOperationPerformed"] = "SKIP"
        return
    if existing and not statement.args.get("replace"):
        raise DuplicateError(f"Already Exists: Table {dataset.full_id}.{target.name}")
    if existing and existing.table_type != Table.Type.VIEW:
        existing.dataset = dataset
        raise not_allowed(existing)
    # OR REPLACE makes a new view: options it does not repeat go back to their defaults.
    metadata = {
        "description": "",
        "friendly_name": "",
        "labels": {},
        "expiration_time": _default_expiration(dataset),
        **options_body(ctx, statement.args.get("properties"), VIEW_OPTIONS, "views"),
    }
    query = statement.expression
    text = query.meta.get("text") or query.sql(dialect="bigquery")
    if isinstance(query, exp.Subquery):
        # `AS (SELECT ...)`: the view's query is what the parentheses hold.
        query = query.this
        text = text.strip()[1:-1].strip()
    fields = view_schema(ctx, dataset, query, columns)
    save_view(dataset, target.name, text, fields, existing, **metadata)
    ctx.outcome.statistics["ddlOperationPerformed"] = "REPLACE" if existing else "CREATE"


def view_schema(
    ctx: Context, dataset: Dataset, query: exp.Expression, columns: list[str] | None = None
) -> list[dict[str, Any]]:
    """Return the BigQuery fields a view's query returns, running it with LIMIT 0.

    Every name it reads must exist (and the writer may read it); a column list renames the
    query's columns one for one. Nothing is read, so nothing counts as processed.
    """
    tree = qualify_view_names(query.copy(), dataset.project.project_id)
    # The query itself, limited (not wrapped in SELECT *, which would rename duplicate columns).
    probe = tree.limit(0)
    processed = ctx.bytes_processed
    reader = execute(ctx, probe)
    reader.read_all()
    ctx.bytes_processed = processed
    fields = schema_from_arrow(reader.schema)
    if columns:
        if len(columns) != len(fields):
            raise InvalidError(
                f"The view's column list names {len(columns)} columns but its query returns "
                f"{len(fields)}"
            )
        fields = [{**f, "name": name} for f, name in zip(fields, columns, strict=True)]
    # Column names are case-insensitive in GoogleSQL: `a` and `A` are the same column.
    seen: set[str] = set()
    duplicates = []
    for field in fields:
        if field["name"].lower() in seen:
            duplicates.append(field["name"])
        seen.add(field["name"].lower())
    if duplicates:
        raise InvalidError(
            "Duplicate column names in the result are not supported. Found duplicate(s): "
            + ", ".join(duplicates)
        )
    return fields


def save_view(
    dataset: Dataset,
    table_id: str,
    query: str,
    fields: list[dict[str, Any]],
    existing: Table | None = None,
    **metadata: Any,
) -> Table:
    """Create the view table_id, or rewrite the view existing, with its query and schema."""
    try:
        with transaction.atomic():
            if existing is None:
                dataset.check_name_free(table_id, "table")
                view = Table(dataset=dataset, table_id=table_id, table_type=Table.Type.VIEW)
                view.expiration_time = _default_expiration(dataset)
            else:
                view = existing
            view.view_query = query
            view.schema = fields
            view.version += 1
            for name, value in metadata.items():
                setattr(view, name, value)
            view.save()
    except IntegrityError:
        # Another writer created the name between our check and our insert.
        raise DuplicateError(f"Already Exists: Table {dataset.full_id}.{table_id}") from None
    view.dataset = dataset
    return view


def _default_expiration(dataset: Dataset) -> dt.datetime | None:
    """Return when a table or view made now expires under its dataset's default, if any."""
    if not dataset.default_table_expiration_ms:
        return None
    return timezone.now() + dt.timedelta(milliseconds=dataset.default_table_expiration_ms)


def write_view(
    principal: Any,
    dataset: Dataset,
    table_id: str,
    query: str,
    existing: Table | None = None,
    **metadata: Any,
) -> Table:
    """Create or rewrite a view from its query text (tables.insert, tables.patch, bq mk --view).

    The query is checked as the writer: every table it reads must exist and be readable.
    """
    check_id("Table", table_id, location="tableReference.tableId")
    if existing is None and dataset.tables.filter(table_id=table_id).exists():
        raise DuplicateError(f"Already Exists: Table {dataset.full_id}.{table_id}")
    if existing is not None and existing.table_type != Table.Type.VIEW:
        raise not_allowed(existing)
    statements = parse_script(query)
    if len(statements) != 1 or not isinstance(statements[0], QUERY_TYPES):
        raise InvalidError("A view's query must be a single SELECT statement", "view.query")
    ctx = Context(
        project=dataset.project,
        default_dataset=None,
        con=sandbox.connect_to_storage(),
        principal=principal,
        job_location=dataset.location,
    )
    try:
        fields = view_schema(ctx, dataset, statements[0])
    finally:
        ctx.close()
    return save_view(
        dataset, table_id, query.strip().rstrip(";").rstrip(), fields, existing, **metadata
    )
