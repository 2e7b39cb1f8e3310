"""PARQUET: self-describing, read a row group at a time and cast to the table's fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from console.engine.formats import BadRecords, LoadOptions
from console.engine.formats.convert import CONVERSION_ERRORS, convert_array
from console.engine.types import arrow_schema, bigquery_arrow_schema, schema_from_arrow
from console.errors import InvalidError

BATCH_ROWS = 128 * 1024


class ParquetSource:
    """A staged Parquet upload."""

    def __init__(self, handle: IO[bytes], options: LoadOptions, bad: BadRecords) -> None:
        self.bad = bad
        try:
            self.file = pq.ParquetFile(handle)
        except (pa.ArrowException, OSError) as err:
            raise InvalidError(
                f"Error while reading data, error message: Invalid Parquet file: "
                f"{str(err).splitlines()[0]}"
            ) from None

    def detect_fields(self) -> list[dict[str, Any]]:
        """Return the BigQuery fields of the file's own schema."""
        return schema_from_arrow(bigquery_arrow_schema(self.file.schema_arrow))

    def batches(self, fields: list[dict[str, Any]]) -> Iterator[pa.RecordBatch]:
        """Yield the file's columns named by fields, cast to their Arrow types."""
        schema = arrow_schema(fields)
        present = set(self.file.schema_arrow.names)
        missing = [f["name"] for f in fields if f["name"] not in present]
        if missing:
            raise InvalidError(
                f"Error while reading data, error message: Parquet file has no column "
                f"{missing[0]} of the table's schema"
            )
        names = [f["name"] for f in fields]
        try:
            for batch in self.file.iter_batches(batch_size=BATCH_ROWS, columns=names):
                columns = []
                for position, field in enumerate(fields):
                    try:
                        columns.append(convert_array(batch.column(position), field))
                    except CONVERSION_ERRORS as err:
                        raise InvalidError(
                            f"Error while reading data, error message: Parquet column "
                            f"{field['name']} (position {position}) of type "
                            f"{batch.schema.field(position).type} cannot be read as "
                            f"{field['type']}: {str(err).splitlines()[0]}"
                        ) from None
                self.bad.rows_read += batch.num_rows
                yield pa.RecordBatch.from_arrays(columns, schema=schema)
        except (pa.ArrowException, OSError) as err:
            raise InvalidError(
                f"Error while reading data, error message: Invalid Parquet file: "
                f"{str(err).splitlines()[0]}"
            ) from None
