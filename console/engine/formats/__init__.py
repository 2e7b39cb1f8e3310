"""Readers for LOAD jobs: CSV, NEWLINE_DELIMITED_JSON and PARQUET, streamed as Arrow batches.

Each reader is a `Source` opened on the staged upload. `detect_fields()` returns the BigQuery
schema the file describes or implies (autodetect), `batches(fields)` yields the rows converted to
those fields' Arrow types, one bounded piece of the file at a time: nothing here ever holds the
whole file. Rows that do not fit are reported to a `BadRecords`, which skips up to
`max_bad_records` of them and then fails the load with BigQuery's message, naming the line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any, Protocol

import pyarrow as pa

from console.engine.errors import InvalidError

ENCODINGS = {"UTF-8": "utf8", "UTF8": "utf8", "ISO-8859-1": "latin1", "LATIN1": "latin1"}
# Bytes of input handled at once; pieces end at a record boundary, so a piece may run longer.
PIECE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class LoadOptions:
    """The parsing options of one load, as BigQuery's JobConfigurationLoad names them."""

    field_delimiter: str = ","
    skip_leading_rows: int | None = None
    encoding: str = "UTF-8"
    null_marker: str = ""
    quote: str = '"'
    allow_quoted_newlines: bool = False
    allow_jagged_rows: bool = False
    ignore_unknown_values: bool = False
    max_bad_records: int = 0

    @classmethod
    def from_configuration(cls, load: dict[str, Any]) -> LoadOptions:
        skip = load.get("skipLeadingRows")
        return cls(
            field_delimiter=load.get("fieldDelimiter", ","),
            skip_leading_rows=None if skip is None else int(skip),
            encoding=load.get("encoding", "UTF-8"),
            null_marker=load.get("nullMarker") or "",
            quote=load.get("quote", '"'),
            allow_quoted_newlines=bool(load.get("allowQuotedNewlines", False)),
            allow_jagged_rows=bool(load.get("allowJaggedRows", False)),
            ignore_unknown_values=bool(load.get("ignoreUnknownValues", False)),
            max_bad_records=int(load.get("maxBadRecords", 0)),
        )

    @property
    def arrow_encoding(self) -> str:
        return ENCODINGS[self.encoding.upper()]

    @property
    def python_encoding(self) -> str:
        return "utf-8" if self.arrow_encoding == "utf8" else "latin-1"


class BadRecords:
    """Collect rows that do not fit; fail the load once there are more than the limit allows."""

    def __init__(self, limit: int, table_kind: str) -> None:
        self.limit = limit
        self.table_kind = table_kind
        self.errors: list[dict[str, str]] = []
        self.rows_read = 0

    def add(self, message: str, line: int | None = None) -> None:
        """Record one bad row; raise InvalidError if that makes one too many."""
        error = {"reason": "invalid", "message": message}
        if line is not None:
            error["location"] = f"line {line}"
        self.errors.append(error)
        if len(self.errors) > self.limit:
            raise InvalidError(self.failure_message(), location=error.get("location", ""))

    def failure_message(self) -> str:
        first = self.errors[0]["message"]
        if self.limit == 0:
            return first
        return (
            f"Error while reading data, error message: {self.table_kind} table encountered too "
            f"many errors, giving up. Rows: {self.rows_read + len(self.errors)}; errors: "
            f"{len(self.errors)}. Please look into the errors[] collection for more details. "
            f"First error: {first}"
        )


class Source(Protocol):
    def detect_fields(self) -> list[dict[str, Any]]: ...

    def batches(self, fields: list[dict[str, Any]]) -> Iterator[pa.RecordBatch]: ...


def open_source(
    source_format: str, handle: IO[bytes], options: LoadOptions, bad: BadRecords
) -> Source:
    """Return the reader for a staged upload in source_format."""
    from console.engine.formats import delimited, ndjson, parquet

    readers: dict[str, Any] = {
        "CSV": delimited.CsvSource,
        "NEWLINE_DELIMITED_JSON": ndjson.JsonSource,
        "PARQUET": parquet.ParquetSource,
    }
    return readers[source_format](handle, options, bad)
