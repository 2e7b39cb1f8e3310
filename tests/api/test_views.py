"""Views through the real google-cloud-bigquery client against a live Quarry and worker."""

from __future__ import annotations

import pyarrow as pa
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.cloud import bigquery
from google.oauth2.credentials import Credentials

from console.catalog.models import Dataset, Project, Table
from console.engine import tables
from console.iam.models import ApiKey, RoleBinding

pytestmark = pytest.mark.worker

PROJECT = settings.QUARRY_DEFAULT_PROJECT


def _make_table(dataset: Dataset, table_id: str) -> Table:
    """Write a table straight through the engine: id INT64, name STRING, three rows."""
    data = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": ["a", "b", "c"]})
    relative, rows = tables.write_parquet("tables", data.schema, data.to_batches())
    return tables.commit_version(dataset, table_id, relative, rows, data.schema)


@pytest.fixture
def shop(bq: bigquery.Client) -> Dataset:
    bq.create_dataset("shop")
    dataset = Dataset.objects.get(dataset_id="shop")
    _make_table(dataset, "items")
    return dataset


def test_it_creates_reads_changes_and_deletes_a_view(bq: bigquery.Client, shop: Dataset) -> None:
    view = bigquery.Table(f"{PROJECT}.shop.big")
    view.view_query = "SELECT id, name FROM shop.items WHERE id > 1"
    view.description = "Big items"
    created = bq.create_table(view)
    assert created.table_type == "VIEW"
    assert created.view_query == "SELECT id, name FROM shop.items WHERE id > 1"
    assert created.view_use_legacy_sql is False
    assert [(f.name, f.field_type) for f in created.schema] == [
        ("id", "INTEGER"),
        ("name", "STRING"),
    ]

    fetched = bq.get_table("shop.big")
    assert (fetched.table_type, fetched.description) == ("VIEW", "Big items")
    assert {t.table_id: t.table_type for t in bq.list_tables("shop")} == {
        "big": "VIEW",
        "items": "TABLE",
    }
    rows = bq.query("SELECT name FROM shop.big ORDER BY id").result()
    assert [r.name for r in rows] == ["b", "c"]

    with pytest.raises(exceptions.BadRequest, match="Cannot list a table of type VIEW."):
        list(bq.list_rows(fetched, max_results=10))
    with pytest.raises(exceptions.BadRequest, match="currently a VIEW"):
        bq.copy_table("shop.big", "shop.big_copy").result()
    assert not Table.objects.filter(table_id="big_copy").exists()

    # A new query re-derives the schema.
    fetched.view_query = "SELECT COUNT(*) AS n FROM shop.items"
    updated = bq.update_table(fetched, ["view_query"])
    assert [(f.name, f.field_type) for f in updated.schema] == [("n", "INTEGER")]
    assert [r.n for r in bq.query("SELECT n FROM shop.big").result()] == [3]

    bq.delete_table("shop.big")
    assert not Table.objects.filter(table_id="big").exists()


def test_it_refuses_a_view_it_cannot_run_and_keeps_nothing(
    bq: bigquery.Client, shop: Dataset
) -> None:
    legacy = bigquery.Table(f"{PROJECT}.shop.v")
    legacy.view_query = "SELECT id FROM [shop.items]"
    legacy.view_use_legacy_sql = True
    with pytest.raises(exceptions.BadRequest, match="Legacy SQL views are not supported"):
        bq.create_table(legacy)
    missing = bigquery.Table(f"{PROJECT}.shop.v")
    missing.view_query = "SELECT id FROM shop.gone"
    with pytest.raises(exceptions.NotFound, match="Not found: Table local-project:shop.gone"):
        bq.create_table(missing)
    unqualified = bigquery.Table(f"{PROJECT}.shop.v")
    unqualified.view_query = "SELECT id FROM items"
    with pytest.raises(exceptions.BadRequest, match='Table "items" must be qualified'):
        bq.create_table(unqualified)
    assert not Table.objects.filter(table_id="v").exists()


def test_it_runs_view_ddl_with_bigquerys_statistics(bq: bigquery.Client, shop: Dataset) -> None:
    job = bq.query("CREATE VIEW shop.names AS SELECT name FROM shop.items")
    job.result()
    assert job.statement_type == "CREATE_VIEW"
    assert job.ddl_operation_performed == "CREATE"
    assert job.ddl_target_table.table_id == "names"
    assert bq.get_table("shop.names").view_query == "SELECT name FROM shop.items"
    drop = bq.query("DROP VIEW shop.names")
    drop.result()
    assert (drop.statement_type, drop.ddl_operation_performed) == ("DROP_VIEW", "DROP")


def test_it_denies_a_reader_of_the_view_who_may_not_read_its_table(
    live_server, bq: bigquery.Client, shop: Dataset
) -> None:
    # Roles are per project: the view's table lives in another project bob has no role in.
    other = Project.objects.create(project_id="other-project")
    _make_table(Dataset.create(other, "vault"), "secrets")
    view = bigquery.Table(f"{PROJECT}.shop.leak")
    view.view_query = "SELECT name FROM `other-project.vault.secrets`"
    bq.create_table(view)
    bob = get_user_model().objects.create_user("bob", "bob@example.com")
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.user")
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.dataViewer")
    client = bigquery.Client(
        project=PROJECT,
        credentials=Credentials(token=ApiKey.issue(bob, "views test")[1]),
        client_options=ClientOptions(api_endpoint=live_server.url),
    )
    assert [r.name for r in client.query("SELECT name FROM shop.items WHERE id = 1")] == ["a"]
    with pytest.raises(exceptions.Forbidden) as denied:
        client.query("SELECT name FROM shop.leak").result()
    assert "Permission bigquery.tables.getData denied on table other-project:vault.secrets" in (
        denied.value.message
    )
