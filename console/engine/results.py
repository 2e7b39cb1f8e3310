"""Read stored Parquet back a page at a time: a job's result or a table's current version."""

from __future__ import annotations

from typing import Any

import pyarrow.parquet as pq

from console.catalog import storage
from console.catalog.models import Table
from console.jobs.models import Job


def read_rows(
    source: Job | Table, start: int = 0, max_rows: int = 100
) -> tuple[list[dict[str, Any]], list[list[Any]], int]:
    """Return (schema fields, rows as Python values, total rows) for one page of source."""
    if isinstance(source, Job):
        relative, fields = source.result_path, source.result_schema
    else:
        relative, fields = source.data_path, source.schema
    if not relative:
        return fields, [], 0
    parquet = pq.ParquetFile(storage.resolve(relative))
    total = parquet.metadata.num_rows
    rows: list[list[Any]] = []
    skipped = 0
    for index in range(parquet.num_row_groups):
        group_rows = parquet.metadata.row_group(index).num_rows
        if skipped + group_rows <= start:
            skipped += group_rows
            continue
        table = parquet.read_row_group(index)
        offset = max(0, start - skipped)
        skipped += group_rows
        chunk = table.slice(offset, max_rows - len(rows))
        columns = [column.to_pylist() for column in chunk.columns]
        rows.extend([list(values) for values in zip(*columns, strict=True)])
        if len(rows) >= max_rows:
            break
    return fields, rows, total
