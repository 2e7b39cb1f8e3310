"""Pages must not read the catalog once per row: their query count stays flat as it grows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from console.catalog import storage
from console.catalog.models import Dataset, MLModel, Table
from console.engine import results
from console.jobs.models import Job


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dataset_page_reads_its_tables_in_one_query(
    client: Client, dataset: Dataset, ratings: Table, model: MLModel
) -> None:
    before = _queries(client, "/d/bqml_tutorial/")
    for i in range(5):
        Table.objects.create(dataset=dataset, table_id=f"extra_{i}")
    assert _queries(client, "/d/bqml_tutorial/") == before
    assert _queries(client, "/d/bqml_tutorial/edit") == before
    assert _queries(client, "/d/bqml_tutorial/delete") == before


def test_job_history_reads_its_jobs_in_one_query(
    client: Client, done_job: Callable[..., Job]
) -> None:
    done_job()
    before = _queries(client, "/jobs/?history=project")
    for i in range(10):
        done_job(configuration={"query": {"query": f"SELECT {i}"}})
    assert _queries(client, "/jobs/?history=project") == before


def test_a_page_of_rows_may_span_row_groups(db: None, store_rows: Any, tmp_path: Any) -> None:
    relative = store_rows([{"name": "n", "type": "INT64", "mode": "NULLABLE"}], [{"n": 0}])
    # Rewrite the file with tiny row groups: 0..99 in groups of 7 rows.
    table = pa.table({"n": pa.array(range(100), type=pa.int64())})
    pq.write_table(table, storage.resolve(relative), row_group_size=7)
    result = (relative, [{"name": "n", "type": "INT64"}])
    for start, size in [(0, 50), (5, 10), (7, 7), (95, 50), (100, 50), (13, 0)]:
        _, rows, total = results.read_rows(result, start, size)
        assert total == 100
        assert rows == [[n] for n in range(start, min(start + size, 100))], (start, size)
