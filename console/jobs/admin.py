from __future__ import annotations

from django.contrib import admin

from console.catalog.admin import ReadOnlyAdmin
from console.jobs.models import Job, Session


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Shows jobs; a job is created only by jobs.submit and changed only by its worker."""

    list_display = ["job_id", "job_type", "state", "status_label", "user_email", "created", "ended"]
    list_filter = ["job_type", "state", "project"]
    search_fields = ["job_id", "user_email", "configuration"]
    date_hierarchy = "created"


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    """Shows sessions; jobs create them and BQ.ABORT_SESSION or the sweep ends them."""

    list_display = ["session_id", "state", "user_email", "created", "last_activity", "ended"]
    list_filter = ["state", "project"]
    search_fields = ["session_id", "user_email"]
