"""EXTRACT jobs and EXPORT DATA: a table's or a query's rows written as files to gs:// URIs.

The files are written as BigQuery writes them (docs/clients.md says where Quarry infers):
CSV with a header row and BigQuery's text for each type, newline-delimited JSON with INT64 as
strings (BigQuery keeps 64-bit precision that way), or Parquet; GZIP for any of them, SNAPPY and
ZSTD for Parquet. A wildcard URI gets BigQuery's first shard name (`000000000000`). Each file
appears whole or not at all (catalog/buckets.writing).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import decimal
import gzip
import io
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlglot import exp

from console.catalog import buckets, storage
from console.catalog.models import Dataset, Project, Table
from console.engine.formats import avro
from console.engine.outcome import Outcome, RunContext
from console.engine.query import Context, execute, until_cancelled
from console.engine.types import schema_from_arrow
from console.errors import InvalidError, NotFoundError
from console.iam import access
from console.iam.roles import TABLES_EXPORT

FORMATS = ("CSV", "NEWLINE_DELIMITED_JSON", "PARQUET", "AVRO")
COMPRESSIONS = {
    "CSV": ("NONE", "GZIP"),
    "NEWLINE_DELIMITED_JSON": ("NONE", "GZIP"),
    "PARQUET": ("NONE", "GZIP", "SNAPPY", "ZSTD"),
    "AVRO": ("NONE", "DEFLATE", "SNAPPY"),
}
# An Avro file's compression is its codec, named as fastavro names it.
AVRO_CODECS = {"NONE": "null", "DEFLATE": "deflate", "SNAPPY": "snappy"}
# EXPORT DATA's format names, as BigQuery spells them in OPTIONS(format=...).
STATEMENT_FORMATS = {
    "CSV": "CSV",
    "JSON": "NEWLINE_DELIMITED_JSON",
    "PARQUET": "PARQUET",
    "AVRO": "AVRO",
}


@dataclass(frozen=True)
class Export:
    """Where and how rows are written: the URIs and the file format's options."""

    uris: tuple[buckets.Uri, ...]
    format: str = "CSV"
    compression: str = "NONE"
    field_delimiter: str = ","
    print_header: bool = True
    overwrite: bool = True

    @classmethod
    def checked(
        cls,
        uris: Iterable[str],
        *,
        format: str | None,
        compression: str | None,
        field_delimiter: str | None = None,
        print_header: bool | None = None,
        overwrite: bool = True,
        location: str = "destinationUris",
    ) -> Export:
        """Return export options checked; raise InvalidError naming the option at fault."""
        parsed = tuple(buckets.parse(uri, location) for uri in uris)
        if not parsed:
            raise InvalidError(
                "Required parameter is missing: configuration.extract.destinationUris",
                location=location,
            )
        kind = str(format or "CSV").upper()
        if kind not in FORMATS:
            raise InvalidError(
                f"Invalid value for destinationFormat: {format!r}; expected " + ", ".join(FORMATS),
                location="destinationFormat",
            )
        packing = str(compression or "NONE").upper()
        if packing not in COMPRESSIONS[kind]:
            raise InvalidError(
                f"Invalid value for compression: {compression!r}; {kind} files take "
                + ", ".join(COMPRESSIONS[kind]),
                location="compression",
            )
        delimiter = "," if field_delimiter in (None, "") else field_delimiter
        if delimiter in ("\\t", "tab"):
            delimiter = "\t"
        if len(delimiter) != 1:
            raise InvalidError(
                f"Invalid value for fieldDelimiter: {field_delimiter!r}; Quarry writes a "
                "single-character delimiter",
                location="fieldDelimiter",
            )
        header = True if print_header is None else bool(print_header)
        return cls(parsed, kind, packing, delimiter, header, overwrite)

    def write(self, fields: list[dict[str, Any]], batches: Iterator[pa.RecordBatch]) -> int:
        """Write every row to the first URI (its first shard); return the rows written."""
        if self.format == "CSV":
            nested = next(
                (f for f in fields if f.get("mode") == "REPEATED" or f.get("fields")), None
            )
            if nested is not None:
                raise InvalidError(
                    "Operation cannot be performed on a nested schema. Field: " + nested["name"]
                )
        target = self.uris[0].shard(0)
        with (
            storage.space_for(f"writing {target}"),
            buckets.writing(target, overwrite=self.overwrite) as out,
        ):
            if self.format == "PARQUET":
                return _write_parquet(out, batches, self.compression)
            if self.format == "AVRO":
                codec = AVRO_CODECS[self.compression]
                return avro.Encoder(fields).write_file(out, batches, codec)
            packed: IO[bytes] = (
                gzip.GzipFile(fileobj=out, mode="wb") if self.compression == "GZIP" else out
            )
            try:
                text = io.TextIOWrapper(packed, encoding="utf-8", newline="")
                rows = (
                    self._write_csv(text, fields, batches)
                    if self.format == "CSV"
                    else _write_json(text, fields, batches)
                )
                text.flush()
                text.detach()
            finally:
                if packed is not out:
                    packed.close()
            return rows

    def _write_csv(
        self, out: io.TextIOWrapper, fields: list[dict[str, Any]], batches: Iterator[pa.RecordBatch]
    ) -> int:
        writer = csv.writer(out, delimiter=self.field_delimiter, lineterminator="\n")
        if self.print_header:
            writer.writerow([f["name"] for f in fields])
        kinds = [f.get("type", "STRING") for f in fields]
        rows = 0
        for batch in batches:
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for values in zip(*columns, strict=True):
                writer.writerow(
                    [
                        "" if v is None else csv_text(k, v)
                        for k, v in zip(kinds, values, strict=True)
                    ]
                )
            rows += batch.num_rows
        return rows


def csv_text(kind: str, value: Any) -> str:
    """Return one value as BigQuery writes it into a CSV file."""
    if kind in ("BOOL", "BOOLEAN"):
        return "true" if value else "false"
    if kind in ("FLOAT64", "FLOAT"):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(float(value))
    if kind in ("NUMERIC", "BIGNUMERIC"):
        return _decimal_text(value)
    if kind == "BYTES":
        return base64.b64encode(value).decode()
    if kind == "TIMESTAMP":
        return _timestamp_text(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _decimal_text(value: decimal.Decimal) -> str:
    return format(value.normalize(), "f")


def _timestamp_text(value: dt.datetime) -> str:
    moment = value.astimezone(dt.UTC) if value.tzinfo else value
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + " UTC"


def json_value(field: dict[str, Any], value: Any) -> Any:
    """Return one value as BigQuery writes it into newline-delimited JSON."""
    if value is None:
        return None
    if field.get("mode") == "REPEATED":
        item = {**field, "mode": "NULLABLE"}
        return [json_value(item, v) for v in value]
    kind = field.get("type", "STRING")
    if kind in ("RECORD", "STRUCT"):
        return {f["name"]: json_value(f, value.get(f["name"])) for f in field.get("fields") or []}
    if kind in ("INT64", "INTEGER"):
        return str(value)  # BigQuery keeps INT64 precision by writing it as a string
    if kind in ("FLOAT64", "FLOAT"):
        return value if math.isfinite(value) else csv_text(kind, value)
    if kind in ("BOOL", "BOOLEAN"):
        return bool(value)
    if kind == "JSON":
        return json.loads(value)
    return csv_text(kind, value)


def _write_json(
    out: io.TextIOWrapper, fields: list[dict[str, Any]], batches: Iterator[pa.RecordBatch]
) -> int:
    rows = 0
    for batch in batches:
        for row in batch.to_pylist():
            record = {f["name"]: json_value(f, row.get(f["name"])) for f in fields}
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        rows += batch.num_rows
    return rows


def _write_parquet(out: IO[bytes], batches: Iterator[pa.RecordBatch], compression: str) -> int:
    rows = 0
    writer = None
    try:
        for batch in batches:
            if writer is None:
                writer = pq.ParquetWriter(out, batch.schema, compression=compression.lower())
            writer.write_batch(batch)
            rows += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


# Extract jobs -----------------------------------------------------------------------------------


def check_configuration(project: Project, extract: dict[str, Any]) -> dict[str, Any]:
    """Return an extract job's configuration checked and normalised, as the job keeps it."""
    if extract.get("sourceModel"):
        raise InvalidError(
            "Exporting models is not supported by Quarry yet", location="sourceModel"
        )
    source = extract.get("sourceTable") or {}
    if not source.get("datasetId") or not source.get("tableId"):
        raise InvalidError(
            "Required parameter is missing: configuration.extract.sourceTable (datasetId and "
            "tableId)",
            location="sourceTable",
        )
    uris = list(extract.get("destinationUris") or [])
    if extract.get("destinationUri"):
        uris.insert(0, extract["destinationUri"])
    export = _export(extract, uris)
    return {
        **{k: v for k, v in extract.items() if k != "destinationUri"},
        "sourceTable": {
            "projectId": source.get("projectId") or project.project_id,
            "datasetId": str(source["datasetId"]),
            "tableId": str(source["tableId"]),
        },
        "destinationUris": [str(uri) for uri in export.uris],
        "destinationFormat": export.format,
        "compression": export.compression,
    }


def _export(extract: dict[str, Any], uris: list[str]) -> Export:
    return Export.checked(
        uris,
        format=extract.get("destinationFormat"),
        compression=extract.get("compression"),
        field_delimiter=extract.get("fieldDelimiter"),
        print_header=extract.get("printHeader"),
    )


def run_extract(run: RunContext, outcome: Outcome) -> None:
    """Write the source table's current version to the job's URIs."""
    extract = run.configuration["extract"]
    export = _export(extract, extract["destinationUris"])
    table = _source(run.principal, extract["sourceTable"])
    path = storage.resolve(table.data_path) if table.data_path else None
    batches: Iterator[pa.RecordBatch] = (
        pq.ParquetFile(path).iter_batches() if path is not None else iter(())
    )
    export.write(table.schema, until_cancelled(run.cancelled, batches))
    outcome.statistics.update(
        {
            "destinationUriFileCounts": ["1"] + ["0"] * (len(export.uris) - 1),
            "inputBytes": str(table.num_bytes),
        }
    )


def _source(principal: Any, ref: dict[str, str]) -> Table:
    project = Project.objects.filter(project_id=ref["projectId"]).first()
    if project is None:
        raise NotFoundError(f"Not found: Project {ref['projectId']}")
    dataset = Dataset.objects.filter(project=project, dataset_id=ref["datasetId"]).first()
    table = (
        Table.objects.filter(dataset=dataset, table_id=ref["tableId"]).first() if dataset else None
    )
    named = table or Table(
        dataset=dataset or Dataset(project=project, dataset_id=ref["datasetId"]),
        table_id=ref["tableId"],
    )
    access.check(principal, TABLES_EXPORT, named)
    if table is None or table.expired:
        raise NotFoundError(
            f"Not found: Table {ref['projectId']}:{ref['datasetId']}.{ref['tableId']}"
        )
    if table.table_type == Table.Type.VIEW:
        raise InvalidError(
            f"{table.full_id} is a view: extract jobs export tables; query the view into a "
            "table first"
        )
    return table


# EXPORT DATA ------------------------------------------------------------------------------------

STATEMENT_OPTIONS = ("uri", "format", "overwrite", "header", "field_delimiter", "compression")


def run_export_data(ctx: Context, statement: exp.Export) -> None:
    """Run EXPORT DATA OPTIONS(uri=..., format=...) AS query: the query's rows become files."""
    options = _statement_options(ctx, statement)
    export = Export.checked(
        [options["uri"]],
        format=STATEMENT_FORMATS.get(str(options["format"]).upper(), str(options["format"])),
        compression=options.get("compression"),
        field_delimiter=options.get("field_delimiter"),
        # EXPORT DATA writes no header row unless asked, unlike an extract job.
        print_header=bool(options.get("header", False)),
        overwrite=bool(options.get("overwrite", False)),
        location="uri",
    )
    if not export.uris[0].wildcard:
        raise InvalidError(
            f"Invalid value for uri: {export.uris[0]} must contain exactly one * wildcard",
            location="uri",
        )
    reader = execute(ctx, statement.this)
    rows = export.write(schema_from_arrow(reader.schema), iter(reader))
    ctx.outcome.statistics["exportDataStatistics"] = {"fileCount": "1", "rowCount": str(rows)}


def _statement_options(ctx: Context, statement: exp.Export) -> dict[str, Any]:
    if statement.args.get("connection"):
        raise InvalidError(
            f"EXPORT DATA WITH CONNECTION is not supported by Quarry{ctx.location(statement)}"
        )
    found: dict[str, Any] = {}
    properties = statement.args.get("options")
    for prop in properties.expressions if properties is not None else []:
        if isinstance(prop, exp.FileFormatProperty):
            name, value = "format", prop.this
        elif isinstance(prop, exp.Property):
            name, value = prop.name.lower(), prop.args.get("value")
        else:
            raise InvalidError(f"Unknown option in EXPORT DATA: {prop.sql('bigquery')}")
        if name not in STATEMENT_OPTIONS:
            raise InvalidError(
                f"Unknown option {name} in EXPORT DATA; Quarry takes "
                + ", ".join(STATEMENT_OPTIONS)
            )
        if isinstance(value, exp.Boolean | exp.Literal):
            found[name] = value.this
        else:
            raise InvalidError(f"EXPORT DATA option {name} must be a literal")
    for required in ("uri", "format"):
        if required not in found:
            raise InvalidError(f"EXPORT DATA needs the option {required}")
    return found
