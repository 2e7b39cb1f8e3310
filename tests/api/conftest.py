"""The real google-cloud-bigquery client pointed at a live Quarry (a real worker runs the jobs)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.conf import settings
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery, bigquery_storage

from console import tls
from console.api import grpc_server, storage_read
from mfcore import make_ratings
from tests.conftest import TEST_TLS_DIR

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


@dataclass
class StorageApi:
    """A running Storage Read API: where it listens and what it serves (to see its sessions)."""

    endpoint: str
    servicer: storage_read.BigQueryRead

    def client(self, credentials: Any = None) -> bigquery_storage.BigQueryReadClient:
        """Return the real BigQueryReadClient, configured as docs/storage-read.md says."""
        return bigquery_storage.BigQueryReadClient(
            client_options=ClientOptions(api_endpoint=self.endpoint),
            credentials=credentials or AnonymousCredentials(),
        )


@pytest.fixture(scope="session")
def storage_api_server(django_db_setup: None) -> Iterator[StorageApi]:
    """Serve the Storage Read API over TLS from this process, so it reads the test database.

    Clients trust its certificate through GRPC_DEFAULT_SSL_ROOTS_FILE_PATH (tests/conftest.py).
    """
    servicer = storage_read.BigQueryRead()
    server, port = grpc_server.start("127.0.0.1", 0, tls.ensure(TEST_TLS_DIR), servicer)
    yield StorageApi(f"127.0.0.1:{port}", servicer)
    server.stop(grace=None)


@pytest.fixture
def storage_api(storage_api_server: StorageApi, transactional_db: None) -> StorageApi:
    """Return the running Storage Read API, with this test's rows committed where it reads."""
    return storage_api_server


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
