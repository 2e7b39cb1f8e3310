"""BigQuery's predefined roles and the permissions each one carries.

The sets follow Cloud IAM's documented roles, restricted to the permissions Quarry checks.
"""

from __future__ import annotations

DATASETS_CREATE = "bigquery.datasets.create"
DATASETS_GET = "bigquery.datasets.get"
DATASETS_UPDATE = "bigquery.datasets.update"
DATASETS_DELETE = "bigquery.datasets.delete"
TABLES_CREATE = "bigquery.tables.create"
TABLES_GET = "bigquery.tables.get"
TABLES_GET_DATA = "bigquery.tables.getData"
TABLES_EXPORT = "bigquery.tables.export"
TABLES_UPDATE = "bigquery.tables.update"
TABLES_UPDATE_DATA = "bigquery.tables.updateData"
TABLES_DELETE = "bigquery.tables.delete"
TABLES_LIST = "bigquery.tables.list"
MODELS_CREATE = "bigquery.models.create"
MODELS_GET_DATA = "bigquery.models.getData"
MODELS_GET_METADATA = "bigquery.models.getMetadata"
MODELS_UPDATE_DATA = "bigquery.models.updateData"
MODELS_UPDATE_METADATA = "bigquery.models.updateMetadata"
MODELS_DELETE = "bigquery.models.delete"
MODELS_LIST = "bigquery.models.list"
ROUTINES_CREATE = "bigquery.routines.create"
ROUTINES_GET = "bigquery.routines.get"
ROUTINES_LIST = "bigquery.routines.list"
ROUTINES_UPDATE = "bigquery.routines.update"
ROUTINES_DELETE = "bigquery.routines.delete"
JOBS_CREATE = "bigquery.jobs.create"
JOBS_GET = "bigquery.jobs.get"
JOBS_LIST = "bigquery.jobs.list"
JOBS_LIST_ALL = "bigquery.jobs.listAll"
JOBS_UPDATE = "bigquery.jobs.update"
JOBS_DELETE = "bigquery.jobs.delete"
# The Storage Read API: create a read session, read its streams, split a stream.
READSESSIONS_CREATE = "bigquery.readsessions.create"
READSESSIONS_GET_DATA = "bigquery.readsessions.getData"
READSESSIONS_UPDATE = "bigquery.readsessions.update"
PROJECTS_GET = "resourcemanager.projects.get"
PROJECTS_DELETE = "resourcemanager.projects.delete"
PROJECTS_GET_IAM_POLICY = "resourcemanager.projects.getIamPolicy"
PROJECTS_SET_IAM_POLICY = "resourcemanager.projects.setIamPolicy"

_READ = {
    DATASETS_GET,
    TABLES_GET,
    TABLES_GET_DATA,
    TABLES_EXPORT,
    TABLES_LIST,
    MODELS_GET_DATA,
    MODELS_GET_METADATA,
    MODELS_LIST,
    ROUTINES_GET,
    ROUTINES_LIST,
    PROJECTS_GET,
}
_EDIT = _READ | {
    DATASETS_CREATE,
    TABLES_CREATE,
    TABLES_UPDATE,
    TABLES_UPDATE_DATA,
    TABLES_DELETE,
    MODELS_CREATE,
    MODELS_UPDATE_DATA,
    MODELS_UPDATE_METADATA,
    MODELS_DELETE,
    ROUTINES_CREATE,
    ROUTINES_UPDATE,
    ROUTINES_DELETE,
}
_OWN_DATA = _EDIT | {DATASETS_UPDATE, DATASETS_DELETE}
_ALL_JOBS = {JOBS_CREATE, JOBS_GET, JOBS_LIST, JOBS_LIST_ALL, JOBS_UPDATE, JOBS_DELETE}
# Held by Owner, Editor, BigQuery Admin, BigQuery User and BigQuery Read Session User; the last is
# not offered here (a new role is a migration of RoleBinding's choices).
_READ_SESSIONS = {READSESSIONS_CREATE, READSESSIONS_GET_DATA, READSESSIONS_UPDATE}

ROLES: dict[str, frozenset[str]] = {
    "roles/owner": frozenset(
        _OWN_DATA
        | _ALL_JOBS
        | _READ_SESSIONS
        | {PROJECTS_DELETE, PROJECTS_GET_IAM_POLICY, PROJECTS_SET_IAM_POLICY}
    ),
    "roles/viewer": frozenset(_READ | {JOBS_GET, JOBS_LIST, PROJECTS_GET_IAM_POLICY}),
    "roles/bigquery.admin": frozenset(_OWN_DATA | _ALL_JOBS | _READ_SESSIONS),
    "roles/bigquery.dataOwner": frozenset(_OWN_DATA),
    "roles/bigquery.dataEditor": frozenset(_EDIT),
    "roles/bigquery.dataViewer": frozenset(_READ),
    "roles/bigquery.jobUser": frozenset({JOBS_CREATE, PROJECTS_GET}),
    "roles/bigquery.user": frozenset(
        {DATASETS_CREATE, DATASETS_GET, TABLES_LIST, MODELS_LIST, ROUTINES_LIST, JOBS_CREATE}
        | {JOBS_LIST}
        | _READ_SESSIONS
        | {PROJECTS_GET}
    ),
}
ROLE_CHOICES = [(name, name) for name in ROLES]
ALL_PERMISSIONS = frozenset().union(*ROLES.values())
# What a request without credentials may do where settings allow anonymous access at all.
ANONYMOUS_ROLE = "roles/bigquery.admin"
