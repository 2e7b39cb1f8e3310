"""INFORMATION_SCHEMA: the catalog as BigQuery's metadata views, filtered by what the reader sees.

`ds.INFORMATION_SCHEMA.TABLES` and the other dataset views list one dataset; a region qualifier
(`region-us`.INFORMATION_SCHEMA.TABLES) or the project (`p`.`region-us`...) lists every dataset
of the project in that region. The reader sees only what they may get: a dataset view needs
bigquery.datasets.get on the dataset, and every row of a table is shown only if the reader holds
bigquery.tables.get on that table. The rows are built from the catalog as an Arrow table that the
query reads like any other relation; nothing of the user's SQL is involved in building them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
from sqlglot import exp

from console import hooks
from console.catalog.models import Dataset, Project, Routine, Table
from console.engine import routines
from console.engine.types import standard_sql_text
from console.errors import AccessDenied, InvalidError, NotFoundError
from console.iam import access
from console.iam.roles import DATASETS_GET, JOBS_LIST, JOBS_LIST_ALL, ROUTINES_GET, TABLES_GET

PREFIX = "INFORMATION_SCHEMA."

TS = pa.timestamp("us", tz="UTC")

SCHEMAS: dict[str, pa.Schema] = {
    "SCHEMATA": pa.schema(
        [
            ("catalog_name", pa.string()),
            ("schema_name", pa.string()),
            ("schema_owner", pa.string()),
            ("creation_time", TS),
            ("last_modified_time", TS),
            ("location", pa.string()),
            ("ddl", pa.string()),
            ("default_collation_name", pa.string()),
        ]
    ),
    "TABLES": pa.schema(
        [
            ("table_catalog", pa.string()),
            ("table_schema", pa.string()),
            ("table_name", pa.string()),
            ("table_type", pa.string()),
            ("is_insertable_into", pa.string()),
            ("is_typed", pa.string()),
            ("creation_time", TS),
            ("ddl", pa.string()),
            ("default_collation_name", pa.string()),
        ]
    ),
    "COLUMNS": pa.schema(
        [
            ("table_catalog", pa.string()),
            ("table_schema", pa.string()),
            ("table_name", pa.string()),
            ("column_name", pa.string()),
            ("ordinal_position", pa.int64()),
            ("is_nullable", pa.string()),
            ("data_type", pa.string()),
            ("is_generated", pa.string()),
            ("generation_expression", pa.string()),
            ("is_stored", pa.string()),
            ("is_hidden", pa.string()),
            ("is_updatable", pa.string()),
            ("is_system_defined", pa.string()),
            ("is_partitioning_column", pa.string()),
            ("clustering_ordinal_position", pa.int64()),
            ("collation_name", pa.string()),
            ("column_default", pa.string()),
            ("rounding_mode", pa.string()),
        ]
    ),
    "COLUMN_FIELD_PATHS": pa.schema(
        [
            ("table_catalog", pa.string()),
            ("table_schema", pa.string()),
            ("table_name", pa.string()),
            ("column_name", pa.string()),
            ("field_path", pa.string()),
            ("data_type", pa.string()),
            ("description", pa.string()),
            ("collation_name", pa.string()),
            ("rounding_mode", pa.string()),
        ]
    ),
    "VIEWS": pa.schema(
        [
            ("table_catalog", pa.string()),
            ("table_schema", pa.string()),
            ("table_name", pa.string()),
            ("view_definition", pa.string()),
            ("check_option", pa.string()),
            ("use_standard_sql", pa.string()),
        ]
    ),
    "TABLE_OPTIONS": pa.schema(
        [
            ("table_catalog", pa.string()),
            ("table_schema", pa.string()),
            ("table_name", pa.string()),
            ("option_name", pa.string()),
            ("option_type", pa.string()),
            ("option_value", pa.string()),
        ]
    ),
    "ROUTINES": pa.schema(
        [
            ("specific_catalog", pa.string()),
            ("specific_schema", pa.string()),
            ("specific_name", pa.string()),
            ("routine_catalog", pa.string()),
            ("routine_schema", pa.string()),
            ("routine_name", pa.string()),
            ("routine_type", pa.string()),
            ("data_type", pa.string()),
            ("routine_body", pa.string()),
            ("routine_definition", pa.string()),
            ("external_language", pa.string()),
            ("is_deterministic", pa.string()),
            ("security_type", pa.string()),
            ("created", TS),
            ("last_altered", TS),
            ("ddl", pa.string()),
            ("connection", pa.string()),
        ]
    ),
}


# INFORMATION_SCHEMA.JOBS: the jobs layer, above the engine, provides its rows (console/jobs/
# history.py registers itself when Django starts), so the engine never imports it.
JOB_VIEWS = ("JOBS", "JOBS_BY_PROJECT", "JOBS_BY_USER")
_STRUCT_ERROR = pa.struct(
    [
        ("reason", pa.string()),
        ("location", pa.string()),
        ("debug_info", pa.string()),
        ("message", pa.string()),
    ]
)
SCHEMAS["JOBS"] = SCHEMAS["JOBS_BY_PROJECT"] = SCHEMAS["JOBS_BY_USER"] = pa.schema(
    [
        ("creation_time", TS),
        ("project_id", pa.string()),
        ("project_number", pa.int64()),
        ("user_email", pa.string()),
        ("job_id", pa.string()),
        ("job_type", pa.string()),
        ("statement_type", pa.string()),
        ("priority", pa.string()),
        ("start_time", TS),
        ("end_time", TS),
        ("query", pa.string()),
        ("state", pa.string()),
        ("reservation_id", pa.string()),
        ("total_bytes_processed", pa.int64()),
        ("total_bytes_billed", pa.int64()),
        ("total_slot_ms", pa.int64()),
        ("error_result", _STRUCT_ERROR),
        ("cache_hit", pa.bool_()),
        (
            "destination_table",
            pa.struct(
                [
                    ("project_id", pa.string()),
                    ("dataset_id", pa.string()),
                    ("table_id", pa.string()),
                ]
            ),
        ),
        ("labels", pa.list_(pa.struct([("key", pa.string()), ("value", pa.string())]))),
        ("parent_job_id", pa.string()),
    ]
)


def is_information_schema(node: exp.Table) -> bool:
    """Return whether a table reference names an INFORMATION_SCHEMA view."""
    return node.name.upper().startswith(PREFIX)


def relation(
    node: exp.Table, project: Project, default_dataset: str | None, reader: Any
) -> pa.Table:
    """Return the rows of the INFORMATION_SCHEMA view node names, as the reader may see them."""
    view = node.name[len(PREFIX) :].upper()
    if view not in SCHEMAS:
        raise InvalidError(
            f"Table {node.name} not found: Quarry serves INFORMATION_SCHEMA."
            + ", INFORMATION_SCHEMA.".join(SCHEMAS)
        )
    if node.catalog and node.catalog != project.project_id:
        project = Project.objects.filter(project_id=node.catalog).first()
        if project is None:
            raise NotFoundError(f"Not found: Project {node.catalog}")
    qualifier = node.db or ""
    if view in JOB_VIEWS:
        return _jobs(node, view, project, qualifier, reader)
    if qualifier.lower().startswith("region-"):
        datasets = _region_datasets(project, qualifier[len("region-") :], reader)
    elif view == "SCHEMATA":
        raise InvalidError(
            "INFORMATION_SCHEMA.SCHEMATA must be qualified with a region, such as "
            "`region-us`.INFORMATION_SCHEMA.SCHEMATA"
        )
    else:
        datasets = [_dataset(project, qualifier or default_dataset, node.name, reader)]
    rows = list(ROWS[view](datasets, reader))
    return pa.Table.from_pylist(rows, schema=SCHEMAS[view])


def _jobs(node: exp.Table, view: str, project: Project, qualifier: str, reader: Any) -> pa.Table:
    if not qualifier.lower().startswith("region-"):
        raise InvalidError(
            f"{node.name} must be qualified with a region, such as `region-us`.{node.name}"
        )
    every_user = view != "JOBS_BY_USER"
    needed = JOBS_LIST_ALL if every_user else JOBS_LIST
    if not access.can(reader, needed, project):
        raise AccessDenied(
            f"Access Denied: Table {project.project_id}:{qualifier}.{node.name}: User does not "
            f"have permission to query table {project.project_id}:{qualifier}.{node.name}: "
            f"Permission {needed} denied on project {project.project_id}"
        )
    # The jobs layer lists them (hooks: "jobs_rows"), as (project, reader, every user's?).
    rows = hooks.call("jobs_rows", project, reader, every_user, default=[])
    region = qualifier[len("region-") :].lower()
    rows = [row for row in rows if row.pop("location", "US").lower() == region]
    return pa.Table.from_pylist(rows, schema=SCHEMAS[view])


def _region_datasets(project: Project, region: str, reader: Any) -> list[Dataset]:
    datasets = Dataset.objects.filter(project=project).listed().order_by("dataset_id")
    return [
        d
        for d in datasets
        if d.location.lower() == region.lower() and access.can(reader, DATASETS_GET, d)
    ]


def _dataset(project: Project, dataset_id: str | None, name: str, reader: Any) -> Dataset:
    if not dataset_id:
        raise InvalidError(
            f"Table {name} must be qualified with a dataset (e.g. dataset.{name}) or a region "
            "(`region-us`)"
        )
    dataset = Dataset.objects.filter(project=project, dataset_id=dataset_id).first()
    reference = dataset or Dataset(project=project, dataset_id=dataset_id)
    if not access.can(reader, DATASETS_GET, reference):
        raise AccessDenied(
            f"Access Denied: Table {project.project_id}:{dataset_id}.{name}: User does not have "
            f"permission to query table {project.project_id}:{dataset_id}.{name}, or perhaps it "
            "does not exist."
        )
    if dataset is None:
        raise NotFoundError(f"Not found: Dataset {project.project_id}:{dataset_id}")
    return dataset


def _tables(datasets: list[Dataset], reader: Any) -> Iterator[Table]:
    for dataset in datasets:
        for table in dataset.tables.order_by("table_id"):
            if not table.expired and access.can(reader, TABLES_GET, table):
                yield table


def _is_view(table: Table) -> bool:
    return table.table_type == "VIEW"


def _names(table: Table) -> dict[str, str]:
    return {
        "table_catalog": table.dataset.project.project_id,
        "table_schema": table.dataset.dataset_id,
        "table_name": table.table_id,
    }


def data_type(field: dict[str, Any]) -> str:
    """Return a schema field's type as GoogleSQL writes it: ARRAY<...>, STRUCT<a INT64, ...>."""
    kind = field.get("type", "STRING")
    if kind in ("RECORD", "STRUCT"):
        inner = ", ".join(f"{f['name']} {data_type(f)}" for f in field.get("fields") or [])
        kind = f"STRUCT<{inner}>"
    if field.get("mode") == "REPEATED":
        return f"ARRAY<{kind}>"
    return kind


def _schemata(datasets: list[Dataset], reader: Any) -> Iterator[dict[str, Any]]:
    for dataset in datasets:
        yield {
            "catalog_name": dataset.project.project_id,
            "schema_name": dataset.dataset_id,
            "schema_owner": None,
            "creation_time": dataset.created,
            "last_modified_time": dataset.modified,
            "location": dataset.location,
            "ddl": f"CREATE SCHEMA `{dataset.project.project_id}.{dataset.dataset_id}`\n"
            f'OPTIONS(\n  location="{dataset.location.lower()}"\n);',
            "default_collation_name": "NULL",
        }


def _ddl(table: Table) -> str:
    name = f"`{table.dataset.project.project_id}.{table.dataset.dataset_id}.{table.table_id}`"
    if _is_view(table):
        return f"CREATE VIEW {name}\nAS {table.view_query};"
    columns = ",\n".join(
        f"  {f['name']} {data_type(f)}" + (" NOT NULL" if f.get("mode") == "REQUIRED" else "")
        for f in table.schema or []
    )
    return f"CREATE TABLE {name}\n(\n{columns}\n);"


def _table_rows(datasets: list[Dataset], reader: Any) -> Iterator[dict[str, Any]]:
    for table in _tables(datasets, reader):
        yield {
            **_names(table),
            "table_type": "VIEW" if _is_view(table) else "BASE TABLE",
            "is_insertable_into": "NO" if _is_view(table) else "YES",
            "is_typed": "NO",
            "creation_time": table.created,
            "ddl": _ddl(table),
            "default_collation_name": "NULL",
        }


def _partitioning_column(table: Table) -> str | None:
    for spec in (table.time_partitioning, table.range_partitioning):
        if spec and spec.get("field"):
            return spec["field"]
    return None


def _columns(datasets: list[Dataset], reader: Any) -> Iterator[dict[str, Any]]:
    for table in _tables(datasets, reader):
        partitioned = _partitioning_column(table)
        clustering = list(table.clustering_fields or [])
        for position, field in enumerate(table.schema or [], start=1):
            yield {
                **_names(table),
                "column_name": field["name"],
                "ordinal_position": position,
                "is_nullable": "NO" if field.get("mode") == "REQUIRED" else "YES",
                "data_type": data_type(field),
                "is_generated": "NEVER",
                "generation_expression": None,
                "is_stored": None,
                "is_hidden": "NO",
                "is_updatable": None,
                "is_system_defined": "NO",
                "is_partitioning_column": "YES" if field["name"] == partitioned else "NO",
                "clustering_ordinal_position": (
                    clustering.index(field["name"]) + 1 if field["name"] in clustering else None
                ),
                "collation_name": "NULL",
                "column_default": "NULL",
                "rounding_mode": None,
            }


def _field_paths(datasets: list[Dataset], reader: Any) -> Iterator[dict[str, Any]]:
    def paths(table: Table, column: str, prefix: str, fields: list[dict]) -> Iterator[dict]:
        for field in fields:
            path = f"{prefix}{field['name']}"
            yield {
                **_names(table),
                "column_name": column or field["name"],
                "field_path": path,
                "data_type": data_type(field),
                "description": field.get("description"),
                "collation_name": "NULL",
                "rounding_mode": None,
            }
            if field.get("fields"):
                yield from paths(table, column or field["name"], f"{path}.", field["fields"])

    for table in _tables(datasets, reader):
        yield from paths(table, "", "", table.schema or [])


def _views(datasets: list[Dataset], reader: Any) -> Iterator[dict[str, Any]]:
    for table in _tables(datasets, reader):
        if _is_view(table):
            yield {
                **_names(table),
                "view_definition": table.view_query,
                "check_option": None,
                "use_standard_sql": "YES",
            }


def _sql_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _table_options(datasets: list[Dataset], reader: Any) -> Iterator[dict[str, Any]]:
    for table in _tables(datasets, reader):
        options: list[tuple[str, str, str]] = []
        if table.description:
            options.append(("description", "STRING", _sql_string(table.description)))
        if table.friendly_name:
            options.append(("friendly_name", "STRING", _sql_string(table.friendly_name)))
        if table.expiration_time:
            moment = table.expiration_time.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            options.append(("expiration_timestamp", "TIMESTAMP", f'TIMESTAMP "{moment}"'))
        labels = table.labels or {}
        if labels:
            pairs = ", ".join(
                f"STRUCT({_sql_string(k)}, {_sql_string(v)})" for k, v in sorted(labels.items())
            )
            options.append(("labels", "ARRAY<STRUCT<STRING, STRING>>", f"[{pairs}]"))
        if table.require_partition_filter:
            options.append(("require_partition_filter", "BOOL", "true"))
        for name, kind, value in options:
            yield {**_names(table), "option_name": name, "option_type": kind, "option_value": value}


def _routines(datasets: list[Dataset], reader: Any) -> Iterator[dict[str, Any]]:
    for dataset in datasets:
        for routine in dataset.routines.order_by("routine_id"):
            if access.can(reader, ROUTINES_GET, routine):
                yield _routine_row(routine)


def _routine_row(routine: Routine) -> dict[str, Any]:
    names = [routine.dataset.project.project_id, routine.dataset.dataset_id, routine.routine_id]
    returns = standard_sql_text(routine.return_type) if routine.return_type else None
    arguments = ", ".join(
        f"{a['name']} {routines.argument_type_text(a)}" for a in routine.arguments
    )
    ddl = f"CREATE FUNCTION `{'.'.join(names)}`({arguments})"
    ddl += f" RETURNS {returns}" if returns else ""
    if routine.description:
        ddl += f"\nOPTIONS(description={_sql_string(routine.description)})"
    ddl += f"\nAS ({routine.definition_body});"
    named = dict(zip(("catalog", "schema", "name"), names, strict=True))
    return {
        **{f"specific_{key}": value for key, value in named.items()},
        **{f"routine_{key}": value for key, value in named.items()},
        "routine_type": "FUNCTION",
        "data_type": returns,
        "routine_body": "SQL",
        "routine_definition": routine.definition_body,
        "external_language": None,
        "is_deterministic": None,
        "security_type": None,
        "created": routine.created,
        "last_altered": routine.modified,
        "ddl": ddl,
        "connection": None,
    }


ROWS: dict[str, Callable[[list[Dataset], Any], Iterator[dict[str, Any]]]] = {
    "SCHEMATA": _schemata,
    "TABLES": _table_rows,
    "COLUMNS": _columns,
    "COLUMN_FIELD_PATHS": _field_paths,
    "VIEWS": _views,
    "TABLE_OPTIONS": _table_options,
    "ROUTINES": _routines,
}
