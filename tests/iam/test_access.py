"""The one check: each predefined role grants BigQuery's permissions and nothing more."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from console.catalog.models import Dataset, Project, Table
from console.errors import AccessDenied
from console.iam import access, roles
from console.jobs.models import Job

# For each role: permissions it must hold, and permissions it must not.
MATRIX = {
    "roles/owner": (
        [roles.PROJECTS_SET_IAM_POLICY, roles.PROJECTS_DELETE, roles.DATASETS_DELETE],
        [],
    ),
    "roles/viewer": (
        [roles.TABLES_GET_DATA, roles.PROJECTS_GET_IAM_POLICY, roles.JOBS_LIST],
        [roles.JOBS_CREATE, roles.TABLES_UPDATE_DATA, roles.PROJECTS_SET_IAM_POLICY],
    ),
    "roles/bigquery.admin": (
        [roles.DATASETS_DELETE, roles.JOBS_LIST_ALL, roles.READSESSIONS_CREATE],
        [roles.PROJECTS_SET_IAM_POLICY, roles.PROJECTS_DELETE],
    ),
    "roles/bigquery.dataOwner": (
        [roles.DATASETS_DELETE, roles.DATASETS_UPDATE, roles.MODELS_DELETE],
        [roles.JOBS_CREATE, roles.PROJECTS_SET_IAM_POLICY],
    ),
    "roles/bigquery.dataEditor": (
        [roles.TABLES_CREATE, roles.TABLES_UPDATE_DATA, roles.MODELS_CREATE, roles.ROUTINES_DELETE],
        [roles.DATASETS_DELETE, roles.DATASETS_UPDATE, roles.JOBS_CREATE],
    ),
    "roles/bigquery.dataViewer": (
        [roles.DATASETS_GET, roles.TABLES_GET_DATA, roles.MODELS_GET_DATA, roles.ROUTINES_GET],
        [roles.TABLES_CREATE, roles.JOBS_CREATE, roles.ROUTINES_CREATE, roles.READSESSIONS_CREATE],
    ),
    "roles/bigquery.jobUser": (
        [roles.JOBS_CREATE],
        [roles.DATASETS_GET, roles.TABLES_GET_DATA, roles.MODELS_GET_DATA, roles.ROUTINES_GET],
    ),
    "roles/bigquery.user": (
        [roles.JOBS_CREATE, roles.DATASETS_CREATE, roles.TABLES_LIST, roles.READSESSIONS_CREATE],
        [roles.TABLES_GET_DATA, roles.DATASETS_DELETE, roles.ROUTINES_GET],
    ),
}


def test_it_covers_every_predefined_role() -> None:
    assert set(MATRIX) == set(roles.ROLES)


@pytest.mark.parametrize("role", MATRIX)
def test_it_grants_a_role_its_permissions_only(
    role: str, bob: Any, grant: Any, dataset: Dataset
) -> None:
    grant(bob, role)
    allowed, refused = MATRIX[role]
    for permission in allowed:
        assert access.can(bob, permission, dataset), permission
    for permission in refused:
        assert not access.can(bob, permission, dataset), permission


def test_it_refuses_an_outsider_everything(charlie: Any, dataset: Dataset) -> None:
    assert not any(access.can(charlie, p, dataset) for p in roles.ALL_PERMISSIONS)


def test_it_words_a_denial_like_bigquery(charlie: Any, dataset: Dataset) -> None:
    with pytest.raises(AccessDenied) as denied:
        access.check(charlie, roles.DATASETS_GET, dataset)
    assert denied.value.message == (
        "Access Denied: Dataset local-project:bqml_tutorial: Permission bigquery.datasets.get "
        "denied on dataset local-project:bqml_tutorial (or it may not exist)."
    )
    assert denied.value.reason == "accessDenied"


def test_it_names_a_table_that_does_not_exist(charlie: Any, dataset: Dataset) -> None:
    with pytest.raises(AccessDenied, match="denied on table local-project:bqml_tutorial.t"):
        access.check(charlie, roles.TABLES_GET_DATA, Table(dataset=dataset, table_id="t"))


def test_it_keeps_roles_to_their_project(bob: Any, grant: Any) -> None:
    grant(bob, "roles/bigquery.admin")
    other = Project.objects.create(project_id="other-project")
    assert access.can(bob, roles.DATASETS_GET, Project.default())
    assert not access.can(bob, roles.DATASETS_GET, other)
    assert access.visible_projects(bob) == [Project.default()]


def test_it_refuses_a_deactivated_user(bob: Any, grant: Any, project: Project) -> None:
    grant(bob, "roles/owner")
    bob.is_active = False
    assert not access.can(bob, roles.PROJECTS_GET, project)


def test_it_lets_anonymous_in_only_where_settings_allow(settings: Any, project: Project) -> None:
    settings.QUARRY_ANONYMOUS_ACCESS = True
    assert access.can(AnonymousUser(), roles.JOBS_CREATE, project)
    assert not access.can(AnonymousUser(), roles.PROJECTS_SET_IAM_POLICY, project)
    settings.QUARRY_ANONYMOUS_ACCESS = False
    assert not access.can(AnonymousUser(), roles.JOBS_CREATE, project)
    assert not access.can(None, roles.PROJECTS_GET, project)


def test_it_lets_a_job_user_see_only_their_own_jobs(
    alice: Any, bob: Any, grant: Any, project: Project
) -> None:
    grant(bob, "roles/bigquery.jobUser")
    mine = Job(project=project, job_id="mine", user=bob)
    theirs = Job(project=project, job_id="theirs", user=alice)
    assert access.can(bob, roles.JOBS_GET, mine)
    assert access.can(bob, roles.JOBS_UPDATE, mine)
    assert not access.can(bob, roles.JOBS_GET, theirs)
    assert access.can(alice, roles.JOBS_GET, mine)


def test_it_runs_a_deleted_users_job_as_nobody(project: Project) -> None:
    orphan = Job(project=project, job_id="orphan", user=None, user_email="gone@example.com")
    assert not access.can(orphan.principal(), roles.JOBS_CREATE, project)
