"""A program that calls a path the API does not serve reads Google's JSON error, not a page."""

from __future__ import annotations

import pytest
from django.test import Client


def _error(response) -> dict:
    assert response["Content-Type"] == "application/json"
    body = response.json()["error"]
    assert body["code"] == response.status_code
    assert body["errors"][0] == {
        "message": body["message"],
        "domain": "global",
        "reason": body["errors"][0]["reason"],
    }
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/bigquery/v2/projects/local-project/nothing",
        "/bigquery/v2/projects/local-project/datasets/ds/tables/t/data/extra",
        "/bigquery/v2/",
        "/bigquery/v2",
        "/upload/bigquery/v2/projects/local-project/datasets",
        "/$discovery/rpc",
        "/discovery/v1/apis/bigquery/v3/rest",
    ],
)
def test_it_answers_json_404_for_a_path_no_method_serves(
    client: Client, db: None, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404
    error = _error(response)
    assert error["status"] == "NOT_FOUND"
    assert error["errors"][0]["reason"] == "notFound"
    assert error["message"] == f"The requested URL {path} was not found on this server."


def test_it_answers_json_404_whatever_the_method(client: Client, db: None) -> None:
    response = client.delete("/bigquery/v2/projects/local-project/nothing")
    assert response.status_code == 404
    assert _error(response)["errors"][0]["reason"] == "notFound"


def test_it_answers_json_405_for_a_wrong_method_on_a_method_path(client: Client, db: None) -> None:
    response = client.delete("/bigquery/v2/projects")
    assert response.status_code == 405
    error = _error(response)
    assert error["errors"][0]["reason"] == "methodNotAllowed"
    assert "DELETE" in error["message"]


def test_it_keeps_the_consoles_html_404(client: Client, db: None) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
