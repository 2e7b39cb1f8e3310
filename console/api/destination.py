"""A finished query's result written to a destination table, as bq's --destination_table does.

Kept apart until the engine honours `configuration.query.destinationTable` on the worker; it
only calls the engine's table-version functions.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pyarrow as pa

from console.catalog.models import Dataset, Table
from console.engine import tables
from console.errors import DuplicateError, InvalidError
from console.jobs.models import Job

DISPOSITIONS = ("WRITE_EMPTY", "WRITE_TRUNCATE", "WRITE_APPEND")


def write_query_result(job: Job, dataset: Dataset, table_id: str, disposition: str) -> Table:
    """Store a DONE query job's rows as a new version of dataset.table_id and return the table."""
    if disposition not in DISPOSITIONS:
        raise InvalidError(f"Invalid write disposition {disposition}")
    if not job.result_path:
        raise InvalidError(f"Job {job.job_id} has no result rows to write")
    existing = Table.objects.filter(dataset=dataset, table_id=table_id).first()
    if existing is not None and disposition == "WRITE_EMPTY" and existing.num_rows:
        raise DuplicateError(f"Already Exists: Table {dataset.full_id}.{table_id}")
    result = tables.open_dataset(job.result_path)
    schema = result.schema
    batches: Iterator[pa.RecordBatch] = iter(result.to_batches())
    if existing is not None and disposition == "WRITE_APPEND":
        batches = itertools.chain(tables.existing_batches(existing, schema), batches)
    relative, rows = tables.write_parquet("tables", schema, batches)
    return tables.commit_version(dataset, table_id, relative, rows, schema, job.result_schema)
