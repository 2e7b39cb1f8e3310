"""Jobs: every query, load and copy is a Job row first; the queue message only wakes a worker."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.utils import timezone

from console.catalog import janitor, storage
from console.catalog.models import Project
from console.errors import Cancelled, InvalidError

log = logging.getLogger(__name__)


def new_job_id() -> str:
    return f"job_{secrets.token_hex(12)}"


def new_session_id() -> str:
    # BigQuery's session IDs are long opaque strings; a client only passes them back.
    return secrets.token_urlsafe(32)


def new_session_dataset_id() -> str:
    # Random, not derived from the session ID: knowing one does not give the other.
    return "_session_" + secrets.token_hex(20)


class Session(models.Model):
    """A BigQuery session: state (temporary tables and functions, variables) its jobs share.

    Only its creator may run jobs in it (console/jobs/sessions.py). Its temporary tables are
    catalog tables in a hidden dataset named after it; it ends when aborted or after a day
    without a job, and its hidden dataset goes with it.
    """

    class State(models.TextChoices):
        ACTIVE = "ACTIVE"
        TERMINATED = "TERMINATED"

    session_id = models.CharField(max_length=64, unique=True, default=new_session_id)
    dataset_id = models.CharField(
        max_length=64,
        unique=True,
        default=new_session_dataset_id,
        help_text="The hidden dataset of the session's temporary tables",
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sessions")
    location = models.CharField(max_length=64, default="US")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    user_email = models.CharField(max_length=254, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    created = models.DateTimeField(default=timezone.now)
    last_activity = models.DateTimeField(default=timezone.now)
    ended = models.DateTimeField(null=True, blank=True)
    # Session variables (DECLARE in a session), by name, as the scripting interpreter keeps them.
    variables = models.JSONField(default=dict, blank=True)
    # The CREATE TEMP FUNCTION statements the session declared, in order, as GoogleSQL text.
    functions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["state", "last_activity"])]

    def __str__(self) -> str:
        return self.session_id

    @property
    def active(self) -> bool:
        return self.state == self.State.ACTIVE


class Job(models.Model):
    class Type(models.TextChoices):
        QUERY = "QUERY"
        LOAD = "LOAD"
        COPY = "COPY"
        EXTRACT = "EXTRACT"

    class State(models.TextChoices):
        PENDING = "PENDING"
        RUNNING = "RUNNING"
        DONE = "DONE"

    job_id = models.CharField(max_length=1024, unique=True, default=new_job_id)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="jobs")
    location = models.CharField(max_length=64, default="US")
    job_type = models.CharField(max_length=8, choices=Type.choices)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    configuration = models.JSONField(default=dict, blank=True)
    error_result = models.JSONField(null=True, blank=True)
    statistics = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    user_email = models.CharField(max_length=254, blank=True)
    cancel_requested = models.BooleanField(default=False)
    upload_path = models.CharField(max_length=255, blank=True, help_text="A load's staged file")
    result_path = models.CharField(max_length=255, blank=True)
    result_schema = models.JSONField(default=list, blank=True)
    result_rows = models.BigIntegerField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    started = models.DateTimeField(null=True, blank=True)
    ended = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life from the worker running the job"
    )
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    # A script's statements run as child jobs of the script's job (jobs.list parentJobId).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    # Not a column: submit sets it False when no broker took the job's wake-up message, so an API
    # call does not wait for a job no worker has heard of yet.
    queued = True

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["state", "created"])]

    def __str__(self) -> str:
        return self.job_id

    @property
    def query(self) -> str:
        return self.configuration.get("query", {}).get("query", "")

    @property
    def failed(self) -> bool:
        return self.state == self.State.DONE and self.error_result is not None

    @property
    def status_label(self) -> str:
        """Return PENDING, RUNNING, SUCCESS or FAILURE, as the console's job history shows."""
        if self.state != self.State.DONE:
            return self.state
        return "FAILURE" if self.error_result else "SUCCESS"

    @property
    def duration_s(self) -> float | None:
        if self.started and self.ended:
            return (self.ended - self.started).total_seconds()
        return None

    def request_cancel(self) -> None:
        """Cancel a PENDING job at once; ask a RUNNING one to stop at its next checkpoint."""
        # The flag first, whatever the state: a worker claiming the job meanwhile sees it.
        Job.objects.filter(pk=self.pk).exclude(state=self.State.DONE).update(cancel_requested=True)
        ended = Job.objects.filter(pk=self.pk, state=self.State.PENDING).update(
            state=self.State.DONE,
            ended=timezone.now(),
            cancel_requested=True,
            error_result=Cancelled().as_error_result(),
        )
        self.refresh_from_db()
        if ended:
            self.state = self.State.DONE

    def delete_metadata(self) -> None:
        """Delete a DONE job's row, and its result file once no other row names it.

        A job that has not ended is refused: its worker still writes to the row and the file.
        """
        with transaction.atomic():
            deleted, _ = Job.objects.filter(pk=self.pk, state=self.State.DONE).delete()
            if not deleted:
                self.refresh_from_db(fields=["state"])
                raise InvalidError(
                    f"Job {self.project.project_id}:{self.location}.{self.job_id} is "
                    f"{self.state}: only a DONE job's metadata can be deleted. Cancel it "
                    "(jobs.cancel, bq cancel) and wait until it is DONE."
                )
            # A destination table's version or another job (a re-run) may name the same file.
            path = self.result_path
            if path and not (
                Job.objects.filter(result_path=path).exists() or path in janitor.named_paths()
            ):
                transaction.on_commit(lambda: storage.remove(path))

    def principal(self) -> Any:
        """Return whom the job runs as: its submitter, anonymous, or nobody if they are gone."""
        if self.user_id is not None:
            return self.user
        if not self.user_email:
            return AnonymousUser()
        # The submitter's account was deleted: the job keeps no one's permissions.
        return get_user_model()(username=self.user_email, is_active=False)

    def cancelled(self) -> bool:
        """Return True if someone asked this job to stop (reads the row, not this object)."""
        return Job.objects.filter(pk=self.pk, cancel_requested=True).exists()

    def mark_running(self) -> bool:
        """Claim a PENDING job for this worker; return False if another worker has it."""
        now = timezone.now()
        claimable = Job.objects.filter(pk=self.pk, state=self.State.PENDING, cancel_requested=False)
        claimed = claimable.update(state=self.State.RUNNING, started=now, heartbeat=now)
        if claimed:
            self.state, self.started = self.State.RUNNING, now
        return bool(claimed)

    def mark_done(self, error: dict[str, str] | None = None) -> None:
        self.state = self.State.DONE
        self.ended = timezone.now()
        self.error_result = error
        if self.started:
            elapsed_ms = int((self.ended - self.started).total_seconds() * 1000)
            self.statistics = {**self.statistics, "totalSlotMs": elapsed_ms}
        self.save(
            update_fields=[
                "state",
                "ended",
                "error_result",
                "statistics",
                "result_path",
                "result_schema",
                "result_rows",
            ]
        )
