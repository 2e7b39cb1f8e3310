"""Anonymous destination tables and the user's own hidden dataset they are named in.

BigQuery writes every query's rows to a table in a hidden dataset of the user's own
(`_<40 hex digits>`), kept 24 hours, listed nowhere and readable only by the user who ran the
job; the job names it in `configuration.query.destinationTable`, and clients read the rows back
through it (dbt's `get_table(job.destination)`, ibis, the DB-API's row iterators, SQL and copy
jobs that name it).

Quarry already keeps a query's rows in the job's own immutable result file, so the anonymous
table is not a catalog row but a name for that file: `reference` names a job's table and `find`
turns a name back into a read-only Table for the job's owner. No catalog row means nothing to
expire or clean: the name stops resolving after LIFETIME, and the janitor keeps treating the
file as the job's.

What a client creates in that dataset itself (bigframes trains its models there) is an ordinary
catalog object: the dataset becomes a catalog row, owner-only and unlisted, on the first write
into it (`Dataset.anonymous`), and what it holds expires after LIFETIME unless given another
expiration.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone

from console.catalog import storage
from console.catalog.models import Dataset, Project, Table, is_temporary_dataset
from console.errors import AccessDenied
from console.iam import access
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
    it), the hidden table a CREATE TEMP TABLE made, the model a CREATE MODEL trained, and the
    anonymous table of a query that returns rows.
    """
    stats = job.statistics or {}
    target = stats.get("ddlTargetTable")
    if stats.get("statementType") == "CREATE_TABLE_AS_SELECT" and target:
        return target
    model = stats.get("ddlTargetModel")
    if stats.get("statementType") == "CREATE_MODEL" and model:
        # bigframes reads the model it trained in its hidden dataset from here (inferred).
        return {
            "projectId": model["projectId"],
            "datasetId": model["datasetId"],
            "tableId": model["modelId"],
        }
    temporary = target is not None and is_temporary_dataset(target.get("datasetId", ""))
    if stats.get("statementType") == "CREATE_TABLE" and temporary:
        # bigframes reads a CREATE TEMP TABLE's real name here and uses it outside the session.
        return target
    return reference(job)


def owns(principal: Any, project: Project, named_dataset: str) -> bool:
    """Return True if named_dataset is the principal's own hidden dataset in project."""
    if principal is not None and principal.is_authenticated and not principal.is_active:
        return False
    if (principal is None or not principal.is_authenticated) and not access.permissions(
        principal, project
    ):
        return False
    return named_dataset == dataset_id(project, submitter_email(principal))


def find(principal: Any, project: Project, named_dataset: str, table_id: str) -> Table | None:
    """Return the anonymous result table the principal names, read-only and unsaved.

    None means the name is the catalog's to resolve: named_dataset is not the principal's hidden
    dataset (another user's is one the principal may not use), or no query job of theirs that is
    still within its 24 hours made a table by that name (tables they created there are catalog
    rows).
    """
    email = submitter_email(principal)
    if named_dataset != dataset_id(project, email) or not table_id.startswith(TABLE_PREFIX):
        return None
    job = Job.objects.filter(
        project=project, job_id=table_id[len(TABLE_PREFIX) :], user_email=email
    ).first()
    if job is None or reference(job) is None or not job.result_path or _expired(job):
        return None
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
