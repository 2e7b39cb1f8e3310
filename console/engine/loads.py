"""LOAD jobs: stage an upload, then stream it into a new table version on the worker."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.conf import settings

from console.catalog import storage
from console.catalog.models import Dataset, Project, Table, validate_table_id
from console.engine import tables
from console.engine.errors import EngineError, InvalidError, NotFoundError
from console.engine.types import arrow_schema, parse_schema_string
from console.jobs.models import Job

SOURCE_FORMATS = ("CSV",)
WRITE_DISPOSITIONS = ("WRITE_APPEND", "WRITE_TRUNCATE", "WRITE_EMPTY")
ENCODINGS = {"UTF-8": "utf8", "UTF8": "utf8", "ISO-8859-1": "latin1", "LATIN1": "latin1"}
BLOCK_BYTES = 16 * 1024 * 1024
INTEGER_RE = r"^\s*[-+]?\d+\s*$"


def _delimiter(value: str) -> str:
    if value in ("\\t", "tab", "\t"):
        return "\t"
    if len(value) != 1:
        raise InvalidError(
            f"Invalid field delimiter {value!r}: this version of Quarry loads single-character "
            "delimiters only"
        )
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
    skip_leading_rows: int = 0,
    write_disposition: str = "WRITE_APPEND",
    encoding: str = "UTF-8",
    null_marker: str = "",
    user_email: str = "",
) -> Job:
    """Check a load's arguments, stage the file and submit a LOAD job; bad input changes nothing."""
    dataset = Dataset.objects.filter(project=project, dataset_id=dataset_id).first()
    if dataset is None:
        raise NotFoundError(f"Not found: Dataset {project.project_id}:{dataset_id}")
    try:
        validate_table_id(table_id)
    except Exception as err:
        raise InvalidError(str(getattr(err, "messages", [err])[0])) from None
    source_format = source_format.upper()
    if source_format not in SOURCE_FORMATS:
        raise InvalidError(f"Unsupported source format {source_format}; Quarry loads CSV")
    write_disposition = write_disposition.upper()
    if write_disposition not in WRITE_DISPOSITIONS:
        raise InvalidError(
            f"Invalid write disposition {write_disposition}; expected one of "
            + ", ".join(WRITE_DISPOSITIONS)
        )
    if encoding.upper() not in ENCODINGS:
        raise InvalidError(f"Unsupported encoding {encoding}; expected UTF-8 or ISO-8859-1")
    if int(skip_leading_rows) < 0:
        raise InvalidError("skip_leading_rows must not be negative")
    fields = parse_schema_string(schema) if isinstance(schema, str) and schema.strip() else schema
    exists = Table.objects.filter(dataset=dataset, table_id=table_id).exists()
    if not fields and not autodetect and not exists:
        raise InvalidError(
            f"No schema specified on job or table {dataset.full_id}.{table_id}: give a schema "
            "such as user_id:INT64,item_id:INT64 or use autodetect"
        )
    if autodetect:
        raise InvalidError("Schema autodetect is not supported yet; give the schema")

    relative = storage.new_path("uploads", ".csv")
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
            "skipLeadingRows": int(skip_leading_rows),
            "writeDisposition": write_disposition,
            "encoding": encoding.upper(),
            "nullMarker": null_marker,
            "schema": {"fields": fields} if fields else None,
        }
    }
    return Job.submit(
        project, Job.Type.LOAD, configuration, upload_path=relative, user_email=user_email
    )


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
    try:
        dataset = Dataset.objects.get(project=job.project, dataset_id=target["datasetId"])
    except Dataset.DoesNotExist:
        raise NotFoundError(
            f"Not found: Dataset {job.project.project_id}:{target['datasetId']}"
        ) from None
    try:
        table = Table.objects.filter(dataset=dataset, table_id=target["tableId"]).first()
        fields = (load.get("schema") or {}).get("fields") or (table.schema if table else None)
        disposition = load["writeDisposition"]
        if table is not None and disposition == "WRITE_EMPTY" and table.num_rows:
            raise EngineError(
                f"Already Exists: Table {table.full_id} is not empty (write disposition "
                "WRITE_EMPTY)",
                reason="duplicate",
            )
        if (
            table is not None
            and disposition == "WRITE_APPEND"
            and _names(fields) != _names(table.schema)
        ):
            raise InvalidError(
                f"Provided Schema does not match Table {table.full_id}: the table has fields "
                f"{', '.join(_names(table.schema))}"
            )
        schema = arrow_schema(fields)
        with open(storage.resolve(job.upload_path), "rb") as handle:
            new_rows = _csv_batches(handle, fields, schema, load)
            batches = new_rows
            if table is not None and disposition == "WRITE_APPEND":
                batches = _chain(tables.existing_batches(table, schema), new_rows)
            relative, rows = tables.write_parquet("tables", schema, batches)
        tables.commit_version(dataset, target["tableId"], relative, rows, schema, fields)
        job.statistics.update({"outputRows": str(rows), "inputFiles": "1"})
    finally:
        storage.remove(job.upload_path)


def _names(fields: list[dict[str, Any]] | None) -> list[str]:
    return [f["name"] for f in fields or []]


def _chain(*streams: Any) -> Iterator[pa.RecordBatch]:
    for stream in streams:
        yield from stream


def _csv_batches(
    handle: IO[bytes], fields: list[dict[str, Any]], schema: pa.Schema, load: dict[str, Any]
) -> Iterator[pa.RecordBatch]:
    """Parse CSV in blocks, convert each column to its BigQuery type, name the line of any error."""
    names = _names(fields)
    bad_rows: list[str] = []

    def on_bad_row(row: Any) -> str:
        # pyarrow's streaming reader does not know line numbers; find the line in the file.
        number = row.number or _line_of(handle, row.text, load["skipLeadingRows"])
        bad_rows.append(
            f"Error while reading data, error message: CSV table references column position "
            f"{row.expected_columns - 1}, but line {number} contains only "
            f"{row.actual_columns} columns; expected {row.expected_columns}: {row.text!r}"
            if row.actual_columns < row.expected_columns
            else f"Error while reading data, error message: Too many values in line {number}: "
            f"expected {row.expected_columns} columns but got {row.actual_columns}: {row.text!r}"
        )
        return "error"

    try:
        reader = _open_csv(handle, names, load, on_bad_row)
    except pa.ArrowInvalid as err:
        raise InvalidError(bad_rows[0] if bad_rows else _csv_message(err, handle)) from None
    first_line = load["skipLeadingRows"] + 1
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as err:
            raise InvalidError(bad_rows[0] if bad_rows else _csv_message(err, handle)) from None
        if bad_rows:
            raise InvalidError(bad_rows[0])
        columns = [
            _convert(batch.column(i), field, i, schema.field(i).type, first_line)
            for i, field in enumerate(fields)
        ]
        yield pa.RecordBatch.from_arrays(columns, schema=schema)
        first_line += batch.num_rows


def _open_csv(
    handle: IO[bytes], names: list[str], load: dict[str, Any], on_bad_row: Any
) -> pacsv.CSVStreamingReader:
    return pacsv.open_csv(
        handle,
        read_options=pacsv.ReadOptions(
            column_names=names,
            skip_rows=load["skipLeadingRows"],
            encoding=ENCODINGS[load["encoding"]],
            block_size=BLOCK_BYTES,
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=load["fieldDelimiter"], invalid_row_handler=on_bad_row
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            null_values=[load.get("nullMarker") or ""],
            strings_can_be_null=True,
        ),
    )


def _csv_message(err: Exception, handle: IO[bytes]) -> str:
    text = str(err).splitlines()[0]
    if "invalid UTF8" in text:
        line = _first_non_utf8_line(handle)
        return (
            f"Error while reading data, error message: line {line} is not valid UTF-8; if the "
            "file is Latin-1, load it with encoding ISO-8859-1"
        )
    return f"Error while reading data, error message: {text}"


def _line_of(handle: IO[bytes], text: str, skip: int) -> int | str:
    """Return the 1-based number of the first line after `skip` that reads as text."""
    position = handle.tell()
    try:
        handle.seek(0)
        wanted = text.encode("utf-8", "replace")
        for number, line in enumerate(handle, start=1):
            if number > skip and line.rstrip(b"\r\n") == wanted:
                return number
    finally:
        handle.seek(position)
    return "?"


def _first_non_utf8_line(handle: IO[bytes]) -> int:
    handle.seek(0)
    for number, line in enumerate(handle, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return 0


def _convert(
    column: pa.Array, field: dict[str, Any], position: int, dtype: pa.DataType, first_line: int
) -> pa.Array:
    try:
        if pa.types.is_string(dtype):
            return column
        if pa.types.is_timestamp(dtype):
            return _to_timestamp(column, dtype)
        return pc.cast(pc.utf8_trim_whitespace(column), dtype)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        index, value = _first_bad_value(column, dtype)
        raise InvalidError(
            f"Error while reading data, error message: Could not parse '{value}' as "
            f"{field['type']} for field {field['name']} (position {position}) "
            f"starting at line {first_line + index}"
        ) from None


def _to_timestamp(column: pa.Array, dtype: pa.DataType) -> pa.Array:
    # The tutorial loads integer epoch seconds into TIMESTAMP, as BigQuery accepts them.
    trimmed = pc.utf8_trim_whitespace(column)
    integers = pc.or_kleene(pc.match_substring_regex(trimmed, INTEGER_RE), pc.is_null(trimmed))
    if pc.all(integers).as_py():
        seconds = pc.cast(trimmed, pa.int64())
        return pc.cast(pc.multiply(seconds, 1_000_000), pa.int64()).cast(dtype)
    text = pc.replace_substring_regex(trimmed, r"\s*UTC$", "")
    text = pc.replace_substring_regex(text, r"^(\d{4}-\d\d-\d\d) ", r"\1T")
    return pc.cast(text, dtype)


def _first_bad_value(column: pa.Array, dtype: pa.DataType) -> tuple[int, str]:
    for index, value in enumerate(column.to_pylist()):
        if value is None:
            continue
        try:
            if pa.types.is_timestamp(dtype):
                _to_timestamp(pa.array([value]), dtype)
            else:
                pc.cast(pa.array([value.strip()]), dtype)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return index, value
    return 0, ""
