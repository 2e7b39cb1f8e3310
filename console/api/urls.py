"""BigQuery REST v2 routes (under /bigquery/v2), uploads and the discovery document."""

from __future__ import annotations

from django.urls import path, re_path

from console.api import views

app_name = "api"

PROJECT = "bigquery/v2/projects/<str:project_id>"
DATASET = f"{PROJECT}/datasets/<str:dataset_id>"

urlpatterns = [
    path("bigquery/v2/projects", views.projects, name="projects"),
    path(f"{PROJECT}/datasets", views.datasets, name="datasets"),
    path(DATASET, views.dataset, name="dataset"),
    path(f"{DATASET}/tables", views.tables, name="tables"),
    path(f"{DATASET}/tables/<str:table_id>", views.table, name="table"),
    path(f"{DATASET}/tables/<str:table_id>/data", views.table_data, name="table_data"),
    path(f"{DATASET}/tables/<str:table_id>/insertAll", views.table_insert_all, name="insert_all"),
    path(f"{DATASET}/models", views.models, name="models"),
    path(f"{DATASET}/models/<str:model_id>", views.model, name="model"),
    path(f"{DATASET}/routines", views.routines, name="routines"),
    path(f"{DATASET}/routines/<str:routine_id>", views.routine, name="routine"),
    path(f"{PROJECT}/jobs", views.job_list, name="jobs"),
    path(f"{PROJECT}/jobs/<str:job_id>", views.job_detail, name="job"),
    path(f"{PROJECT}/jobs/<str:job_id>/cancel", views.job_cancel, name="job_cancel"),
    path(f"{PROJECT}/jobs/<str:job_id>/delete", views.job_delete, name="job_delete"),
    path(f"{PROJECT}/queries", views.query, name="query"),
    path(f"{PROJECT}/queries/<str:job_id>", views.query_results, name="query_results"),
    path("upload/bigquery/v2/projects/<str:project_id>/jobs", views.upload, name="upload"),
    path("$discovery/rest", views.discovery_document, name="discovery"),
    path("discovery/v1/apis/bigquery/v2/rest", views.discovery_document, name="discovery_v1"),
    # Last: a program that calls a path no method serves reads a JSON error, never a web page.
    re_path(r"^(?:upload/)?bigquery/v2(?:/|$)", views.unknown_method, name="unknown_method"),
    re_path(r"^(?:\$discovery|discovery)(?:/|$)", views.unknown_method),
]
