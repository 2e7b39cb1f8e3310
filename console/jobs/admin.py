from __future__ import annotations

from django.contrib import admin

from console.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["job_id", "job_type", "state", "status_label", "user_email", "created", "ended"]
    list_filter = ["job_type", "state", "project"]
    search_fields = ["job_id", "user_email", "configuration"]
    readonly_fields = ["job_id", "created", "started", "ended", "result_path"]
    date_hierarchy = "created"
