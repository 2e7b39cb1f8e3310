"""The Django admin lists jobs but never creates or edits one: jobs.submit is the only way in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from console.catalog.models import Project
from console.jobs.models import Job
from console.jobs.submit import submit


def test_it_shows_jobs_but_offers_no_add_or_change(db: None) -> None:
    root: Any = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    browser = Client()
    browser.force_login(root)
    job = submit(None, Project.default(), {"query": {"query": "SELECT 1"}})
    listing = browser.get("/admin/jobs/job/")
    assert listing.status_code == 200 and job.job_id in listing.content.decode()
    assert browser.get("/admin/jobs/job/add/").status_code == 403
    page = browser.get(f"/admin/jobs/job/{job.pk}/change/")
    assert page.status_code == 200 and "Save" not in page.content.decode()
    changed = browser.post(f"/admin/jobs/job/{job.pk}/change/", {"state": "DONE"})
    assert changed.status_code == 403
    assert Job.objects.get(pk=job.pk).state == Job.State.PENDING
