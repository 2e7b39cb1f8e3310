"""Bad input gets a clear message that says what is wrong and where, and changes nothing."""

from __future__ import annotations

import io

import pytest

from console.catalog.models import Dataset, MLModel, Project, Table
from console.engine.results import read_rows
from console.errors import BigQueryError
from console.jobs.models import Job
from tests.conftest import submit_test_load, wait_for

pytestmark = pytest.mark.worker

SCHEMA = "user_id:INT64,item_id:INT64,rating:FLOAT64,timestamp:TIMESTAMP"
GOOD_ROWS = b"1,10,4,978300760\n1,11,3,978302109\n2,10,5,978301968\n"


@pytest.fixture
def dataset(transactional_db: None) -> Dataset:
    return Dataset.create(Project.default(), "bqml_tutorial")


def _load(data: bytes, **kw) -> Job:
    options = {"schema": SCHEMA, **kw}
    return wait_for(submit_test_load("bqml_tutorial", "ratings", io.BytesIO(data), **options))


@pytest.mark.parametrize("dataset_id", ["bad-name!", "", "a b", "x" * 1025, "../etc"])
def test_it_refuses_a_malformed_dataset_id(transactional_db: None, dataset_id: str) -> None:
    with pytest.raises(BigQueryError, match="Invalid dataset ID"):
        Dataset.create(Project.default(), dataset_id)
    assert not Dataset.objects.exists()


def test_it_refuses_a_duplicate_dataset(dataset: Dataset) -> None:
    with pytest.raises(BigQueryError, match="Already Exists: Dataset local-project:bqml_tutorial"):
        Dataset.create(Project.default(), "bqml_tutorial")


def test_it_names_the_line_and_field_of_a_csv_value_that_does_not_fit(
    dataset: Dataset, worker: None
) -> None:
    assert _load(GOOD_ROWS).error_result is None
    before = Table.objects.get(table_id="ratings")

    job = _load(b"3,12,4,978300760\n3,oops,2,978300761\n", write_disposition="WRITE_APPEND")

    assert job.error_result["reason"] == "invalid"
    assert (
        "Could not parse 'oops' as INT64 for field item_id (position 1)"
        in (job.error_result["message"])
    )
    assert "line 2" in job.error_result["message"]
    after = Table.objects.get(table_id="ratings")
    assert (after.version, after.num_rows, after.data_path) == (
        before.version,
        before.num_rows,
        before.data_path,
    )
    _, rows, total = read_rows(after, 0, 10)
    assert total == 3 and rows[0][:2] == [1, 10]


def test_it_names_the_line_of_a_row_with_too_few_columns(dataset: Dataset, worker: None) -> None:
    job = _load(b"1,10,4,978300760\n1,11\n")
    assert "line 2 contains only 2 columns; expected 4" in job.error_result["message"]
    assert not Table.objects.exists()


def test_it_refuses_a_malformed_schema_before_any_job_exists(dataset: Dataset) -> None:
    with pytest.raises(BigQueryError, match="unsupported type INTEGR"):
        _load(GOOD_ROWS, schema="user_id:INTEGR")
    assert not Job.objects.exists()


def test_it_refuses_a_load_into_a_missing_dataset(transactional_db: None) -> None:
    with pytest.raises(BigQueryError, match="Not found: Dataset local-project:bqml_tutorial"):
        _load(GOOD_ROWS)
    assert not Job.objects.exists()


def test_it_reports_a_syntax_error_with_its_position(dataset: Dataset, run_sql) -> None:
    job = run_sql("SELECT user_id\nFROM bqml_tutorial.ratings\nWHERE WHERE")
    assert job.error_result["reason"] == "invalidQuery"
    assert job.error_result["message"].startswith("Syntax error:")
    assert job.error_result["message"].endswith("Unexpected keyword WHERE at [3:7]")


def test_it_reports_a_missing_table_like_bigquery(dataset: Dataset, run_sql) -> None:
    job = run_sql("SELECT * FROM `bqml_tutorial.ratingz`")
    assert job.error_result == {
        "reason": "notFound",
        "message": "Not found: Table local-project:bqml_tutorial.ratingz was not found in "
        "location US",
    }


def test_it_reports_an_unknown_column_with_its_position(
    dataset: Dataset, worker: None, run_sql
) -> None:
    assert _load(GOOD_ROWS).error_result is None
    job = run_sql("SELECT user_id,\n  ratng FROM bqml_tutorial.ratings")
    assert job.error_result["message"] == "Unrecognized name: ratng at [2:3]"


def test_it_refuses_an_unknown_model_option_and_creates_no_model(
    dataset: Dataset, worker: None, run_sql
) -> None:
    assert _load(GOOD_ROWS).error_result is None
    job = run_sql(
        "CREATE MODEL bqml_tutorial.m OPTIONS(model_type='matrix_factorization', "
        "user_col='user_id', item_col='item_id', num_factorz=3) "
        "AS SELECT user_id, item_id, rating FROM bqml_tutorial.ratings"
    )
    assert job.error_result["message"] == (
        "Unknown option: NUM_FACTORZ. Options for MATRIX_FACTORIZATION models are MODEL_TYPE, "
        "FEEDBACK_TYPE, NUM_FACTORS, USER_COL, ITEM_COL, RATING_COL, L2_REG, MAX_ITERATIONS, "
        "EARLY_STOP, MIN_REL_PROGRESS, WALS_ALPHA, DATA_SPLIT_METHOD, DATA_SPLIT_EVAL_FRACTION, "
        "DATA_SPLIT_COL"
    )
    assert not MLModel.objects.exists()


def test_it_refuses_an_out_of_range_option_naming_it(dataset: Dataset, worker: None, run_sql):
    assert _load(GOOD_ROWS).error_result is None
    job = run_sql(
        "CREATE MODEL bqml_tutorial.m OPTIONS(model_type='matrix_factorization', "
        "user_col='user_id', item_col='item_id', num_factors=500) "
        "AS SELECT user_id, item_id, rating FROM bqml_tutorial.ratings"
    )
    assert "NUM_FACTORS" in job.error_result["message"]
    assert "500" in job.error_result["message"]
    assert not MLModel.objects.exists()


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_parquet('/etc/passwd')",
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "COPY (SELECT 1) TO '/tmp/x.csv'",
        "ATTACH '/tmp/x.db' AS x",
        "INSTALL httpfs",
        "LOAD httpfs",
        "PRAGMA database_list",
        "SET enable_external_access = true",
    ],
)
def test_it_refuses_sql_that_reaches_outside_the_catalog(
    transactional_db: None, worker: None, run_sql, sql: str
) -> None:
    job = run_sql(sql)
    assert job.error_result is not None
    assert job.error_result["reason"] == "invalidQuery"
    assert not job.result_path


def test_it_keeps_tables_and_models_out_of_each_others_names(
    dataset: Dataset, worker: None, run_sql
) -> None:
    ratings = "SELECT 1 AS user_id, 2 AS item_id, 3.0 AS rating"
    options = "OPTIONS(model_type='matrix_factorization', user_col='user_id', item_col='item_id')"
    assert run_sql(f"CREATE TABLE bqml_tutorial.ratings AS {ratings}").error_result is None
    model = run_sql(f"CREATE MODEL bqml_tutorial.ratings {options} AS {ratings}")
    assert model.error_result == {
        "reason": "duplicate",
        "message": "Already Exists: Table local-project:bqml_tutorial.ratings; a model cannot "
        "share its name",
    }
    assert run_sql(f"CREATE MODEL bqml_tutorial.mf {options} AS {ratings}").error_result is None
    table = run_sql("CREATE TABLE bqml_tutorial.mf AS SELECT 1 AS x")
    assert table.error_result == {
        "reason": "duplicate",
        "message": "Already Exists: Model local-project:bqml_tutorial.mf; a table cannot "
        "share its name",
    }
    assert not MLModel.objects.filter(model_id="ratings").exists()
    assert Table.objects.filter(table_id="mf").count() == 0
