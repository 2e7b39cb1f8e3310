"""Anonymous destination tables: a query job's rows, named as a table only the job's owner reads.

BigQuery writes every query's rows to a table in a hidden dataset of the user's own
(`_<40 hex digits>`), kept 24 hours, listed nowhere and readable only by the user who ran the
job; the job names it in `configuration.query.destinationTable`, and clients read the rows back
through it (dbt's `get_table(job.destination)`, ibis, the DB-API's row iterators).

Quarry already keeps a query's rows in the job's own immutable result file, so the anonymous
table is not a catalog row but a name for that file: `reference` names a job's table and `find`
turns a name back into a read-only Table for the job's owner. No catalog row means nothing to
expire or clean: the name stops resolving after LIFETIME, and the janitor keeps treating the
file as the job's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone

from console.catalog import storage
from console.catalog.models import Dataset, Project, Table, is_temporary_dataset
from console.errors import AccessDenied, NotFoundError
from console.jobs.models import Job

LIFETIME = dt.timedelta(hours=24)
TABLE_PREFIX = "anon"


def submitter_email(principal: Any) -> str:
    """Return the email a job records for who submitted it ("" for anonymous access)."""
    if principal is None or not principal.is_authenticated:
        return ""
    return principal.email or principal.get_username()


def dataset_id(project: Project, email: str) -> str:
    """Return the hidden dataset that holds one user's anonymous tables in a project."""
    return "_" + hashlib.sha1(f"{project.project_id}\n{email}".encode()).hexdigest()


def reference(job: Job) -> dict[str, str] | None:
    """Return the anonymous table a query job writes, or None if its rows go elsewhere or nowhere.

    A job that names its own destination writes there; a dry run, a failure and a statement that
    returns no rows (DDL, DML, scripts ending in one) have no table.
    """
    query = job.configuration.get("query") or {}
    if job.job_type != Job.Type.QUERY or job.configuration.get("dryRun"):
        return None
    if query.get("destinationTable"):
        return None
    if job.state == Job.State.DONE and not job.result_path:
        return None
    return {
        "projectId": job.project.project_id,
        "datasetId": dataset_id(job.project, job.user_email),
        "tableId": TABLE_PREFIX + job.job_id,
    }


def shown_destination(job: Job) -> dict[str, str] | None:
    """Return the destinationTable a query job shows that its configuration does not name.

    BigQuery names the table a CREATE TABLE ... AS SELECT made (dbt reads its row count through
    it), the hidden table a CREATE TEMP TABLE made, and the anonymous table of a query that
    returns rows.
    """
    stats = job.statistics or {}
    target = stats.get("ddlTargetTable")
    if stats.get("statementType") == "CREATE_TABLE_AS_SELECT" and target:
        return target
    temporary = target is not None and is_temporary_dataset(target.get("datasetId", ""))
    if stats.get("statementType") == "CREATE_TABLE" and temporary:
        # bigframes reads a CREATE TEMP TABLE's real name here and uses it outside the session.
        return target
    return reference(job)


def find(principal: Any, project: Project, named_dataset: str, table_id: str) -> Table | None:
    """Return the anonymous table the principal names, read-only and unsaved.

    None means named_dataset is not the principal's hidden dataset, so the name is the catalog's
    to resolve. Another user's hidden dataset is an ordinary name that does not exist.
    """
    email = submitter_email(principal)
    if named_dataset != dataset_id(project, email):
        return None
    job = None
    if table_id.startswith(TABLE_PREFIX):
        job = Job.objects.filter(
            project=project, job_id=table_id[len(TABLE_PREFIX) :], user_email=email
        ).first()
    if job is None or reference(job) is None or not job.result_path or _expired(job):
        raise NotFoundError(f"Not found: Table {project.project_id}:{named_dataset}.{table_id}")
    dataset = Dataset(project=project, dataset_id=named_dataset, location=job.location)
    return Table(
        dataset=dataset,
        table_id=table_id,
        schema=job.result_schema,
        data_path=job.result_path,
        num_rows=job.result_rows or 0,
        num_bytes=_size(job.result_path),
        created=job.ended,
        modified=job.ended,
        expiration_time=job.ended + LIFETIME,
    )


def refuse_change(table: Table) -> None:
    """Raise for a write to an anonymous table: only the job that made it writes it."""
    raise AccessDenied(
        f"Access Denied: Table {table.full_id}: anonymous query results are read-only"
    )


def _expired(job: Job) -> bool:
    return job.ended is not None and job.ended + LIFETIME <= timezone.now()


def _size(relative: str) -> int:
    try:
        return storage.resolve(relative).stat().st_size
    except OSError:
        return 0
