"""Loads through the REST API with the real client: every option it sends reaches the loader."""

from __future__ import annotations

import io

import pytest
from google.api_core.exceptions import BadRequest
from google.cloud import bigquery

from console.catalog.models import Dataset, Project, Table
from console.engine.results import read_rows
from console.jobs.models import Job

pytestmark = pytest.mark.worker
SCHEMA = [
    bigquery.SchemaField("n", "INT64"),
    bigquery.SchemaField("s", "STRING"),
    bigquery.SchemaField("t", "STRING"),
]


@pytest.fixture
def ds(bq: bigquery.Client) -> Dataset:
    return Dataset.create(Project.default(), "ds")


def _load(bq: bigquery.Client, data: bytes, table: str = "t", **config) -> bigquery.LoadJob:
    job_config = bigquery.LoadJobConfig(source_format=bigquery.SourceFormat.CSV, **config)
    return bq.load_table_from_file(io.BytesIO(data), f"ds.{table}", job_config=job_config)


def _rows(table_id: str) -> list[list]:
    _, rows, _ = read_rows(Table.objects.get(table_id=table_id), 0, 100)
    return rows


def test_it_detects_a_header_when_skip_leading_rows_is_left_out(
    bq: bigquery.Client, ds: Dataset
) -> None:
    data = b"user_id,item_id,title\n1,10,Heat\n2,20,Up\n"
    job = _load(bq, data, autodetect=True).result()
    assert job.skip_leading_rows is None  # the configuration comes back as the client sent it
    table = bq.get_table("ds.t")
    assert [(f.name, f.field_type) for f in table.schema] == [
        ("user_id", "INTEGER"),
        ("item_id", "INTEGER"),
        ("title", "STRING"),
    ]
    assert table.num_rows == 2


def test_it_hands_every_csv_option_to_the_loader(bq: bigquery.Client, ds: Dataset) -> None:
    data = (
        b"1,'two\nlines',x\n"  # a quoted newline, quoted with '
        b"2,\\N,y\n"  # the null marker
        b"3,short\n"  # a jagged row
        b"4,extra,z,unknown\n"  # an unknown trailing value
        b"oops,bad,w\n"  # a bad record
    )
    job = _load(
        bq,
        data,
        schema=SCHEMA,
        quote_character="'",
        null_marker="\\N",
        allow_quoted_newlines=True,
        allow_jagged_rows=True,
        ignore_unknown_values=True,
        max_bad_records=1,
    ).result()
    assert job.output_rows == 4
    assert [e["location"] for e in job.errors] == ["line 6"]
    assert "Could not parse 'oops' as INT64" in job.errors[0]["message"]
    assert sorted(_rows("t")) == [
        [1, "two\nlines", "x"],
        [2, None, "y"],
        [3, "short", None],
        [4, "extra", "z"],
    ]
    stored = Job.objects.get(job_id=job.job_id).configuration["load"]
    assert {k: stored[k] for k in ("quote", "nullMarker", "maxBadRecords")} == {
        "quote": "'",
        "nullMarker": "\\N",
        "maxBadRecords": 1,
    }


def test_it_refuses_a_bad_option_by_name_and_creates_nothing(
    bq: bigquery.Client, ds: Dataset
) -> None:
    with pytest.raises(BadRequest, match="Invalid value for encoding: 'UTF-7'"):
        _load(bq, b"1\n", schema=[bigquery.SchemaField("n", "INT64")], encoding="UTF-7")
    assert not Job.objects.exists() and not Table.objects.exists()
