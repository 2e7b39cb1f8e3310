"""People for the IAM tests: alice owns the project, bob is a member whose role each test picks,
charlie has no role at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from console.catalog.models import Dataset, Project
from console.engine import tables
from console.engine.types import arrow_schema
from console.iam.models import RoleBinding
from tests.web.conftest import RATINGS_SCHEMA, write_rows

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def forget_sign_in_failures() -> None:
    """Start each test with no failed sign-ins counted (they live in the cache)."""
    cache.clear()


@pytest.fixture
def project(db: None) -> Project:
    return Project.default()


@pytest.fixture
def alice(project: Project) -> Any:
    user = get_user_model().objects.create_user("alice", "alice@example.com", PASSWORD)
    RoleBinding.grant(project, user, "roles/owner")
    return user


@pytest.fixture
def bob(project: Project) -> Any:
    return get_user_model().objects.create_user("bob", "bob@example.com", PASSWORD)


@pytest.fixture
def charlie(project: Project) -> Any:
    return get_user_model().objects.create_user("charlie", "charlie@example.com", PASSWORD)


@pytest.fixture
def grant(project: Project) -> Callable[[Any, str], RoleBinding]:
    """Return a function that binds a role to a user on the project."""
    return lambda user, role: RoleBinding.grant(project, user, role)


@pytest.fixture
def dataset(project: Project) -> Dataset:
    return Dataset.create(project, "bqml_tutorial")


@pytest.fixture
def browser() -> Callable[[Any], Client]:
    """Return a function that gives a console client signed in as a user."""

    def signed_in(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return signed_in


@pytest.fixture
def strict(settings: Any) -> None:
    """Require credentials everywhere, as a shared deployment does."""
    settings.QUARRY_ANONYMOUS_ACCESS = False


@pytest.fixture
def store_table(db: None) -> Callable[[Dataset, str], Any]:
    """Return a function that stores a small table in a dataset, as the engine would."""

    def store(dataset: Dataset, table_id: str) -> Any:
        rows = [{"user_id": u, "item_id": u, "rating": 1.0} for u in range(3)]
        path = write_rows(RATINGS_SCHEMA, rows)
        return tables.commit_version(
            dataset, table_id, path, len(rows), arrow_schema(RATINGS_SCHEMA), RATINGS_SCHEMA
        )

    return store
