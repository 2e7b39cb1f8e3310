"""SQL runs with its submitter's permissions: every table and model it names is checked first."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from console.catalog.models import Dataset, Project, Table
from console.errors import AccessDenied
from console.iam.models import RoleBinding
from console.jobs.models import Job
from console.jobs.submit import submit
from tests.conftest import wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def people(run_sql: Any) -> dict[str, Any]:
    """Make the tutorial dataset with one table, and alice (owner), bob and charlie."""
    job = run_sql(
        "CREATE SCHEMA bqml_tutorial; "
        "CREATE TABLE bqml_tutorial.ratings AS SELECT 1 AS user_id, 2 AS item_id, 3.0 AS rating"
    )
    assert job.error_result is None, job.error_result
    users = get_user_model().objects
    people = {name: users.create_user(name, f"{name}@example.com") for name in ("alice", "bob")}
    people["charlie"] = users.create_user("charlie", "charlie@example.com")
    RoleBinding.grant(Project.default(), people["alice"], "roles/owner")
    return people


DENIED_JOBS_CREATE = (
    "Access Denied: Project {project}: Permission bigquery.jobs.create denied on project "
    "{project} (or it may not exist)."
)


def run_as(user: Any, sql: str, project: Project | None = None, **query: Any) -> Job:
    config = {"query": {"query": sql, "useLegacySql": False, **query}}
    job = submit(user, project or Project.default(), config)
    return wait_for(job)


def denied(job: Job, permission: str, kind: str, name: str) -> bool:
    return job.error_result == {
        "reason": "accessDenied",
        "message": f"Access Denied: {kind} {name}: Permission {permission} denied on "
        f"{kind.lower()} {name} (or it may not exist).",
    }


def test_it_lets_a_viewer_read_but_not_write(people: dict[str, Any]) -> None:
    bob = people["bob"]
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.dataViewer")
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.jobUser")
    read = run_as(bob, "SELECT COUNT(*) AS n FROM bqml_tutorial.ratings")
    assert read.error_result is None and read.result_rows == 1
    table = "local-project:bqml_tutorial.copy"
    made = run_as(bob, "CREATE TABLE bqml_tutorial.copy AS SELECT * FROM bqml_tutorial.ratings")
    assert denied(made, "bigquery.tables.create", "Table", table)
    inserted = run_as(bob, "INSERT INTO bqml_tutorial.ratings VALUES (4, 5, 1.0)")
    assert denied(
        inserted, "bigquery.tables.updateData", "Table", "local-project:bqml_tutorial.ratings"
    )
    dropped = run_as(bob, "DROP TABLE bqml_tutorial.ratings")
    assert denied(dropped, "bigquery.tables.delete", "Table", "local-project:bqml_tutorial.ratings")
    model = run_as(
        bob,
        "CREATE MODEL bqml_tutorial.mf OPTIONS(model_type='matrix_factorization', "
        "user_col='user_id', item_col='item_id') AS SELECT * FROM bqml_tutorial.ratings",
    )
    assert denied(model, "bigquery.models.create", "Model", "local-project:bqml_tutorial.mf")
    assert Table.objects.get(table_id="ratings").num_rows == 1


def test_it_checks_a_query_destination_as_a_write(people: dict[str, Any]) -> None:
    bob = people["bob"]
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.dataViewer")
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.jobUser")
    sql = "SELECT * FROM bqml_tutorial.ratings"

    def into(table_id: str) -> dict[str, Any]:
        return {"destinationTable": {"datasetId": "bqml_tutorial", "tableId": table_id}}

    made = run_as(bob, sql, **into("copy"))
    assert denied(made, "bigquery.tables.create", "Table", "local-project:bqml_tutorial.copy")
    appended = run_as(bob, sql, **into("ratings"), writeDisposition="WRITE_APPEND")
    name = "local-project:bqml_tutorial.ratings"
    assert denied(appended, "bigquery.tables.updateData", "Table", name)
    assert not Table.objects.filter(table_id="copy").exists()
    assert Table.objects.get(table_id="ratings").num_rows == 1


def test_it_refuses_a_job_user_the_data(people: dict[str, Any]) -> None:
    bob = people["bob"]
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.jobUser")
    assert run_as(bob, "SELECT 1").error_result is None
    read = run_as(bob, "SELECT * FROM bqml_tutorial.ratings")
    assert denied(read, "bigquery.tables.getData", "Table", "local-project:bqml_tutorial.ratings")
    evaluated = run_as(bob, "SELECT * FROM ML.EVALUATE(MODEL bqml_tutorial.mf)")
    assert denied(evaluated, "bigquery.models.getData", "Model", "local-project:bqml_tutorial.mf")


def test_it_refuses_an_outsider_any_job(people: dict[str, Any]) -> None:
    with pytest.raises(AccessDenied) as refused:
        run_as(people["charlie"], "SELECT 1")
    assert refused.value.message == DENIED_JOBS_CREATE.format(project="local-project")
    assert not Job.objects.filter(user=people["charlie"]).exists()


def test_it_checks_a_whole_script_before_running_any_of_it(people: dict[str, Any]) -> None:
    bob = people["bob"]
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.dataEditor")
    RoleBinding.grant(Project.default(), bob, "roles/bigquery.jobUser")
    job = run_as(
        bob,
        "CREATE TABLE bqml_tutorial.first AS SELECT 1 AS x; DROP SCHEMA bqml_tutorial CASCADE",
    )
    assert denied(job, "bigquery.datasets.delete", "Dataset", "local-project:bqml_tutorial")
    assert not Table.objects.filter(table_id="first").exists()
    assert Dataset.objects.filter(dataset_id="bqml_tutorial").exists()


def test_it_refuses_another_projects_data(people: dict[str, Any]) -> None:
    alice = people["alice"]
    other = Project.objects.create(project_id="other-project")
    theirs = Dataset.create(other, "private")
    Table.objects.create(dataset=theirs, table_id="t", data_path="")
    job = run_as(alice, "SELECT * FROM `other-project.private.t`")
    assert denied(job, "bigquery.tables.getData", "Table", "other-project:private.t")
    written = run_as(alice, "CREATE TABLE `other-project.private.stolen` AS SELECT 1 AS x")
    assert denied(written, "bigquery.tables.create", "Table", "other-project:private.stolen")
    copied = run_as(
        alice, "CREATE TABLE bqml_tutorial.copy AS SELECT * FROM `other-project.private.t`"
    )
    assert copied.error_result["reason"] == "accessDenied"
    assert not Table.objects.filter(table_id__in=["stolen", "copy"]).exists()


def test_it_reads_another_project_where_granted(people: dict[str, Any]) -> None:
    alice = people["alice"]
    other = Project.objects.create(project_id="other-project")
    RoleBinding.grant(other, alice, "roles/bigquery.dataViewer")
    job = run_as(alice, "CREATE TABLE bqml_tutorial.mine AS SELECT 7 AS x")
    assert job.error_result is None
    with pytest.raises(AccessDenied) as refused:
        run_as(alice, "SELECT * FROM `local-project.bqml_tutorial.mine`", other)
    assert refused.value.message == DENIED_JOBS_CREATE.format(project="other-project")
    RoleBinding.grant(other, alice, "roles/bigquery.jobUser")
    alice = get_user_model().objects.get(pk=alice.pk)  # as the next request would load her
    read = run_as(alice, "SELECT * FROM `local-project.bqml_tutorial.mine`", other)
    assert read.error_result is None and read.result_rows == 1


def test_it_fails_a_revoked_users_job_cleanly(people: dict[str, Any]) -> None:
    bob = people["bob"]
    binding = RoleBinding.grant(Project.default(), bob, "roles/bigquery.admin")
    config = {"query": {"query": "SELECT * FROM bqml_tutorial.ratings", "useLegacySql": False}}
    with transaction.atomic():
        # The worker wakes when this commits: after the revocation, as if it came while queued.
        job = submit(bob, Project.default(), config)
        binding.delete()
    job = wait_for(job)
    assert job.state == Job.State.DONE
    assert denied(job, "bigquery.jobs.create", "Project", "local-project")
    assert not job.result_path


def test_it_fails_a_deactivated_users_job(people: dict[str, Any]) -> None:
    alice = people["alice"]
    config = {"query": {"query": "SELECT 1", "useLegacySql": False}}
    with transaction.atomic():
        # Deactivated while the job waited in the queue: the worker refuses to run it.
        job = submit(alice, Project.default(), config)
        alice.is_active = False
        alice.save()
    job = wait_for(job)
    assert job.error_result["reason"] == "accessDenied"
    with pytest.raises(AccessDenied):
        run_as(alice, "SELECT 1")
