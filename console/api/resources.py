"""Catalog rows as BigQuery REST resources, and the lookups every view uses to find them.

All int64 values are JSON strings and times are milliseconds since the epoch, as in the API.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from console.api.rows import api_fields, json_number
from console.catalog.models import Dataset, MLModel, Project, Routine, Table
from console.errors import NotFoundError
from console.iam import access
from console.iam.roles import (
    DATASETS_GET,
    JOBS_CREATE,
    JOBS_GET,
    MODELS_GET_METADATA,
    PROJECTS_GET,
    ROUTINES_GET,
    TABLES_GET,
    TABLES_GET_DATA,
)
from console.jobs import anonymous
from console.jobs.models import Job
from mfcore.options import OPTION_INFO


def millis(value: dt.datetime | None) -> str | None:
    return str(int(value.timestamp() * 1000)) if value else None


def etag(*parts: Any) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode()).hexdigest()[:16]


def _self_link(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(f"/bigquery/v2/{path}")


# Lookups -------------------------------------------------------------------------------------


def get_project(request: HttpRequest, project_id: str, permission: str = PROJECTS_GET) -> Project:
    """Return the project a request names, once the caller's permission on it is checked."""
    if project_id == settings.QUARRY_DEFAULT_PROJECT:
        project = Project.default()
    else:
        project = Project.objects.filter(project_id=project_id).first()
    if project is None:
        raise NotFoundError(f"Not found: Project {project_id}")
    access.check(request.principal, permission, project)
    return project


def get_dataset(
    request: HttpRequest, project_id: str, dataset_id: str, permission: str = DATASETS_GET
) -> Dataset:
    """Return a dataset; the permission is checked before its existence is revealed."""
    return _dataset_in(
        request, get_project(request, project_id, PROJECTS_GET), dataset_id, permission
    )


def _dataset_in(
    request: HttpRequest, project: Project, dataset_id: str, permission: str = DATASETS_GET
) -> Dataset:
    dataset = access.find(
        request.principal, permission, Dataset, project=project, dataset_id=dataset_id
    )
    if dataset is None:
        raise NotFoundError(f"Not found: Dataset {project.project_id}:{dataset_id}")
    return dataset


def get_table(
    request: HttpRequest,
    project_id: str,
    dataset_id: str,
    table_id: str,
    permission: str = TABLES_GET,
) -> Table:
    """Return a table, or a query job's anonymous table (read-only) for the job's owner."""
    project = get_project(request, project_id, PROJECTS_GET)
    anonymous_table = anonymous.find(request.principal, project, dataset_id, table_id)
    if anonymous_table is not None:
        if permission not in (TABLES_GET, TABLES_GET_DATA):
            anonymous.refuse_change(anonymous_table)
        return anonymous_table
    dataset = _dataset_in(request, project, dataset_id)
    table = access.find(request.principal, permission, Table, dataset=dataset, table_id=table_id)
    if table is None:
        raise NotFoundError(
            f"Not found: Table {dataset.full_id}.{table_id} was not found in location "
            f"{dataset.location}"
        )
    return table


def get_model(
    request: HttpRequest,
    project_id: str,
    dataset_id: str,
    model_id: str,
    permission: str = MODELS_GET_METADATA,
) -> MLModel:
    dataset = get_dataset(request, project_id, dataset_id, DATASETS_GET)
    # A model's first training has no artifact yet: like BigQuery, it exists only once trained.
    model = dataset.models.filter(model_id=model_id).exclude(artifact_path="").first()
    if model is not None and model.expired:
        model.delete_with_files()
        model = None
    reference = model or MLModel(dataset=dataset, model_id=model_id)
    access.check(request.principal, permission, reference)
    if model is None:
        raise NotFoundError(f"Not found: Model {dataset.full_id}.{model_id}")
    model.dataset = dataset
    return model


def get_routine(
    request: HttpRequest,
    project_id: str,
    dataset_id: str,
    routine_id: str,
    permission: str = ROUTINES_GET,
) -> Routine:
    """Return a routine; the permission is checked before its existence is revealed."""
    dataset = get_dataset(request, project_id, dataset_id, DATASETS_GET)
    routine = access.find(
        request.principal, permission, Routine, dataset=dataset, routine_id=routine_id
    )
    if routine is None:
        raise NotFoundError(f"Not found: Routine {dataset.full_id}.{routine_id}")
    return routine


def get_job(request: HttpRequest, project_id: str, job_id: str, permission: str = JOBS_GET) -> Job:
    project = get_project(request, project_id, PROJECTS_GET)
    job = Job.objects.filter(project=project, job_id=job_id).first()
    location = request.GET.get("location") or "US"
    if job is None:
        if not access.can(request.principal, JOBS_CREATE, project):
            access.check(request.principal, permission, Job(project=project, job_id=job_id))
        raise NotFoundError(f"Not found: Job {project.project_id}:{location}.{job_id}")
    access.check(request.principal, permission, job)
    return job


# Datasets and tables -------------------------------------------------------------------------


def dataset_reference(dataset: Dataset) -> dict[str, str]:
    return {"projectId": dataset.project.project_id, "datasetId": dataset.dataset_id}


def dataset_resource(request: HttpRequest, dataset: Dataset) -> dict[str, Any]:
    ref = dataset_reference(dataset)
    resource: dict[str, Any] = {
        "kind": "bigquery#dataset",
        "etag": etag(dataset.pk, dataset.modified),
        "id": dataset.full_id,
        "selfLink": _self_link(request, f"projects/{ref['projectId']}/datasets/{ref['datasetId']}"),
        "datasetReference": ref,
        "labels": dataset.labels or {},
        "access": [],
        "creationTime": millis(dataset.created),
        "lastModifiedTime": millis(dataset.modified),
        "location": dataset.location,
        "type": "DEFAULT",
    }
    if dataset.description:
        resource["description"] = dataset.description
    if dataset.friendly_name:
        resource["friendlyName"] = dataset.friendly_name
    if dataset.default_table_expiration_ms:
        resource["defaultTableExpirationMs"] = str(dataset.default_table_expiration_ms)
    if dataset.default_partition_expiration_ms:
        resource["defaultPartitionExpirationMs"] = str(dataset.default_partition_expiration_ms)
    return resource


def dataset_list_item(dataset: Dataset) -> dict[str, Any]:
    item = {
        "kind": "bigquery#dataset",
        "id": dataset.full_id,
        "datasetReference": dataset_reference(dataset),
        "labels": dataset.labels or {},
        "location": dataset.location,
    }
    if dataset.friendly_name:
        item["friendlyName"] = dataset.friendly_name
    return item


def table_reference(table: Table) -> dict[str, str]:
    return {
        "projectId": table.dataset.project.project_id,
        "datasetId": table.dataset.dataset_id,
        "tableId": table.table_id,
    }


def table_resource(request: HttpRequest, table: Table) -> dict[str, Any]:
    ref = table_reference(table)
    resource: dict[str, Any] = {
        "kind": "bigquery#table",
        "etag": etag(table.pk, table.version, table.modified),
        "id": f"{table.dataset.full_id}.{table.table_id}",
        "selfLink": _self_link(
            request,
            f"projects/{ref['projectId']}/datasets/{ref['datasetId']}/tables/{ref['tableId']}",
        ),
        "tableReference": ref,
        "schema": {"fields": api_fields(table.schema or [])},
        "numRows": str(table.num_rows),
        "numBytes": str(table.num_bytes),
        "numLongTermBytes": "0",
        "numTotalLogicalBytes": str(table.num_bytes),
        "numTotalPhysicalBytes": str(table.num_bytes),
        "creationTime": millis(table.created),
        "lastModifiedTime": millis(table.modified),
        "type": table.table_type,
        "location": table.dataset.location,
        **table_metadata(table),
    }
    if table.table_type == Table.Type.VIEW:
        resource["view"] = view_definition(table)
    if table.description:
        resource["description"] = table.description
    if table.require_partition_filter:
        resource["requirePartitionFilter"] = True
    return resource


def table_metadata(table: Table) -> dict[str, Any]:
    """Return the metadata tables.get and tables.list both show, in BigQuery's shapes."""
    shown: dict[str, Any] = {"labels": table.labels or {}}
    if table.friendly_name:
        shown["friendlyName"] = table.friendly_name
    if table.expiration_time:
        shown["expirationTime"] = millis(table.expiration_time)
    if table.time_partitioning:
        shown["timePartitioning"] = table.time_partitioning
    if table.range_partitioning:
        shown["rangePartitioning"] = table.range_partitioning
    if table.clustering_fields:
        shown["clustering"] = {"fields": table.clustering_fields}
    return shown


def table_list_item(table: Table) -> dict[str, Any]:
    item: dict[str, Any] = {
        "kind": "bigquery#table",
        "id": f"{table.dataset.full_id}.{table.table_id}",
        "tableReference": table_reference(table),
        "type": table.table_type,
        "creationTime": millis(table.created),
        **table_metadata(table),
    }
    if table.table_type == Table.Type.VIEW:
        item["view"] = {"useLegacySql": False}
    return item


def view_definition(table: Table) -> dict[str, Any]:
    """Return a view's ViewDefinition: its query, always GoogleSQL in Quarry."""
    return {"query": table.view_query, "useLegacySql": False}


# Models --------------------------------------------------------------------------------------

REGRESSION_METRICS = {
    "mean_absolute_error": "meanAbsoluteError",
    "mean_squared_error": "meanSquaredError",
    "mean_squared_log_error": "meanSquaredLogError",
    "median_absolute_error": "medianAbsoluteError",
    "r2_score": "rSquared",
}
RANKING_METRICS = {
    "mean_average_precision": "meanAveragePrecision",
    "mean_squared_error": "meanSquaredError",
    "normalized_discounted_cumulative_gain": "normalizedDiscountedCumulativeGain",
    "average_rank": "averageRank",
}


def model_reference(model: MLModel) -> dict[str, str]:
    return {
        "projectId": model.dataset.project.project_id,
        "datasetId": model.dataset.dataset_id,
        "modelId": model.model_id,
    }


# How the Model resource writes an option's value, by the option's type (INT64 as a string).
WIRE_VALUE = {"int": lambda v: str(int(v)), "float": float, "bool": bool, "str": str}


def training_options(model: MLModel) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name, value in (model.options or {}).items():
        info = OPTION_INFO.get(name)
        if info is None or info.bigquery is None or value is None:
            continue
        shown = WIRE_VALUE[info.type](value)
        options[info.bigquery] = shown.upper() if info.choices else shown
    rating = (model.options or {}).get("rating_col")
    if rating:
        options["inputLabelColumns"] = [rating]
    return options


def evaluation_metrics(model: MLModel) -> dict[str, Any]:
    metrics = model.metrics
    if not metrics:
        return {}
    if "mean_average_precision" in metrics:
        names, key = RANKING_METRICS, "rankingMetrics"
    else:
        names, key = REGRESSION_METRICS, "regressionMetrics"
    return {key: {names[k]: json_number(v) for k, v in metrics.items() if k in names}}


def training_run(model: MLModel) -> dict[str, Any]:
    job = model.training_job
    started = (job.started or job.created) if job else model.created
    iterations = sorted(model.current_iterations(), key=lambda it: it.iteration)
    results = []
    for it in iterations:
        result: dict[str, Any] = {
            "index": it.iteration,
            "durationMs": str(it.duration_ms),
            "trainingLoss": json_number(it.loss),
        }
        if it.eval_loss is not None:
            result["evalLoss"] = json_number(it.eval_loss)
        results.append(result)
    run: dict[str, Any] = {
        "startTime": started.isoformat().replace("+00:00", "Z"),
        "trainingStartTime": millis(started),
        "trainingOptions": training_options(model),
        "results": results,
    }
    metrics = evaluation_metrics(model)
    if metrics:
        run["evaluationMetrics"] = metrics
    return run


def model_list_item(model: MLModel) -> dict[str, Any]:
    return {
        "modelReference": model_reference(model),
        "modelType": model.model_type,
        "creationTime": millis(model.created),
        "lastModifiedTime": millis(model.modified),
        "labels": model.labels or {},
    }


def model_resource(model: MLModel) -> dict[str, Any]:
    resource = {
        **model_list_item(model),
        "etag": etag(model.pk, model.modified),
        "location": model.dataset.location,
        "featureColumns": model.feature_fields(),
        "labelColumns": model.label_fields(),
        "trainingRuns": [training_run(model)],
    }
    if model.description:
        resource["description"] = model.description
    if model.friendly_name:
        resource["friendlyName"] = model.friendly_name
    if model.expiration_time:
        resource["expirationTime"] = millis(model.expiration_time)
    return resource


# Routines ------------------------------------------------------------------------------------


def routine_list_item(routine: Routine) -> dict[str, Any]:
    """Return what routines.list shows of a routine: BigQuery's default read mask."""
    return {
        "etag": etag(routine.pk, routine.modified),
        "routineReference": {
            "projectId": routine.dataset.project.project_id,
            "datasetId": routine.dataset.dataset_id,
            "routineId": routine.routine_id,
        },
        "routineType": routine.routine_type,
        "creationTime": millis(routine.created),
        "lastModifiedTime": millis(routine.modified),
        "language": routine.language,
    }


def routine_resource(routine: Routine) -> dict[str, Any]:
    """Return the Routine resource routines.get, insert and update answer with."""
    resource = {
        **routine_list_item(routine),
        "arguments": routine.arguments or [],
        "definitionBody": routine.definition_body,
    }
    if routine.return_type:
        resource["returnType"] = routine.return_type
    if routine.description:
        resource["description"] = routine.description
    return resource
