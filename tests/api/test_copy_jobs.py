"""Copy jobs through the real google-cloud-bigquery client against a live Quarry and worker."""

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
from console.jobs.models import Job

pytestmark = pytest.mark.worker

PROJECT = settings.QUARRY_DEFAULT_PROJECT


def _make_table(dataset: Dataset, table_id: str, ids: list[int]) -> Table:
    """Write a table straight through the engine: id INT64, name STRING."""
    data = pa.table(
        {"id": pa.array(ids, pa.int64()), "name": pa.array([f"n{i}" for i in ids], pa.string())}
    )
    relative, rows = tables.write_parquet("tables", data.schema, data.to_batches())
    return tables.commit_version(dataset, table_id, relative, rows, data.schema)


@pytest.fixture
def shop(bq: bigquery.Client) -> Dataset:
    """Create dataset `shop` with tables a (ids 1-3) and b (ids 4-5)."""
    bq.create_dataset("shop")
    dataset = Dataset.objects.get(dataset_id="shop")
    _make_table(dataset, "a", [1, 2, 3])
    _make_table(dataset, "b", [4, 5])
    return dataset


def _ids(bq: bigquery.Client, table: str) -> list[int]:
    return sorted(row["id"] for row in bq.list_rows(table))


def test_it_copies_a_table_with_the_python_client(bq: bigquery.Client, shop: Dataset) -> None:
    job = bq.copy_table("shop.a", f"{PROJECT}.shop.copy")
    assert isinstance(job, bigquery.CopyJob)
    job.result()
    assert job.state == "DONE" and job.error_result is None
    assert job.destination.table_id == "copy"
    assert [s.table_id for s in job.sources] == ["a"]
    stats = job._properties["statistics"]["copy"]
    assert stats["copiedRows"] == "3"
    assert int(stats["copiedLogicalBytes"]) > 0
    assert job._properties["configuration"]["jobType"] == "COPY"
    assert job._properties["configuration"]["copy"]["writeDisposition"] == "WRITE_EMPTY"

    copied = bq.get_table("shop.copy")
    assert copied.num_rows == 3
    assert [f.name for f in copied.schema] == ["id", "name"]
    assert _ids(bq, "shop.copy") == [1, 2, 3]
    source, destination = Table.objects.get(table_id="a"), Table.objects.get(table_id="copy")
    assert set(source.stored_paths()).isdisjoint(destination.stored_paths())
    # Deleting the source deletes its files only: the copy still reads.
    bq.delete_table("shop.a")
    assert _ids(bq, "shop.copy") == [1, 2, 3]
    assert Job.objects.get(job_id=job.job_id).job_type == Job.Type.COPY


def test_it_honours_the_three_write_dispositions(bq: bigquery.Client, shop: Dataset) -> None:
    empty = bigquery.CopyJobConfig(write_disposition="WRITE_EMPTY")
    with pytest.raises(exceptions.Conflict, match="Already Exists: Table"):
        bq.copy_table("shop.a", "shop.b", job_config=empty).result()
    with pytest.raises(exceptions.Conflict):
        bq.copy_table("shop.a", "shop.b").result()  # WRITE_EMPTY is a copy's default
    assert _ids(bq, "shop.b") == [4, 5]

    truncate = bigquery.CopyJobConfig(write_disposition="WRITE_TRUNCATE")
    bq.copy_table("shop.a", "shop.b", job_config=truncate).result()
    assert _ids(bq, "shop.b") == [1, 2, 3]

    append = bigquery.CopyJobConfig(write_disposition="WRITE_APPEND")
    job = bq.copy_table("shop.a", "shop.b", job_config=append)
    job.result()
    assert _ids(bq, "shop.b") == [1, 1, 2, 2, 3, 3]
    assert job._properties["statistics"]["copy"]["copiedRows"] == "3"
    assert Table.objects.get(table_id="b").version == 3

    # Several sources with one schema go into one new table.
    bq.copy_table(["shop.a", "shop.b"], "shop.all").result()
    assert _ids(bq, "shop.all") == [1, 1, 1, 2, 2, 2, 3, 3, 3]

    never = bigquery.CopyJobConfig(create_disposition="CREATE_NEVER")
    with pytest.raises(exceptions.NotFound, match="Not found: Table"):
        bq.copy_table("shop.a", "shop.new", job_config=never).result()
    assert not Table.objects.filter(table_id="new").exists()


def test_it_reports_a_missing_source(bq: bigquery.Client, shop: Dataset) -> None:
    with pytest.raises(exceptions.NotFound, match=f"Not found: Table {PROJECT}:shop.nope"):
        bq.copy_table("shop.nope", "shop.dst").result()
    with pytest.raises(exceptions.NotFound, match="Not found: Dataset"):
        bq.copy_table("shop.a", "nowhere.dst").result()
    assert not Table.objects.filter(table_id="dst").exists()


def test_it_refuses_bad_copy_configurations(bq: bigquery.Client, shop: Dataset) -> None:
    path = f"/projects/{PROJECT}/jobs"
    bad = [
        {"destinationTable": {"projectId": PROJECT, "datasetId": "shop", "tableId": "x"}},
        {
            "sourceTable": {"projectId": PROJECT, "datasetId": "shop", "tableId": "a"},
            "destinationTable": {"projectId": PROJECT, "datasetId": "shop", "tableId": "x"},
            "writeDisposition": "WRITE_SOMETIMES",
        },
    ]
    for copy in bad:
        with pytest.raises(exceptions.BadRequest):
            bq._connection.api_request(
                method="POST", path=path, data={"configuration": {"copy": copy}}
            )
    assert not Job.objects.filter(job_type=Job.Type.COPY).exists()


def test_it_refuses_a_user_without_access(live_server, bq: bigquery.Client, shop: Dataset) -> None:
    user = get_user_model().objects.create_user("mallory", "mallory@example.com")
    RoleBinding.grant(Project.default(), user, "roles/bigquery.jobUser")
    client = bigquery.Client(
        project=PROJECT,
        credentials=Credentials(token=ApiKey.issue(user, "copy test")[1]),
        client_options=ClientOptions(api_endpoint=live_server.url),
    )
    with pytest.raises(exceptions.Forbidden, match="bigquery.tables.getData"):
        client.copy_table("shop.a", "shop.stolen").result()
    # Reading the source is not enough: creating the destination needs tables.create too.
    RoleBinding.grant(Project.default(), user, "roles/bigquery.dataViewer")
    with pytest.raises(exceptions.Forbidden, match="bigquery.tables.create"):
        client.copy_table("shop.a", "shop.stolen").result()
    assert not Table.objects.filter(table_id="stolen").exists()
    job = Job.objects.filter(user=user).latest("created")
    assert job.job_type == Job.Type.COPY and job.error_result["reason"] == "accessDenied"
