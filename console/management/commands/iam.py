"""`python3 manage.py iam ...`: a project's IAM policy, with gcloud's verbs and output shape.

    iam add-iam-policy-binding PROJECT --member=user:NAME --role=ROLE
    iam remove-iam-policy-binding PROJECT --member=user:NAME --role=ROLE
    iam get-iam-policy PROJECT
    iam print-access-token [--user NAME]

Like `createsuperuser`, it acts as the machine's operator, who needs no role (that is how the
first binding gets made). With --user=NAME it acts as that user, whose roles are checked.

print-access-token works as `gcloud auth print-access-token`: it prints a new API key of --user
(default: admin, the owner `serve` creates), which the REST API takes as a Bearer token, so the
real bq CLI can use it through CLOUDSDK_AUTH_ACCESS_TOKEN_FILE.
"""

from __future__ import annotations

import argparse
import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from console.catalog.models import Project
from console.errors import AccessDenied
from console.iam import access, roles
from console.iam.models import ApiKey, RoleBinding, UnknownMember, find_member
from console.iam.roles import ROLES

# Whose token print-access-token prints without --user: the owner `manage.py serve` creates.
DEFAULT_TOKEN_USER = "admin"


def policy_yaml(project: Project) -> str:
    """Return the project's policy as gcloud prints it (YAML: bindings, etag, version)."""
    lines = ["bindings:"]
    policy = RoleBinding.policy(project)
    for role, members in policy:
        lines.append("- members:")
        lines += [f"  - {member}" for member in members]
        lines.append(f"  role: {role}")
    if not policy:
        lines[0] = "bindings: []"
    digest = hashlib.sha1(repr(policy).encode()).hexdigest()[:12]
    lines += [f"etag: BwY{digest}", "version: 1"]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Show and change a project's IAM policy: add-iam-policy-binding and friends."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "verb",
            choices=[
                "add-iam-policy-binding",
                "remove-iam-policy-binding",
                "get-iam-policy",
                "print-access-token",
            ],
        )
        parser.add_argument("project", nargs="?", default="")
        parser.add_argument("--member", default="", help="user:NAME (a username or email)")
        parser.add_argument("--role", default="", help=f"one of {', '.join(ROLES)}")
        parser.add_argument("--user", default="", help="act as this user instead of the operator")

    def handle(self, *args: Any, verb: str, project: str, **options: Any) -> None:
        if verb == "print-access-token":
            self._print_access_token(options["user"] or DEFAULT_TOKEN_USER)
            return
        if not project:
            raise CommandError(f"{verb} needs a PROJECT")
        found = Project.objects.filter(project_id=project).first()
        if found is None:
            raise CommandError(
                f"[{project}] not found: Project {project} does not exist or you lack "
                "permission to see it."
            )
        actor = self._actor(options["user"])
        try:
            if verb == "get-iam-policy":
                self._check(actor, roles.PROJECTS_GET_IAM_POLICY, found)
                self.stdout.write(policy_yaml(found))
                return
            self._check(actor, roles.PROJECTS_SET_IAM_POLICY, found)
            member, role = options["member"], options["role"]
            if not member or not role:
                raise CommandError(f"{verb} needs --member=user:NAME and --role=ROLE")
            if role not in ROLES:
                raise CommandError(
                    f"INVALID_ARGUMENT: Role {role} is not supported. Choose one of: "
                    + ", ".join(ROLES)
                )
            user = find_member(member)
        except UnknownMember as err:
            raise CommandError(f"INVALID_ARGUMENT: {err}") from None
        except AccessDenied as err:
            raise CommandError(f"PERMISSION_DENIED: {err.message}") from None
        if verb == "add-iam-policy-binding":
            RoleBinding.grant(found, user, role)
        elif not RoleBinding.revoke(found, user, role):
            raise CommandError(
                f"Policy binding with the specified principal and role not found: {member} "
                f"does not hold {role} on project {project}."
            )
        self.stdout.write(f"Updated IAM policy for project [{project}].")
        self.stdout.write(policy_yaml(found))

    def _print_access_token(self, username: str) -> None:
        user = self._actor(username)
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive: its keys would be refused")
        # Only a key's hash is kept, so each call issues a new key (revocable on the API keys
        # page, where its name says where it came from).
        _, token = ApiKey.issue(user, "iam print-access-token")
        self.stdout.write(token)

    def _actor(self, username: str) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Unknown user {username!r} (--user)")
        return user

    def _check(self, actor: Any, permission: str, project: Project) -> None:
        if actor is not None:
            access.check(actor, permission, project)
