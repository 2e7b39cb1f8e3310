from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "console.api"
    label = "api"
    verbose_name = "BigQuery REST API"
