"""Table versions: write a new immutable Parquet file, then point the catalog at it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
from django.db import transaction

from console.catalog import storage
from console.catalog.models import Dataset, MLModel, Table
from console.engine.errors import DuplicateError, InvalidError
from console.engine.types import schema_from_arrow

ROW_GROUP_ROWS = 256 * 1024


def write_parquet(
    kind: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]
) -> tuple[str, int]:
    """Stream batches into a new stored Parquet file; return its relative path and row count."""
    relative = storage.new_path(kind, ".parquet")
    rows = 0
    with (
        storage.atomic_path(relative) as temp,
        pq.ParquetWriter(temp, schema, compression="zstd") as writer,
    ):
        for batch in batches:
            if batch.num_rows:
                writer.write_batch(batch, row_group_size=ROW_GROUP_ROWS)
                rows += batch.num_rows
    return relative, rows


def open_dataset(relative: str) -> pads.Dataset:
    return pads.dataset(storage.resolve(relative), format="parquet")


def commit_version(
    dataset: Dataset,
    table_id: str,
    relative: str,
    rows: int,
    schema: pa.Schema,
    fields: list[dict[str, Any]] | None = None,
) -> Table:
    """Point table_id at a freshly written file (creating the table); old data goes after."""
    size = storage.resolve(relative).stat().st_size
    with transaction.atomic():
        if MLModel.objects.filter(dataset=dataset, model_id=table_id).exists():
            storage.remove(relative)
            raise DuplicateError(
                f"Already Exists: Model {dataset.full_id}.{table_id} has the same name as the table"
            )
        table = Table.objects.select_for_update().filter(dataset=dataset, table_id=table_id).first()
        old_path = table.data_path if table else ""
        if table is None:
            table = Table(dataset=dataset, table_id=table_id)
        table.schema = fields or schema_from_arrow(schema)
        table.data_path = relative
        table.version += 1
        table.num_rows = rows
        table.num_bytes = size
        table.save()
        transaction.on_commit(lambda: storage.remove(old_path))
    return table


def existing_batches(table: Table | None, schema: pa.Schema) -> Iterable[pa.RecordBatch]:
    """Yield the rows of a table's current version, cast to schema (for appends)."""
    if table is None or not table.data_path:
        return
    for batch in open_dataset(table.data_path).to_batches():
        if batch.schema != schema:
            try:
                batch = batch.cast(schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
                raise InvalidError(
                    f"Provided Schema does not match Table {table.full_id}."
                ) from None
        yield batch
