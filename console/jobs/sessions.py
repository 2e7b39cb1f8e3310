"""BigQuery sessions: which session a job runs in, what it hands the engine, and when it ends.

A query job starts a session with `configuration.query.createSession` and joins one with the
connection property `session_id`. Only the session's creator may run jobs in it. Its state lives
on the Session row (variables, temporary functions) and in a hidden catalog dataset named by the
row (temporary tables), which only its owner may read (`console.iam.access` asks `owns`). A
session ends when a job calls BQ.ABORT_SESSION, or after IDLE_LIFETIME without a job (or
MAX_LIFETIME in all); its hidden dataset goes with it. docs/sessions.md says what is inferred.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from console.catalog.models import Dataset, Project, is_anonymous_dataset
from console.engine.configuration import session_property
from console.engine.outcome import Outcome, SessionState
from console.errors import AccessDenied, InvalidError, NotFoundError
from console.jobs import anonymous
from console.jobs.anonymous import submitter_email
from console.jobs.models import Job, Session

log = logging.getLogger(__name__)

IDLE_LIFETIME = dt.timedelta(hours=24)
MAX_LIFETIME = dt.timedelta(days=7)
# A script's own temporary tables (a job in no session) live in `_script_<job pk>`.
SCRIPT_PREFIX = "_script_"


def for_submit(principal: Any, project: Project, configuration: dict[str, Any]) -> Session | None:
    """Return the session a checked job configuration runs in, creating it for createSession.

    None means no session. A session the principal may not use, or one that has ended, is
    refused before the job exists.
    """
    query = configuration.get("query") or {}
    session_id = session_property(query)
    if query.get("createSession"):
        if session_id is not None:
            raise InvalidError(
                "createSession cannot be true when the connection property session_id names a "
                "session: a job either starts a session or joins one",
                "createSession",
            )
        return Session.objects.create(
            project=project,
            user=principal if principal is not None and principal.is_authenticated else None,
            user_email=submitter_email(principal),
        )
    if session_id is None:
        return None
    session = usable(principal, project, session_id)
    Session.objects.filter(pk=session.pk).update(last_activity=timezone.now())
    return session


def usable(principal: Any, project: Project, session_id: str) -> Session:
    """Return the active session principal may run jobs in, or raise BigQuery's refusal."""
    session = Session.objects.filter(session_id=session_id, project=project).first()
    if session is None:
        raise NotFoundError(f"Not found: Session {session_id} in project {project.project_id}")
    if not _is_submitter(principal, session.user_id, session.user_email):
        raise AccessDenied(
            f"Access Denied: Session {session_id}: only the user who created a session can "
            "run jobs in it or end it"
        )
    if session.active and _lapsed(session, timezone.now()):
        end(session)
        session.state = Session.State.TERMINATED
    if not session.active:
        raise InvalidError(
            f"Session {session_id} has terminated (it was aborted or expired after 24 hours "
            "without a query): start a new session with createSession"
        )
    return session


def run_fields(job: Job) -> dict[str, Any]:
    """Return the RunContext fields a job's session (or its lack of one) decides."""
    session = job.session
    if session is None:
        return {"temp_dataset": f"{SCRIPT_PREFIX}{job.pk}", "abort_session": _aborter(job)}
    return {
        "temp_dataset": session.dataset_id,
        "session": SessionState(
            session_id=session.session_id,
            variables=dict(session.variables),
            functions=tuple(session.functions),
        ),
        "abort_session": _aborter(job),
    }


def record(job: Job, outcome: Outcome) -> None:
    """Keep what a job left in its session's state; any job counts as the session's activity."""
    if job.session_id is None:
        return
    changes: dict[str, Any] = {"last_activity": timezone.now()}
    if outcome.session_variables is not None:
        changes["variables"] = outcome.session_variables
    if outcome.session_functions is not None:
        changes["functions"] = outcome.session_functions
    Session.objects.filter(pk=job.session_id, state=Session.State.ACTIVE).update(**changes)


def session_info(session: Session | None) -> dict[str, Any]:
    """Return the statistics a job in session starts with (sessionInfo, as BigQuery shows it)."""
    return {"sessionInfo": {"sessionId": session.session_id}} if session is not None else {}


def end(session: Session) -> None:
    """Terminate a session and drop its temporary tables (rows now, files once committed)."""
    with transaction.atomic():
        Session.objects.filter(pk=session.pk, state=Session.State.ACTIVE).update(
            state=Session.State.TERMINATED, ended=timezone.now()
        )
        _drop_dataset(session.project, session.dataset_id)


def expire(now: dt.datetime | None = None) -> int:
    """End every session idle for a day (or open for a week) and drop scripts' leftover tables.

    A script drops its own temporary tables when it ends; a worker that died mid-script leaves
    them, and they go here once the job is DONE.
    """
    now = now or timezone.now()
    lapsed = Session.objects.filter(state=Session.State.ACTIVE).filter(
        Q(last_activity__lt=now - IDLE_LIFETIME) | Q(created__lt=now - MAX_LIFETIME)
    )
    ended = list(lapsed.select_related("project"))
    for session in ended:
        end(session)
    for dataset in Dataset.objects.filter(dataset_id__startswith=SCRIPT_PREFIX):
        job = _script_job(dataset.project, dataset.dataset_id)
        if job is None or job.state == Job.State.DONE:
            dataset.delete_with_contents(True)
    if ended:
        log.info("ended %d sessions idle for %s", len(ended), IDLE_LIFETIME)
    return len(ended)


def owns(principal: Any, project: Project, dataset_id: str) -> bool:
    """Return True if dataset_id is the hidden dataset of principal's session or running script,
    or the principal's own anonymous dataset."""
    if is_anonymous_dataset(dataset_id):
        return anonymous.owns(principal, project, dataset_id)
    if dataset_id.startswith(SCRIPT_PREFIX):
        job = _script_job(project, dataset_id)
        return job is not None and _is_submitter(principal, job.user_id, job.user_email)
    session = Session.objects.filter(project=project, dataset_id=dataset_id).first()
    return session is not None and _is_submitter(principal, session.user_id, session.user_email)


def _aborter(job: Job) -> Any:
    def abort(session_id: str | None) -> None:
        if session_id is None:
            if job.session is None:
                raise InvalidError(
                    "CALL BQ.ABORT_SESSION() without an argument ends the job's own session, "
                    "but this job runs in no session: name the session, "
                    "CALL BQ.ABORT_SESSION('session_id')"
                )
            session_id = job.session.session_id
        end(usable(job.principal(), job.project, session_id))

    return abort


def _lapsed(session: Session, now: dt.datetime) -> bool:
    return session.last_activity < now - IDLE_LIFETIME or session.created < now - MAX_LIFETIME


def _script_job(project: Project, dataset_id: str) -> Job | None:
    suffix = dataset_id[len(SCRIPT_PREFIX) :]
    return Job.objects.filter(project=project, pk=int(suffix)).first() if suffix.isdigit() else None


def _drop_dataset(project: Project, dataset_id: str) -> None:
    dataset = Dataset.objects.filter(project=project, dataset_id=dataset_id).first()
    if dataset is not None:
        dataset.delete_with_contents(True)


def _is_submitter(principal: Any, user_id: int | None, user_email: str) -> bool:
    """Return True if principal is whoever a session or job records as its creator."""
    if principal is None or not principal.is_authenticated:
        return user_id is None and not user_email
    return principal.pk is not None and user_id == principal.pk
