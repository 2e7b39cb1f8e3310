from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "console.jobs"
    label = "jobs"

    def ready(self) -> None:
        from console.engine import information_schema, tables
        from console.iam import access
        from console.jobs import anonymous, history, sessions

        information_schema.provide_jobs(history.rows)
        tables.provide_anonymous_tables(anonymous.find)
        access.provide_temporary_owner(sessions.owns)
