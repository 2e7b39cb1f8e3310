"""INFORMATION_SCHEMA: the catalog as BigQuery's metadata views, only what the reader may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from console.catalog.models import Dataset, Project
from console.iam.models import RoleBinding
from console.jobs.models import Job
from console.jobs.runner import run
from console.jobs.submit import submit
from tests.conftest import job_rows

pytestmark = pytest.mark.django_db


def query(sql: str, principal: Any = None) -> Job:
    job = submit(principal, Project.default(), {"query": {"query": sql, "useLegacySql": False}})
    assert job.mark_running()
    run(job)
    job.refresh_from_db()
    return job


def rows(sql: str, principal: Any = None) -> list[list[Any]]:
    job = query(sql, principal)
    assert job.error_result is None, job.error_result
    return job_rows(job, max_rows=1000)[1]


@pytest.fixture
def shop() -> Dataset:
    dataset = Dataset.create(Project.default(), "shop")
    Dataset.create(Project.default(), "other")
    for sql in (
        "CREATE TABLE shop.orders (id INT64 NOT NULL, item STRUCT<sku STRING, tags ARRAY<STRING>>, "
        "placed TIMESTAMP)",
        "CREATE TABLE shop.customers AS SELECT 1 AS id, 'ada' AS name",
        "CREATE TABLE other.elsewhere (x INT64)",
    ):
        assert query(sql).error_result is None
    return dataset


def test_it_lists_a_datasets_tables_and_columns(shop: Dataset) -> None:
    assert rows(
        "SELECT table_catalog, table_schema, table_name, table_type, is_insertable_into "
        "FROM shop.INFORMATION_SCHEMA.TABLES ORDER BY table_name"
    ) == [
        ["local-project", "shop", "customers", "BASE TABLE", "YES"],
        ["local-project", "shop", "orders", "BASE TABLE", "YES"],
    ]
    assert rows(
        "SELECT column_name, ordinal_position, is_nullable, data_type "
        "FROM shop.INFORMATION_SCHEMA.COLUMNS WHERE table_name = 'orders' "
        "ORDER BY ordinal_position"
    ) == [
        ["id", 1, "NO", "INT64"],
        ["item", 2, "YES", "STRUCT<sku STRING, tags ARRAY<STRING>>"],
        ["placed", 3, "YES", "TIMESTAMP"],
    ]
    assert rows(
        "SELECT field_path, data_type FROM `local-project`.shop.INFORMATION_SCHEMA."
        "COLUMN_FIELD_PATHS WHERE table_name = 'orders' ORDER BY field_path"
    ) == [
        ["id", "INT64"],
        ["item", "STRUCT<sku STRING, tags ARRAY<STRING>>"],
        ["item.sku", "STRING"],
        ["item.tags", "ARRAY<STRING>"],
        ["placed", "TIMESTAMP"],
    ]
    [[ddl]] = rows("SELECT ddl FROM shop.information_schema.tables WHERE table_name = 'customers'")
    assert ddl == "CREATE TABLE `local-project.shop.customers`\n(\n  id INT64,\n  name STRING\n);"


def test_it_lists_every_dataset_of_a_region(shop: Dataset) -> None:
    assert rows(
        "SELECT schema_name, location FROM `region-us`.INFORMATION_SCHEMA.SCHEMATA "
        "ORDER BY schema_name"
    ) == [["other", "US"], ["shop", "US"]]
    assert rows(
        "SELECT table_schema, table_name FROM `region-us`.INFORMATION_SCHEMA.TABLES ORDER BY 1, 2"
    ) == [["other", "elsewhere"], ["shop", "customers"], ["shop", "orders"]]
    assert rows("SELECT * FROM `region-eu`.INFORMATION_SCHEMA.SCHEMATA") == []


def test_it_shows_table_options(shop: Dataset) -> None:
    table = shop.tables.get(table_id="orders")
    table.description = 'What was "ordered"'
    table.labels = {"team": "recs"}
    table.save()
    assert rows(
        "SELECT option_name, option_type, option_value FROM shop.INFORMATION_SCHEMA.TABLE_OPTIONS "
        "ORDER BY option_name"
    ) == [
        ["description", "STRING", '"What was \\"ordered\\""'],
        ["labels", "ARRAY<STRUCT<STRING, STRING>>", '[STRUCT("team", "recs")]'],
    ]


def test_it_shows_nothing_the_reader_may_not_see(shop: Dataset) -> None:
    user = get_user_model().objects.create_user("eve", "eve@example.com")
    RoleBinding.grant(Project.default(), user, "roles/bigquery.jobUser")
    denied = query("SELECT * FROM shop.INFORMATION_SCHEMA.TABLES", user)
    assert denied.error_result["reason"] == "accessDenied"
    assert "shop.INFORMATION_SCHEMA.TABLES" in denied.error_result["message"]
    assert rows("SELECT * FROM `region-us`.INFORMATION_SCHEMA.SCHEMATA", user) == []
    RoleBinding.grant(Project.default(), user, "roles/bigquery.dataViewer")
    user = get_user_model().objects.get(pk=user.pk)  # a new request: permissions read afresh
    assert len(rows("SELECT * FROM shop.INFORMATION_SCHEMA.TABLES", user)) == 2


def test_it_names_what_is_wrong(shop: Dataset) -> None:
    unknown = query("SELECT * FROM shop.INFORMATION_SCHEMA.PARTITIONZ")
    assert "INFORMATION_SCHEMA.PARTITIONZ not found" in unknown.error_result["message"]
    missing = query("SELECT * FROM nowhere.INFORMATION_SCHEMA.TABLES")
    assert missing.error_result["message"] == "Not found: Dataset local-project:nowhere"
    bare = query("SELECT * FROM shop.INFORMATION_SCHEMA.SCHEMATA")
    assert "must be qualified with a region" in bare.error_result["message"]


def test_it_lists_jobs_by_user_and_by_project(shop: Dataset) -> None:
    user = get_user_model().objects.create_user("eve", "eve@example.com")
    RoleBinding.grant(Project.default(), user, "roles/bigquery.user")
    mine = query("SELECT 1 AS one", user)
    assert mine.error_result is None
    failed = query("SELECT * FROM shop.nothing", user)
    own = rows(
        "SELECT job_id, job_type, statement_type, state, error_result.reason, "
        "destination_table.table_id FROM `region-us`.INFORMATION_SCHEMA.JOBS_BY_USER "
        "WHERE job_type = 'QUERY' AND state = 'DONE' ORDER BY creation_time",
        user,
    )
    assert own == [
        [mine.job_id, "QUERY", "SELECT", "DONE", None, "anon" + mine.job_id],
        [failed.job_id, "QUERY", None, "DONE", "accessDenied", None],
    ]
    # Every user's jobs need bigquery.jobs.listAll, which bigquery.user lacks.
    denied = query("SELECT * FROM `region-us`.INFORMATION_SCHEMA.JOBS", user)
    assert "Permission bigquery.jobs.listAll denied" in denied.error_result["message"]
    everyone = rows("SELECT DISTINCT user_email FROM `region-us`.INFORMATION_SCHEMA.JOBS")
    assert ["eve@example.com"] in everyone and [None] in everyone
