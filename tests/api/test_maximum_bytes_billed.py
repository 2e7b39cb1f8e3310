"""maximumBytesBilled stops a query before it runs, with BigQuery's error (10 MB minimum)."""

from __future__ import annotations

import pyarrow as pa
import pytest
from google.api_core import exceptions
from google.cloud import bigquery

from console.catalog.models import Dataset, Project, Table
from console.engine import billing, tables
from console.errors import BigQueryError

pytestmark = pytest.mark.worker


@pytest.fixture
def ratings(bq: bigquery.Client) -> Table:
    dataset = Dataset.create(Project.default(), "ds")
    schema = pa.schema([("user_id", pa.int64()), ("rating", pa.float64())])
    rows = pa.record_batch([list(range(100)), [1.0] * 100], schema=schema)
    return tables.write_version(dataset, "ratings", schema, None, [rows])


def test_it_refuses_a_query_billed_past_the_limit(bq: bigquery.Client, ratings: Table) -> None:
    config = bigquery.QueryJobConfig(maximum_bytes_billed=1000)
    job = bq.query("CREATE TABLE ds.copy AS SELECT * FROM ds.ratings", job_config=config)
    # The client maps reasons it does not list to 500, as it does against BigQuery itself.
    with pytest.raises(exceptions.InternalServerError) as raised:
        job.result()
    assert job.error_result == {
        "reason": "bytesBilledLimitExceeded",
        "message": "Query exceeded limit for bytes billed: 1000. 10485760 or higher required.",
    }
    assert "Query exceeded limit for bytes billed: 1000." in str(raised.value)
    # Refused before it ran: the table it would have created does not exist.
    assert not Table.objects.filter(table_id="copy").exists()


def test_it_runs_a_query_within_the_limit(bq: bigquery.Client, ratings: Table) -> None:
    config = bigquery.QueryJobConfig(maximum_bytes_billed=billing.MIN_BILLED_BYTES)
    rows = list(bq.query("SELECT SUM(rating) AS s FROM ds.ratings", job_config=config).result())
    assert rows[0]["s"] == 100.0


def test_it_bills_nothing_for_a_query_that_reads_no_table(bq: bigquery.Client) -> None:
    config = bigquery.QueryJobConfig(maximum_bytes_billed=1)
    assert list(bq.query("SELECT 1 AS x", job_config=config).result())[0]["x"] == 1


def test_it_refuses_a_limit_that_is_not_a_number(bq: bigquery.Client) -> None:
    job = bigquery.QueryJobConfig()
    job._properties["query"]["maximumBytesBilled"] = "lots"
    with pytest.raises(exceptions.BadRequest, match="maximum_bytes_billed"):
        bq.query("SELECT 1", job_config=job).result()


def test_it_bills_whole_megabytes_and_at_least_ten() -> None:
    assert billing.billed_bytes(0) == 0
    assert billing.billed_bytes(1) == 10 * billing.MB
    assert billing.billed_bytes(10 * billing.MB + 1) == 11 * billing.MB
    with pytest.raises(BigQueryError, match="10485760 or higher required"):
        billing.check_limit({"maximumBytesBilled": "10485759"}, 5)
