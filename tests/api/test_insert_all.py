"""Changing rows through the real client: tabledata.insertAll, and what DML reports."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from google.api_core.exceptions import NotFound
from google.cloud import bigquery

from console.catalog.models import Table
from tests.api.conftest import make_client

SCHEMA = [
    bigquery.SchemaField("user_id", "INT64", mode="REQUIRED"),
    bigquery.SchemaField("rating", "FLOAT64"),
    bigquery.SchemaField("rated_at", "TIMESTAMP"),
    bigquery.SchemaField("tags", "STRING", mode="REPEATED"),
    bigquery.SchemaField("meta", "RECORD", fields=[bigquery.SchemaField("source", "STRING")]),
]
CONCURRENT_INSERTS = 20
WHEN = dt.datetime(2026, 11, 28, 9, 30, 15, 250000, tzinfo=dt.UTC)


@pytest.fixture
def table(bq: bigquery.Client) -> bigquery.Table:
    bq.create_dataset("streams")
    return bq.create_table(bigquery.Table("local-project.streams.events", schema=SCHEMA))


def stored(bq: bigquery.Client) -> list[dict]:
    rows = bq.list_rows("local-project.streams.events", selected_fields=SCHEMA)
    return sorted((dict(row) for row in rows), key=lambda row: row["user_id"])


def test_it_appends_json_rows_with_nested_and_repeated_values(
    bq: bigquery.Client, table: bigquery.Table
) -> None:
    first = [
        {"user_id": 1, "rating": 4.5, "rated_at": "2026-11-28 09:30:15.25", "tags": ["a", "b"],
         "meta": {"source": "web"}},
        {"user_id": 2, "rating": None, "tags": []},
    ]  # fmt: skip
    assert bq.insert_rows_json(table, first) == []
    # insert_rows converts Python values through the table's schema, as scripts usually do.
    assert bq.insert_rows(bq.get_table(table), [(3, 2.0, WHEN, ["c"], {"source": "cli"})]) == []
    assert stored(bq) == [
        {"user_id": 1, "rating": 4.5, "rated_at": WHEN, "tags": ["a", "b"],
         "meta": {"source": "web"}},
        {"user_id": 2, "rating": None, "rated_at": None, "tags": [], "meta": None},
        {"user_id": 3, "rating": 2.0, "rated_at": WHEN, "tags": ["c"], "meta": {"source": "cli"}},
    ]  # fmt: skip
    assert bq.get_table(table).num_rows == 3
    got = bq.query("SELECT SUM(user_id) AS s FROM streams.events").result()
    assert [row["s"] for row in got] == [6]


def test_it_keeps_every_row_out_when_one_is_bad(bq: bigquery.Client, table: bigquery.Table) -> None:
    bq.insert_rows_json(table, [{"user_id": 1}])
    before = Table.objects.get(table_id="events")
    rows = [{"user_id": 2}, {"user_id": "two"}, {"user_id": 3, "colour": "red"}, {"user_id": 4}]
    errors = bq.insert_rows_json(table, rows)
    assert [(e["index"], e["errors"][0]["reason"]) for e in errors] == [
        (0, "stopped"), (1, "invalid"), (2, "invalid"), (3, "stopped"),
    ]  # fmt: skip
    assert "two" in errors[1]["errors"][0]["message"]
    assert "INT64" in errors[1]["errors"][0]["message"]
    assert "colour" in errors[2]["errors"][0]["message"]
    after = Table.objects.get(table_id="events")
    assert (after.version, after.data_path, after.num_rows) == (
        before.version, before.data_path, 1,
    )  # fmt: skip


def test_it_skips_invalid_rows_and_unknown_values_when_asked(
    bq: bigquery.Client, table: bigquery.Table
) -> None:
    rows = [
        {"user_id": 2}, {"user_id": "two"}, {"user_id": 3, "colour": "red"},
        {"user_id": 4, "rated_at": "yesterday"}, {"user_id": 5, "rating": "4.5"},
    ]  # fmt: skip
    errors = bq.insert_rows_json(table, rows, skip_invalid_rows=True)
    assert [(e["index"], e["errors"][0]["reason"], e["errors"][0]["location"]) for e in errors] == [
        (1, "invalid", "user_id"), (2, "invalid", "colour"), (3, "invalid", ""),
    ]  # fmt: skip
    assert "yesterday" in errors[2]["errors"][0]["message"]
    assert [(row["user_id"], row["rating"]) for row in stored(bq)] == [(2, None), (5, 4.5)]
    rows = [{"user_id": 3, "colour": "red"}]
    assert bq.insert_rows_json(table, rows, ignore_unknown_values=True) == []
    assert [row["user_id"] for row in stored(bq)] == [2, 3, 5]


def test_it_drops_a_repeated_insert_id_within_a_request(
    bq: bigquery.Client, table: bigquery.Table
) -> None:
    rows = [{"user_id": 1}, {"user_id": 1}, {"user_id": 2}]
    assert bq.insert_rows_json(table, rows, row_ids=["a", "a", "b"]) == []
    assert [row["user_id"] for row in stored(bq)] == [1, 2]


def test_it_reports_a_missing_table(bq: bigquery.Client, table: bigquery.Table) -> None:
    with pytest.raises(NotFound, match="Not found: Table local-project:streams.nope"):
        bq.insert_rows_json("local-project.streams.nope", [{"user_id": 1}])


def test_it_reports_rows_changed_by_dml(bq: bigquery.Client, table: bigquery.Table) -> None:
    bq.insert_rows_json(table, [{"user_id": n, "rating": 1.0} for n in range(1, 6)])
    job = bq.query("UPDATE streams.events SET rating = 2.0 WHERE user_id > 2")
    job.result()
    assert job.num_dml_affected_rows == 3
    assert job.statement_type == "UPDATE"
    rows = bq.query_and_wait("DELETE FROM streams.events WHERE rating = 2.0")
    assert rows.num_dml_affected_rows == 3
    assert bq.get_table(table).num_rows == 2


def test_it_lands_every_row_of_twenty_concurrent_inserts(
    live_server, bq: bigquery.Client, table: bigquery.Table
) -> None:
    # Each thread has its own client, as separate programs streaming into one table would.
    clients = [make_client(live_server.url) for _ in range(CONCURRENT_INSERTS)]
    start = threading.Barrier(CONCURRENT_INSERTS)

    def insert(sender: int) -> list[dict]:
        rows = [{"user_id": sender * 100 + n, "rating": float(sender)} for n in range(5)]
        start.wait()
        return clients[sender].insert_rows_json(table, rows)

    with ThreadPoolExecutor(CONCURRENT_INSERTS) as pool:
        answers = list(pool.map(insert, range(CONCURRENT_INSERTS)))

    assert answers == [[]] * CONCURRENT_INSERTS
    expected = sorted(s * 100 + n for s in range(CONCURRENT_INSERTS) for n in range(5))
    assert [row["user_id"] for row in stored(bq)] == expected
    assert bq.get_table(table).num_rows == len(expected)
