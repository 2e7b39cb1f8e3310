"""jobs.submit: every front end's one way to create a job; bad input creates nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from console.catalog.models import Dataset, Project
from console.errors import BigQueryError, DuplicateError, InvalidError
from console.jobs.models import Job
from console.jobs.submit import submit

RATINGS = [
    {"name": "user_id", "type": "INT64"},
    {"name": "rating", "type": "FLOAT64"},
]


@pytest.fixture
def dataset(db: None) -> Dataset:
    return Dataset.create(Project.default(), "ratings")


def _load(**options: object) -> dict:
    load = {
        "destinationTable": {"datasetId": "ratings", "tableId": "t"},
        "schema": {"fields": RATINGS},
        **options,
    }
    return {"load": load, "labels": {"team": "recs"}, "jobTimeoutMs": "60000"}


def _staged(storage_dir: Path) -> list[Path]:
    return [p for p in (storage_dir / "uploads").glob("*") if p.is_file()]


def test_it_keeps_every_option_the_client_sent(dataset: Dataset, storage_dir: Path) -> None:
    options = {
        "fieldDelimiter": ";",
        "nullMarker": "\\N",
        "skipLeadingRows": 1,
        "allowJaggedRows": True,
        "maxBadRecords": 3,
        "encoding": "ISO-8859-1",
    }
    job = submit(None, Project.default(), _load(**options), io.BytesIO(b"u;r\n1;2.5\n"))
    job.refresh_from_db()
    assert job.state == Job.State.PENDING and job.job_type == Job.Type.LOAD
    assert job.configuration["labels"] == {"team": "recs"}
    assert job.configuration["jobTimeoutMs"] == "60000"
    for name, value in options.items():
        assert job.configuration["load"][name] == value, name
    assert (storage_dir / job.upload_path).read_bytes() == b"u;r\n1;2.5\n"


def test_it_creates_nothing_for_an_option_bigquery_refuses(
    dataset: Dataset, storage_dir: Path
) -> None:
    before = _staged(storage_dir)
    with pytest.raises(InvalidError) as refused:
        submit(None, Project.default(), _load(encoding="EBCDIC"), io.BytesIO(b"1,2\n"))
    assert refused.value.location == "encoding"
    assert not Job.objects.exists()
    assert _staged(storage_dir) == before


def test_it_refuses_a_taken_job_id_and_keeps_no_second_file(
    dataset: Dataset, storage_dir: Path
) -> None:
    before = len(_staged(storage_dir))
    submit(None, Project.default(), _load(), io.BytesIO(b"1,2\n"), job_id="load_1")
    with pytest.raises(DuplicateError, match="Already Exists: Job local-project:US.load_1"):
        submit(None, Project.default(), _load(), io.BytesIO(b"1,2\n"), job_id="load_1")
    assert Job.objects.count() == 1
    assert len(_staged(storage_dir)) == before + 1


@pytest.mark.parametrize(
    ("configuration", "message"),
    [
        (
            {"extract": {"sourceTable": {}}},
            "Required parameter is missing: configuration.extract.sourceTable",
        ),
        ({}, "Required parameter is missing: configuration.query"),
        (
            {"query": {"query": "SELECT 1"}, "copy": {"sourceTable": {}}},
            "one of query, load, copy and extract, not query and copy",
        ),
        ({"query": {"query": "SELECT 1", "useLegacySql": True}}, "Legacy SQL is not supported"),
        ({"query": {"query": "SELECT 1"}, "labels": {"a": 1}}, "Invalid value for labels"),
    ],
)
def test_it_refuses_a_configuration_it_cannot_run(
    db: None, configuration: dict, message: str
) -> None:
    with pytest.raises(BigQueryError, match=message):
        submit(None, Project.default(), configuration)
    assert not Job.objects.exists()


def test_it_refuses_a_load_without_its_file(dataset: Dataset) -> None:
    with pytest.raises(BigQueryError, match="A load job needs its file"):
        submit(None, Project.default(), _load())
    assert not Job.objects.exists()


def test_it_finishes_a_dry_run_at_once_with_what_it_would_read(dataset: Dataset) -> None:
    job = submit(None, Project.default(), {"query": {"query": "SELECT 1 AS x"}, "dryRun": True})
    assert job.state == Job.State.DONE and job.error_result is None
    assert job.statistics == {"statementType": "SELECT", "totalBytesProcessed": "0"}
    assert job.configuration["query"]["useLegacySql"] is False
