"""LOAD jobs: stage an upload, then stream it into a new table version on the worker.

A load is described by one thing everywhere: BigQuery's job configuration `{"load": {...}}`, which
the console's form, `manage.py bq load` and the REST API all build and which the job stores. This
module checks it once (naming the option at fault), decides the destination's fields (given, the
table's, or detected), and commits the new version only once every row has been written: a
failed load leaves the old version serving and no new table. The readers live in
`console.engine.formats`.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from django.conf import settings

from console.catalog import buckets, storage
from console.catalog.models import Dataset, Project, Table, check_id
from console.engine import metadata, tables
from console.engine.formats import BadRecords, LoadOptions, open_source
from console.engine.outcome import Outcome, RunContext
from console.engine.query import until_cancelled
from console.engine.types import arrow_schema, checked_fields
from console.errors import BigQueryError, InvalidError, NotFoundError
from console.iam import access
from console.iam.roles import JOBS_CREATE, TABLES_CREATE, TABLES_UPDATE_DATA

SOURCE_FORMATS = {"CSV": ".csv", "NEWLINE_DELIMITED_JSON": ".json", "PARQUET": ".parquet"}
TABLE_KINDS = {"CSV": "CSV", "NEWLINE_DELIMITED_JSON": "JSON", "PARQUET": "Parquet"}
WRITE_DISPOSITIONS = ("WRITE_APPEND", "WRITE_TRUNCATE", "WRITE_EMPTY")
CREATE_DISPOSITIONS = ("CREATE_IF_NEEDED", "CREATE_NEVER")
READ_AHEAD = 1
# BigQuery's defaults of the options of configuration.load that are not parsing options (those
# are LoadOptions'); an omitted option keeps its default.
DEFAULTS: dict[str, Any] = {
    "destinationTable": None,
    "sourceFormat": "CSV",
    "schema": None,
    "autodetect": False,
    "writeDisposition": "WRITE_APPEND",
    "createDisposition": "CREATE_IF_NEEDED",
}


def setting(load: dict[str, Any], name: str) -> Any:
    """Return a load option's value, or BigQuery's default when the configuration omits it."""
    value = load.get(name)
    return DEFAULTS[name] if value is None else value


def check_configuration(
    principal: Any, project: Project, configuration: dict[str, Any]
) -> dict[str, Any]:
    """Return a load job's configuration checked and normalised, as the job stores it.

    Raise an BigQueryError naming the first option BigQuery would refuse (its location is the
    option's name), or one Quarry cannot honour. Options the client left out stay out.
    """
    load = configuration.get("load")
    if not isinstance(load, dict) or not load:
        raise BigQueryError("Required parameter is missing: configuration.load", "required", "load")
    target = load.get("destinationTable") or {}
    if not target.get("datasetId") or not target.get("tableId"):
        raise BigQueryError(
            "Required parameter is missing: configuration.load.destinationTable (datasetId and "
            "tableId)",
            "required",
            "destinationTable",
        )
    if target.get("projectId") not in (None, "", project.project_id):
        raise InvalidError(
            f"destinationTable names project {target['projectId']} but the job runs in project "
            f"{project.project_id}",
            location="destinationTable",
        )
    dataset_id, table_id = str(target["datasetId"]), str(target["tableId"])
    dataset = check_destination(principal, project, dataset_id, table_id)
    check_id("Table", table_id, location="destinationTable")
    _refuse_unsupported(load)
    if load.get("autodetect") is not None and not isinstance(load["autodetect"], bool):
        raise InvalidError(
            f"Invalid value for autodetect: {load['autodetect']!r}; expected true or false",
            location="autodetect",
        )
    checked = {
        **load,
        "destinationTable": {
            "projectId": project.project_id,
            "datasetId": dataset_id,
            "tableId": table_id,
        },
        **_choices(load),
        **LoadOptions.checked(load),
    }
    schema = load.get("schema") or {}
    if not isinstance(schema, dict):
        raise InvalidError('Invalid schema: expected {"fields": [...]}', "schema")
    fields = checked_fields(schema["fields"]) if schema.get("fields") else None
    if fields:
        checked["schema"] = {"fields": fields}
    else:
        checked.pop("schema", None)
    table = Table.objects.filter(dataset=dataset, table_id=table_id).first()
    if table is None and setting(checked, "createDisposition") == "CREATE_NEVER":
        raise NotFoundError(f"Not found: Table {dataset.full_id}.{table_id}")
    if fields:
        # Partitioning and clustering that cannot fit the given schema are refused now; with a
        # detected schema they are checked when the job runs.
        metadata.destination_changes(dataset, table_id, table, checked, fields)
    needs_schema = setting(checked, "sourceFormat") != "PARQUET" and not checked.get("autodetect")
    if not fields and needs_schema and table is None:
        raise InvalidError(
            f"No schema specified on job or table {dataset.full_id}.{table_id}: give a schema "
            "such as user_id:INT64,item_id:INT64 or use autodetect",
            location="schema",
        )
    result: dict[str, Any] = {"load": checked}
    if configuration.get("labels"):
        result["labels"] = configuration["labels"]
    return result


def _choices(load: dict[str, Any]) -> dict[str, str]:
    """Return the load's enumerated options, upper-cased and checked against BigQuery's values."""
    allowed = {
        "sourceFormat": tuple(SOURCE_FORMATS),
        "writeDisposition": WRITE_DISPOSITIONS,
        "createDisposition": CREATE_DISPOSITIONS,
    }
    checked = {}
    for name, values in allowed.items():
        if load.get(name) is None:
            continue
        value = str(load[name]).upper()
        if value not in values:
            quarry = "Quarry loads" if name == "sourceFormat" else "expected"
            raise InvalidError(
                f"Invalid value for {name}: {load[name]!r}; {quarry} " + ", ".join(values),
                location=name,
            )
        checked[name] = value
    return checked


def _refuse_unsupported(load: dict[str, Any]) -> None:
    """Refuse options Quarry would otherwise ignore; empty values (as bq sends them) are fine."""
    uris = load.get("sourceUris")
    if uris is not None and not isinstance(uris, list):
        raise InvalidError("sourceUris must be a list of gs:// URIs", location="sourceUris")
    for uri in uris or []:
        buckets.parse(uri, "sourceUris")
    _check_parquet_options(load.get("parquetOptions"))
    known = {
        *DEFAULTS,
        "sourceUris",
        "parquetOptions",
        *LoadOptions.option_names(),
        *metadata.DESTINATION_KEYS,
        "destinationTableProperties",
    }
    for name, value in load.items():
        if name not in known and value not in (None, False, "", [], {}):
            raise InvalidError(
                f"configuration.load.{name} is not supported by Quarry yet; leave it out",
                location=name,
            )


def check_destination(principal: Any, project: Project, dataset_id: str, table_id: str) -> Dataset:
    """Return a load's destination dataset once principal may run the load into the table.

    A new table needs bigquery.tables.create, an existing one bigquery.tables.updateData; both
    are checked before the dataset's existence is revealed.
    """
    access.check(principal, JOBS_CREATE, project)
    dataset = Dataset.objects.filter(project=project, dataset_id=dataset_id).first()
    table = None
    if dataset is not None:
        table = Table.objects.filter(dataset=dataset, table_id=table_id).first()
    reference = Table(dataset=dataset or Dataset(project=project, dataset_id=dataset_id))
    reference.table_id = table_id
    access.check(principal, TABLES_UPDATE_DATA if table else TABLES_CREATE, table or reference)
    if dataset is None:
        raise NotFoundError(f"Not found: Dataset {project.project_id}:{dataset_id}")
    return dataset


def _check_parquet_options(options: Any) -> None:
    """Accept the ParquetOptions clients send (pandas-gbq sends enableListInference).

    Quarry reads Parquet lists as ARRAY columns and enums as STRING already, which is what
    enableListInference and enumAsString ask for; a map type it cannot honour is refused.
    """
    if not options:
        return
    if not isinstance(options, dict):
        raise InvalidError("parquetOptions must be an object", location="parquetOptions")
    for name, value in options.items():
        if name in ("enableListInference", "enumAsString"):
            continue
        if value not in (None, "", False):
            raise InvalidError(
                f"configuration.load.parquetOptions.{name} is not supported by Quarry yet; "
                "leave it out",
                location="parquetOptions",
            )


def stage_uris(load: dict[str, Any]) -> str:
    """Copy the files a load's gs:// sourceUris name into storage, as one staged file.

    The job then reads a snapshot: a bucket file changed after the job was created does not
    change what it loads. Several CSV or JSON files become one, each CSV file's header rows
    (skipLeadingRows) dropped but the first's; Parquet files are read one per job.
    """
    files = [
        path
        for uri in load["sourceUris"]
        for path in buckets.matching(buckets.parse(uri, "sourceUris"))
    ]
    source_format = setting(load, "sourceFormat")
    if source_format == "PARQUET" and len(files) > 1:
        raise InvalidError(
            f"Quarry loads one Parquet file per job; the URIs name {len(files)} files",
            location="sourceUris",
        )
    skip = int(load.get("skipLeadingRows") or 0) if source_format == "CSV" else 0
    return stage(_Concatenated(files, skip), load)


class _Concatenated:
    """Read several files as one stream, dropping `skip` leading lines of all but the first."""

    def __init__(self, files: list[Path], skip: int) -> None:
        self.files = list(files)
        self.skip = skip
        self.current: Any = None
        self.first = True
        self.ended_line = True

    def read(self, size: int) -> bytes:
        while True:
            if self.current is None:
                if not self.files:
                    return b""
                self.current = open(self.files.pop(0), "rb")  # noqa: SIM115 closed at its end
                if not self.first:
                    for _ in range(self.skip):
                        self.current.readline()
                self.first = False
            chunk = self.current.read(size)
            if chunk:
                self.ended_line = chunk.endswith(b"\n")
                return chunk
            self.current.close()
            self.current = None
            if self.files and not self.ended_line:
                self.ended_line = True
                return b"\n"  # a file without a final newline must not join the next one's row


def stage(upload: Any, load: dict[str, Any]) -> str:
    """Copy a load's file into storage (atomically, within the upload limit); return its path."""
    relative = storage.new_path("uploads", SOURCE_FORMATS[setting(load, "sourceFormat")])
    _copy_within_limit(upload, relative)
    return relative


def _copy_within_limit(upload: Any, relative: str) -> None:
    limit = settings.QUARRY_MAX_UPLOAD_BYTES
    written = 0
    with storage.atomic_path(relative) as temp, open(temp, "wb") as out:
        chunks = (
            upload.chunks()
            if hasattr(upload, "chunks")
            else iter(lambda: upload.read(1024 * 1024), b"")
        )
        for chunk in chunks:
            written += len(chunk)
            if written > limit:
                raise InvalidError(f"Upload too large: the limit is {limit} bytes")
            out.write(chunk)


def run_load(run: RunContext, outcome: Outcome) -> None:
    """Read the staged file into a new version of the destination table."""
    load = run.configuration["load"]
    target = load["destinationTable"]
    source_format = setting(load, "sourceFormat")
    options = LoadOptions.from_configuration(load)
    bad = BadRecords(options.max_bad_records, TABLE_KINDS[source_format])
    try:
        dataset = check_destination(
            run.principal, run.project, target["datasetId"], target["tableId"]
        )
        table = Table.objects.filter(dataset=dataset, table_id=target["tableId"]).first()
        if table is None and setting(load, "createDisposition") == "CREATE_NEVER":
            raise NotFoundError(f"Not found: Table {dataset.full_id}.{target['tableId']}")
        disposition = setting(load, "writeDisposition")
        if table is not None and disposition == "WRITE_EMPTY" and table.num_rows:
            raise BigQueryError(
                f"Already Exists: Table {table.full_id} is not empty (write disposition "
                "WRITE_EMPTY)",
                reason="duplicate",
            )
        path = storage.resolve(run.upload_path)
        with open(path, "rb") as handle:
            source = open_source(source_format, handle, options, bad)
            fields = _destination_fields(load, table, source)
            # Checked against the fields before a row is read.
            changes = metadata.destination_changes(dataset, target["tableId"], table, load, fields)
            schema = arrow_schema(fields)
            written = tables.write_version(
                dataset,
                target["tableId"],
                schema,
                fields,
                until_cancelled(run.cancelled, _read_ahead(source.batches(fields))),
                read=table,
                # Found no table: fail if another writer creates it first, never drop its rows.
                new=table is None,
                append=disposition == "WRITE_APPEND",
            )
        if changes:
            metadata.assign(written, changes)
        outcome.statistics.update(
            {
                "outputRows": str(written.num_rows),
                "inputFiles": "1",
                "inputFileBytes": str(path.stat().st_size),
                "outputBytes": str(written.num_bytes),
                "badRecords": str(len(bad.errors)),
            }
        )
        if bad.errors:
            outcome.statistics["errors"] = bad.errors
    except BigQueryError:
        outcome.statistics.update({"badRecords": str(len(bad.errors)), "errors": bad.errors})
        raise
    finally:
        storage.remove(run.upload_path)


def _destination_fields(load: dict[str, Any], table: Table | None, source: Any) -> list[dict]:
    """Return the fields the new version has: given, detected, or the table's own."""
    given = (setting(load, "schema") or {}).get("fields")
    source_format = setting(load, "sourceFormat")
    appending = table is not None and setting(load, "writeDisposition") == "WRITE_APPEND"
    detected = None
    if not given and (setting(load, "autodetect") or source_format == "PARQUET"):
        # Autodetect also decides whether a CSV's first row is a header, so it runs on appends.
        detected = source.detect_fields()
    if appending:
        assert table is not None
        if given and _names(given) != _names(table.schema):
            raise InvalidError(
                f"Provided Schema does not match Table {table.full_id}: the table has fields "
                f"{', '.join(_names(table.schema))}"
            )
        # CSV columns go by position; JSON and Parquet ones by name, read with the table's fields.
        csv_columns = source_format == "CSV" and detected is not None
        if csv_columns and len(detected) != len(table.schema):
            raise InvalidError(
                f"Provided Schema does not match Table {table.full_id}: the file has "
                f"{len(detected)} columns, the table {len(table.schema)}"
            )
        return given or table.schema
    if given or detected:
        return given or detected
    if table is None:
        raise InvalidError("No schema specified on job or table: give a schema or use autodetect")
    return table.schema


def _read_ahead(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Yield batches, parsing the next piece on a thread while the caller writes this one.

    pyarrow releases the GIL, so on two cores parsing and Parquet encoding overlap. At most
    READ_AHEAD batches wait in the queue, which keeps memory bounded.
    """
    pending: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        pending.put(("batch", batch), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            pending.put(("done", None))
        except BaseException as err:  # handed to the consumer, which raises it
            pending.put(("error", err))

    thread = threading.Thread(target=produce, name="load-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = pending.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                pending.get(timeout=0.1)
        thread.join()


def _names(fields: list[dict[str, Any]] | None) -> list[str]:
    return [f["name"] for f in fields or []]
