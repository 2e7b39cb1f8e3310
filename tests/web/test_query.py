from __future__ import annotations

from collections.abc import Callable

import pytest
from django.template.defaultfilters import filesizeformat
from django.test import Client

from console.catalog.models import Dataset, MLModel
from console.jobs.models import Job
from console.web import display
from tests.conftest import synthetic_ratings


def test_it_shows_an_empty_editor(client: Client, db: None) -> None:
    r = client.get("/query")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<label for="id_sql" class="visually-hidden">Query editor</label>' in html
    assert "Run</button>" in html
    assert "Run a query to see its results here." in html


def test_it_prefills_the_editor(client: Client, db: None) -> None:
    r = client.get("/query", {"sql": "SELECT * FROM `bqml_tutorial.ratings` LIMIT 1000"})
    assert "SELECT * FROM `bqml_tutorial.ratings` LIMIT 1000</textarea>" in r.content.decode()


def test_it_submits_a_query_job(client: Client, db: None) -> None:
    r = client.post("/query", {"sql": "SELECT 1 AS x"})
    assert r.status_code == 302
    job = Job.objects.get()
    assert r.url == f"/query?job={job.job_id}"
    assert job.job_type == Job.Type.QUERY
    assert job.query == "SELECT 1 AS x"
    assert job.configuration["query"]["useLegacySql"] is False
    assert job.user_email == "alice@example.com"


def test_it_refuses_an_empty_query(client: Client, db: None) -> None:
    r = client.post("/query", {"sql": "  "})
    assert r.status_code == 400
    assert "Enter a query to run." in r.content.decode()
    assert not Job.objects.exists()


def test_it_shows_a_running_job_and_polls(client: Client, project) -> None:
    job = Job.objects.create(
        project=project, job_type=Job.Type.QUERY, configuration={"query": {"query": "SELECT 2"}}
    )
    html = client.get("/query", {"job": job.job_id}).content.decode()
    assert "SELECT 2</textarea>" in html
    assert "Query running…" in html
    assert f'data-poll="/jobs/{job.job_id}/status"' in html


def test_it_shows_a_failed_job_where_the_results_would_be(
    client: Client, done_job: Callable[..., Job]
) -> None:
    job = done_job(
        error_result={
            "reason": "invalidQuery",
            "message": "Syntax error: Unexpected keyword FORM at [1:10]",
            "location": "query",
        }
    )
    html = client.get("/query", {"job": job.job_id}).content.decode()
    assert '<div class="error-box" role="alert">' in html
    assert "Syntax error: Unexpected keyword FORM at [1:10]" in html
    assert 'Location: <span class="mono">query</span>' in html
    assert "data-poll" not in html


def test_it_404s_for_a_missing_job(client: Client, db: None) -> None:
    assert client.get("/query", {"job": "job_nope"}).status_code == 404


@pytest.mark.worker
def test_it_says_what_writing_recommendations_to_a_table_will_process(
    client: Client, run_sql: Callable[..., Job], dataset: Dataset
) -> None:
    synthetic_ratings(dataset)
    run_sql(
        """CREATE MODEL bqml_tutorial.mf
        OPTIONS(model_type='matrix_factorization', user_col='user_id', item_col='item_id',
                num_factors=8, max_iterations=2) AS
        SELECT user_id, item_id, rating FROM bqml_tutorial.ratings"""
    )
    size = MLModel.objects.get(model_id="mf").num_bytes
    assert size > 0
    sql = (
        "CREATE TABLE bqml_tutorial.recommend AS SELECT * FROM ML.RECOMMEND(MODEL bqml_tutorial.mf)"
    )
    answer = client.post("/query/validate", {"sql": sql}).json()
    assert answer["message"] == f"This query will process {display.format_bytes(size)} when run."

    job = run_sql(sql)
    html = client.get(f"/jobs/{job.job_id}/").content.decode()
    assert f"<dt>Bytes processed</dt><dd>{filesizeformat(size)}</dd>" in html


def test_it_submits_query_parameters_from_the_settings(client: Client, db: None) -> None:
    r = client.post(
        "/query",
        {"sql": "SELECT @n AS n", "parameters": "n:INT64:5\n"},
    )
    assert r.status_code == 302
    job = Job.objects.get()
    assert job.configuration["query"]["queryParameters"] == [
        {"name": "n", "parameterType": {"type": "INT64"}, "parameterValue": {"value": "5"}}
    ]
    # The job's page shows the parameters it ran with, in the same syntax.
    html = client.get("/query", {"job": job.job_id}).content.decode()
    assert "n:INT64:5</textarea>" in html
    assert '<details class="query-settings" open>' in html


def test_it_refuses_a_malformed_parameter_and_runs_nothing(client: Client, db: None) -> None:
    r = client.post("/query", {"sql": "SELECT @n", "parameters": "n:INT64:five"})
    assert r.status_code == 400
    assert "Query parameter n has an invalid INT64 value: &#x27;five&#x27;" in r.content.decode()
    assert not Job.objects.exists()


def test_it_validates_with_the_parameters(client: Client, db: None) -> None:
    missing = client.post("/query/validate", {"sql": "SELECT @n AS n"}).json()
    assert missing == {"valid": False, "message": "Query parameter 'n' not found at [1:8]"}
    bound = client.post("/query/validate", {"sql": "SELECT @n AS n", "parameters": "n:INT64:1"})
    assert bound.json()["valid"] is True
