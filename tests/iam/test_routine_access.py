"""Routines through the REST API: viewers read them, editors write them, outsiders see nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from console.catalog.models import Dataset, Routine
from console.iam.models import ApiKey

ROUTINES = "/bigquery/v2/projects/local-project/datasets/bqml_tutorial/routines"
BODY = {
    "routineReference": {"routineId": "g"},
    "routineType": "SCALAR_FUNCTION",
    "arguments": [{"name": "x", "dataType": {"typeKind": "INT64"}}],
    "definitionBody": "x + 2",
}


def _call(method: str, path: str, token: str, body: Any = None) -> Any:
    data = json.dumps(body) if body is not None else ""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    return getattr(Client(), method)(path, data, content_type="application/json", **headers)


@pytest.fixture
def routine(dataset: Dataset) -> Routine:
    return Routine.objects.create(
        dataset=dataset,
        routine_id="f",
        arguments=[{"name": "x", "dataType": {"typeKind": "INT64"}}],
        definition_body="x + 1",
    )


@pytest.mark.parametrize(
    ("role", "reads", "writes", "refused"),
    [
        ("roles/bigquery.dataViewer", True, False, "bigquery.routines.create"),
        ("roles/bigquery.dataEditor", True, True, ""),
        # Without datasets.get, the dataset itself is out of sight.
        ("roles/bigquery.jobUser", False, False, "bigquery.datasets.get"),
    ],
)
def test_it_lets_each_role_do_what_bigquerys_does_with_routines(
    strict: None,
    bob: Any,
    grant: Callable[[Any, str], Any],
    routine: Routine,
    role: str,
    reads: bool,
    writes: bool,
    refused: str,
) -> None:
    grant(bob, role)
    _, token = ApiKey.issue(bob, "laptop")

    listed = _call("get", ROUTINES, token)
    fetched = _call("get", f"{ROUTINES}/f", token)
    inserted = _call("post", ROUTINES, token, BODY)
    deleted = _call("delete", f"{ROUTINES}/f", token)

    assert (fetched.status_code == 200) is reads
    assert (inserted.status_code == 200) is writes
    assert (deleted.status_code == 204) is writes
    if not writes:
        message = inserted.json()["error"]["message"]
        assert inserted.status_code == 403
        assert f"Permission {refused} denied" in message
        assert Routine.objects.filter(routine_id="f").exists()
    assert (listed.status_code == 200) is reads
