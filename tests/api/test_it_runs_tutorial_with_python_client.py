"""The BigQuery ML tutorial through the real google-cloud-bigquery client, end to end."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from google.cloud.bigquery import dbapi

from console.catalog.models import Dataset, MLModel, Project, Table
from console.jobs.models import Job
from mfcore.fidelity import TUTORIAL_METRICS
from tests import tutorial
from tests.conftest import MOVIE_ROWS, MOVIES_DAT, tutorial_sed

pytestmark = pytest.mark.worker

RATINGS = [
    bigquery.SchemaField("user_id", "INT64"),
    bigquery.SchemaField("item_id", "INT64"),
    bigquery.SchemaField("rating", "FLOAT64"),
    bigquery.SchemaField("timestamp", "TIMESTAMP"),
]
MOVIES = [
    bigquery.SchemaField("movie_id", "INT64"),
    bigquery.SchemaField("movie_title", "STRING"),
    bigquery.SchemaField("genre", "STRING"),
]
CREATE_MODEL = """
CREATE OR REPLACE MODEL `bqml_tutorial.my_mf_model`
OPTIONS
  (model_type='matrix_factorization',
   feedback_type='explicit',
   user_col='user_id',
   item_col='item_id',
   l2_reg=9.83,
   num_factors=34) AS
SELECT
  user_id,
  item_id,
  rating
FROM `bqml_tutorial.ratings`
"""
TOP5 = """
SELECT
  user_id,
  ARRAY_AGG(STRUCT(movie_title, genre, predicted_rating)
ORDER BY predicted_rating DESC LIMIT 5)
FROM (
SELECT user_id, item_id, predicted_rating, movie_title, genre
FROM bqml_tutorial.recommend
JOIN bqml_tutorial.movies
ON item_id = movie_id)
GROUP BY user_id
"""


def _load(bq: bigquery.Client, table: str, data: bytes, schema: list) -> bigquery.LoadJob:
    config = bigquery.LoadJobConfig(
        source_format=bigquery.SourceFormat.CSV,
        field_delimiter="@",
        schema=schema,
        write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
    )
    # No size is given, so the client uses the resumable protocol, as for an open file.
    job = bq.load_table_from_file(io.BytesIO(data), f"bqml_tutorial.{table}", job_config=config)
    return job.result()


def test_it_runs_the_tutorial_end_to_end(bq: bigquery.Client, tutorial_files) -> None:
    ratings_csv, movies_csv = tutorial_files
    dataset = bigquery.Dataset(f"{bq.project}.bqml_tutorial")
    dataset.location = "US"
    dataset.description = "BigQuery ML tutorial dataset."
    created = bq.create_dataset(dataset, exists_ok=True)
    assert created.dataset_id == "bqml_tutorial" and created.location == "US"
    again = bq.create_dataset(dataset, exists_ok=True)  # a 409, then a get
    assert again.description == "BigQuery ML tutorial dataset."

    loaded = _load(bq, "ratings", ratings_csv, RATINGS)
    assert loaded.state == "DONE" and loaded.output_rows == ratings_csv.count(b"\n")
    _load(bq, "movies", movies_csv, MOVIES)
    table = bq.get_table("bqml_tutorial.ratings")
    assert [f.field_type for f in table.schema] == ["INTEGER", "INTEGER", "FLOAT", "TIMESTAMP"]
    assert table.num_rows == ratings_csv.count(b"\n")
    first = next(iter(bq.list_rows(table, max_results=1)))
    assert isinstance(first["timestamp"], dt.datetime) and first["timestamp"].year >= 2000

    training = bq.query(CREATE_MODEL)
    assert list(training.result()) == []
    assert training.statement_type == "CREATE_MODEL"

    metrics = list(bq.query("SELECT * FROM ML.EVALUATE(MODEL `bqml_tutorial.my_mf_model`)"))
    assert 0 < metrics[0]["mean_squared_error"] < 2.5
    assert list(metrics[0].keys())[:2] == ["mean_absolute_error", "mean_squared_error"]

    recommended = bq.query(
        "SELECT * FROM ML.RECOMMEND(MODEL `bqml_tutorial.my_mf_model`, "
        "(SELECT DISTINCT user_id FROM `bqml_tutorial.ratings` LIMIT 3))"
    ).result()
    assert recommended.total_rows > 0
    assert [f.name for f in recommended.schema] == ["predicted_rating", "user_id", "item_id"]

    bq.query(
        "CREATE OR REPLACE TABLE `bqml_tutorial.recommend` AS "
        "SELECT * FROM ML.RECOMMEND(MODEL `bqml_tutorial.my_mf_model`)"
    ).result()
    top5 = list(bq.query(TOP5).result(page_size=50))
    # Every movie has a title, so each user who rated anything gets one row of picks.
    users = {int(line.split(b"@")[0]) for line in ratings_csv.splitlines()}
    assert sorted(row["user_id"] for row in top5) == sorted(users)
    picks = top5[0]["f0_"]
    assert len(picks) == 5 and set(picks[0]) == {"movie_title", "genre", "predicted_rating"}
    assert picks[0]["movie_title"].endswith(", Les Misérables (1999)")
    predicted = [p["predicted_rating"] for p in picks]
    assert predicted == sorted(predicted, reverse=True)

    [listed] = list(bq.list_models("bqml_tutorial"))
    assert listed.model_id == "my_mf_model" and listed.model_type == "MATRIX_FACTORIZATION"
    model = bq.get_model("bqml_tutorial.my_mf_model")
    [run] = model.training_runs
    assert run["trainingOptions"]["l2Regularization"] == 9.83
    assert run["trainingOptions"]["numFactors"] == "34"
    assert len(run["results"]) >= 2
    assert "meanSquaredError" in run["evaluationMetrics"]["regressionMetrics"]
    assert [c.name for c in model.feature_columns] == ["user_id", "item_id"]

    frame = bq.query(
        "SELECT user_id, COUNT(*) AS n FROM `bqml_tutorial.ratings` GROUP BY user_id"
    ).to_dataframe(create_bqstorage_client=False)
    assert frame["n"].sum() == ratings_csv.count(b"\n")

    bq.delete_dataset("bqml_tutorial", delete_contents=True)
    assert not Dataset.objects.exists() and not MLModel.objects.exists()
    assert not Table.objects.exists()


def test_it_runs_the_tutorials_python_code_as_written(
    live_server, worker: None, transactional_db: None, grouplens, movielens, monkeypatch
) -> None:
    for name, value in grouplens.items():  # requests.get of files.grouplens.org goes to it
        monkeypatch.setenv(name, value)
    construction = (
        "google.cloud.bigquery.Client(project='local-project', credentials=AnonymousCredentials(),"
        f" client_options=ClientOptions(api_endpoint='{live_server.url}'))"
    )
    code = tutorial.PYTHON_DATASET.replace("google.cloud.bigquery.Client()", construction)
    assert code != tutorial.PYTHON_DATASET
    namespace = {"AnonymousCredentials": AnonymousCredentials, "ClientOptions": ClientOptions}
    exec(code, namespace)  # the tutorial's own code, run as the reader runs it
    exec(tutorial.PYTHON_LOAD, namespace)
    bqclient: bigquery.Client = namespace["bqclient"]
    assert bqclient.get_table("bqml_tutorial.ratings").num_rows == movielens.n_ratings
    movies = bqclient.get_table("bqml_tutorial.movies")
    assert movies.num_rows == movielens.n_movies
    [title] = bqclient.query("SELECT movie_title FROM bqml_tutorial.movies WHERE movie_id = 73")
    assert title["movie_title"] == tutorial.ACCENTED_TITLE

    assert list(bqclient.query(tutorial.CREATE_MODEL).result()) == []
    training = [dict(row) for row in bqclient.query(tutorial.TRAINING_INFO).result()]
    evaluated = bqclient.query(tutorial.EVALUATE).result()
    assert [f.name for f in evaluated.schema] == list(TUTORIAL_METRICS)
    [evaluation] = [dict(row) for row in evaluated]
    five = bqclient.query(tutorial.RECOMMEND_FIVE_USERS).result()
    assert [f.name for f in five.schema] == ["predicted_rating", "user_id", "item_id"]
    n_items = bqclient.query(
        "SELECT COUNT(DISTINCT item_id) AS n FROM `bqml_tutorial.ratings`"
    ).result()
    assert five.total_rows == len({row["user_id"] for row in five}) * next(iter(n_items))["n"]

    bqclient.query(tutorial.RECOMMEND_TABLE).result()
    grid = list(bqclient.query(tutorial.TOP5).result(page_size=10_000))
    n_users = next(iter(bqclient.query(
        "SELECT COUNT(DISTINCT user_id) AS n FROM `bqml_tutorial.ratings`"
    ).result()))["n"]  # fmt: skip
    assert len(grid) == n_users and all(len(row["f0_"]) == 5 for row in grid)
    [share] = bqclient.query(tutorial.TOP1_ABOVE_SIX).result()
    tutorial.check_figures(movielens, training, evaluation, share["share"])


def test_it_answers_query_and_wait_and_dbapi(bq: bigquery.Client) -> None:
    rows = bq.query_and_wait(
        "SELECT 1 AS n, 'a' AS s, TIMESTAMP '2023-11-14 22:13:20' AS ts, [1, 2] AS xs, "
        "STRUCT(1.5 AS a, TIMESTAMP '2024-01-01 00:00:00' AS t) AS rec"
    )
    [row] = list(rows)
    assert row["n"] == 1 and row["s"] == "a" and row["xs"] == [1, 2]
    assert row["ts"] == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC)
    assert row["rec"] == {"a": 1.5, "t": dt.datetime(2024, 1, 1, tzinfo=dt.UTC)}
    assert Job.objects.count() == 1  # jobs.query keeps its job, so jobs.get finds it

    cursor = dbapi.connect(bq).cursor()
    cursor.execute("SELECT x FROM UNNEST([3, 1, 2]) AS x ORDER BY x")
    assert [tuple(row) for row in cursor.fetchall()] == [(1,), (2,), (3,)]


def test_it_loads_the_tutorials_latin1_movies_as_its_python_code_does(
    bq: bigquery.Client,
) -> None:
    Dataset.create(Project.default(), "bqml_tutorial")
    job_config = bigquery.LoadJobConfig(
        source_format=bigquery.SourceFormat.CSV, field_delimiter="@", schema=MOVIES
    )
    with io.BytesIO(tutorial_sed(MOVIES_DAT)) as source_file:
        job = bq.load_table_from_file(source_file, "bqml_tutorial.movies", job_config=job_config)
    assert job.result().output_rows == len(MOVIE_ROWS)
    rows = bq.list_rows("bqml_tutorial.movies", selected_fields=MOVIES)
    assert [list(row.values()) for row in rows] == MOVIE_ROWS
