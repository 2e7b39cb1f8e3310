"""DDL keeps a table's and a dataset's metadata, and ALTER changes it, as BigQuery does."""

from __future__ import annotations

import pytest

from console.catalog.models import Dataset, Project, Table
from console.engine.results import read_rows
from tests.conftest import job_rows, run_here


def _sql(sql: str):
    return run_here({"query": {"query": sql, "useLegacySql": False}})


@pytest.fixture
def ds(db: None) -> Dataset:
    return Dataset.create(Project.default(), "ds")


def test_it_keeps_partitioning_clustering_and_options_of_create_table(ds: Dataset) -> None:
    job = _sql(
        "CREATE TABLE ds.events (id INT64, kind STRING, ts TIMESTAMP) "
        "PARTITION BY DATE(ts) CLUSTER BY kind, id "
        "OPTIONS(description='Events', friendly_name='All events', labels=[('team', 'ml')], "
        "expiration_timestamp=TIMESTAMP '2099-01-01 00:00:00 UTC', partition_expiration_days=2, "
        "require_partition_filter=true)"
    )
    assert job.error_result is None, job.error_result
    table = Table.objects.get(table_id="events")
    assert table.time_partitioning == {"type": "DAY", "field": "ts", "expirationMs": "172800000"}
    assert table.clustering_fields == ["kind", "id"]
    assert (table.description, table.friendly_name) == ("Events", "All events")
    assert table.labels == {"team": "ml"}
    assert table.expiration_time.year == 2099
    assert table.require_partition_filter is True


def test_it_keeps_range_partitioning_of_create_table_as_select(ds: Dataset) -> None:
    job = _sql(
        "CREATE TABLE ds.r PARTITION BY RANGE_BUCKET(n, GENERATE_ARRAY(0, 100, 10)) "
        "AS SELECT 5 AS n, 'x' AS s"
    )
    assert job.error_result is None, job.error_result
    table = Table.objects.get(table_id="r")
    assert table.range_partitioning == {
        "field": "n",
        "range": {"start": "0", "end": "100", "interval": "10"},
    }
    assert table.num_rows == 1


@pytest.mark.parametrize(
    ("clause", "message"),
    [
        ("PARTITION BY s", "can only be of type TIMESTAMP, DATE or DATETIME"),
        ("PARTITION BY DATE(nope)", "cannot be found in the schema: nope"),
        ("PARTITION BY TIMESTAMP_TRUNC(ts, WEEK)", "WEEK is not a valid value"),
        ("CLUSTER BY n, s, ts, n2, s2", "Too many clustering fields: 5"),
        ("CLUSTER BY f", "Field f is of type FLOAT64, which is not supported for clustering"),
        ("OPTIONS(labels=[('Bad', 'x')])", 'Invalid label key "Bad"'),
        ("OPTIONS(colour='red')", "Unknown option: colour"),
    ],
)
def test_it_refuses_bad_metadata_in_create_table_creating_nothing(
    ds: Dataset, clause: str, message: str
) -> None:
    job = _sql(
        "CREATE TABLE ds.bad (n INT64, s STRING, ts TIMESTAMP, n2 INT64, s2 STRING, f FLOAT64) "
        + clause
    )
    assert message in job.error_result["message"]
    assert not Table.objects.filter(table_id="bad").exists()


def test_it_refuses_bad_metadata_in_create_table_as_select_writing_nothing(ds: Dataset) -> None:
    job = _sql("CREATE TABLE ds.bad PARTITION BY DATE(s) AS SELECT 'x' AS s")
    assert "The type found is: STRING" in job.error_result["message"]
    assert not Table.objects.filter(table_id="bad").exists()


def test_it_leaves_no_old_metadata_after_create_or_replace(ds: Dataset) -> None:
    _sql("CREATE TABLE ds.t (d DATE) PARTITION BY d OPTIONS(labels=[('a', 'b')], description='x')")
    job = _sql("CREATE OR REPLACE TABLE ds.t (d DATE)")
    assert job.error_result is None, job.error_result
    table = Table.objects.get(table_id="t")
    assert (table.labels, table.description, table.time_partitioning) == ({}, "", None)


def test_it_keeps_the_options_of_create_schema(db: None) -> None:
    job = _sql(
        "CREATE SCHEMA shop OPTIONS(description='Shop', friendly_name='The shop', "
        "labels=[('env', 'dev')], default_table_expiration_days=1.5, location='EU')"
    )
    assert job.error_result is None, job.error_result
    shop = Dataset.objects.get(dataset_id="shop")
    assert (shop.description, shop.friendly_name) == ("Shop", "The shop")
    assert shop.labels == {"env": "dev"}
    assert (shop.default_table_expiration_ms, shop.location) == (129_600_000, "EU")


def test_it_alters_a_schemas_options_replacing_its_labels(db: None) -> None:
    _sql("CREATE SCHEMA shop OPTIONS(labels=[('env', 'dev'), ('team', 'ml')])")
    job = _sql("ALTER SCHEMA shop SET OPTIONS(labels=[('env', 'prod')], description='Live')")
    assert job.error_result is None, job.error_result
    assert job.statistics["statementType"] == "ALTER_SCHEMA"
    shop = Dataset.objects.get(dataset_id="shop")
    assert (shop.labels, shop.description) == ({"env": "prod"}, "Live")
    assert _sql("ALTER SCHEMA IF EXISTS nowhere SET OPTIONS(description='x')").error_result is None
    missing = _sql("ALTER SCHEMA nowhere SET OPTIONS(description='x')")
    assert "Not found: Dataset local-project:nowhere" in missing.error_result["message"]


@pytest.fixture
def events(ds: Dataset) -> Table:
    job = _sql(
        "CREATE TABLE ds.events (id INT64 NOT NULL, kind STRING, ts TIMESTAMP) PARTITION BY "
        "DATE(ts) OPTIONS(labels=[('a', '1'), ('b', '2')])"
    )
    assert job.error_result is None, job.error_result
    _sql("INSERT ds.events (id, kind, ts) VALUES (1, 'x', TIMESTAMP '2024-01-01'), (2, 'y', NULL)")
    return Table.objects.get(table_id="events")


def test_it_sets_a_tables_options_and_clears_one_with_null(events: Table) -> None:
    job = _sql(
        "ALTER TABLE ds.events SET OPTIONS(labels=[('c', '3')], description='Events', "
        "partition_expiration_days=1)"
    )
    assert job.error_result is None, job.error_result
    assert job.statistics["statementType"] == "ALTER_TABLE"
    events.refresh_from_db()
    assert events.labels == {"c": "3"}
    assert events.time_partitioning["expirationMs"] == "86400000"
    _sql("ALTER TABLE ds.events SET OPTIONS(description=NULL)")
    events.refresh_from_db()
    assert events.description == ""


def test_it_adds_columns_that_read_as_null_and_keeps_the_old_version(events: Table) -> None:
    before = events.version
    job = _sql(
        "ALTER TABLE ds.events ADD COLUMN note STRING OPTIONS(description='Free text'), "
        "ADD COLUMN IF NOT EXISTS kind STRING, ADD COLUMN tags ARRAY<STRING>"
    )
    assert job.error_result is None, job.error_result
    events.refresh_from_db()
    assert [f["name"] for f in events.schema] == ["id", "kind", "ts", "note", "tags"]
    assert events.schema[3] == {
        "name": "note",
        "type": "STRING",
        "mode": "NULLABLE",
        "description": "Free text",
    }
    assert events.version == before + 1
    rows = job_rows(_sql("SELECT id, note FROM ds.events ORDER BY id"))[1]
    assert rows == [[1, None], [2, None]]
    old = events.versions.get(version=before)
    assert [f["name"] for f in old.schema] == ["id", "kind", "ts"]


def test_it_drops_and_renames_columns(events: Table) -> None:
    job = _sql("ALTER TABLE ds.events DROP COLUMN kind, RENAME COLUMN id TO event_id")
    assert job.error_result is None, job.error_result
    events.refresh_from_db()
    assert [f["name"] for f in events.schema] == ["event_id", "ts"]
    fields, rows, _ = read_rows(events, 0, 10)
    assert sorted(r[0] for r in rows) == [1, 2]
    refused = _sql("ALTER TABLE ds.events DROP COLUMN ts")
    assert "partitioned or clustered by it" in refused.error_result["message"]
    assert _sql("ALTER TABLE ds.events DROP COLUMN IF EXISTS nope").error_result is None


def test_it_widens_a_column_type_and_relaxes_not_null(events: Table) -> None:
    job = _sql(
        "ALTER TABLE ds.events ALTER COLUMN id SET DATA TYPE NUMERIC, "
        "ALTER COLUMN id DROP NOT NULL, ALTER COLUMN kind SET OPTIONS(description='Kind')"
    )
    assert job.error_result is None, job.error_result
    events.refresh_from_db()
    assert events.schema[0] == {"name": "id", "type": "NUMERIC", "mode": "NULLABLE"}
    assert events.schema[1]["description"] == "Kind"
    rows = job_rows(_sql("SELECT id * 2 AS twice FROM ds.events ORDER BY id"))[1]
    assert [str(r[0]) for r in rows] == ["2", "4"] or [float(r[0]) for r in rows] == [2, 4]


def test_it_refuses_narrowing_a_column_type_changing_nothing(events: Table) -> None:
    job = _sql("ALTER TABLE ds.events ADD COLUMN x INT64, ALTER COLUMN kind SET DATA TYPE INT64")
    assert (
        "existing column type (STRING) is assignable to the new type (INT64)"
        in (job.error_result["message"])
    )
    after = Table.objects.get(pk=events.pk)
    assert (after.version, after.schema) == (events.version, events.schema)


def test_it_renames_a_table(events: Table) -> None:
    job = _sql("ALTER TABLE ds.events RENAME TO happenings")
    assert job.error_result is None, job.error_result
    assert not Table.objects.filter(table_id="events").exists()
    rows = job_rows(_sql("SELECT COUNT(*) AS n FROM ds.happenings"))[1]
    assert rows == [[2]]


def test_it_skips_altering_a_missing_table_with_if_exists(ds: Dataset) -> None:
    assert _sql("ALTER TABLE IF EXISTS ds.nope SET OPTIONS(description='x')").error_result is None
    job = _sql("ALTER TABLE ds.nope SET OPTIONS(description='x')")
    assert "Not found: Table local-project:ds.nope" in job.error_result["message"]


def _sql_as(user: object, sql: str):
    from console.jobs.runner import run
    from console.jobs.submit import submit

    job = submit(user, Project.default(), {"query": {"query": sql, "useLegacySql": False}})
    assert job.mark_running()
    run(job)
    job.refresh_from_db()
    return job


def test_it_needs_tables_update_to_alter_a_table_and_datasets_update_a_schema(
    events: Table,
) -> None:
    from django.contrib.auth import get_user_model

    from console.iam.models import RoleBinding

    bob = get_user_model().objects.create_user("bob", "bob@example.com")
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.dataViewer")
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.jobUser")

    job = _sql_as(bob, "ALTER TABLE ds.events SET OPTIONS(description='mine')")
    assert job.error_result["reason"] == "accessDenied"
    assert (
        "Permission bigquery.tables.update denied on table local-project:ds.events"
        in (job.error_result["message"])
    )
    job = _sql_as(bob, "ALTER SCHEMA ds SET OPTIONS(description='mine')")
    assert (
        "Permission bigquery.datasets.update denied on dataset local-project:ds"
        in (job.error_result["message"])
    )
    events.refresh_from_db()
    assert events.description == ""
    assert Dataset.objects.get(dataset_id="ds").description == ""


def test_it_dry_runs_an_alter_changing_nothing(events: Table) -> None:
    from console.jobs.submit import submit

    sql = "ALTER TABLE ds.events DROP COLUMN kind"
    configuration = {"query": {"query": sql, "useLegacySql": False}, "dryRun": True}
    job = submit(None, Project.default(), configuration)
    assert job.error_result is None, job.error_result
    assert job.statistics["statementType"] == "ALTER_TABLE"
    assert [f["name"] for f in Table.objects.get(pk=events.pk).schema] == ["id", "kind", "ts"]
