"""Google's explicit matrix-factorization tutorial, word for word, and the figures it shows.

Source: "Create recommendations based on explicit feedback with a matrix factorization model",
https://cloud.google.com/bigquery/docs/bigqueryml-mf-explicit-tutorial (its code samples are
under the Apache License 2.0). The route tests run these texts unchanged against Quarry; only
the endpoint differs: a `bq` that reaches Quarry, and the `Client(...)` construction.

`movielens_zip` builds the `ml-1m.zip` the tutorial downloads, from `MOVIELENS_DIR` when it
holds MovieLens 1M (never copied into the repository) and from synthetic ratings in the same
format otherwise; `GroupLensProxy` answers the tutorial's `curl` and `requests.get` of
files.grouplens.org with it.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from mfcore import make_ratings
from mfcore.fidelity import TUTORIAL_LOSSES, TUTORIAL_METRICS

ZIP_URL = "http://files.grouplens.org/datasets/movielens/ml-1m.zip"

# "Create a dataset", bq tab.
SHELL_DATASET = """bq --location=US mk -d \\
 --description "BigQuery ML tutorial dataset." \\
 bqml_tutorial
bq ls
"""

# "Upload the Movielens data", CLI tab: steps 2 and 3.
SHELL_LOAD = """curl -O 'http://files.grouplens.org/datasets/movielens/ml-1m.zip'
unzip ml-1m.zip
sed 's/::/,/g' ml-1m/ratings.dat > ratings.csv
bq load --source_format=CSV bqml_tutorial.ratings ratings.csv \\
  user_id:INT64,item_id:INT64,rating:FLOAT64,timestamp:TIMESTAMP
sed 's/::/@/g' ml-1m/movies.dat > movie_titles.csv
bq load --source_format=CSV --field_delimiter=@ \\
bqml_tutorial.movies movie_titles.csv \\
movie_id:INT64,movie_title:STRING,genre:STRING
"""

# "Create a dataset" and "Upload the Movielens data", BigQuery DataFrames tab: the
# google-cloud-bigquery code. The route test replaces `google.cloud.bigquery.Client()`.
PYTHON_DATASET = """import google.cloud.bigquery

bqclient = google.cloud.bigquery.Client()
bqclient.create_dataset("bqml_tutorial", exists_ok=True)
"""
PYTHON_LOAD = """import io
import zipfile

import google.api_core.exceptions
import requests

try:
    # Check if you've already created the Movielens tables to avoid downloading
    # and uploading the dataset unnecessarily.
    bqclient.get_table("bqml_tutorial.ratings")
    bqclient.get_table("bqml_tutorial.movies")
except google.api_core.exceptions.NotFound:
    # Download the https://grouplens.org/datasets/movielens/1m/ dataset.
    ml1m = requests.get("http://files.grouplens.org/datasets/movielens/ml-1m.zip")
    ml1m_file = io.BytesIO(ml1m.content)
    ml1m_zip = zipfile.ZipFile(ml1m_file)

    # Upload the ratings data into the ratings table.
    with ml1m_zip.open("ml-1m/ratings.dat") as ratings_file:
        ratings_content = ratings_file.read()

    ratings_csv = io.BytesIO(ratings_content.replace(b"::", b","))
    ratings_config = google.cloud.bigquery.LoadJobConfig()
    ratings_config.source_format = "CSV"
    ratings_config.write_disposition = "WRITE_TRUNCATE"
    ratings_config.schema = [
        google.cloud.bigquery.SchemaField("user_id", "INT64"),
        google.cloud.bigquery.SchemaField("item_id", "INT64"),
        google.cloud.bigquery.SchemaField("rating", "FLOAT64"),
        google.cloud.bigquery.SchemaField("timestamp", "TIMESTAMP"),
    ]
    bqclient.load_table_from_file(
        ratings_csv, "bqml_tutorial.ratings", job_config=ratings_config
    ).result()

    # Upload the movie data into the movies table.
    with ml1m_zip.open("ml-1m/movies.dat") as movies_file:
        movies_content = movies_file.read()

    movies_csv = io.BytesIO(movies_content.replace(b"::", b"@"))
    movies_config = google.cloud.bigquery.LoadJobConfig()
    movies_config.source_format = "CSV"
    movies_config.field_delimiter = "@"
    movies_config.write_disposition = "WRITE_TRUNCATE"
    movies_config.schema = [
        google.cloud.bigquery.SchemaField("movie_id", "INT64"),
        google.cloud.bigquery.SchemaField("movie_title", "STRING"),
        google.cloud.bigquery.SchemaField("genre", "STRING"),
    ]
    bqclient.load_table_from_file(
        movies_csv, "bqml_tutorial.movies", job_config=movies_config
    ).result()
"""

# The SQL tabs, in the tutorial's order.
CREATE_MODEL = """CREATE OR REPLACE MODEL `bqml_tutorial.mf_explicit`
OPTIONS (
  MODEL_TYPE = 'matrix_factorization',
  FEEDBACK_TYPE = 'explicit',
  USER_COL = 'user_id',
  ITEM_COL = 'item_id',
  L2_REG = 9.83,
  NUM_FACTORS = 34)
AS
SELECT
user_id,
item_id,
rating
FROM `bqml_tutorial.ratings`;"""
# "You can also use the ML.TRAINING_INFO function to see model training statistics."
TRAINING_INFO = "SELECT * FROM ML.TRAINING_INFO(MODEL `bqml_tutorial.mf_explicit`)"
EVALUATE = """SELECT
*
FROM
ML.EVALUATE(
  MODEL `bqml_tutorial.mf_explicit`,
  (
    SELECT
      user_id,
      item_id,
      rating
    FROM
      `bqml_tutorial.ratings`
  ));"""
RECOMMEND_FIVE_USERS = """SELECT
*
FROM
ML.RECOMMEND(
  MODEL `bqml_tutorial.mf_explicit`,
  (
    SELECT
      user_id
    FROM
      `bqml_tutorial.ratings`
    LIMIT 5
  ));"""
RECOMMEND_TABLE = """CREATE OR REPLACE TABLE `bqml_tutorial.recommend`
AS
SELECT
*
FROM
ML.RECOMMEND(MODEL `bqml_tutorial.mf_explicit`);"""
TOP5 = """  SELECT
    user_id,
    ARRAY_AGG(STRUCT(movie_title, genre, predicted_rating) ORDER BY predicted_rating DESC LIMIT 5)
  FROM
    (
      SELECT
        user_id,
        item_id,
        predicted_rating,
        movie_title,
        genre
      FROM
        `bqml_tutorial.recommend`
      JOIN
        `bqml_tutorial.movies`
        ON
          item_id = movie_id
    )
  GROUP BY
    user_id;"""
# Not the tutorial's: the share of users whose best prediction exceeds 6, read off the grid.
TOP1_ABOVE_SIX = """SELECT COUNTIF(best > 6) / COUNT(*) AS share
FROM (SELECT user_id, MAX(predicted_rating) AS best
      FROM `bqml_tutorial.recommend` GROUP BY user_id)"""

# ml-1m's movies.dat is ISO-8859-1: movie 73 is "Misérables, Les (1995)".
ACCENTED_TITLE = "Misérables, Les (1995)"
GENRES = ["Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi", "Thriller"]


@dataclass(frozen=True)
class MovieLens:
    """The files of the tutorial's download, and what a test may expect of them."""

    zip_path: Path
    ratings_dat: Path
    movies_dat: Path
    n_ratings: int
    n_movies: int
    real: bool


def movielens_zip(directory: Path) -> MovieLens:
    """Write `ml-1m.zip` (and its two .dat files) into ``directory``; return where they are."""
    root = os.environ.get("MOVIELENS_DIR")
    source = Path(root) / "ml-1m" if root else None
    out = directory / "ml-1m"
    out.mkdir(parents=True, exist_ok=True)
    if source is not None and (source / "ratings.dat").exists():
        ratings = (source / "ratings.dat").read_bytes()
        movies = (source / "movies.dat").read_bytes()
        real = True
    else:
        ratings, movies = _synthetic_dat()
        real = False
    (out / "ratings.dat").write_bytes(ratings)
    (out / "movies.dat").write_bytes(movies)
    zip_path = directory / "ml-1m.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("ml-1m/ratings.dat", ratings)
        archive.writestr("ml-1m/movies.dat", movies)
    return MovieLens(
        zip_path=zip_path,
        ratings_dat=out / "ratings.dat",
        movies_dat=out / "movies.dat",
        n_ratings=ratings.count(b"\n"),
        n_movies=movies.count(b"\n"),
        real=real,
    )


def _synthetic_dat() -> tuple[bytes, bytes]:
    """Return MovieLens-1M-format ratings and ISO-8859-1 movies, made by the generator."""
    frame = make_ratings(n_users=600, n_items=400, n_ratings=30_000, random_state=4)
    lines = (
        f"{u + 1}::{i + 1}::{int(r)}::{t}"
        for u, i, r, t in zip(
            frame["user_id"],
            frame["item_id"],
            frame["rating"],
            978_300_760 + np.arange(len(frame)),
            strict=True,
        )
    )
    ratings = ("\n".join(lines) + "\n").encode()
    titles = [ACCENTED_TITLE if i == 73 else f"Movie {i} ({1930 + i % 70})" for i in range(1, 401)]
    movies = "".join(
        f"{i}::{title}::{GENRES[i % 7]}|{GENRES[(i + 3) % 7]}\n"
        for i, title in enumerate(titles, start=1)
    )
    return ratings, movies.encode("iso-8859-1")


class GroupLensProxy:
    """An HTTP proxy on localhost that serves the tutorial's download and refuses the rest.

    `curl` and `requests` send ``GET http://files.grouplens.org/...`` to it when ``http_proxy``
    names it; ``no_proxy`` keeps their requests to Quarry on 127.0.0.1 direct.
    """

    def __init__(self, zip_path: Path) -> None:
        body = zip_path.read_bytes()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != ZIP_URL:
                    self.send_error(404, f"only {ZIP_URL} is served here")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{self._server.server_port}"
        local = "127.0.0.1,localhost"
        self.env = {"http_proxy": url, "HTTP_PROXY": url, "no_proxy": local, "NO_PROXY": local}

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


def check_figures(
    data: MovieLens,
    training_info: list[dict],
    evaluation: dict[str, float],
    top1_above_six: float,
) -> None:
    """Check a route's ML.TRAINING_INFO, ML.EVALUATE and grid against the tutorial's.

    On real MovieLens 1M: the stop at iteration 10-12 with a loss within 0.006 of BigQuery's,
    each metric within 0.006 (MSLE 0.002), and most users' top-1 prediction above 6. On the
    synthetic stand-in only what holds for any data: the metrics' columns and a falling loss.
    """
    rows = sorted(training_info, key=lambda row: int(row["iteration"]))
    assert [int(row["iteration"]) for row in rows] == list(range(len(rows)))
    assert set(evaluation) == set(TUTORIAL_METRICS)
    if not data.real:
        assert float(rows[-1]["loss"]) < float(rows[0]["loss"])
        return
    last = rows[-1]
    assert 10 <= int(last["iteration"]) <= 12
    assert float(last["loss"]) == pytest.approx(TUTORIAL_LOSSES[11], abs=0.006)
    for name, expected in TUTORIAL_METRICS.items():
        tolerance = 0.002 if name == "mean_squared_log_error" else 0.006
        assert float(evaluation[name]) == pytest.approx(expected, abs=tolerance), name
    assert top1_above_six > 0.5


def shell_in(work: Path, env: dict[str, str]) -> Callable[..., subprocess.CompletedProcess]:
    """Return a function that runs a command in a new folder ``work`` and returns it finished."""
    work.mkdir()

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            argv, env=env, cwd=work, capture_output=True, text=True, timeout=600, check=False
        )

    return run


def query_json(shell, sql: str) -> list[dict]:
    """Run SQL with `bq query` as a shell user would; return the printed rows."""
    done = shell("bq", "--format=json", "query", "--use_legacy_sql=false", sql)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def run_shell_route(shell, movielens: MovieLens) -> None:
    """Run the tutorial's shell lines, then its SQL through `bq query`; check what they made.

    ``shell(*argv)`` runs a command where `bq` reaches Quarry and returns the finished process.
    """
    from console.catalog.models import Dataset, MLModel, Table

    made = shell("bash", "-e", "-c", SHELL_DATASET)
    assert made.returncode == 0, made.stderr
    assert "Dataset 'local-project:bqml_tutorial' successfully created." in made.stdout
    assert "bqml_tutorial" in made.stdout.splitlines()[-1]  # bq ls lists it
    assert Dataset.objects.get(dataset_id="bqml_tutorial").location == "US"

    loaded = shell("bash", "-e", "-c", SHELL_LOAD)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert Table.objects.get(table_id="ratings").num_rows == movielens.n_ratings
    assert Table.objects.get(table_id="movies").num_rows == movielens.n_movies
    title = query_json(shell, "SELECT movie_title FROM bqml_tutorial.movies WHERE movie_id = 73")
    assert title == [{"movie_title": ACCENTED_TITLE}]

    trained = shell("bq", "query", "--use_legacy_sql=false", CREATE_MODEL)
    assert trained.returncode == 0, trained.stderr
    assert MLModel.objects.filter(model_id="mf_explicit").exists()
    training = query_json(shell, TRAINING_INFO)
    (evaluation,) = query_json(shell, EVALUATE)
    five = query_json(shell, RECOMMEND_FIVE_USERS)
    # Every movie for each of the five users (bq prints the first 100 rows).
    assert len(five) == 100 and set(five[0]) == {"predicted_rating", "user_id", "item_id"}

    made_table = shell("bq", "query", "--use_legacy_sql=false", RECOMMEND_TABLE)
    assert made_table.returncode == 0, made_table.stderr
    grid = query_json(shell, TOP5)
    assert len(grid) == 100  # bq prints the first 100 rows, --max_rows' default
    assert all(len(row["f0_"]) == 5 for row in grid)
    (share,) = query_json(shell, TOP1_ABOVE_SIX)
    check_figures(movielens, training, evaluation, float(share["share"]))
