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
    first_group, skip = 0, start
    while first_group < parquet.num_row_groups:
        group_rows = parquet.metadata.row_group(first_group).num_rows
        if skip < group_rows:
            break
        skip -= group_rows
        first_group += 1
    rows: list[list[Any]] = []
    # Read small batches from the row group that holds `start` on, not whole row groups: a page
    # of 50 rows must not decode 256K.
    groups = list(range(first_group, parquet.num_row_groups))
    batch_size = max(1, min(max_rows + skip, 8192))
    for batch in parquet.iter_batches(batch_size=batch_size, row_groups=groups) if groups else []:
        if skip >= batch.num_rows:
            skip -= batch.num_rows
            continue
        chunk = batch.slice(skip, max_rows - len(rows))
        skip = 0
        columns = [column.to_pylist() for column in chunk.columns]
        rows.extend([list(values) for values in zip(*columns, strict=True)])
        if len(rows) >= max_rows:
            break
    return fields, rows, total
