from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from console.catalog.models import MLModel, Project, Table
from console.jobs.models import Job
from tests.web.conftest import RECOMMENDATIONS_SCHEMA


def test_it_polls_a_pending_job(client: Client, project: Project) -> None:
    job = Job.objects.create(project=project, job_type=Job.Type.QUERY)
    r = client.get(f"/jobs/{job.job_id}/status")
    assert r.status_code == 200
    html = r.content.decode()
    assert "<html" not in html
    assert "Query running…" in html
    assert "Elapsed time:" in html
    assert "Waiting for a worker" in html
    assert f'data-poll="/jobs/{job.job_id}/status"' in html


def test_it_shows_a_pending_load(client: Client, project: Project) -> None:
    job = Job.objects.create(project=project, job_type=Job.Type.LOAD, state=Job.State.RUNNING)
    html = client.get(f"/jobs/{job.job_id}/status").content.decode()
    assert "Loading data…" in html
    assert "Waiting for a worker" not in html


def test_it_shows_the_error_of_a_failed_load(client: Client, done_job: Callable[..., Job]) -> None:
    message = "Error while reading data: line 3: cannot convert 'abc' to INT64 for column user_id"
    job = done_job(job_type=Job.Type.LOAD, error_result={"reason": "invalid", "message": message})
    html = client.get(f"/jobs/{job.job_id}/status").content.decode()
    assert "Load job failed" in html
    assert "line 3: cannot convert &#x27;abc&#x27; to INT64" in html
    assert "FAILURE" in html


def test_it_links_a_loaded_table(
    client: Client, ratings: Table, done_job: Callable[..., Job]
) -> None:
    target = {"projectId": "local-project", "datasetId": "bqml_tutorial", "tableId": "ratings"}
    job = done_job(job_type=Job.Type.LOAD, configuration={"load": {"destinationTable": target}})
    html = client.get(f"/jobs/{job.job_id}/status").content.decode()
    assert "Load job completed" in html
    assert "now has 120 rows" in html
    assert 'href="/d/bqml_tutorial/t/ratings/"' in html
    assert "Go to table" in html


def test_it_pages_through_results(
    client: Client, done_job: Callable[..., Job], store_rows: Callable[..., str]
) -> None:
    schema = [{"name": "n", "type": "INTEGER", "mode": "NULLABLE"}]
    rows = [{"n": i} for i in range(120)]
    job = done_job(
        result_schema=schema,
        result_path=store_rows(schema, rows),
        result_rows=120,
        statistics={"statementType": "SELECT", "totalBytesProcessed": "960"},
    )
    html = client.get(f"/jobs/{job.job_id}/status").content.decode()
    assert "120 rows" in html
    assert "1 – 50 of 120" in html
    assert html.count('<td class="rownum"') == 50
    assert f'data-partial="/jobs/{job.job_id}/status?page=2"' in html
    assert "Previous page" not in html
    assert "Bytes processed 960" in html

    html = client.get(f"/jobs/{job.job_id}/status?page=3").content.decode()
    assert "101 – 120 of 120" in html
    assert html.count('<td class="rownum"') == 20
    assert '<td class="rownum" rowspan="1">101</td>' in html
    assert "Previous page" in html and "Next page" not in html


def test_it_shows_array_of_struct_as_nested_rows(
    client: Client, done_job: Callable[..., Job], store_rows: Callable[..., str]
) -> None:
    rows: list[dict[str, Any]] = [
        {
            "user_id": 7,
            "recommended": [
                {"movie_title": "Star Wars (1977)", "predicted_rating": 4.75},
                {"movie_title": "Casablanca (1942)", "predicted_rating": 4.5},
            ],
        },
        {"user_id": 8, "recommended": []},
    ]
    job = done_job(
        result_schema=RECOMMENDATIONS_SCHEMA,
        result_path=store_rows(RECOMMENDATIONS_SCHEMA, rows),
        statistics={"statementType": "SELECT"},
    )
    html = client.get(f"/jobs/{job.job_id}/status").content.decode()
    assert (
        '<th scope="col">recommended.movie_title</th>'
        '<th scope="col">recommended.predicted_rating</th>'
    ) in html
    assert '<td class="rownum" rowspan="2">1</td><td rowspan="2"><span class="num">7</span>' in html
    assert '<td class="sub"><span class="">Star Wars (1977)</span></td>' in html
    assert '<td class="sub"><span class="num">4.75</span></td>' in html
    assert '<td class="rownum" rowspan="1">2</td>' in html
    assert '<td class="sub"></td><td class="sub"></td>' in html


def test_it_says_when_a_select_returned_nothing(
    client: Client, done_job: Callable[..., Job], store_rows: Callable[..., str]
) -> None:
    schema = [{"name": "n", "type": "INTEGER", "mode": "NULLABLE"}]
    job = done_job(result_schema=schema, result_path=store_rows(schema, []))
    html = client.get(f"/jobs/{job.job_id}/status").content.decode()
    assert "There is no data to display." in html
    assert "0 rows" in html


def test_it_links_a_created_model(
    client: Client, model: MLModel, done_job: Callable[..., Job]
) -> None:
    target = {"projectId": "local-project", "datasetId": "bqml_tutorial", "modelId": "mf_explicit"}
    job = done_job(
        statistics={
            "statementType": "CREATE_MODEL",
            "ddlOperationPerformed": "CREATE",
            "ddlTargetModel": target,
        }
    )
    html = client.get(f"/jobs/{job.job_id}/status").content.decode()
    assert (
        "This statement created a new model named local-project.bqml_tutorial.mf_explicit." in html
    )
    assert 'href="/d/bqml_tutorial/m/mf_explicit/"' in html
    assert "Go to model" in html


def test_it_links_a_replaced_table(
    client: Client, ratings: Table, done_job: Callable[..., Job]
) -> None:
    target = {"projectId": "local-project", "datasetId": "bqml_tutorial", "tableId": "ratings"}
    job = done_job(
        statistics={
            "statementType": "CREATE_TABLE_AS_SELECT",
            "ddlOperationPerformed": "REPLACE",
            "ddlTargetTable": target,
        }
    )
    html = client.get(f"/jobs/{job.job_id}/status").content.decode()
    assert "This statement replaced the table named local-project.bqml_tutorial.ratings." in html
    assert "Go to table" in html


def test_it_does_not_link_a_dropped_table(client: Client, done_job: Callable[..., Job]) -> None:
    target = {"projectId": "local-project", "datasetId": "bqml_tutorial", "tableId": "gone"}
    job = done_job(
        statistics={
            "statementType": "DROP_TABLE",
            "ddlOperationPerformed": "DROP",
            "ddlTargetTable": target,
        }
    )
    html = client.get(f"/jobs/{job.job_id}/status").content.decode()
    assert "This statement deleted the table named local-project.bqml_tutorial.gone." in html
    assert "Go to table" not in html


def test_it_shows_dml_row_counts(client: Client, done_job: Callable[..., Job]) -> None:
    job = done_job(statistics={"statementType": "INSERT", "numDmlAffectedRows": "3"})
    html = client.get(f"/jobs/{job.job_id}/status").content.decode()
    assert "This statement modified 3 rows." in html


def test_it_404s_for_a_missing_job(client: Client, db: None) -> None:
    assert client.get("/jobs/job_nope/status").status_code == 404
