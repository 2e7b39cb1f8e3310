from __future__ import annotations

from django.apps import AppConfig

from console import hooks


class JobsConfig(AppConfig):
    name = "console.jobs"
    label = "jobs"

    def ready(self) -> None:
        # By name, not by import: loading these would load the engine in every process.
        hooks.provide("jobs_rows", "console.jobs.history.rows")
        hooks.provide("anonymous_table", "console.jobs.anonymous.find")
        hooks.provide("temporary_owner", "console.jobs.sessions.owns")
