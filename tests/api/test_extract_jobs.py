"""Extract jobs and gs:// loads through the real client, and EXPORT DATA as a query."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from google.api_core import exceptions
from google.cloud import bigquery

from console.catalog.models import Table

pytestmark = pytest.mark.worker


def test_it_extracts_and_loads_through_cloud_storage_uris(bq: bigquery.Client) -> None:
    bq.create_dataset("shop")
    bq.query_and_wait(
        "CREATE TABLE shop.sales AS SELECT x AS id, CONCAT('item ', CAST(x AS STRING)) AS item "
        "FROM UNNEST(GENERATE_ARRAY(1, 5)) AS x"
    )
    job = bq.extract_table(
        "shop.sales",
        "gs://quarry-test/sales-*.csv.gz",
        job_config=bigquery.ExtractJobConfig(compression="GZIP"),
    )
    job.result()
    assert job.destination_uri_file_counts == [1]
    assert (Path(settings.QUARRY_BUCKETS_DIR) / "quarry-test/sales-000000000000.csv.gz").is_file()
    parquet = bq.extract_table(
        "shop.sales",
        "gs://quarry-test/sales.parquet",
        job_config=bigquery.ExtractJobConfig(destination_format="PARQUET"),
    )
    parquet.result()
    loaded = bq.load_table_from_uri(
        "gs://quarry-test/sales.parquet",
        "shop.copy",
        job_config=bigquery.LoadJobConfig(source_format="PARQUET"),
    )
    loaded.result()
    assert loaded.output_rows == 5 and Table.objects.get(table_id="copy").num_rows == 5
    exported = bq.query(
        "EXPORT DATA OPTIONS(uri='gs://quarry-test/odd/*.json', format='JSON', overwrite=true) "
        "AS SELECT id FROM shop.sales WHERE MOD(id, 2) = 1"
    )
    exported.result()
    assert exported.statement_type == "EXPORT_DATA"
    written = Path(settings.QUARRY_BUCKETS_DIR) / "quarry-test/odd/000000000000.json"
    assert written.read_text().splitlines() == ['{"id":"1"}', '{"id":"3"}', '{"id":"5"}']
    with pytest.raises(exceptions.NotFound, match="Not found: URI gs://quarry-test/nothing"):
        bq.load_table_from_uri(
            "gs://quarry-test/nothing.csv",
            "shop.none",
            job_config=bigquery.LoadJobConfig(autodetect=True),
        ).result()
    with pytest.raises(exceptions.BadRequest, match="gs://bucket/object URIs"):
        bq.extract_table("shop.sales", "s3://elsewhere/x.csv").result()
