"""What the runner hands the engine for one job, and what the engine hands back.

The engine knows nothing of Jobs: the job runner reads a Job into a RunContext, calls
`console.engine.run.execute`, and records the Outcome on the Job whether the run succeeded or
failed (statistics gathered before a failure, such as the bytes a query read, are kept).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from console.catalog.models import Project
from console.errors import InvalidError

if TYPE_CHECKING:
    from console.engine.interrupt import Watcher


def _never() -> bool:
    return False


def _ignore(statistics: dict[str, Any]) -> None:
    return None


def _no_sessions(session_id: str | None) -> None:
    raise InvalidError("BQ.ABORT_SESSION needs a session: run it in one or name the session")


@dataclass(frozen=True)
class SessionState:
    """What a job in a session starts from: the session's ID, variables and temp functions.

    The jobs layer reads it from the session; the engine never sees the session itself. The
    job hands the state back through Outcome.session_variables / session_functions.
    """

    session_id: str
    variables: dict[str, Any] = field(default_factory=dict)
    # CREATE TEMP FUNCTION statements as GoogleSQL text, in the order they were declared.
    functions: tuple[str, ...] = ()


def _no_children(child: ChildJob) -> None:
    return None


@dataclass(frozen=True)
class RunContext:
    """One job's inputs: where and as whom it runs, and BigQuery's job configuration.

    job_pk is opaque to the engine: it is only stored as the foreign key of the rows a training
    writes (TrainingIteration.job_id, MLModel.training_job_id). cancelled() says whether someone
    asked the job to stop; progress(statistics) publishes statistics before the job ends (the
    console shows a training's CREATE_MODEL while it runs). watcher, set by
    `console.engine.run.execute`, interrupts the job's DuckDB connections when it is cancelled.

    temp_dataset is the hidden dataset (a catalog ID the jobs layer chose) where the job's
    CREATE TEMP TABLE puts its tables: its session's, or one of its own that the engine drops
    when the script ends. session is set for a job in a session; abort_session(session_id or
    None for the job's own session) ends a session for CALL BQ.ABORT_SESSION.

    A script (console/engine/scripting.py) reports each statement it ran through child(ChildJob),
    which the jobs layer records as a DONE child job; job_id and created are the script's own
    (@@script.job_id, @@script.creation_time). A session's variables (session.variables, as
    `scripting.dump_variables` wrote them) are the script's to start from; its final variables
    come back in Outcome.session_variables.
    """

    project: Project
    principal: Any
    configuration: dict[str, Any]
    location: str = "US"
    upload_path: str = ""
    job_pk: Any = None
    cancelled: Callable[[], bool] = _never
    progress: Callable[[dict[str, Any]], None] = _ignore
    watcher: Watcher | None = None
    temp_dataset: str = ""
    session: SessionState | None = None
    abort_session: Callable[[str | None], None] = _no_sessions
    job_id: str = ""
    created: dt.datetime | None = None
    child: Callable[[ChildJob], None] = _no_children


@dataclass
class Outcome:
    """What a job produced: its statistics and, for a query, the stored result rows."""

    statistics: dict[str, Any] = field(default_factory=dict)
    result_path: str = ""
    result_schema: list[dict[str, Any]] = field(default_factory=list)
    result_rows: int | None = None
    # A session's state after the job, for the jobs layer to keep; None leaves it as it was.
    # Variables are as `scripting.dump_variables` writes them (name -> QueryParameter JSON).
    session_variables: dict[str, Any] | None = None
    session_functions: list[str] | None = None


@dataclass
class ChildJob:
    """One statement (or evaluated expression) a script ran: a job of its own in BigQuery.

    statistics hold the child's statementType, totalBytesProcessed, scriptStatistics and DML
    counts; outcome holds its result rows (a SELECT's); error is its errorResult if it failed.
    """

    job_id: str
    query: str
    statistics: dict[str, Any]
    outcome: Outcome
    error: dict[str, Any] | None
    started: dt.datetime
    ended: dt.datetime
