"""The BigQuery ML explicit-feedback tutorial, verbatim, through a real worker, Redis and DuckDB."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from console.catalog.models import Dataset, MLModel, Project, Table
from mfcore import MatrixFactorization, make_ratings
from tests.conftest import job_rows, submit_test_load, wait_for

pytestmark = pytest.mark.worker

RATINGS_SCHEMA = "user_id:INT64,item_id:INT64,rating:FLOAT64,timestamp:TIMESTAMP"
MOVIES_SCHEMA = "movie_id:INT64,movie_title:STRING,genre:STRING"
GENRES = ["Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi", "Thriller"]

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
SELECT
  user_id,
  item_id,
  predicted_rating,
  movie_title,
  genre
FROM
  bqml_tutorial.recommend
JOIN
  bqml_tutorial.movies
ON
  item_id = movie_id)
GROUP BY
  user_id
"""


def _synthetic() -> tuple[bytes, bytes]:
    ratings = make_ratings(n_users=300, n_items=200, n_ratings=9000, random_state=7)
    movies = pd.DataFrame(
        {
            "movie_id": np.arange(ratings["item_id"].max() + 1),
            "movie_title": [f"Movie {i} (1999)" for i in range(ratings["item_id"].max() + 1)],
        }
    )
    movies["genre"] = [GENRES[i % len(GENRES)] for i in movies["movie_id"]]
    return _at_separated(ratings), _at_separated(movies)


def _ml_100k(folder: Path) -> tuple[bytes, bytes]:
    # The tutorial turns MovieLens's files into '@'-separated ones; do the same in memory.
    ratings = pd.read_csv(folder / "u.data", sep="\t", header=None)
    items = pd.read_csv(folder / "u.item", sep="|", header=None, encoding="latin-1")
    genre_names = [
        line.split("|")[0] for line in (folder / "u.genre").read_text().split("\n") if line
    ]
    flags = items.iloc[:, 5 : 5 + len(genre_names)].to_numpy()
    movies = pd.DataFrame(
        {
            "movie_id": items[0],
            "movie_title": items[1].str.replace("@", " "),
            "genre": [
                "|".join(g for g, f in zip(genre_names, row, strict=True) if f) for row in flags
            ],
        }
    )
    return _at_separated(ratings), _at_separated(movies)


def _at_separated(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, sep="@", header=False, index=False)
    return buffer.getvalue().encode()


def _sources() -> list:
    movielens = os.environ.get("MOVIELENS_DIR", "")
    folder = Path(movielens) / "ml-100k"
    return [
        pytest.param("synthetic", id="synthetic"),
        pytest.param(
            str(folder),
            id="ml-100k",
            marks=pytest.mark.skipif(
                not (folder / "u.data").exists(), reason="MOVIELENS_DIR does not point at MovieLens"
            ),
        ),
    ]


def _load(name: str, data: bytes, schema: str) -> Table:
    job = wait_for(
        submit_test_load(
            "bqml_tutorial", name, io.BytesIO(data), schema=schema, field_delimiter="@"
        )
    )
    assert job.error_result is None, job.error_result
    return Table.objects.get(dataset__dataset_id="bqml_tutorial", table_id=name)


def _rows(job) -> tuple[list[str], list[list]]:
    assert job.error_result is None, job.error_result
    fields, rows, total = job_rows(job, 0, 10**7)
    assert total == len(rows)
    return [f["name"] for f in fields], rows


@pytest.mark.parametrize("source", _sources())
def test_it_runs_the_tutorial_end_to_end(source: str, run_sql, storage_dir: Path) -> None:
    ratings_csv, movies_csv = _synthetic() if source == "synthetic" else _ml_100k(Path(source))
    expected_ratings = ratings_csv.count(b"\n")
    Dataset.create(
        Project.default(),
        "bqml_tutorial",
        location="US",
        description="BigQuery ML tutorial dataset.",
    )

    ratings = _load("ratings", ratings_csv, RATINGS_SCHEMA)
    assert ratings.num_rows == expected_ratings
    assert [f["type"] for f in ratings.schema] == ["INT64", "INT64", "FLOAT64", "TIMESTAMP"]
    _load("movies", movies_csv, MOVIES_SCHEMA)

    created = run_sql(CREATE_MODEL)
    assert created.error_result is None, created.error_result
    assert created.statistics["ddlOperationPerformed"] == "CREATE"
    model = MLModel.objects.get(model_id="my_mf_model")
    assert model.state == MLModel.State.READY
    losses = [it.loss for it in model.current_iterations().order_by("iteration")]
    assert len(losses) >= 2
    assert losses[-1] < losses[0]
    assert all(later <= earlier * 1.001 for earlier, later in zip(losses, losses[1:], strict=False))

    names, info = _rows(
        run_sql("SELECT * FROM ML.TRAINING_INFO(MODEL `bqml_tutorial.my_mf_model`)")
    )
    assert names == [
        "training_run",
        "iteration",
        "loss",
        "eval_loss",
        "learning_rate",
        "duration_ms",
    ]
    assert len(info) == len(losses)

    metric_names = [
        "mean_absolute_error",
        "mean_squared_error",
        "mean_squared_log_error",
        "median_absolute_error",
        "r2_score",
        "explained_variance",
    ]
    for sql in (
        "SELECT * FROM ML.EVALUATE(MODEL `bqml_tutorial.my_mf_model`)",
        "SELECT * FROM ML.EVALUATE(MODEL `bqml_tutorial.my_mf_model`, "
        "(SELECT user_id, item_id, rating FROM `bqml_tutorial.ratings`))",
    ):
        names, metrics = _rows(run_sql(sql))
        assert names == metric_names
        values = dict(zip(names, metrics[0], strict=True))
        assert 0 < values["mean_absolute_error"] < 1.2
        assert 0 < values["mean_squared_error"] < 1.5
        assert 0.2 < values["r2_score"] < 1

    names, some = _rows(
        run_sql(
            "SELECT * FROM ML.RECOMMEND(MODEL `bqml_tutorial.my_mf_model`, "
            "(SELECT user_id FROM `bqml_tutorial.ratings` LIMIT 5))"
        )
    )
    n_items = len(set(pd.read_csv(io.BytesIO(ratings_csv), sep="@", header=None)[1]))
    n_users = len(set(pd.read_csv(io.BytesIO(ratings_csv), sep="@", header=None)[0]))
    assert names == ["predicted_rating", "user_id", "item_id"]
    assert len(some) == 5 * n_items

    names, everything = _rows(
        run_sql("SELECT COUNT(*) AS n FROM ML.RECOMMEND(MODEL `bqml_tutorial.my_mf_model`)")
    )
    assert everything == [[n_users * n_items]]

    replaced = run_sql(
        "CREATE OR REPLACE TABLE `bqml_tutorial.recommend` AS "
        "SELECT * FROM ML.RECOMMEND(MODEL `bqml_tutorial.my_mf_model`)"
    )
    assert replaced.error_result is None, replaced.error_result
    assert Table.objects.get(table_id="recommend").num_rows == n_users * n_items

    names, top5 = _rows(run_sql(TOP5))
    assert names == ["user_id", "f0_"]
    assert len(top5) == n_users
    for _, picks in top5:
        assert len(picks) == 5
        assert list(picks[0]) == ["movie_title", "genre", "predicted_rating"]
        predicted = [p["predicted_rating"] for p in picks]
        assert predicted == sorted(predicted, reverse=True)

    stored = [storage_dir / t.data_path for t in Table.objects.all()]
    stored += [storage_dir / m.artifact_path for m in MLModel.objects.all()]
    assert len(stored) == 4 and all(p.is_file() for p in stored)
    Dataset.lookup(Project.default(), "bqml_tutorial").delete_with_contents(True)
    assert not Dataset.objects.filter(dataset_id="bqml_tutorial").exists()
    assert not MLModel.objects.exists() and not Table.objects.exists()
    assert not any(p.exists() for p in stored)


def test_its_ml_functions_agree_with_each_other_and_with_the_estimator(run_sql) -> None:
    ratings_csv, _ = _synthetic()
    Dataset.create(Project.default(), "bqml_tutorial", location="US")
    _load("ratings", ratings_csv, RATINGS_SCHEMA)
    created = run_sql(CREATE_MODEL)
    assert created.error_result is None, created.error_result
    model = "MODEL `bqml_tutorial.my_mf_model`"

    _, info = _rows(run_sql(f"SELECT iteration, loss FROM ML.TRAINING_INFO({model})"))
    info.sort()
    names, [metrics] = _rows(run_sql(f"SELECT * FROM ML.EVALUATE({model})"))
    # Without a split the loss is the training MSE, which ML.EVALUATE reports for the end state.
    assert dict(zip(names, metrics, strict=True))["mean_squared_error"] == pytest.approx(
        info[-1][1], rel=1e-9
    )

    # The estimator trained in this process with the same data, options and seed (the engine's
    # RANDOM_STATE, 0) reports the same iterations.
    frame = pd.read_csv(io.BytesIO(ratings_csv), sep="@", header=None, usecols=[0, 1, 2])
    frame.columns = ["user_id", "item_id", "rating"]
    estimator = MatrixFactorization(
        feedback_type="explicit",
        user_col="user_id",
        item_col="item_id",
        l2_reg=9.83,
        num_factors=34,
        random_state=0,
    ).fit(frame)
    np.testing.assert_allclose(
        [loss for _, loss in info], estimator.training_info()["loss"][::-1], rtol=1e-9
    )

    # ML.RECOMMEND's predictions are ML.WEIGHTS' global + user + item intercepts + x_u . y_i.
    _, weights = _rows(run_sql(f"SELECT * FROM ML.WEIGHTS({model})"))
    vectors = {
        (side, feature): (
            np.array([w["weight"] for w in sorted(factors, key=lambda w: w["factor"])]),
            intercept,
        )
        for side, feature, factors, intercept in weights
        if side is not None
    }
    [global_intercept] = [row[3] for row in weights if row[1] == "global__INTERCEPT__"]
    assert global_intercept == pytest.approx(frame["rating"].mean(), rel=1e-12)
    _, predicted = _rows(
        run_sql(
            f"SELECT * FROM ML.RECOMMEND({model}, "
            "(SELECT user_id, item_id FROM `bqml_tutorial.ratings` LIMIT 50))"
        )
    )
    for rating, user, item in predicted:
        x, b = vectors[("user_id", str(user))]
        y, c = vectors[("item_id", str(item))]
        assert rating == pytest.approx(global_intercept + b + c + x @ y, rel=1e-9, abs=1e-9)
