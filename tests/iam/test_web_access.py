"""The console: sign-in first, then each role may do what it holds and is refused the rest."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from console.catalog.models import Dataset, Project, Table
from console.iam.models import ApiKey, RoleBinding
from console.jobs.models import Job
from tests.iam.conftest import PASSWORD

NEW_DATASET = {"dataset_id": "made", "location_type": "multi-region", "location": "US"}
CONSOLE_PAGES = [
    "/",
    "/jobs/",
    "/query",
    "/datasets/new",
    "/d/bqml_tutorial/",
    "/d/bqml_tutorial/t/ratings/",
    "/iam/",
    "/keys/",
    "/shutdown",
]


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_it_sends_anonymous_visitors_to_sign_in(path: str, dataset: Dataset) -> None:
    r = Client().get(path)
    assert r.status_code == 302
    assert r.url.startswith("/signin?next=")


def test_it_signs_in_and_out(alice: Any) -> None:
    client = Client()
    assert "Sign in" in client.get("/signin").content.decode()
    r = client.post("/signin", {"username": "alice", "password": PASSWORD, "next": "/jobs/"})
    assert r.status_code == 302 and r.url == "/jobs/"
    assert client.get("/").status_code == 200
    assert client.post("/signout").status_code == 302
    assert client.get("/").status_code == 302


def test_it_refuses_a_wrong_password(alice: Any) -> None:
    r = Client().post("/signin", {"username": "alice", "password": "guess"})
    assert r.status_code == 400
    assert "Please enter a correct username and password" in r.content.decode()


def test_it_pauses_sign_in_after_repeated_failures(alice: Any, settings: Any) -> None:
    settings.QUARRY_SIGN_IN_ATTEMPTS = 3
    client = Client(REMOTE_ADDR="10.0.0.7")
    for _ in range(3):
        assert client.post("/signin", {"username": "alice", "password": "x"}).status_code == 400
    r = client.post("/signin", {"username": "alice", "password": PASSWORD})
    assert r.status_code == 429
    assert "Too many failed sign-in attempts" in r.content.decode()


def test_it_requires_csrf_on_forms(alice: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    r = client.post("/datasets/new", {**NEW_DATASET, "dataset_id": "forged"})
    assert r.status_code == 403
    assert not Dataset.objects.filter(dataset_id="forged").exists()
    assert Client(enforce_csrf_checks=True).post("/signin", {"username": "a"}).status_code == 403


# Per role: (role, may view the dataset, may create a dataset, may run a query, may preview rows)
ROLE_CASES = [
    ("roles/owner", True, True, True, True),
    ("roles/viewer", True, False, False, True),
    ("roles/bigquery.admin", True, True, True, True),
    ("roles/bigquery.dataOwner", True, True, False, True),
    ("roles/bigquery.dataEditor", True, True, False, True),
    ("roles/bigquery.dataViewer", True, False, False, True),
    ("roles/bigquery.jobUser", False, False, True, False),
    ("roles/bigquery.user", True, True, True, False),
]


@pytest.mark.parametrize(("role", "view", "create", "query", "preview"), ROLE_CASES)
def test_it_allows_each_role_what_it_holds(
    role: str,
    view: bool,
    create: bool,
    query: bool,
    preview: bool,
    bob: Any,
    grant: Any,
    browser: Any,
    dataset: Dataset,
) -> None:
    grant(bob, role)
    Table.objects.create(dataset=dataset, table_id="ratings")
    client = browser(bob)
    assert client.get("/d/bqml_tutorial/").status_code == (200 if view else 403)
    made = client.post("/datasets/new", NEW_DATASET)
    assert made.status_code == (302 if create else 403)
    ran = client.post("/query", {"sql": "SELECT 1"})
    assert ran.status_code == (302 if query else 403)
    assert Job.objects.filter(user=bob).exists() == query
    previewed = client.get("/d/bqml_tutorial/t/ratings/?tab=preview")
    assert previewed.status_code == (200 if preview else 403)


def test_it_shows_an_outsider_nothing(charlie: Any, browser: Any, dataset: Dataset) -> None:
    client = browser(charlie)
    home = client.get("/").content.decode()
    assert "You have no role in any project yet" in home
    assert "bqml_tutorial" not in home
    r = client.get("/d/bqml_tutorial/")
    assert r.status_code == 403
    assert "Permission bigquery.datasets.get denied on dataset" in r.content.decode()
    assert client.get("/d/missing/").status_code == 403
    assert client.post("/d/bqml_tutorial/delete", {"confirm": "bqml_tutorial"}).status_code == 403
    assert Dataset.objects.filter(pk=dataset.pk).exists()


def test_it_lets_a_data_owner_delete_but_not_a_data_editor(
    bob: Any, charlie: Any, grant: Any, browser: Any, dataset: Dataset
) -> None:
    grant(bob, "roles/bigquery.dataOwner")
    grant(charlie, "roles/bigquery.dataEditor")
    form = {"confirm": "bqml_tutorial"}
    assert browser(charlie).post("/d/bqml_tutorial/delete", form).status_code == 403
    assert browser(bob).post("/d/bqml_tutorial/delete", form).status_code == 302
    assert not Dataset.objects.filter(pk=dataset.pk).exists()


def test_it_grants_and_revokes_roles_on_the_iam_page(
    alice: Any, bob: Any, browser: Any, project: Project
) -> None:
    client = browser(alice)
    r = client.post("/iam/", {"member": "user:bob", "role": "roles/bigquery.dataViewer"})
    assert r.status_code == 302
    binding = RoleBinding.objects.get(user=bob)
    page = client.get("/iam/").content.decode()
    assert "user:bob" in page and "roles/bigquery.dataViewer" in page
    assert client.post(f"/iam/{binding.pk}/revoke").status_code == 302
    assert not RoleBinding.objects.filter(user=bob).exists()


def test_it_refuses_an_unknown_member(alice: Any, browser: Any) -> None:
    r = browser(alice).post("/iam/", {"member": "user:nobody", "role": "roles/viewer"})
    assert r.status_code == 400
    assert "User nobody does not exist." in r.content.decode()


def test_it_lets_only_owners_change_the_policy(
    alice: Any, bob: Any, charlie: Any, grant: Any, browser: Any
) -> None:
    grant(bob, "roles/viewer")
    grant(charlie, "roles/bigquery.admin")
    viewer = browser(bob)
    assert viewer.get("/iam/").status_code == 200
    assert "Grant access" not in viewer.get("/iam/").content.decode()
    form = {"member": "user:bob", "role": "roles/owner"}
    assert viewer.post("/iam/", form).status_code == 403
    assert browser(charlie).get("/iam/").status_code == 403
    owner_binding = RoleBinding.objects.get(user=alice)
    assert viewer.post(f"/iam/{owner_binding.pk}/revoke").status_code == 403
    assert not RoleBinding.objects.filter(user=bob, role="roles/owner").exists()


def test_it_creates_and_revokes_api_keys(bob: Any, browser: Any) -> None:
    client = browser(bob)
    r = client.post("/keys/", {"name": "laptop"})
    assert r.status_code == 200
    key = ApiKey.objects.get(user=bob)
    token = r.context["token"]
    assert token.startswith("qk_") and token in r.content.decode()
    assert token not in key.hashed and key.prefix == token[:10]
    assert token not in client.get("/keys/").content.decode()
    assert client.post(f"/keys/{key.pk}/revoke").status_code == 302
    key.refresh_from_db()
    assert key.revoked is not None


def test_it_keeps_api_keys_to_their_owner(alice: Any, bob: Any, browser: Any) -> None:
    key, _ = ApiKey.issue(alice, "alice's")
    browser(bob).post(f"/keys/{key.pk}/revoke")
    key.refresh_from_db()
    assert key.revoked is None
    assert "alice&#x27;s" not in browser(bob).get("/keys/").content.decode()


def test_it_shuts_a_project_down_once_its_id_is_typed(
    alice: Any, browser: Any, project: Project, dataset: Dataset
) -> None:
    client = browser(alice)
    assert client.get("/shutdown").status_code == 200
    wrong = client.post("/shutdown", {"confirm": "local"})
    assert wrong.status_code == 400
    assert "Type &quot;local-project&quot; to confirm" in wrong.content.decode()
    assert Dataset.objects.filter(pk=dataset.pk).exists()
    assert client.post("/shutdown", {"confirm": "local-project"}).status_code == 302
    assert not Project.objects.filter(pk=project.pk).exists()
    assert not Dataset.objects.exists() and not RoleBinding.objects.exists()


def test_it_lets_only_owners_shut_down(
    bob: Any, grant: Any, browser: Any, project: Project
) -> None:
    grant(bob, "roles/bigquery.admin")
    assert browser(bob).post("/shutdown", {"confirm": "local-project"}).status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()


def test_it_keeps_the_admin_to_staff(alice: Any, browser: Any) -> None:
    r = browser(alice).get("/admin/")
    assert r.status_code == 302 and r.url.startswith("/admin/login/")


def test_it_refuses_an_upload_over_the_limit(
    alice: Any, browser: Any, dataset: Dataset, settings: Any
) -> None:
    settings.QUARRY_MAX_UPLOAD_BYTES = 10
    r = browser(alice).post("/d/bqml_tutorial/tables/new", {"table_id": "t", "upload": b"x" * 100})
    assert r.status_code == 413
    assert not Job.objects.exists()
