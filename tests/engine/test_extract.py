"""Extract jobs, EXPORT DATA and gs:// loads: files in QUARRY_BUCKETS_DIR, as BigQuery writes."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
from pathlib import Path
from typing import Any

import fastavro
import pyarrow.parquet as pq
import pytest
from django.conf import settings

from console.catalog.models import Dataset, Project, Table
from console.errors import InvalidError, NotFoundError
from console.jobs.models import Job
from console.jobs.submit import submit
from tests.conftest import job_rows, run_here

pytestmark = pytest.mark.django_db

SETUP = (
    "CREATE TABLE shop.sales AS SELECT * FROM UNNEST(["
    "STRUCT(1 AS id, 'ada, \"the first\"' AS name, 2.5 AS price, TRUE AS paid, "
    "TIMESTAMP '2024-01-31 12:00:00.5 UTC' AS at, DATE '2024-01-31' AS day, b'\\x00\\xff' AS raw), "
    "STRUCT(2, NULL, 10.0, FALSE, NULL, NULL, NULL)])"
)


def run(sql: str) -> Job:
    job = run_here({"query": {"query": sql, "useLegacySql": False}})
    assert job.error_result is None, job.error_result
    return job


def extract(source: str, *uris: str, **options: Any) -> Job:
    dataset_id, table_id = source.split(".")
    config = {
        "sourceTable": {"datasetId": dataset_id, "tableId": table_id},
        "destinationUris": list(uris),
        **options,
    }
    return run_here({"extract": config})


def bucket_file(name: str) -> Path:
    return Path(settings.QUARRY_BUCKETS_DIR) / name


@pytest.fixture
def sales() -> Table:
    Dataset.create(Project.default(), "shop")
    run(SETUP)
    return Table.objects.get(table_id="sales")


def test_it_extracts_a_table_as_bigquery_writes_csv(sales: Table) -> None:
    job = extract("shop.sales", "gs://exports/sales/part-*.csv")
    assert job.error_result is None, job.error_result
    assert job.statistics["destinationUriFileCounts"] == ["1"]
    text = bucket_file("exports/sales/part-000000000000.csv").read_text()
    assert text.splitlines() == [
        "id,name,price,paid,at,day,raw",
        '1,"ada, ""the first""",2.5,true,2024-01-31 12:00:00.5 UTC,2024-01-31,AP8=',
        "2,,10.0,false,,,",
    ]
    # No temporary file is left beside it.
    assert [p.name for p in bucket_file("exports/sales").iterdir()] == ["part-000000000000.csv"]


def test_it_extracts_json_and_parquet_with_compression(sales: Table) -> None:
    job = extract(
        "shop.sales",
        "gs://exports/sales.json.gz",
        destinationFormat="NEWLINE_DELIMITED_JSON",
        compression="GZIP",
    )
    assert job.error_result is None, job.error_result
    lines = gzip.decompress(bucket_file("exports/sales.json.gz").read_bytes()).splitlines()
    first = json.loads(lines[0])
    assert first["id"] == "1" and first["paid"] is True and first["price"] == 2.5
    assert first["at"] == "2024-01-31 12:00:00.5 UTC"
    assert json.loads(lines[1])["name"] is None
    job = extract(
        "shop.sales", "gs://exports/sales.parquet", destinationFormat="PARQUET", compression="ZSTD"
    )
    assert job.error_result is None, job.error_result
    stored = pq.read_table(bucket_file("exports/sales.parquet"))
    assert stored.num_rows == 2 and stored.column("name").to_pylist()[1] is None
    assert (
        pq.ParquetFile(bucket_file("exports/sales.parquet"))
        .metadata.row_group(0)
        .column(0)
        .compression
        == "ZSTD"
    )


@pytest.mark.parametrize("compression", ["NONE", "DEFLATE", "SNAPPY"])
def test_it_extracts_avro_with_bigquerys_types(sales: Table, compression: str) -> None:
    job = extract(
        "shop.sales", "gs://exports/sales.avro", destinationFormat="AVRO", compression=compression
    )
    assert job.error_result is None, job.error_result
    with bucket_file("exports/sales.avro").open("rb") as handle:
        reader = fastavro.reader(handle)
        rows = list(reader)
        schema = reader.writer_schema
        codec = reader.codec
    assert codec == {"NONE": "null"}.get(compression, compression.lower())
    types = {field["name"]: field["type"] for field in schema["fields"]}
    assert types["id"] == ["null", "long"] and types["raw"] == ["null", "bytes"]
    assert types["at"][1] == {"type": "long", "logicalType": "timestamp-micros"}
    assert rows[0] == {
        "id": 1,
        "name": 'ada, "the first"',
        "price": 2.5,
        "paid": True,
        "at": dt.datetime(2024, 1, 31, 12, 0, 0, 500000, tzinfo=dt.UTC),
        "day": dt.date(2024, 1, 31),
        "raw": b"\x00\xff",
    }
    assert rows[1]["name"] is None and rows[1]["price"] == 10.0


def test_it_loads_back_what_it_extracted(sales: Table) -> None:
    assert extract("shop.sales", "gs://exports/a-*.csv").error_result is None
    # A second file, with the header a CSV export has and no final newline.
    bucket_file("exports/b-1.csv").write_text("id,name,price,paid,at,day,raw\n3,carol,1,,,,")
    load = {
        "destinationTable": {"datasetId": "shop", "tableId": "again"},
        "sourceUris": ["gs://exports/a-*.csv", "gs://exports/b-*.csv"],
        "skipLeadingRows": 1,
        "schema": {"fields": sales.schema},
    }
    job = run_here({"load": load})
    assert job.error_result is None, job.error_result
    _, rows, total = job_rows(run("SELECT id, name, at, raw FROM shop.again ORDER BY id"))
    _, original, _ = job_rows(run("SELECT id, name, at, raw FROM shop.sales ORDER BY id"))
    assert total == 3 and rows[:2] == original and rows[2][:2] == [3, "carol"]


def test_it_exports_a_querys_rows_with_export_data(sales: Table) -> None:
    job = run(
        "EXPORT DATA OPTIONS(uri='gs://exports/paid/*.csv', format='CSV', overwrite=true, "
        "header=true, field_delimiter=';') AS SELECT id, price FROM shop.sales WHERE paid"
    )
    assert job.statistics["statementType"] == "EXPORT_DATA"
    assert job.statistics["exportDataStatistics"] == {"fileCount": "1", "rowCount": "1"}
    assert bucket_file("exports/paid/000000000000.csv").read_text() == "id;price\n1;2.5\n"
    again = run_here(
        {
            "query": {
                "query": "EXPORT DATA OPTIONS(uri='gs://exports/paid/*.csv', format='CSV') "
                "AS SELECT 1 AS x",
                "useLegacySql": False,
            }
        }
    )
    assert "already holds data; set overwrite=true" in again.error_result["message"]
    assert bucket_file("exports/paid/000000000000.csv").read_text() == "id;price\n1;2.5\n"


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("/etc/passwd", "Quarry reads and writes gs://bucket/object URIs"),
        ("gs://exports/../../escape.csv", "non-empty parts without . or .."),
        ("gs://Bad_Bucket/x.csv", "is not a bucket name"),
        ("gs://exports/a*b*.csv", "only one wildcard"),
        ("gs://exports/", "non-empty parts"),
    ],
)
def test_it_refuses_a_uri_that_is_not_a_bucket_object(sales: Table, uri: str, message: str) -> None:
    with pytest.raises(InvalidError, match=message):
        submit(
            None,
            Project.default(),
            {
                "extract": {
                    "sourceTable": {"datasetId": "shop", "tableId": "sales"},
                    "destinationUris": [uri],
                }
            },
        )
    assert not Job.objects.filter(job_type=Job.Type.EXTRACT).exists()


def test_it_never_follows_a_link_out_of_the_bucket(sales: Table, tmp_path: Path) -> None:
    bucket_file("linked").mkdir(parents=True, exist_ok=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, bucket_file("linked/out"))
    job = extract("shop.sales", "gs://linked/out/sales.csv")
    assert "it leaves bucket linked" in job.error_result["message"]
    assert list(outside.iterdir()) == []


def test_it_says_what_cannot_be_extracted(sales: Table) -> None:
    run("CREATE TABLE shop.nested AS SELECT [1, 2] AS xs")
    job = extract("shop.nested", "gs://exports/nested.csv")
    assert job.error_result["message"] == (
        "Operation cannot be performed on a nested schema. Field: xs"
    )
    assert not bucket_file("exports/nested.csv").exists()
    job = extract("shop.missing", "gs://exports/missing.csv")
    assert job.error_result["message"] == "Not found: Table local-project:shop.missing"
    with pytest.raises(InvalidError, match="AVRO files take NONE, DEFLATE, SNAPPY"):
        extract("shop.sales", "gs://exports/x.avro", destinationFormat="AVRO", compression="GZIP")
    with pytest.raises(NotFoundError, match="Not found: URI gs://exports/none-\\*.csv"):
        submit(
            None,
            Project.default(),
            {
                "load": {
                    "destinationTable": {"datasetId": "shop", "tableId": "t"},
                    "sourceUris": ["gs://exports/none-*.csv"],
                    "autodetect": True,
                }
            },
        )
