"""A query job's destination table through the real google-cloud-bigquery client."""

from __future__ import annotations

import pytest
from google.api_core.exceptions import Conflict
from google.cloud import bigquery

from console.catalog.models import Table

pytestmark = pytest.mark.worker


def test_it_writes_query_results_to_the_destination(bq: bigquery.Client) -> None:
    bq.create_dataset("shop")
    destination = f"{bq.project}.shop.numbers"

    def query(sql: str, disposition: str) -> bigquery.table.RowIterator:
        config = bigquery.QueryJobConfig(destination=destination, write_disposition=disposition)
        return bq.query(sql, job_config=config).result()

    assert [r.n for r in query("SELECT 1 AS n", "WRITE_EMPTY")] == [1]
    with pytest.raises(Conflict, match="Already Exists: Table"):
        query("SELECT 2 AS n", "WRITE_EMPTY")
    rows = query("SELECT 2 AS n", "WRITE_APPEND")
    # The job's result is the destination table, so it holds the rows appended to as well.
    assert sorted(r.n for r in rows) == [1, 2]
    assert Table.objects.get(table_id="numbers").num_rows == 2
    assert [r.n for r in bq.list_rows(destination)] in ([1, 2], [2, 1])
