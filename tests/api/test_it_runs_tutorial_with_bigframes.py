"""The tutorial's BigQuery DataFrames (bigframes) code, run as written against a live Quarry.

The code below is the tutorial's, verbatim; only the two option lines that point bigframes at
Quarry (the README's) come before it. On real ml-1m when MOVIELENS_DIR is set, on the synthetic
stand-in otherwise (the `movielens` fixture decides).

bigframes reads every result through the BigQuery Storage Read API (gRPC) and keeps its cached
frames in a BigQuery session (`create_session`, `CREATE TEMP TABLE _SESSION.…`), so the test
needs both served beside the live server (docs/bigframes.md lists what bigframes asks of each).
"""

# ruff: noqa: E501 (one comment line of the tutorial's code is longer than ours)

from __future__ import annotations

import contextlib
import io

import pytest
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials

from mfcore.fidelity import TUTORIAL_METRICS
from tests import tutorial
from tests.api.conftest import StorageApi

pytestmark = pytest.mark.worker

bpd = pytest.importorskip("bigframes.pandas")

# The tutorial's code (bigquery_dataframes_bqml_mf_explicit_create … _recommend_model), verbatim
# but for `your_model_id`, which the tutorial leaves to the reader.
TUTORIAL = """
from bigframes.ml import decomposition
import bigframes.pandas as bpd

# Load data from BigQuery
bq_df = bpd.read_gbq(
    "bqml_tutorial.ratings", columns=("user_id", "item_id", "rating")
)

# Create the Matrix Factorization model
model = decomposition.MatrixFactorization(
    num_factors=34,
    feedback_type="explicit",
    user_col="user_id",
    item_col="item_id",
    rating_col="rating",
    l2_reg=9.83,
)
model.fit(bq_df)
model.to_gbq(
    your_model_id, replace=True  # For example: "bqml_tutorial.mf_explicit"
)
# Evaluate the model using the score() function
model.score()
# Use predict() to get the predicted rating for each movie for 5 users
subset = bq_df.head(5)
predicted = model.predict(subset)
print(predicted)

# Load movies
movies = bpd.read_gbq("bqml_tutorial.movies")

# Merge the movies df with the previously created predicted df
merged_df = bpd.merge(predicted, movies, left_on="item_id", right_on="movie_id")

# Separate users and predicted data, setting the index to 'movie_id'
users = merged_df[["user_id", "movie_id"]].set_index("movie_id")

# Take the predicted data and sort it in descending order by 'predicted_rating', setting the index to 'movie_id'
sort_data = (
    merged_df[["movie_title", "genre", "predicted_rating", "movie_id"]]
    .sort_values(by="predicted_rating", ascending=False)
    .set_index("movie_id")
)

# re-merge the separated dfs by index
merged_user = sort_data.join(users, how="outer")

# group the users and set the user_id as the index
merged_user.groupby("user_id").head(5).set_index("user_id").sort_index()
print(merged_user)
"""


@pytest.fixture
def storage_read_endpoint(storage_api: StorageApi) -> str:
    """Return host:port of the Storage Read API served beside live_server (over TLS, its
    certificate trusted through GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, as docs/storage-read.md says)."""
    return storage_api.endpoint


def test_it_runs_the_tutorials_dataframes_code_as_written(
    live_server,
    worker: None,
    transactional_db: None,
    storage_read_endpoint: str,
    grouplens,
    movielens,
    monkeypatch,
) -> None:
    for name, value in grouplens.items():  # requests.get of files.grouplens.org goes to it
        monkeypatch.setenv(name, value)
    construction = (
        "google.cloud.bigquery.Client(project='local-project', credentials=AnonymousCredentials(),"
        f" client_options=ClientOptions(api_endpoint='{live_server.url}'))"
    )
    namespace = {"AnonymousCredentials": AnonymousCredentials, "ClientOptions": ClientOptions}
    exec(tutorial.PYTHON_DATASET.replace("google.cloud.bigquery.Client()", construction), namespace)
    exec(tutorial.PYTHON_LOAD, namespace)

    # The README's lines that point bigframes at Quarry.
    bpd.close_session()
    bpd.options.bigquery.project = "local-project"
    bpd.options.bigquery.location = "US"
    bpd.options.bigquery.credentials = AnonymousCredentials()
    bpd.options.bigquery.client_endpoints_override = {
        "bqclient": live_server.url,
        "bqstoragereadclient": storage_read_endpoint,
    }
    namespace["your_model_id"] = "bqml_tutorial.mf_explicit"
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(TUTORIAL, namespace)  # the tutorial's own code, run as the reader runs it
        model = namespace["model"]
        scores = model.score().to_pandas()
        assert list(scores.columns) == list(TUTORIAL_METRICS)
        assert 0 < scores["mean_squared_error"][0] < 2.5
        predicted = namespace["predicted"].to_pandas()
        subset = namespace["subset"].to_pandas()
        assert set(predicted["user_id"]) == set(subset["user_id"])
        assert predicted["predicted_rating"].notna().all()
        assert "movie_title" in printed.getvalue() and "predicted_rating" in printed.getvalue()
        saved = namespace["bqclient"].get_model("bqml_tutorial.mf_explicit")
        assert saved.model_type == "MATRIX_FACTORIZATION"
    finally:
        bpd.close_session()
