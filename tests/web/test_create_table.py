from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from console.catalog.models import Dataset, Table
from console.jobs.models import Job

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
