"""The one access check: may this principal do that to this resource?

Every path (console views, REST API, the bq and iam commands, the engine's name resolution) asks
`can` or `check` here, so a rule changes in one place. Roles are bound per project; a dataset,
table, model or job inherits its project's bindings.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings

from console import hooks
from console.catalog.models import (
    Dataset,
    MLModel,
    Project,
    Routine,
    Table,
    is_temporary_dataset,
)
from console.errors import AccessDenied
from console.iam.roles import ANONYMOUS_ROLE, JOBS_CREATE, JOBS_GET, JOBS_UPDATE, ROLES

# The catalog's resources; the only other resource is a job, which IAM knows by its fields
# (project, job_id, user_id) rather than by importing the jobs layer above it.
CATALOG_RESOURCES = (Project, Dataset, Table, MLModel, Routine)
Resource = Project | Dataset | Table | MLModel | Routine | Any
Found = TypeVar("Found", Dataset, Table, MLModel, Routine)
# What anyone may do with the jobs they submitted themselves, given they may still run jobs.
OWN_JOB_PERMISSIONS = {JOBS_GET, JOBS_UPDATE}


def _dataset_of(resource: Resource) -> Dataset | None:
    if isinstance(resource, Dataset):
        return resource
    if isinstance(resource, Table | MLModel | Routine):
        return resource.dataset
    return None


def project_of(resource: Resource) -> Project:
    if isinstance(resource, Project):
        return resource
    if isinstance(resource, Table | MLModel | Routine):
        return resource.dataset.project
    return resource.project


def describe(resource: Resource) -> tuple[str, str]:
    """Return the kind and the full ID BigQuery's messages name a resource by."""
    if isinstance(resource, Project):
        return "Project", resource.project_id
    if isinstance(resource, Dataset):
        return "Dataset", resource.full_id
    if isinstance(resource, Table):
        return "Table", resource.full_id
    if isinstance(resource, MLModel):
        return "Model", resource.full_id
    if isinstance(resource, Routine):
        return "Routine", resource.full_id
    return "Job", f"{resource.project.project_id}:{resource.job_id}"


def permissions(principal: Any, project: Project) -> frozenset[str]:
    """Return every permission principal holds on project (cached on the principal object)."""
    if principal is None or not principal.is_authenticated:
        allowed = settings.QUARRY_ANONYMOUS_ACCESS
        return ROLES[ANONYMOUS_ROLE] if allowed else frozenset()
    if not principal.is_active or principal.pk is None:
        return frozenset()
    cache = principal.__dict__.setdefault("_iam_permissions", {})
    if project.pk not in cache:
        roles = principal.role_bindings.filter(project=project).values_list("role", flat=True)
        cache[project.pk] = frozenset().union(*(ROLES.get(role, frozenset()) for role in roles))
    return cache[project.pk]


def can(principal: Any, permission: str, resource: Resource) -> bool:
    """Return True if principal holds permission on resource.

    principal is a user, AnonymousUser or None (a request without credentials). Active
    superusers hold every permission, as in Django's own permission checks. The hidden dataset of
    a session's or a script's temporary tables is its owner's alone, whatever the roles say: as
    in BigQuery, no one else (not even an administrator) reads another user's temporary tables.
    """
    dataset = _dataset_of(resource)
    if dataset is not None and is_temporary_dataset(dataset.dataset_id):
        # Who owns it: the jobs layer, which made it for a session or a script (hooks).
        return bool(
            hooks.call(
                "temporary_owner", principal, dataset.project, dataset.dataset_id, default=False
            )
        )
    if principal is not None and principal.is_authenticated:
        if not principal.is_active:
            return False
        if principal.is_superuser:
            return True
    if (
        not isinstance(resource, CATALOG_RESOURCES)
        and permission in OWN_JOB_PERMISSIONS
        and principal is not None
        and resource.user_id is not None
        and resource.user_id == principal.pk
    ):
        permission = JOBS_CREATE
    return permission in permissions(principal, project_of(resource))


def check(principal: Any, permission: str, resource: Resource) -> None:
    """Raise AccessDenied unless principal holds permission on resource."""
    if not can(principal, permission, resource):
        kind, full_id = describe(resource)
        raise AccessDenied(
            f"Access Denied: {kind} {full_id}: Permission {permission} denied on "
            f"{kind.lower()} {full_id} (or it may not exist)."
        )


def find(principal: Any, permission: str, model: type[Found], **lookup: Any) -> Found | None:
    """Return the catalog object lookup names, or None, once principal may use it.

    The permission is checked on a stand-in when nothing matches, so a denial reads the same
    whether or not the object exists (BigQuery's "or it may not exist"). Parents named in the
    lookup are attached to the result, sparing the caller a query for them.
    """
    found = model.objects.filter(**lookup).first()
    check(principal, permission, found or model(**lookup))
    if found is not None:
        for name, value in lookup.items():
            if isinstance(value, Project | Dataset):
                setattr(found, name, value)
    return found


def visible_projects(principal: Any) -> list[Project]:
    """Return the projects principal may open, in project ID order."""
    from console.iam.roles import PROJECTS_GET

    return [p for p in Project.objects.all() if can(principal, PROJECTS_GET, p)]
