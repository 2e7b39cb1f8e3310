"""COPY jobs: copy tables into a destination table, or a model into a destination model.

The copy writes a fresh Parquet file for the destination (deleting a table deletes its files, so
two tables never share one) and commits it only once every row is written: a failed copy leaves
the destination as it was. Permissions are the job user's: bigquery.tables.getData on every
source, bigquery.tables.create or bigquery.tables.updateData on the destination.

A source that names a model (BigQuery documents `bq cp` of models; bigframes' `to_gbq` of a
model sends such a job) copies the model: its artifact to a new file of its own, its options,
metrics, metadata and training iterations, committed by one catalog transaction, so a model it
replaces serves until then. It needs bigquery.models.getData on the source and
bigquery.models.create (and bigquery.models.updateData to replace one) on the destination.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from django.db import models, transaction

from console.catalog import storage
from console.catalog.models import (
    Dataset,
    MLModel,
    Project,
    Table,
    TrainingIteration,
    check_id,
    is_anonymous_dataset,
)
from console.engine import tables
from console.engine.outcome import Outcome, RunContext
from console.engine.query import until_cancelled
from console.engine.types import arrow_schema
from console.errors import BigQueryError, DuplicateError, InvalidError, NotFoundError
from console.iam import access
from console.iam.roles import (
    DATASETS_GET,
    MODELS_CREATE,
    MODELS_GET_DATA,
    MODELS_UPDATE_DATA,
    TABLES_CREATE,
    TABLES_GET_DATA,
    TABLES_UPDATE_DATA,
)

WRITE_DISPOSITIONS = ("WRITE_EMPTY", "WRITE_TRUNCATE", "WRITE_APPEND")
CREATE_DISPOSITIONS = ("CREATE_IF_NEEDED", "CREATE_NEVER")


def copy_configuration(project: Project, config: dict[str, Any]) -> dict[str, Any]:
    """Return a copy job's stored configuration: full references, dispositions defaulted.

    Raises InvalidError for what can never run; whether the tables exist is the worker's to say.
    """
    sources = list(config.get("sourceTables") or [])
    if config.get("sourceTable"):
        sources.insert(0, config["sourceTable"])
    if not sources:
        raise InvalidError("Required parameter is missing: configuration.copy.sourceTable")
    destination = config.get("destinationTable")
    if not destination:
        raise InvalidError("Required parameter is missing: configuration.copy.destinationTable")
    operation = (config.get("operationType") or "COPY").upper()
    if operation != "COPY":
        raise InvalidError(f"Copy operation type {operation} is not supported by Quarry")
    write = (config.get("writeDisposition") or "WRITE_EMPTY").upper()
    if write not in WRITE_DISPOSITIONS:
        raise InvalidError(
            f"Invalid write disposition {write}; expected one of " + ", ".join(WRITE_DISPOSITIONS)
        )
    create = (config.get("createDisposition") or "CREATE_IF_NEEDED").upper()
    if create not in CREATE_DISPOSITIONS:
        raise InvalidError(
            f"Invalid create disposition {create}; expected one of "
            + ", ".join(CREATE_DISPOSITIONS)
        )
    references = [_reference(project, ref, "sourceTable") for ref in sources]
    target = _reference(project, destination, "destinationTable")
    check_id("Table", target["tableId"], location="destinationTable")
    return {
        "sourceTables": references,
        "destinationTable": target,
        "writeDisposition": write,
        "createDisposition": create,
        "operationType": "COPY",
    }


def _reference(project: Project, ref: dict[str, Any], where: str) -> dict[str, str]:
    dataset_id, table_id = ref.get("datasetId"), ref.get("tableId")
    if not dataset_id or not table_id:
        raise InvalidError(
            f"Required parameter is missing: configuration.copy.{where} needs datasetId and tableId"
        )
    return {
        "projectId": ref.get("projectId") or project.project_id,
        "datasetId": str(dataset_id),
        "tableId": str(table_id),
    }


def _placeholder_table(project_id: str, dataset_id: str, table_id: str) -> Table:
    """Return an unsaved Table naming a resource, for access checks before existence shows."""
    project = Project.objects.filter(project_id=project_id).first()
    if project is None:
        raise NotFoundError(f"Not found: Dataset {project_id}:{dataset_id}")
    dataset = Dataset.objects.filter(project=project, dataset_id=dataset_id).first()
    dataset = dataset or Dataset(project=project, dataset_id=dataset_id)
    return Table(dataset=dataset, table_id=table_id)


def _find(ref: dict[str, str]) -> Table | None:
    table = (
        Table.objects.select_related("dataset__project")
        .filter(
            dataset__project__project_id=ref["projectId"],
            dataset__dataset_id=ref["datasetId"],
            table_id=ref["tableId"],
        )
        .first()
    )
    return None if table is None or table.expired else table


def _find_model(ref: dict[str, str]) -> MLModel | None:
    """Return the trained, unexpired model a table reference names, if one does."""
    model = (
        MLModel.objects.select_related("dataset__project")
        .filter(
            dataset__project__project_id=ref["projectId"],
            dataset__dataset_id=ref["datasetId"],
            model_id=ref["tableId"],
        )
        .exclude(artifact_path="")
        .first()
    )
    return None if model is None or model.expired else model


def _anonymous(principal: Any, ref: dict[str, str]) -> Table | None:
    """Return the principal's anonymous query result table the reference names, if it does."""
    if not is_anonymous_dataset(ref["datasetId"]):
        return None
    project = Project.objects.filter(project_id=ref["projectId"]).first()
    if project is None:
        return None
    return tables.anonymous_table(principal, project, ref["datasetId"], ref["tableId"])


def _source(principal: Any, ref: dict[str, str]) -> Table | MLModel:
    """Return the table (or the model) a source reference names, once it may be read."""
    table = _anonymous(principal, ref) or _find(ref)
    model = _find_model(ref) if table is None else None
    if model is not None:
        access.check(principal, MODELS_GET_DATA, model)
        return model
    access.check(
        principal,
        TABLES_GET_DATA,
        table or _placeholder_table(ref["projectId"], ref["datasetId"], ref["tableId"]),
    )
    if table is None:
        raise NotFoundError(
            f"Not found: Table {ref['projectId']}:{ref['datasetId']}.{ref['tableId']}"
        )
    if table.table_type == Table.Type.VIEW:
        # A view has no rows to copy: BigQuery copies tables only.
        raise tables.not_allowed(table)
    return table


def _shape(fields: list[dict[str, Any]]) -> list[tuple[str, str, str, Any]]:
    """Return what two schemas must share for their rows to be copied together."""
    return [
        (
            f["name"].lower(),
            str(f.get("type", "")).upper().replace("RECORD", "STRUCT"),
            str(f.get("mode") or "NULLABLE").upper(),
            _shape(f.get("fields") or []),
        )
        for f in fields
    ]


def _destination(
    principal: Any, project: Project, ref: dict[str, str], create: str
) -> tuple[Dataset, Table | None]:
    table = _find(ref)
    placeholder = _placeholder_table(ref["projectId"], ref["datasetId"], ref["tableId"])
    access.check(principal, TABLES_UPDATE_DATA if table else TABLES_CREATE, table or placeholder)
    if table is not None:
        return table.dataset, table
    if create == "CREATE_NEVER" and placeholder.dataset.pk is not None:
        raise NotFoundError(
            f"Not found: Table {ref['projectId']}:{ref['datasetId']}.{ref['tableId']}"
        )
    return _destination_dataset(principal, placeholder.dataset, ref), None


def _destination_dataset(principal: Any, dataset: Dataset, ref: dict[str, str]) -> Dataset:
    """Return the destination's dataset; the principal's own hidden one is made on first use."""
    if dataset.pk is None and is_anonymous_dataset(dataset.dataset_id):
        access.check(principal, DATASETS_GET, dataset)
        return Dataset.anonymous(dataset.project, dataset.dataset_id, dataset.location)
    if dataset.pk is None:
        raise NotFoundError(f"Not found: Dataset {ref['projectId']}:{ref['datasetId']}")
    return dataset


def run_copy(run: RunContext, outcome: Outcome) -> None:
    """Copy the job's source tables into a new version of its destination table."""
    copy = run.configuration["copy"]
    principal = run.principal
    found = [_source(principal, ref) for ref in copy["sourceTables"]]
    models_ = [source for source in found if isinstance(source, MLModel)]
    if models_:
        if len(found) > 1:
            raise InvalidError(
                "A copy job copies one model, or tables only: a model cannot be copied together "
                "with other tables or models"
            )
        _copy_model(run, outcome, models_[0])
        return
    sources = [source for source in found if isinstance(source, Table)]
    first = sources[0]
    for other in sources[1:]:
        if _shape(other.schema) != _shape(first.schema):
            raise InvalidError(
                f"Copying multiple tables needs one schema: {other.full_id} does not match "
                f"{first.full_id}"
            )
    target = copy["destinationTable"]
    dataset, table = _destination(principal, run.project, target, copy["createDisposition"])
    write = copy["writeDisposition"]
    if table is not None and write == "WRITE_EMPTY" and table.num_rows:
        raise BigQueryError(f"Already Exists: Table {table.full_id}", reason="duplicate")
    appending = table is not None and write == "WRITE_APPEND"
    if appending:
        assert table is not None
        if _shape(table.schema) != _shape(first.schema):
            raise InvalidError(
                f"Provided Schema does not match Table {table.full_id}: the table has fields "
                + ", ".join(f["name"] for f in table.schema)
            )
        fields = table.schema
    else:
        fields = first.schema
    schema = arrow_schema(fields)
    # Read each source's current file now: a later commit to a source must not change the copy.
    source_paths = [(s, s.data_path) for s in sources]
    copied = {"rows": 0}

    def source_batches() -> Iterator[pa.RecordBatch]:
        for source, path in source_paths:
            if not path:
                continue
            for batch in tables.open_dataset(path).to_batches():
                batch = _cast(batch, schema, source)
                copied["rows"] += batch.num_rows
                yield batch

    tables.write_version(
        dataset,
        target["tableId"],
        schema,
        fields,
        until_cancelled(run.cancelled, source_batches()),
        read=table,
        # Found no table: fail if another writer creates it first, never drop its rows.
        new=table is None,
        append=appending,
    )
    logical = sum(sum((s.column_bytes or {}).values()) or s.num_bytes for s in sources)
    outcome.statistics.update(
        {"copiedRows": str(copied["rows"]), "copiedLogicalBytes": str(logical)}
    )


def _cast(batch: pa.RecordBatch, schema: pa.Schema, source: Table) -> pa.RecordBatch:
    if batch.schema == schema:
        return batch
    try:
        # Columns go by name; the schemas were checked to agree up to the names' case.
        by_name = {name.lower(): i for i, name in enumerate(batch.schema.names)}
        arrays = [batch.column(by_name[name.lower()]) for name in schema.names]
        return pa.RecordBatch.from_arrays(arrays, names=schema.names).cast(schema)
    except (KeyError, pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        raise InvalidError(f"Provided Schema does not match Table {source.full_id}.") from None


def _copy_model(run: RunContext, outcome: Outcome, source: MLModel) -> None:
    """Copy a trained model into the destination, a new model or (WRITE_TRUNCATE) a replaced one."""
    copy = run.configuration["copy"]
    ref = copy["destinationTable"]
    principal = run.principal
    placeholder = _placeholder_table(ref["projectId"], ref["datasetId"], ref["tableId"])
    named = MLModel(dataset=placeholder.dataset, model_id=ref["tableId"])
    existing = _find_model(ref)
    access.check(principal, MODELS_CREATE, existing or named)
    write = copy["writeDisposition"]
    if existing is not None:
        if write == "WRITE_EMPTY":
            raise DuplicateError(f"Already Exists: Model {existing.full_id}")
        if write == "WRITE_APPEND":
            raise InvalidError(
                f"Cannot append to model {existing.full_id}: a model copy needs WRITE_TRUNCATE "
                "to replace it, or WRITE_EMPTY"
            )
        access.check(principal, MODELS_UPDATE_DATA, existing)
    elif copy["createDisposition"] == "CREATE_NEVER" and placeholder.dataset.pk is not None:
        raise NotFoundError(f"Not found: Model {named.full_id}")
    dataset = (
        existing.dataset
        if existing is not None
        else _destination_dataset(principal, placeholder.dataset, ref)
    )
    dataset.check_name_free(ref["tableId"], "model")
    # The source's artifact as it is now, in a file of the copy's own.
    relative = storage.new_path("models", ".npz")
    with storage.atomic_path(relative, f"copying model {source.full_id}") as temp:
        shutil.copyfile(storage.resolve(source.artifact_path), temp)
    iterations = list(source.current_iterations())
    try:
        _commit_model_copy(dataset, ref["tableId"], source, relative, iterations)
    except BaseException:
        storage.remove(relative)
        raise
    outcome.statistics.update({"copiedRows": "0", "copiedLogicalBytes": str(source.num_bytes)})


def _commit_model_copy(
    dataset: Dataset,
    model_id: str,
    source: MLModel,
    relative: str,
    iterations: list[TrainingIteration],
) -> None:
    """Point the destination model at the copied artifact: the copy's one commit point.

    The copy has no training job of its own, so its iterations keep no job: they are the model's
    training as ML.TRAINING_INFO and models.get show it.
    """
    with transaction.atomic():
        model = (
            MLModel.objects.select_for_update().filter(dataset=dataset, model_id=model_id).first()
        )
        old_path = model.artifact_path if model is not None else ""
        if model is None:
            model = MLModel(dataset=dataset, model_id=model_id)
            model.expiration_time = dataset.default_expiration()
        elif model.expired:
            model.expiration_time = dataset.default_expiration()
        for name in (
            "model_type",
            "options",
            "feature_columns",
            "label_columns",
            "evaluation_metrics",
            "description",
            "friendly_name",
            "labels",
        ):
            setattr(model, name, getattr(source, name))
        model.artifact_path = relative
        model.num_bytes = source.num_bytes
        model.training_job = None
        model.state = MLModel.State.READY
        model.save()
        finished = models.Q(job__isnull=True) | models.Q(job__state="DONE")
        model.iterations.filter(finished).delete()
        TrainingIteration.objects.bulk_create(
            TrainingIteration(
                model=model,
                job=None,
                training_run=it.training_run,
                iteration=it.iteration,
                loss=it.loss,
                eval_loss=it.eval_loss,
                duration_ms=it.duration_ms,
            )
            for it in iterations
        )
        if old_path:
            transaction.on_commit(lambda: storage.remove(old_path))
