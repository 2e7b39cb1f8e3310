from __future__ import annotations

from django.urls import path

from console.web import views

app_name = "web"

urlpatterns = [
    path("", views.index, name="index"),
    path("datasets/new", views.create_dataset, name="create_dataset"),
    path("d/<str:dataset_id>/", views.dataset, name="dataset"),
    path("d/<str:dataset_id>/delete", views.delete_dataset, name="delete_dataset"),
    path("d/<str:dataset_id>/tables/new", views.create_table, name="create_table"),
    path("d/<str:dataset_id>/t/<str:table_id>/", views.table, name="table"),
    path("d/<str:dataset_id>/m/<str:model_id>/", views.model, name="model"),
    path("d/<str:dataset_id>/m/<str:model_id>/training", views.model_training, name="training"),
    path("query", views.query, name="query"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/<str:job_id>/", views.job, name="job"),
    path("jobs/<str:job_id>/status", views.job_status, name="job_status"),
]
