"""Query parameters through the real client: named, positional, arrays, structs, DB-API."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from google.api_core import exceptions
from google.cloud import bigquery
from google.cloud.bigquery import dbapi

pytestmark = pytest.mark.worker


def test_it_binds_the_clients_named_parameters(bq: bigquery.Client) -> None:
    config = bigquery.QueryJobConfig(
        query_parameters=[
            bigquery.ScalarQueryParameter("n", "INT64", 41),
            bigquery.ScalarQueryParameter("x", "FLOAT64", 0.5),
            bigquery.ScalarQueryParameter("price", "NUMERIC", decimal.Decimal("9.99")),
            bigquery.ScalarQueryParameter("ok", "BOOL", True),
            bigquery.ScalarQueryParameter("name", "STRING", "O'Brien"),
            bigquery.ScalarQueryParameter("day", "DATE", dt.date(2024, 1, 31)),
            bigquery.ScalarQueryParameter(
                "at", "TIMESTAMP", dt.datetime(2024, 1, 31, 12, 0, tzinfo=dt.UTC)
            ),
            bigquery.ScalarQueryParameter("local", "DATETIME", dt.datetime(2024, 1, 31, 8, 30)),
            bigquery.ArrayQueryParameter("ids", "INT64", [1, 2, 3]),
            bigquery.StructQueryParameter(
                "who",
                bigquery.ScalarQueryParameter("id", "INT64", 7),
                bigquery.ScalarQueryParameter("tag", "STRING", "a"),
            ),
        ]
    )
    job = bq.query(
        "SELECT @n + 1 AS n, @x * 2 AS x, @price AS price, @ok AS ok, @name AS name, "
        "DATE_ADD(@day, INTERVAL 1 DAY) AS day, @at AS at, @local AS local, "
        "ARRAY_LENGTH(@ids) AS ids, @who.id AS who_id, @who.tag AS who_tag",
        job_config=config,
    )
    row = list(job.result())[0]
    assert dict(row.items()) == {
        "n": 42,
        "x": 1.0,
        "price": decimal.Decimal("9.99"),
        "ok": True,
        "name": "O'Brien",
        "day": dt.date(2024, 2, 1),
        "at": dt.datetime(2024, 1, 31, 12, 0, tzinfo=dt.UTC),
        "local": dt.datetime(2024, 1, 31, 8, 30),
        "ids": 3,
        "who_id": 7,
        "who_tag": "a",
    }
    # The job keeps its parameters, as BigQuery shows them back.
    fetched = bq.get_job(job.job_id)
    assert [p.name for p in fetched.query_parameters][:2] == ["n", "x"]


def test_it_binds_positional_parameters_through_jobs_query(bq: bigquery.Client) -> None:
    rows = bq.query_and_wait(
        "SELECT x, ? AS limit_given FROM UNNEST(['a', 'b', 'c']) AS x WHERE x >= ? ORDER BY x",
        job_config=bigquery.QueryJobConfig(
            query_parameters=[
                bigquery.ScalarQueryParameter(None, "INT64", 10),
                bigquery.ScalarQueryParameter(None, "STRING", "b"),
            ]
        ),
    )
    assert [tuple(row.values()) for row in rows] == [("b", 10), ("c", 10)]


def test_it_serves_the_db_api_with_parameters(bq: bigquery.Client) -> None:
    cursor = dbapi.connect(client=bq).cursor()
    cursor.execute("SELECT %(word)s AS word, %(n)s * 2 AS twice", {"word": "it's", "n": 21})
    assert cursor.fetchall()[0].values() == ("it's", 42)
    cursor.execute("SELECT %s AS a, %s AS b", ("x", 2.5))
    assert cursor.fetchall()[0].values() == ("x", 2.5)


def test_it_answers_a_missing_parameter_in_bigquerys_words(bq: bigquery.Client) -> None:
    with pytest.raises(exceptions.BadRequest, match=r"Query parameter 'who' not found at \[1:8\]"):
        bq.query_and_wait("SELECT @who")
    with pytest.raises(exceptions.BadRequest, match="invalid INT64 value"):
        bq.query_and_wait(
            "SELECT @n",
            job_config=bigquery.QueryJobConfig(
                query_parameters=[bigquery.ScalarQueryParameter("n", "INT64", "ten")]
            ),
        )
