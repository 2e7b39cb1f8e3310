from __future__ import annotations

from django.contrib import admin

from console.catalog.admin import ReadOnlyAdmin
from console.jobs.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Shows jobs; a job is created only by jobs.submit and changed only by its worker."""

    list_display = ["job_id", "job_type", "state", "status_label", "user_email", "created", "ended"]
    list_filter = ["job_type", "state", "project"]
    search_fields = ["job_id", "user_email", "configuration"]
    date_hierarchy = "created"
