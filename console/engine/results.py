"""Read stored Parquet back a page at a time: a job's result or a table's current version."""

from __future__ import annotations

from typing import Any

import pyarrow.parquet as pq

from console.catalog import storage
from console.catalog.models import Table
from console.errors import NotFoundError

# A stored file and its BigQuery fields, such as a job's result_path and result_schema.
Stored = tuple[str, list[dict[str, Any]]]


def read_rows(
    source: Table | Stored, start: int = 0, max_rows: int = 100
) -> tuple[list[dict[str, Any]], list[list[Any]], int]:
    """Return (schema fields, rows as Python values, total rows) for one page of source."""
    if isinstance(source, Table):
        relative, fields = source.data_path, source.schema
    else:
        relative, fields = source
    if not relative:
        return fields, [], 0
    path = storage.resolve(relative)
    if not path.exists():
        # A query job's result may be its destination table's version, which goes with the table.
        raise NotFoundError("Not found: the table holding these rows has been deleted")
    # No pre-buffering: a page needs a few column pages of one row group, not whole chunks.
    parquet = pq.ParquetFile(path, pre_buffer=False)
    metadata = parquet.metadata
    total = metadata.num_rows
    group, skip = 0, start
    while group < metadata.num_row_groups:
        group_rows = metadata.row_group(group).num_rows
        if skip < group_rows:
            break
        skip -= group_rows
        group += 1
    rows: list[list[Any]] = []
    # Read small batches of one row group at a time, from the one that holds `start` on, not
    # whole row groups (a page of 50 rows must not decode 256K) nor a reader over every later
    # group (it reads ahead).
    while group < metadata.num_row_groups and len(rows) < max_rows:
        batch_size = max(1, min(max_rows - len(rows) + skip, 8192))
        batches = parquet.iter_batches(batch_size=batch_size, row_groups=[group], use_threads=False)
        for batch in batches:
            if skip >= batch.num_rows:
                skip -= batch.num_rows
                continue
            chunk = batch.slice(skip, max_rows - len(rows))
            skip = 0
            columns = [column.to_pylist() for column in chunk.columns]
            rows.extend([list(values) for values in zip(*columns, strict=True)])
            if len(rows) >= max_rows:
                break
        group += 1
    return fields, rows, total
