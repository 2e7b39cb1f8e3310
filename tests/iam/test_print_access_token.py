"""`manage.py iam print-access-token`: a token the REST API takes, as gcloud's is for BigQuery."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from console.catalog.models import Project
from console.iam.models import RoleBinding


def print_access_token(*argv: str) -> str:
    out = io.StringIO()
    call_command("iam", "print-access-token", *argv, stdout=out)
    return out.getvalue()


@pytest.fixture
def admin(db: None, settings: Any) -> Any:
    settings.QUARRY_ANONYMOUS_ACCESS = False
    user = get_user_model().objects.create_superuser("admin", "admin@localhost", "x")
    RoleBinding.grant(Project.default(), user, "roles/owner")
    return user


def _create_dataset(token: str, name: str) -> Any:
    return Client().post(
        "/bigquery/v2/projects/local-project/datasets",
        {"datasetReference": {"datasetId": name}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_it_prints_a_token_the_api_takes_as_the_admin(admin: Any) -> None:
    output = print_access_token()
    assert output.endswith("\n") and output.count("\n") == 1
    created = _create_dataset(output.strip(), "made_with_a_token")
    assert created.status_code == 200, created.content
    assert Client().get("/bigquery/v2/projects").status_code == 401


def test_it_prints_another_users_token_with_their_permissions(admin: Any) -> None:
    viewer = get_user_model().objects.create_user("vera")
    RoleBinding.grant(Project.default(), viewer, "roles/bigquery.dataViewer")
    token = print_access_token("--user", "vera").strip()
    refused = _create_dataset(token, "not_hers")
    assert refused.status_code == 403
    assert "bigquery.datasets.create" in refused.json()["error"]["message"]


def test_it_refuses_an_unknown_or_inactive_user(admin: Any) -> None:
    with pytest.raises(CommandError, match="Unknown user 'nobody'"):
        print_access_token("--user", "nobody")
    get_user_model().objects.create_user("gone", is_active=False)
    with pytest.raises(CommandError, match="inactive"):
        print_access_token("--user", "gone")


def test_it_still_needs_a_project_for_the_policy_verbs(admin: Any) -> None:
    with pytest.raises(CommandError, match="get-iam-policy needs a PROJECT"):
        call_command("iam", "get-iam-policy", stdout=io.StringIO())
