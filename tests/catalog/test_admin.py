"""The Django admin shows catalog rows but never makes or edits one; its delete removes files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from console.catalog import storage
from console.catalog.models import (
    Dataset,
    MLModel,
    Project,
    Routine,
    Table,
    TableVersion,
    TrainingIteration,
)
from console.engine import tables
from console.iam.models import RoleBinding
from console.jobs.models import Job
from tests.conftest import synthetic_ratings

CATALOG_ROWS = ["dataset", "table", "tableversion", "mlmodel", "trainingiteration"]


@pytest.fixture
def superuser(transactional_db: None) -> Any:
    return get_user_model().objects.create_superuser("root", "root@example.com", "root-pass")


@pytest.fixture
def admin_client(superuser: Any) -> Client:
    browser = Client()
    browser.force_login(superuser)
    return browser


@pytest.fixture
def dataset(transactional_db: None) -> Dataset:
    return Dataset.create(Project.default(), "bqml_tutorial")


@pytest.fixture
def ratings(dataset: Dataset) -> Table:
    """A table with two stored versions: the current one and one kept for time travel."""
    synthetic_ratings(dataset)
    extra = pa.table({"user_id": [1], "item_id": [2], "rating": [3.0]})
    table = Table.objects.get(table_id="ratings")
    return tables.write_next_version(table, extra.schema, extra.to_batches(), append=True)


@pytest.fixture
def model(run_sql: Callable[..., Job], ratings: Table) -> MLModel:
    job = run_sql(
        """CREATE MODEL bqml_tutorial.mf
        OPTIONS(model_type='matrix_factorization', user_col='user_id', item_col='item_id',
                num_factors=4, max_iterations=2) AS
        SELECT user_id, item_id, rating FROM bqml_tutorial.ratings"""
    )
    assert job.error_result is None, job.error_result
    return MLModel.objects.get(model_id="mf")


def _stored(paths: list[str]) -> list[bool]:
    return [storage.resolve(p).exists() for p in paths]


def _pk(name: str) -> int:
    kinds = {
        "dataset": Dataset,
        "table": Table,
        "tableversion": TableVersion,
        "mlmodel": MLModel,
        "trainingiteration": TrainingIteration,
    }
    return kinds[name].objects.values_list("pk", flat=True).first()


@pytest.mark.worker
def test_it_offers_no_add_or_change_for_catalog_rows(admin_client: Client, model: MLModel) -> None:
    for name in CATALOG_ROWS:
        url = f"/admin/catalog/{name}/"
        listing = admin_client.get(url)
        assert listing.status_code == 200, name
        assert f'href="{url}add/"' not in listing.content.decode(), name
        assert admin_client.get(f"{url}add/").status_code == 403, name
        assert admin_client.post(f"{url}add/", {}).status_code == 403, name
        page = admin_client.get(f"{url}{_pk(name)}/change/")
        assert page.status_code == 200, name  # viewable
        assert 'name="_save"' not in page.content.decode(), name
        assert admin_client.post(f"{url}{_pk(name)}/change/", {}).status_code == 403, name
    # Nothing reached the catalog through the admin.
    assert Table.objects.get().table_id == "ratings" and MLModel.objects.count() == 1


@pytest.mark.worker
def test_versions_and_iterations_go_only_with_their_table_or_model(
    admin_client: Client, model: MLModel
) -> None:
    for name in ("tableversion", "trainingiteration"):
        assert admin_client.get(f"/admin/catalog/{name}/{_pk(name)}/delete/").status_code == 403


def test_its_delete_removes_a_tables_files(admin_client: Client, ratings: Table) -> None:
    paths = ratings.stored_paths()
    assert len(paths) == 2 and _stored(paths) == [True, True]
    url = f"/admin/catalog/table/{ratings.pk}/delete/"
    assert "Table versions: 2" in admin_client.get(url).content.decode()  # what goes with it
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Table.objects.exists() and not TableVersion.objects.exists()
    assert _stored(paths) == [False, False]


@pytest.mark.worker
def test_its_delete_removes_a_models_artifact_and_iterations(
    admin_client: Client, model: MLModel
) -> None:
    assert _stored([model.artifact_path]) == [True]
    response = admin_client.post(f"/admin/catalog/mlmodel/{model.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not MLModel.objects.exists() and not TrainingIteration.objects.exists()
    assert _stored([model.artifact_path]) == [False]


@pytest.mark.worker
def test_its_delete_of_a_dataset_removes_every_file_in_it(
    admin_client: Client, model: MLModel, ratings: Table
) -> None:
    paths = [*ratings.stored_paths(), model.artifact_path]
    response = admin_client.post(
        f"/admin/catalog/dataset/{ratings.dataset.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Dataset.objects.exists()
    assert _stored(paths) == [False, False, False]


def test_its_bulk_delete_removes_every_selected_tables_files(
    admin_client: Client, ratings: Table
) -> None:
    other = synthetic_ratings(ratings.dataset, "more")
    paths = [*ratings.stored_paths(), *other.stored_paths()]
    response = admin_client.post(
        "/admin/catalog/table/",
        {"action": "delete_selected", "_selected_action": [ratings.pk, other.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Table.objects.exists()
    assert _stored(paths) == [False, False, False]


def test_its_delete_needs_the_iam_permission_too(ratings: Table) -> None:
    staff = get_user_model().objects.create_user("carol", password="x", is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_table", "delete_table"])
    )
    browser = Client()
    browser.force_login(staff)
    url = f"/admin/catalog/table/{ratings.pk}/delete/"
    assert browser.post(url, {"post": "yes"}).status_code == 403
    assert Table.objects.exists()
    RoleBinding.grant(Project.default(), staff, "roles/bigquery.dataEditor")
    assert browser.post(url, {"post": "yes"}).status_code == 302
    assert not Table.objects.exists()


def test_users_and_role_bindings_stay_editable(admin_client: Client) -> None:
    bob = get_user_model().objects.create_user("bob", "bob@example.com", "bob-pass")
    response = admin_client.post(
        f"/admin/auth/user/{bob.pk}/change/",
        {
            "username": "bob",
            "email": "bob@new.example.com",
            "is_active": "on",
            "date_joined_0": "2026-11-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bob.refresh_from_db()
    assert bob.email == "bob@new.example.com"

    project = Project.default()
    response = admin_client.post(
        "/admin/iam/rolebinding/add/",
        {"project": project.pk, "user": bob.pk, "role": "roles/bigquery.dataViewer"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    binding = RoleBinding.objects.get(user=bob)
    response = admin_client.post(
        f"/admin/iam/rolebinding/{binding.pk}/change/",
        {"project": project.pk, "user": bob.pk, "role": "roles/bigquery.dataEditor"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    binding.refresh_from_db()
    assert binding.role == "roles/bigquery.dataEditor"


def test_it_shows_a_routine_read_only_and_deletes_it(
    admin_client: Client, dataset: Dataset
) -> None:
    routine = Routine.objects.create(dataset=dataset, routine_id="f", definition_body="x + 1")
    url = "/admin/catalog/routine/"

    assert f'{url}{routine.pk}/change/">f</a>' in admin_client.get(url).content.decode()
    assert admin_client.get(f"{url}add/").status_code == 403
    assert admin_client.post(f"{url}{routine.pk}/change/", {}).status_code == 403
    assert admin_client.post(f"{url}{routine.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Routine.objects.exists()
