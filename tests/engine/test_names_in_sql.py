"""Every path that names a new table, model or dataset applies BigQuery's one rule, in its words."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from console.catalog.models import Dataset, MLModel, Project, Table
from console.errors import BigQueryError
from console.jobs.models import Job
from console.jobs.submit import submit
from console.management.commands.bq import Command as BqCommand
from tests.conftest import load_configuration, run_here

LONG = "t" * 1100

BAD_TABLE_IDS = ["a/b", LONG, "t$20200101", "a\nb", "a\tb", "a!"]


@pytest.fixture
def dataset(db: None) -> Dataset:
    return Dataset.create(Project.default(), "ds")


def _error(sql: str) -> dict[str, str]:
    job = run_here({"query": {"query": sql, "useLegacySql": False}})
    assert job.state == Job.State.DONE
    return job.error_result


@pytest.mark.parametrize("table_id", BAD_TABLE_IDS)
@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE ds.`{}` (x INT64)",
        "CREATE TABLE ds.`{}` AS SELECT 1 AS x",
        "CREATE OR REPLACE TABLE ds.`{}` AS SELECT 1 AS x",
        "CREATE TABLE IF NOT EXISTS `ds.{}` (x INT64)",
    ],
)
def test_it_refuses_a_malformed_table_id_in_create_table(
    dataset: Dataset, statement: str, table_id: str
) -> None:
    error = _error(statement.format(table_id))

    assert error["reason"] == "invalidQuery"
    assert error["message"].startswith('Invalid table ID "')
    assert "Table IDs must be alphanumeric (plus underscores)" in error["message"]
    assert not Table.objects.exists()


@pytest.mark.parametrize("table_id", ["bqdf_738959df-f865-40c1", "a b", "été"])
def test_it_takes_the_table_ids_bigquery_documents(dataset: Dataset, table_id: str) -> None:
    # Letters, marks and numbers of any script, underscores, dashes and spaces (TableReference).
    created = run_here({"query": {"query": f"CREATE TABLE ds.`{table_id}` AS SELECT 1 AS x"}})
    assert created.error_result is None
    read = run_here({"query": {"query": f"SELECT x FROM `ds.{table_id}`"}})
    assert read.error_result is None and read.result_rows == 1
    assert Table.objects.get().table_id == table_id


def test_it_quotes_only_the_start_of_a_long_id(dataset: Dataset) -> None:
    error = _error(f"CREATE TABLE ds.`{LONG}` (x INT64)")

    assert error["message"].startswith(f'Invalid table ID "{"t" * 64}…" (1,100 characters).')


def test_it_refuses_an_empty_table_name(dataset: Dataset) -> None:
    error = _error("CREATE TABLE `ds.` (x INT64)")

    assert error["message"].startswith('Invalid table ID "".')
    assert not Table.objects.exists()


def test_it_refuses_a_name_of_more_than_three_parts(dataset: Dataset) -> None:
    error = _error("CREATE TABLE `local-project.ds.a.b` (x INT64)")

    assert error["message"] == (
        'Invalid table name "local-project.ds.a.b" at [1:14]: expected [project.]dataset.table'
    )
    assert not Table.objects.exists()


def test_it_reads_no_table_through_a_name_of_more_than_three_parts(dataset: Dataset) -> None:
    run_here({"query": {"query": "CREATE TABLE ds.b AS SELECT 1 AS x"}})

    error = _error("SELECT x FROM `local-project.ds.a.b`")

    assert error["message"].startswith('Invalid table name "local-project.ds.a.b"')


def test_it_refuses_a_malformed_model_id(dataset: Dataset) -> None:
    error = _error(
        "CREATE MODEL `ds.a/b` OPTIONS(model_type='matrix_factorization', "
        "user_col='u', item_col='i', rating_col='r') AS SELECT 1 AS u, 2 AS i, 3.0 AS r"
    )

    assert error["reason"] == "invalidQuery"
    assert error["message"].startswith('Invalid model ID "a/b". Model IDs must be alphanumeric')
    assert not MLModel.objects.exists()


def test_it_refuses_a_malformed_dataset_id_in_create_schema(db: None) -> None:
    error = _error("CREATE SCHEMA `a/b`")

    assert error["message"].startswith('Invalid dataset ID "a/b".')
    assert not Dataset.objects.exists()


def test_it_refuses_a_malformed_name_in_a_dry_run(dataset: Dataset) -> None:
    with pytest.raises(BigQueryError, match='Invalid table ID "a/b"'):
        submit(
            None,
            Project.default(),
            {"query": {"query": "CREATE TABLE `ds.a/b` (x INT64)"}, "dryRun": True},
        )


def test_it_refuses_a_malformed_name_before_any_statement_of_a_script_runs(
    dataset: Dataset,
) -> None:
    error = _error("CREATE TABLE ds.fine (x INT64); CREATE TABLE `ds.a/b` (x INT64)")

    assert error["message"].startswith('Invalid table ID "a/b"')
    assert not Table.objects.exists()


@pytest.mark.parametrize("table_id", ["a/b", LONG])
def test_it_refuses_a_malformed_query_destination(dataset: Dataset, table_id: str) -> None:
    destination = {"datasetId": "ds", "tableId": table_id}
    with pytest.raises(BigQueryError, match="Invalid table ID") as refused:
        submit(
            None,
            Project.default(),
            {"query": {"query": "SELECT 1 AS x", "destinationTable": destination}},
        )
    assert refused.value.location == "destinationTable"
    assert not Table.objects.exists()


@pytest.mark.parametrize("table_id", ["a/b", LONG])
def test_it_refuses_a_malformed_load_destination(dataset: Dataset, table_id: str) -> None:
    with pytest.raises(BigQueryError, match="Invalid table ID") as refused:
        submit(None, Project.default(), load_configuration("ds", table_id, autodetect=True))
    assert refused.value.location == "destinationTable"
    assert not Job.objects.exists()


def test_it_refuses_a_malformed_copy_destination(dataset: Dataset) -> None:
    run_here({"query": {"query": "CREATE TABLE ds.source AS SELECT 1 AS x"}})
    copy = {
        "sourceTables": [{"datasetId": "ds", "tableId": "source"}],
        "destinationTable": {"datasetId": "ds", "tableId": "a/b"},
    }
    with pytest.raises(BigQueryError, match='Invalid table ID "a/b"'):
        submit(None, Project.default(), {"copy": copy})
    assert list(Table.objects.values_list("table_id", flat=True)) == ["source"]


def test_it_still_drops_a_table_an_older_version_let_in(dataset: Dataset) -> None:
    Table.objects.create(dataset=dataset, table_id="a/b")

    job = run_here({"query": {"query": "DROP TABLE `ds.a/b`"}})

    assert job.error_result is None
    assert not Table.objects.exists()


def test_it_words_the_rest_api_and_bq_refusals_the_same(client: Client, dataset: Dataset) -> None:
    sql = _error("CREATE TABLE `ds.a/b` (x INT64)")["message"]
    rest = client.post(
        "/bigquery/v2/projects/local-project/datasets/ds/tables",
        json.dumps({"tableReference": {"tableId": "a/b"}}),
        content_type="application/json",
    )
    bq_out = io.StringIO()
    exit_code = BqCommand(stdout=io.StringIO(), stderr=bq_out).execute_bq(["mk", "-d", "a/b"])

    assert rest.status_code == 400
    assert rest.json()["error"]["message"] == sql
    assert exit_code == 1
    assert 'Invalid dataset ID "a/b". Dataset IDs must be alphanumeric' in bq_out.getvalue()
    assert list(Dataset.objects.values_list("dataset_id", flat=True)) == ["ds"]
    assert not Table.objects.exists()
