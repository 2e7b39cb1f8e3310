"""The REST API: API keys as Bearer tokens, each role's permissions, anonymous only if allowed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from console.catalog.models import Dataset, Project
from console.iam.models import ApiKey

API = "/bigquery/v2/projects/local-project"


def _call(method: str, path: str, token: str | None = None, body: Any = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = json.dumps(body) if body is not None else ""
    return getattr(Client(), method)(path, data, content_type="application/json", **headers)


def _reason(response: Any) -> str:
    return response.json()["error"]["errors"][0]["reason"]


def test_it_requires_a_key_unless_anonymous_access_is_on(
    strict: None, dataset: Dataset, settings: Any
) -> None:
    r = _call("get", f"{API}/datasets/bqml_tutorial")
    assert r.status_code == 401 and _reason(r) == "authError"
    assert "Authorization: Bearer" in r.json()["error"]["message"]
    assert _call("get", "/discovery/v1/apis/bigquery/v2/rest").status_code == 200
    settings.QUARRY_ANONYMOUS_ACCESS = True
    assert _call("get", f"{API}/datasets/bqml_tutorial").status_code == 200


def test_it_acts_as_the_keys_owner(strict: None, alice: Any, dataset: Dataset) -> None:
    key, token = ApiKey.issue(alice, "laptop")
    r = _call("get", f"{API}/datasets/bqml_tutorial", token)
    assert r.status_code == 200
    assert r.json()["datasetReference"]["datasetId"] == "bqml_tutorial"
    key.refresh_from_db()
    assert key.last_used is not None


def test_it_stops_a_revoked_key_at_once(strict: None, alice: Any, dataset: Dataset) -> None:
    key, token = ApiKey.issue(alice, "laptop")
    assert _call("get", f"{API}/datasets", token).status_code == 200
    key.revoke()
    r = _call("get", f"{API}/datasets", token)
    assert r.status_code == 401 and _reason(r) == "authError"


def test_it_refuses_a_made_up_key_even_with_anonymous_access(alice: Any) -> None:
    r = _call("get", f"{API}/datasets", "qk_made-up")
    assert r.status_code == 401


def test_it_refuses_keys_of_deactivated_users(strict: None, alice: Any) -> None:
    _, token = ApiKey.issue(alice, "laptop")
    alice.is_active = False
    alice.save()
    assert _call("get", f"{API}/datasets", token).status_code == 401


# Per role: (role, datasets.get, datasets.create, datasets.delete, tables.getData, jobs.create)
ROLE_CASES = [
    ("roles/owner", True, True, True, True, True),
    ("roles/viewer", True, False, False, True, False),
    ("roles/bigquery.admin", True, True, True, True, True),
    ("roles/bigquery.dataOwner", True, True, True, True, False),
    ("roles/bigquery.dataEditor", True, True, False, True, False),
    ("roles/bigquery.dataViewer", True, False, False, True, False),
    ("roles/bigquery.jobUser", False, False, False, False, True),
    ("roles/bigquery.user", True, True, False, False, True),
    (None, False, False, False, False, False),
]


@pytest.mark.parametrize(("role", "get", "create", "delete", "read", "run"), ROLE_CASES)
def test_it_allows_each_role_what_it_holds(
    strict: None,
    role: str | None,
    get: bool,
    create: bool,
    delete: bool,
    read: bool,
    run: bool,
    bob: Any,
    grant: Any,
    dataset: Dataset,
    store_table: Any,
) -> None:
    if role:
        grant(bob, role)
    store_table(dataset, "ratings")
    _, token = ApiKey.issue(bob, "script")

    def status(allowed: bool, ok: int = 200) -> int:
        return ok if allowed else 403

    assert _call("get", f"{API}/datasets/bqml_tutorial", token).status_code == status(get)
    made = _call("post", f"{API}/datasets", token, {"datasetReference": {"datasetId": "made"}})
    assert made.status_code == status(create)
    if role and not create:
        assert "Permission bigquery.datasets.create denied" in made.json()["error"]["message"]
    rows = _call("get", f"{API}/datasets/bqml_tutorial/tables/ratings/data", token)
    assert rows.status_code == status(read)
    dry = _call("post", f"{API}/queries", token, {"query": "SELECT 1", "dryRun": True})
    assert dry.status_code == status(run)
    gone = _call("delete", f"{API}/datasets/bqml_tutorial?deleteContents=true", token)
    assert gone.status_code == status(delete, 204)
    assert Dataset.objects.filter(pk=dataset.pk).exists() != delete


def test_it_lists_only_projects_the_caller_may_see(
    strict: None, bob: Any, grant: Any, project: Project
) -> None:
    Project.objects.create(project_id="secret-project")
    grant(bob, "roles/viewer")
    _, token = ApiKey.issue(bob, "script")
    listed = _call("get", "/bigquery/v2/projects", token).json()["projects"]
    assert [p["id"] for p in listed] == ["local-project"]
    r = _call("get", "/bigquery/v2/projects/secret-project/datasets", token)
    assert r.status_code == 403


def test_it_refuses_a_dry_run_reading_what_the_caller_cannot(
    strict: None, bob: Any, grant: Any, dataset: Dataset, store_table: Any
) -> None:
    grant(bob, "roles/bigquery.jobUser")
    store_table(dataset, "ratings")
    _, token = ApiKey.issue(bob, "script")
    body = {"query": "SELECT * FROM bqml_tutorial.ratings", "dryRun": True}
    r = _call("post", f"{API}/queries", token, body)
    assert r.status_code == 403
    assert r.json()["error"]["message"] == (
        "Access Denied: Table local-project:bqml_tutorial.ratings: Permission "
        "bigquery.tables.getData denied on table local-project:bqml_tutorial.ratings (or it may "
        "not exist)."
    )


@pytest.mark.parametrize(("role", "allowed"), [("roles/bigquery.dataViewer", False),
                                               ("roles/bigquery.dataEditor", True)])  # fmt: skip
def test_it_lets_only_data_editors_stream_rows(
    strict: None, role: str, allowed: bool, bob: Any, grant: Any, dataset: Dataset, store_table: Any
) -> None:
    grant(bob, role)
    table = store_table(dataset, "ratings")
    _, token = ApiKey.issue(bob, "script")
    body = {"rows": [{"json": {"user_id": "7", "item_id": 7, "rating": 2.5}}]}
    r = _call("post", f"{API}/datasets/bqml_tutorial/tables/ratings/insertAll", token, body)
    assert r.status_code == (200 if allowed else 403)
    if not allowed:
        assert "Permission bigquery.tables.updateData denied" in r.json()["error"]["message"]
    else:
        assert r.json() == {"kind": "bigquery#tableDataInsertAllResponse"}
    table.refresh_from_db()
    assert table.num_rows == (4 if allowed else 3)
