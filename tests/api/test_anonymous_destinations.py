"""Every query job's rows are a table, as in BigQuery: job.destination, read back by its owner."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.cloud import bigquery
from google.oauth2.credentials import Credentials

from console.catalog.models import Dataset, Project, Table
from console.iam.models import ApiKey, RoleBinding

pytestmark = pytest.mark.worker
PROJECT = "local-project"


def client_for(live_server, username: str) -> bigquery.Client:
    user = get_user_model().objects.create_user(username, f"{username}@example.com")
    RoleBinding.grant(Project.default(), user, "roles/bigquery.user")
    return bigquery.Client(
        project=PROJECT,
        credentials=Credentials(token=ApiKey.issue(user, "test")[1]),
        client_options=ClientOptions(api_endpoint=live_server.url),
    )


def test_it_names_a_querys_rows_as_a_table_its_owner_reads(
    live_server, bq: bigquery.Client
) -> None:
    alice = client_for(live_server, "alice")
    job = alice.query(
        "SELECT x, CONCAT('row ', CAST(x AS STRING)) AS label FROM UNNEST([1, 2, 3]) x"
    )
    job.result()
    destination = job.destination
    assert destination is not None and destination.project == PROJECT
    assert destination.dataset_id.startswith("_") and len(destination.dataset_id) == 41
    assert destination.table_id.startswith("anon")
    # dbt's way: get_table(query_job.destination), then read it.
    table = alice.get_table(destination)
    assert [f.name for f in table.schema] == ["x", "label"] and table.num_rows == 3
    assert table.expires - table.created == dt.timedelta(hours=24)
    assert [tuple(r.values()) for r in alice.list_rows(destination)] == [
        (1, "row 1"),
        (2, "row 2"),
        (3, "row 3"),
    ]
    # The hidden dataset is listed nowhere, and no catalog row was made for it.
    assert destination.dataset_id not in [d.dataset_id for d in alice.list_datasets()]
    assert not Dataset.objects.filter(dataset_id=destination.dataset_id).exists()
    # Read-only, even for its owner.
    table.description = "mine now"
    with pytest.raises(exceptions.Forbidden, match="anonymous query results are read-only"):
        alice.update_table(table, ["description"])
    with pytest.raises(exceptions.Forbidden):
        alice.delete_table(destination)
    # Another user, even an admin of the project, may not use it: the dataset is alice's alone.
    bob = client_for(live_server, "bob")
    RoleBinding.grant(
        Project.default(), get_user_model().objects.get(username="bob"), "roles/bigquery.admin"
    )
    with pytest.raises(exceptions.Forbidden):
        bob.get_table(destination)
    with pytest.raises(exceptions.Forbidden):
        list(bob.list_rows(destination))


def test_it_gives_ddl_and_dml_no_anonymous_table(bq: bigquery.Client) -> None:
    bq.create_dataset("shop")
    created = bq.query("CREATE TABLE shop.t (a INT64)")
    created.result()
    assert created.destination is None
    assert created.ddl_target_table.table_id == "t"
    assert created.ddl_operation_performed == "CREATE"
    # CREATE TABLE AS SELECT names the table it made, as BigQuery does (dbt reads its row count).
    made = bq.query("CREATE TABLE shop.made AS SELECT 1 AS a UNION ALL SELECT 2")
    made.result()
    assert made.destination.table_id == "made" and bq.get_table(made.destination).num_rows == 2
    inserted = bq.query("INSERT INTO shop.t (a) VALUES (1), (2)")
    inserted.result()
    assert inserted.destination is None and inserted.num_dml_affected_rows == 2
    # A destination the user chose is the job's destination, not an anonymous one.
    config = bigquery.QueryJobConfig(destination=f"{PROJECT}.shop.copy")
    chosen = bq.query("SELECT a FROM shop.t", job_config=config)
    chosen.result()
    assert chosen.destination.table_id == "copy"
    assert Table.objects.get(table_id="copy").num_rows == 2
    assert [r.a for r in bq.list_rows(chosen.destination)] == [1, 2]
