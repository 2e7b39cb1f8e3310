"""Table versions: write a new immutable Parquet file, then point the catalog at it."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
from django.db import transaction
from django.utils import timezone

from console import hooks
from console.catalog import storage
from console.catalog.models import TIME_TRAVEL_WINDOW, Dataset, Project, Table, TableVersion
from console.engine.types import schema_from_arrow
from console.errors import ConcurrentUpdateError, InvalidError

ROW_GROUP_ROWS = 256 * 1024
# The version a writer read when it found no table (table versions count from 0).
NO_TABLE = -1


def anonymous_table(
    principal: Any, project: Project, dataset_id: str, table_id: str
) -> Table | None:
    """Return the principal's anonymous result table by that name, or None if it names none.

    Raises NotFoundError for a name in the principal's own hidden dataset that looks like a
    result table but whose job is gone, failed or past its 24 hours.
    """
    # The jobs layer, which keeps the jobs, answers (hooks: "anonymous_table").
    return hooks.call("anonymous_table", principal, project, dataset_id, table_id)


def not_allowed(table: Table) -> InvalidError:
    """Return BigQuery's refusal of an operation on a table of the wrong type (a view, a table)."""
    return InvalidError(
        f"{table.full_id} is not allowed for this operation because it is currently a "
        f"{table.table_type}."
    )


def write_parquet(
    kind: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch], purpose: str = ""
) -> tuple[str, int]:
    """Stream batches into a new stored Parquet file; return its relative path and row count.

    purpose is what a full-storage error says the file was for (see storage.atomic_path).
    """
    relative = storage.new_path(kind, ".parquet")
    rows = 0
    with (
        storage.atomic_path(relative, purpose) as temp,
        pq.ParquetWriter(temp, schema, compression="zstd") as writer,
    ):
        for batch in batches:
            if batch.num_rows:
                writer.write_batch(batch, row_group_size=ROW_GROUP_ROWS)
                rows += batch.num_rows
    return relative, rows


def open_dataset(relative: str) -> pads.Dataset:
    return pads.dataset(storage.resolve(relative), format="parquet")


def write_version(
    dataset: Dataset,
    table_id: str,
    schema: pa.Schema,
    fields: list[dict[str, Any]] | None,
    batches: Iterable[pa.RecordBatch],
    *,
    read: Table | None = None,
    append: bool = False,
    new: bool = False,
) -> Table:
    """Write batches as table_id's next version, commit it and return the table.

    read is the version the writer started from: its rows come first when appending, and the
    commit fails if another writer committed after it (see commit_version). new says the writer
    found no table: the commit fails if another writer created it meanwhile.
    """
    if append and read is not None:
        batches = itertools.chain(existing_batches(read, schema), batches)
    expected = read.version if read is not None else (NO_TABLE if new else None)
    relative, rows = write_parquet(
        "tables", schema, batches, f"writing table {dataset.full_id}.{table_id}"
    )
    return commit_version(
        dataset, table_id, relative, rows, schema, fields, expected_version=expected
    )


def write_next_version(
    table: Table, schema: pa.Schema, batches: Iterable[pa.RecordBatch], *, append: bool = False
) -> Table:
    """Replace (or append to) an existing table's rows, as DML statements and inserts do."""
    return write_version(
        table.dataset, table.table_id, schema, table.schema, batches, read=table, append=append
    )


def commit_version(
    dataset: Dataset,
    table_id: str,
    relative: str,
    rows: int,
    schema: pa.Schema,
    fields: list[dict[str, Any]] | None = None,
    *,
    expected_version: int | None = None,
) -> Table:
    """Point table_id at a freshly written file, creating the table if needed.

    A statement that read version N before writing passes expected_version=N (NO_TABLE if it
    found none): if another writer committed in between, this one fails instead of silently
    dropping the other's rows.

    The previous version's file stays for time travel; versions older than the window go. A
    commit that fails removes the new file: no row will ever name it.
    """
    try:
        return _commit_version(
            dataset, table_id, relative, rows, schema, fields, expected_version=expected_version
        )
    except BaseException:
        storage.remove(relative)
        raise


def _commit_version(
    dataset: Dataset,
    table_id: str,
    relative: str,
    rows: int,
    schema: pa.Schema,
    fields: list[dict[str, Any]] | None,
    *,
    expected_version: int | None,
) -> Table:
    path = storage.resolve(relative)
    size = path.stat().st_size
    column_bytes = _column_bytes(path)
    now = timezone.now()
    with transaction.atomic():
        dataset.check_name_free(table_id, "table")
        table = Table.objects.select_for_update().filter(dataset=dataset, table_id=table_id).first()
        current = table.version if table is not None else NO_TABLE
        if expected_version is not None and current != expected_version:
            raise ConcurrentUpdateError(
                f"Could not serialize access to table {dataset.full_id}.{table_id} due to "
                "concurrent update"
            )
        if table is not None and table.expired:
            table.delete_with_files()
            table = None
        if table is not None and table.table_type == Table.Type.VIEW:
            # Rows never go into a view: loads, copies, inserts, DML and CTAS all stop here.
            table.dataset = dataset
            raise not_allowed(table)
        if table is None:
            table = Table(dataset=dataset, table_id=table_id)
            if dataset.default_table_expiration_ms:
                table.expiration_time = now + dt.timedelta(
                    milliseconds=dataset.default_table_expiration_ms
                )
        table.schema = fields or schema_from_arrow(schema)
        table.data_path = relative
        table.version += 1
        table.num_rows = rows
        table.num_bytes = size
        table.column_bytes = column_bytes
        table.save()
        TableVersion.objects.create(
            table=table,
            version=table.version,
            data_path=relative,
            schema=table.schema,
            num_rows=rows,
            num_bytes=size,
            column_bytes=column_bytes,
            created=now,
        )
        stale = table.versions.filter(created__lt=now - TIME_TRAVEL_WINDOW).exclude(
            version=table.version
        )
        stale_paths = list(stale.values_list("data_path", flat=True))
        stale.delete()
        # Robust: once committed, a removal that fails is logged, not raised as a failed commit.
        transaction.on_commit(lambda: [storage.remove(p) for p in stale_paths], robust=True)
    return table


def _column_bytes(path: Any) -> dict[str, int]:
    """Return each top-level column's uncompressed size, which is what a query reading it scans."""
    metadata = pq.ParquetFile(path).metadata
    sizes: dict[str, int] = {}
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for index in range(row_group.num_columns):
            column = row_group.column(index)
            name = column.path_in_schema.split(".")[0]
            sizes[name] = sizes.get(name, 0) + column.total_uncompressed_size
    return sizes


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
