"""The real google-cloud-bigquery client pointed at a live Quarry (a real worker runs the jobs)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from django.conf import settings
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

from mfcore import make_ratings

GENRES = ["Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi", "Thriller"]


def make_client(url: str) -> bigquery.Client:
    return bigquery.Client(
        project=settings.QUARRY_DEFAULT_PROJECT,
        credentials=AnonymousCredentials(),
        client_options=ClientOptions(api_endpoint=url),
    )


@pytest.fixture
def bq(live_server, worker: None, transactional_db: None) -> bigquery.Client:
    """Return a client of the live server whose jobs the session's worker runs."""
    return make_client(live_server.url)


def at_separated(frame: pd.DataFrame, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, sep="@", header=False, index=False)
    return buffer.getvalue().encode(encoding)


@pytest.fixture(scope="session")
def tutorial_files() -> tuple[bytes, bytes]:
    """Return small MovieLens-shaped ratings and movies, '@'-separated as in the tutorial (the
    movies in ISO-8859-1, as MovieLens's movies.dat is)."""
    ratings = make_ratings(n_users=120, n_items=80, n_ratings=2500, random_state=11)
    n_movies = int(ratings["item_id"].max()) + 1
    movies = pd.DataFrame(
        {
            "movie_id": np.arange(n_movies),
            "movie_title": [f"Movie {i}, Les Misérables (1999)" for i in range(n_movies)],
            "genre": [GENRES[i % len(GENRES)] for i in range(n_movies)],
        }
    )
    return at_separated(ratings), at_separated(movies, "latin-1")
