"""The Create table form: it builds the load's configuration, and the worker loads it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from console.catalog.models import Dataset, Table
from console.engine.results import read_rows
from console.jobs.models import Job
from tests.conftest import wait_for

SCHEMA = "user_id:INT64,item_id:INT64,rating:FLOAT64,timestamp:TIMESTAMP"


def _csv() -> SimpleUploadedFile:
    return SimpleUploadedFile("ratings.csv", b"1,10,4.0,881250949\n2,20,3.5,891717742\n")


def test_it_shows_the_upload_form(client: Client, dataset: Dataset) -> None:
    r = client.get("/d/bqml_tutorial/tables/new")
    assert r.status_code == 200
    html = r.content.decode()
    for label in (
        "Select file",
        "File format",
        "Table",
        "Edit as text",
        "Auto detect schema",
        "Field delimiter",
        "Header rows to skip",
        "Write preference",
        "Number of errors allowed",
        "Unknown values",
        "Ignore unknown values",
        "Quoted newlines",
        "Allow quoted newlines",
        "Jagged rows",
        "Allow jagged rows",
        "Null marker",
        "Quote character",
        "Encoding",
    ):
        assert f">{label}<" in html
    assert 'enctype="multipart/form-data"' in html


def test_it_submits_a_load_job(client: Client, dataset: Dataset) -> None:
    r = client.post(
        "/d/bqml_tutorial/tables/new",
        {
            "upload": _csv(),
            "source_format": "CSV",
            "table_id": "ratings",
            "schema": SCHEMA,
            "field_delimiter": ",",
            "skip_leading_rows": "0",
            "write_disposition": "WRITE_EMPTY",
        },
    )
    assert r.status_code == 302
    job = Job.objects.get()
    assert r.url == f"/jobs/{job.job_id}/"
    assert job.job_type == Job.Type.LOAD
    assert job.state == Job.State.PENDING
    assert job.user_email == "alice@example.com"
    load = job.configuration["load"]
    assert load["destinationTable"]["tableId"] == "ratings"
    assert load["writeDisposition"] == "WRITE_EMPTY"


def test_it_shows_a_malformed_schema_and_creates_nothing(client: Client, dataset: Dataset) -> None:
    r = client.post(
        "/d/bqml_tutorial/tables/new",
        {
            "upload": _csv(),
            "source_format": "CSV",
            "table_id": "ratings",
            "schema": "user_id:BOGUS",
            "field_delimiter": ",",
            "skip_leading_rows": "0",
            "write_disposition": "WRITE_EMPTY",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert '<p class="field-error" id="id_schema_error">Invalid schema: field user_id has' in html
    assert not Job.objects.exists()
    assert not Table.objects.exists()


def test_it_asks_for_a_schema_or_autodetect(client: Client, dataset: Dataset) -> None:
    r = client.post(
        "/d/bqml_tutorial/tables/new",
        {
            "upload": _csv(),
            "source_format": "CSV",
            "table_id": "ratings",
            "schema": "",
            "field_delimiter": ",",
            "skip_leading_rows": "0",
            "write_disposition": "WRITE_EMPTY",
        },
    )
    assert r.status_code == 400
    assert "Enter a schema, or choose Auto detect." in r.content.decode()
    assert not Job.objects.exists()


def test_it_refuses_a_malformed_table_id(client: Client, dataset: Dataset) -> None:
    r = client.post(
        "/d/bqml_tutorial/tables/new",
        {
            "upload": _csv(),
            "source_format": "CSV",
            "table_id": "bad-name!",
            "schema": SCHEMA,
            "field_delimiter": ",",
            "skip_leading_rows": "0",
            "write_disposition": "WRITE_EMPTY",
        },
    )
    assert r.status_code == 400
    assert "Invalid table ID &quot;bad-name!&quot;" in r.content.decode()
    assert not Job.objects.exists()


def test_it_takes_a_custom_delimiter(client: Client, dataset: Dataset) -> None:
    upload = SimpleUploadedFile("ratings.csv", b"1@10@4.0@881250949\n")
    r = client.post(
        "/d/bqml_tutorial/tables/new",
        {
            "upload": upload,
            "source_format": "CSV",
            "table_id": "ratings",
            "schema": SCHEMA,
            "field_delimiter": "custom",
            "custom_delimiter": "@",
            "skip_leading_rows": "0",
            "write_disposition": "WRITE_APPEND",
        },
    )
    assert r.status_code == 302
    assert Job.objects.get().configuration["load"]["fieldDelimiter"] == "@"


def test_it_404s_for_a_missing_dataset(client: Client, db: None) -> None:
    assert client.get("/d/nope/tables/new").status_code == 404


def _post(client: Client, data: bytes, **fields: Any):
    form = {
        "upload": SimpleUploadedFile("movies.csv", data),
        "source_format": "CSV",
        "table_id": "movies",
        "schema": "movie_id:INT64,movie_title:STRING,genre:STRING",
        "field_delimiter": "custom",
        "custom_delimiter": "@",
        "write_disposition": "WRITE_EMPTY",
        **fields,
    }
    return client.post("/d/bqml_tutorial/tables/new", form)


def _loaded(response) -> list[list]:
    assert response.status_code == 302, response.content.decode()[-2000:]
    job = wait_for(Job.objects.get())
    assert job.error_result is None, job.error_result
    _, rows, _ = read_rows(Table.objects.get(table_id="movies"), 0, 100)
    return rows


@pytest.mark.worker
def test_it_loads_the_tutorials_latin1_movies_without_an_encoding(
    client: Client, dataset: Dataset, worker: None, transactional_db: None
) -> None:
    data = "73@Misérables, Les (1995)@Drama|Musical\n74@Bogus@Drama\n".encode("latin-1")
    assert _loaded(_post(client, data)) == [
        [73, "Misérables, Les (1995)", "Drama|Musical"],
        [74, "Bogus", "Drama"],
    ]
    assert "encoding" not in Job.objects.get().configuration["load"]


@pytest.mark.worker
def test_it_hands_the_advanced_options_to_the_loader(
    client: Client, dataset: Dataset, worker: None, transactional_db: None
) -> None:
    data = (
        "1@'Amélie\nPoulain'@Comedy\n"  # quoted with ', over two lines
        "2@NA@Drama\n"  # the null marker
        "3@Heat\n"  # jagged
        "4@Up@Animation@2009\n"  # an unknown value
        "five@Bad@Drama\n"  # a bad record
    ).encode("utf-16-le")
    response = _post(
        client,
        data,
        max_bad_records="1",
        ignore_unknown_values="on",
        allow_quoted_newlines="on",
        allow_jagged_rows="on",
        null_marker="NA",
        quote="'",
        encoding="UTF-16LE",
    )
    assert sorted(_loaded(response)) == [
        [1, "Amélie\nPoulain", "Comedy"],
        [2, None, "Drama"],
        [3, "Heat", None],
        [4, "Up", "Animation"],
    ]
    assert Job.objects.get().statistics["badRecords"] == "1"


def test_it_shows_the_engines_refusal_beside_the_option(client: Client, dataset: Dataset) -> None:
    r = _post(client, b"1@a@b\n", custom_delimiter="\n")
    assert r.status_code == 400
    html = r.content.decode()
    assert (
        '<p class="field-error" id="id_field_delimiter_error">Invalid value for fieldDelimiter'
        in (html)
    )
    assert not Job.objects.exists() and not Table.objects.exists()
