"""LOAD jobs: stage an upload, then stream it into a new table version on the worker.

The readers live in `console.engine.formats`; this module checks a load's arguments, decides the
destination's fields (given, the table's, or detected), and commits the new version only once
every row has been written: a failed load leaves the old version serving and no new table.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
from django.conf import settings

from console.catalog import storage
from console.catalog.models import Dataset, Project, Table, validate_table_id
from console.engine import tables
from console.engine.errors import EngineError, InvalidError, NotFoundError
from console.engine.formats import ENCODINGS, BadRecords, LoadOptions, open_source
from console.engine.query import until_cancelled
from console.engine.types import (
    FIELD_NAME_RE,
    SCALAR_ARROW,
    arrow_schema,
    normalize_type,
    parse_schema_string,
)
from console.iam import access
from console.iam.roles import JOBS_CREATE, TABLES_CREATE, TABLES_UPDATE_DATA
from console.jobs.models import Job

SOURCE_FORMATS = {"CSV": ".csv", "NEWLINE_DELIMITED_JSON": ".json", "PARQUET": ".parquet"}
TABLE_KINDS = {"CSV": "CSV", "NEWLINE_DELIMITED_JSON": "JSON", "PARQUET": "Parquet"}
WRITE_DISPOSITIONS = ("WRITE_APPEND", "WRITE_TRUNCATE", "WRITE_EMPTY")
MODES = ("NULLABLE", "REQUIRED", "REPEATED")
READ_AHEAD = 1


def _delimiter(value: str) -> str:
    if value in ("\\t", "tab", "\t"):
        return "\t"
    if not value:
        raise InvalidError("Invalid field delimiter: it must not be empty")
    if any(c in value for c in "\r\n\x1e\x1f"):
        raise InvalidError(f"Invalid field delimiter {value!r}: it must not contain a line break")
    return value


def submit_load(
    project: Project,
    *,
    dataset_id: str,
    table_id: str,
    upload: Any,
    source_format: str = "CSV",
    schema: str | list[dict[str, Any]] | None = None,
    autodetect: bool = False,
    field_delimiter: str = ",",
    skip_leading_rows: int | None = None,
    write_disposition: str = "WRITE_APPEND",
    encoding: str = "UTF-8",
    null_marker: str = "",
    principal: Any = None,
    max_bad_records: int = 0,
    allow_quoted_newlines: bool = False,
    allow_jagged_rows: bool = False,
    ignore_unknown_values: bool = False,
    quote: str = '"',
) -> Job:
    """Check a load's arguments, stage the file and submit a LOAD job; bad input changes nothing.

    skip_leading_rows follows BigQuery: None (unspecified) lets autodetect look for a header in
    the first row, 0 says there is none, N > 0 skips N rows and reads names from row N.
    """
    dataset = check_destination(principal, project, dataset_id, table_id)
    try:
        validate_table_id(table_id)
    except Exception as err:
        raise InvalidError(str(getattr(err, "messages", [err])[0])) from None
    source_format = source_format.upper()
    if source_format not in SOURCE_FORMATS:
        raise InvalidError(
            f"Unsupported source format {source_format}; Quarry loads " + ", ".join(SOURCE_FORMATS)
        )
    write_disposition = write_disposition.upper()
    if write_disposition not in WRITE_DISPOSITIONS:
        raise InvalidError(
            f"Invalid write disposition {write_disposition}; expected one of "
            + ", ".join(WRITE_DISPOSITIONS)
        )
    if encoding.upper() not in ENCODINGS:
        raise InvalidError(f"Unsupported encoding {encoding}; expected " + ", ".join(ENCODINGS))
    if skip_leading_rows is not None and int(skip_leading_rows) < 0:
        raise InvalidError("skip_leading_rows must not be negative")
    if int(max_bad_records) < 0:
        raise InvalidError("max_bad_records must not be negative")
    if len(quote) > 1:
        raise InvalidError(f"Invalid quote {quote!r}: it must be one character or empty")
    fields = _schema_fields(schema)
    exists = Table.objects.filter(dataset=dataset, table_id=table_id).exists()
    if not fields and not autodetect and not exists and source_format != "PARQUET":
        raise InvalidError(
            f"No schema specified on job or table {dataset.full_id}.{table_id}: give a schema "
            "such as user_id:INT64,item_id:INT64 or use autodetect"
        )

    relative = storage.new_path("uploads", SOURCE_FORMATS[source_format])
    _stage(upload, relative)
    configuration = {
        "load": {
            "destinationTable": {
                "projectId": project.project_id,
                "datasetId": dataset_id,
                "tableId": table_id,
            },
            "sourceFormat": source_format,
            "fieldDelimiter": _delimiter(field_delimiter),
            "skipLeadingRows": None if skip_leading_rows is None else int(skip_leading_rows),
            "writeDisposition": write_disposition,
            "encoding": encoding.upper(),
            "nullMarker": null_marker,
            "quote": quote,
            "autodetect": bool(autodetect),
            "maxBadRecords": int(max_bad_records),
            "allowQuotedNewlines": bool(allow_quoted_newlines),
            "allowJaggedRows": bool(allow_jagged_rows),
            "ignoreUnknownValues": bool(ignore_unknown_values),
            "schema": {"fields": fields} if fields else None,
        }
    }
    return Job.submit(
        project,
        Job.Type.LOAD,
        configuration,
        upload_path=relative,
        **access.job_user_fields(principal),
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


def _schema_fields(schema: str | list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    if isinstance(schema, str):
        return parse_schema_string(schema) if schema.strip() else None
    if not schema:
        return None
    return [_checked_field(field) for field in schema]


def _checked_field(field: dict[str, Any]) -> dict[str, Any]:
    """Return a BigQuery field dict with its type and mode normalised, or raise InvalidError."""
    name = str(field.get("name", ""))
    if not FIELD_NAME_RE.match(name):
        raise InvalidError(f'Invalid schema: invalid field name "{name}"')
    type_name = normalize_type(str(field.get("type", "STRING")))
    mode = str(field.get("mode") or "NULLABLE").upper()
    if mode not in MODES:
        raise InvalidError(f"Invalid schema: field {name} has unknown mode {mode}")
    if type_name == "STRUCT":
        children = field.get("fields") or []
        if not children:
            raise InvalidError(f"Invalid schema: RECORD field {name} has no fields")
        return {
            "name": name,
            "type": "RECORD",
            "mode": mode,
            "fields": [_checked_field(child) for child in children],
        }
    if type_name not in SCALAR_ARROW:
        raise InvalidError(
            f"Invalid schema: field {name} has unsupported type {type_name}; expected one of "
            + ", ".join([*SCALAR_ARROW, "RECORD"])
        )
    return {"name": name, "type": type_name, "mode": mode}


def _stage(upload: Any, relative: str) -> None:
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


def run_load_job(job: Job) -> None:
    """Read the staged file into a new version of the destination table."""
    load = job.configuration["load"]
    target = load["destinationTable"]
    source_format = load.get("sourceFormat", "CSV")
    bad = BadRecords(int(load.get("maxBadRecords", 0)), TABLE_KINDS[source_format])
    try:
        dataset = check_destination(
            access.principal_for_job(job), job.project, target["datasetId"], target["tableId"]
        )
        table = Table.objects.filter(dataset=dataset, table_id=target["tableId"]).first()
        disposition = load["writeDisposition"]
        if table is not None and disposition == "WRITE_EMPTY" and table.num_rows:
            raise EngineError(
                f"Already Exists: Table {table.full_id} is not empty (write disposition "
                "WRITE_EMPTY)",
                reason="duplicate",
            )
        path = storage.resolve(job.upload_path)
        with open(path, "rb") as handle:
            source = open_source(source_format, handle, LoadOptions.from_configuration(load), bad)
            fields = _destination_fields(load, table, source)
            schema = arrow_schema(fields)
            written = tables.write_version(
                dataset,
                target["tableId"],
                schema,
                fields,
                until_cancelled(job, _read_ahead(source.batches(fields))),
                read=table,
                append=disposition == "WRITE_APPEND",
            )
        job.statistics.update(
            {
                "outputRows": str(written.num_rows),
                "inputFiles": "1",
                "inputFileBytes": str(path.stat().st_size),
                "outputBytes": str(written.num_bytes),
                "badRecords": str(len(bad.errors)),
            }
        )
        if bad.errors:
            job.statistics["errors"] = bad.errors
    except EngineError:
        job.statistics.update({"badRecords": str(len(bad.errors)), "errors": bad.errors})
        raise
    finally:
        storage.remove(job.upload_path)


def _destination_fields(load: dict[str, Any], table: Table | None, source: Any) -> list[dict]:
    """Return the fields the new version has: given, detected, or the table's own."""
    given = (load.get("schema") or {}).get("fields")
    appending = table is not None and load["writeDisposition"] == "WRITE_APPEND"
    detected = None
    if not given and (load.get("autodetect") or load.get("sourceFormat") == "PARQUET"):
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
        csv_columns = load.get("sourceFormat") == "CSV" and detected is not None
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
