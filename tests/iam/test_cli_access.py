"""The bq command acts as --user and is refused what that user may not do; the iam command."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from console.catalog.models import Dataset, Project
from console.iam.models import RoleBinding
from console.management.commands.bq import Command


def bq(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = Command(stdout=out, stderr=err).execute_bq(list(argv))
    return code, out.getvalue(), err.getvalue()


def iam(*argv: str) -> str:
    out = io.StringIO()
    call_command("iam", *argv, stdout=out)
    return out.getvalue()


# Per role: (role, bq ls (datasets.get), bq mk (datasets.create), bq head (getData), bq rm -d)
ROLE_CASES = [
    ("roles/owner", True, True, True, True),
    ("roles/viewer", True, False, True, False),
    ("roles/bigquery.dataEditor", True, True, True, False),
    ("roles/bigquery.dataViewer", True, False, True, False),
    ("roles/bigquery.jobUser", False, False, False, False),
    ("roles/bigquery.user", True, True, False, False),
    (None, False, False, False, False),
]


@pytest.mark.parametrize(("role", "ls", "mk", "head", "rm"), ROLE_CASES)
def test_it_allows_each_role_what_it_holds(
    strict: None,
    role: str | None,
    ls: bool,
    mk: bool,
    head: bool,
    rm: bool,
    bob: Any,
    grant: Any,
    dataset: Dataset,
    store_table: Any,
) -> None:
    if role:
        grant(bob, role)
    store_table(dataset, "ratings")
    code, out, err = bq("--user=bob", "ls")
    assert (code == 0) == ls, err
    assert ("bqml_tutorial" in out) == ls
    code, _, err = bq("--user=bob", "mk", "-d", "made")
    assert (code == 0) == mk, err
    if not mk:
        assert err.startswith(
            "BigQuery error in mk operation: Access Denied: Dataset local-project:made: "
            "Permission bigquery.datasets.create denied"
        )
    assert (bq("--user=bob", "head", "bqml_tutorial.ratings")[0] == 0) == head
    assert (bq("--user=bob", "rm", "-r", "-f", "-d", "bqml_tutorial")[0] == 0) == rm
    assert Dataset.objects.filter(pk=dataset.pk).exists() != rm


def test_it_needs_a_user_when_anonymous_access_is_off(strict: None, dataset: Dataset) -> None:
    code, _, err = bq("ls")
    assert code == 1
    assert "pass --user=NAME" in err


def test_it_refuses_an_unknown_user(dataset: Dataset) -> None:
    code, _, err = bq("--user=mallory", "ls")
    assert code == 1 and "Unknown or inactive user 'mallory'" in err


def test_it_makes_the_creator_of_a_project_its_owner(strict: None, bob: Any) -> None:
    assert bq("--user=bob", "--project_id=bobs-project", "mk", "-d", "mine")[0] == 0
    project = Project.objects.get(project_id="bobs-project")
    assert RoleBinding.objects.filter(project=project, user=bob, role="roles/owner").exists()


def test_it_adds_gets_and_removes_bindings_like_gcloud(alice: Any, bob: Any) -> None:
    added = iam(
        "add-iam-policy-binding", "local-project", "--member=user:bob", "--role=roles/viewer"
    )
    assert added == (
        "Updated IAM policy for project [local-project].\n"
        "bindings:\n"
        "- members:\n"
        "  - user:alice\n"
        "  role: roles/owner\n"
        "- members:\n"
        "  - user:bob\n"
        "  role: roles/viewer\n"
        f"{added.splitlines()[-2]}\n"
        "version: 1\n"
    )
    assert added.splitlines()[-2].startswith("etag: BwY")
    assert "user:bob" in iam("get-iam-policy", "local-project")
    iam("remove-iam-policy-binding", "local-project", "--member=user:bob", "--role=roles/viewer")
    assert not RoleBinding.objects.filter(user=bob).exists()


def test_it_finds_members_by_email(alice: Any, bob: Any) -> None:
    iam(
        "add-iam-policy-binding",
        "local-project",
        "--member=user:bob@example.com",
        "--role=roles/viewer",
    )
    assert RoleBinding.objects.filter(user=bob, role="roles/viewer").exists()


def test_it_refuses_bad_bindings(alice: Any) -> None:
    with pytest.raises(CommandError, match="Role roles/god is not supported"):
        iam("add-iam-policy-binding", "local-project", "--member=user:alice", "--role=roles/god")
    with pytest.raises(CommandError, match="User nobody does not exist"):
        iam(
            "add-iam-policy-binding", "local-project", "--member=user:nobody", "--role=roles/viewer"
        )
    with pytest.raises(CommandError, match="not found"):
        iam("get-iam-policy", "no-such-project")
    with pytest.raises(CommandError, match="does not hold roles/viewer"):
        iam(
            "remove-iam-policy-binding",
            "local-project",
            "--member=user:alice",
            "--role=roles/viewer",
        )


def test_it_checks_the_acting_user(alice: Any, bob: Any, grant: Any) -> None:
    grant(bob, "roles/viewer")
    assert "user:alice" in iam("get-iam-policy", "local-project", "--user=bob")
    with pytest.raises(CommandError, match="PERMISSION_DENIED: Access Denied: Project"):
        iam(
            "add-iam-policy-binding", "local-project", "--member=user:bob",
            "--role=roles/owner", "--user=bob",
        )  # fmt: skip
    assert iam(
        "add-iam-policy-binding", "local-project", "--member=user:bob",
        "--role=roles/owner", "--user=alice",
    ).startswith("Updated IAM policy")  # fmt: skip
