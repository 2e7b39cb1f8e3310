"""BigQuery's JobConfiguration, checked: what the engine can honour, normalised as the job keeps it.

Every job, whatever front end built it, arrives as BigQuery's own `configuration` object
(`{"query": {...}}`, `{"load": {...}}`, `{"copy": {...}}`, plus `labels`, `dryRun`,
`jobTimeoutMs`). `check` refuses what can never run, naming the option, before any job exists;
whether tables exist and who may touch them is checked again when the job runs.
"""

from __future__ import annotations

from typing import Any

from console.catalog.models import Project
from console.engine import billing, copy, extract, loads, params
from console.engine.destination import Destination
from console.errors import BigQueryError, InvalidError

JOB_TYPES = ("query", "load", "copy", "extract")
# Top-level JobConfiguration fields a job keeps besides its one job-type part.
KEPT = ("labels", "dryRun", "jobTimeoutMs")
SESSION_ID = "session_id"
# Connection properties BigQuery honours and Quarry does not: refused rather than ignored, since a
# query would silently run differently. Other keys BigQuery ignores, and so does Quarry.
UNSUPPORTED_PROPERTIES = ("dataset_project_id", "time_zone", "query_label", "service_account")


def job_type(configuration: dict[str, Any]) -> str:
    """Return QUERY, LOAD or COPY for a configuration that holds exactly one of them."""
    kinds = [kind for kind in JOB_TYPES if configuration.get(kind)]
    if len(kinds) != 1:
        raise BigQueryError(
            "Required parameter is missing: configuration.query, configuration.load, "
            "configuration.copy or configuration.extract"
            if not kinds
            else "A job configuration holds one of query, load, copy and extract, not "
            + " and ".join(kinds),
            "required" if not kinds else None,
        )
    return kinds[0].upper()


def check(principal: Any, project: Project, configuration: dict[str, Any]) -> dict[str, Any]:
    """Return configuration checked and normalised; raise BigQueryError naming what is wrong."""
    kind = job_type(configuration)
    checked = {key: configuration[key] for key in KEPT if configuration.get(key) is not None}
    if "labels" in checked:
        checked["labels"] = _labels(checked["labels"])
    if checked.get("dryRun") and kind != "QUERY":
        raise InvalidError(f"Quarry dry-runs query jobs only, not {kind.lower()} jobs")
    if kind == "QUERY":
        checked["query"] = query(project, configuration["query"])
    elif kind == "LOAD":
        checked["load"] = loads.check_configuration(principal, project, configuration)["load"]
    elif kind == "COPY":
        checked["copy"] = copy.copy_configuration(project, configuration["copy"])
    else:
        checked["extract"] = extract.check_configuration(project, configuration["extract"])
    return checked


def query(project: Project, config: dict[str, Any]) -> dict[str, Any]:
    """Return a query job's stored configuration, refusing what the engine cannot honour."""
    sql = config.get("query")
    if not sql:
        raise BigQueryError("Required parameter is missing: query", "required")
    if config.get("useLegacySql"):
        raise InvalidError(
            "Legacy SQL is not supported by Quarry: set useLegacySql to false (GoogleSQL)",
            "query",
        )
    params.check(config)
    # The destination's names and dispositions are refused now; its table and permissions are
    # checked when the job runs.
    Destination.from_configuration(config)
    billing.limit(config)
    _check_session_options(config)
    named = (config.get("defaultDataset") or {}).get("projectId")
    if named and named != project.project_id:
        raise InvalidError(
            f"defaultDataset names project {named} but the request is for project "
            f"{project.project_id}"
        )
    # A missing useLegacySql (bq without --nouse_legacy_sql) is read as GoogleSQL on purpose.
    return {**config, "useLegacySql": False}


def session_property(config: dict[str, Any]) -> str | None:
    """Return the session_id connection property of a checked query configuration, if any."""
    for prop in config.get("connectionProperties") or []:
        if prop["key"] == SESSION_ID:
            return prop["value"]
    return None


def _check_session_options(config: dict[str, Any]) -> None:
    """Refuse a malformed createSession or connectionProperties, naming the property at fault."""
    if not isinstance(config.get("createSession", False), bool):
        raise InvalidError(
            "Invalid value for createSession: expected true or false", "createSession"
        )
    properties = config.get("connectionProperties") or []
    if not isinstance(properties, list):
        raise InvalidError(
            "Invalid value for connectionProperties: expected a list of {key, value}",
            "connectionProperties",
        )
    seen: set[str] = set()
    for index, prop in enumerate(properties):
        where = f"connectionProperties[{index}]"
        key = prop.get("key") if isinstance(prop, dict) else None
        value = prop.get("value") if isinstance(prop, dict) else None
        if not isinstance(key, str) or not key:
            raise InvalidError(f"Invalid value for {where}.key: expected a property name", where)
        if not isinstance(value, str):
            raise InvalidError(f"Invalid value for {where}.value: expected a string", where)
        if key in seen:
            raise InvalidError(f"Duplicate connection property {key}", where)
        seen.add(key)
        if key in UNSUPPORTED_PROPERTIES:
            raise InvalidError(
                f"Connection property {key} is not supported by Quarry; only session_id is", where
            )
        if key == SESSION_ID and not value:
            raise InvalidError(f"Invalid value for {where}.value: empty session ID", where)


def _labels(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidError("Invalid value for labels: keys and values must be strings")
    return value
