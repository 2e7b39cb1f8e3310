from __future__ import annotations

from django.urls import path

from console.web import iam_views, views

app_name = "web"

urlpatterns = [
    path("", views.index, name="index"),
    path("signin", iam_views.sign_in, name="sign_in"),
    path("signout", iam_views.sign_out, name="sign_out"),
    path("keys/", iam_views.api_keys, name="api_keys"),
    path("keys/<int:key_id>/revoke", iam_views.revoke_api_key, name="revoke_api_key"),
    path("iam/", iam_views.iam, name="iam"),
    path("iam/<int:binding_id>/revoke", iam_views.revoke_role, name="revoke_role"),
    path("shutdown", iam_views.shut_down, name="shut_down"),
    path("project", views.select_project, name="select_project"),
    path("datasets/new", views.create_dataset, name="create_dataset"),
    path("datasets/check", views.check_dataset_id, name="check_dataset_id"),
    path("d/<str:dataset_id>/", views.dataset, name="dataset"),
    path("d/<str:dataset_id>/edit", views.edit_dataset, name="edit_dataset"),
    path("d/<str:dataset_id>/delete", views.delete_dataset, name="delete_dataset"),
    path("d/<str:dataset_id>/tables/new", views.create_table, name="create_table"),
    path("d/<str:dataset_id>/t/<str:table_id>/", views.table, name="table"),
    path("d/<str:dataset_id>/t/<str:table_id>/delete", views.delete_table, name="delete_table"),
    path("d/<str:dataset_id>/m/<str:model_id>/", views.model, name="model"),
    path("d/<str:dataset_id>/m/<str:model_id>/training", views.model_training, name="training"),
    path("d/<str:dataset_id>/m/<str:model_id>/delete", views.delete_model, name="delete_model"),
    path("d/<str:dataset_id>/r/<str:routine_id>/", views.routine, name="routine"),
    path("query", views.query, name="query"),
    path("query/validate", views.validate_query, name="validate_query"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<str:job_id>/", views.job, name="job"),
    path("jobs/<str:job_id>/status", views.job_status, name="job_status"),
    path("jobs/<str:job_id>/cancel", views.cancel_job, name="cancel_job"),
]
