"""Quarry's own discovery document: only the methods it serves, so `bq --api URL` can drive it.

bq fetches `{api}/$discovery/rest?version=v2` before every command and builds its client from it
(googleapiclient), so each method lists every parameter bq may pass; an undeclared one would be
refused on bq's side. The URLs follow the host the request came in on.
"""

from __future__ import annotations

from typing import Any

INT, STR, BOOL = "integer", "string", "boolean"
P = {"projectId": STR}
PD = {**P, "datasetId": STR}
PDT = {**PD, "tableId": STR}
PDM = {**PD, "modelId": STR}
PDR = {**PD, "routineId": STR}
ROUTINE_PATH = "projects/{+projectId}/datasets/{+datasetId}/routines"
PJ = {**P, "jobId": STR}
PAGE = {"maxResults": INT, "pageToken": STR}
UPLOAD_PATH = "/upload/bigquery/v2/projects/{+projectId}/jobs"

# resource, method, HTTP method, path, path parameters, query parameters, request, response
METHODS: list[tuple[str, str, str, str, dict, dict, str | None, str | None]] = [
    ("projects", "list", "GET", "projects", {}, PAGE, None, "ProjectList"),
    ("datasets", "list", "GET", "projects/{+projectId}/datasets", P,
     {**PAGE, "all": BOOL, "filter": STR}, None, "DatasetList"),
    ("datasets", "insert", "POST", "projects/{+projectId}/datasets", P,
     {"accessPolicyVersion": INT}, "Dataset", "Dataset"),
    ("datasets", "get", "GET", "projects/{+projectId}/datasets/{+datasetId}", PD,
     {"accessPolicyVersion": INT, "datasetView": STR}, None, "Dataset"),
    ("datasets", "patch", "PATCH", "projects/{+projectId}/datasets/{+datasetId}", PD,
     {"accessPolicyVersion": INT, "updateMode": STR}, "Dataset", "Dataset"),
    ("datasets", "update", "PUT", "projects/{+projectId}/datasets/{+datasetId}", PD,
     {"accessPolicyVersion": INT, "updateMode": STR}, "Dataset", "Dataset"),
    ("datasets", "delete", "DELETE", "projects/{+projectId}/datasets/{+datasetId}", PD,
     {"deleteContents": BOOL}, None, None),
    ("tables", "list", "GET", "projects/{+projectId}/datasets/{+datasetId}/tables", PD, PAGE,
     None, "TableList"),
    ("tables", "insert", "POST", "projects/{+projectId}/datasets/{+datasetId}/tables", PD, {},
     "Table", "Table"),
    ("tables", "get", "GET", "projects/{+projectId}/datasets/{+datasetId}/tables/{+tableId}",
     PDT, {"selectedFields": STR, "view": STR}, None, "Table"),
    ("tables", "patch", "PATCH",
     "projects/{+projectId}/datasets/{+datasetId}/tables/{+tableId}", PDT,
     {"autodetect_schema": BOOL}, "Table", "Table"),
    ("tables", "update", "PUT",
     "projects/{+projectId}/datasets/{+datasetId}/tables/{+tableId}", PDT,
     {"autodetect_schema": BOOL}, "Table", "Table"),
    ("tables", "delete", "DELETE",
     "projects/{+projectId}/datasets/{+datasetId}/tables/{+tableId}", PDT, {}, None, None),
    ("tabledata", "list", "GET",
     "projects/{+projectId}/datasets/{+datasetId}/tables/{+tableId}/data", PDT,
     {**PAGE, "startIndex": STR, "selectedFields": STR, "formatOptions.useInt64Timestamp": BOOL},
     None, "TableDataList"),
    ("tabledata", "insertAll", "POST",
     "projects/{+projectId}/datasets/{+datasetId}/tables/{+tableId}/insertAll", PDT, {},
     "TableDataInsertAllRequest", "TableDataInsertAllResponse"),
    ("jobs", "list", "GET", "projects/{+projectId}/jobs", P,
     {**PAGE, "allUsers": BOOL, "projection": STR, "stateFilter": STR, "minCreationTime": STR,
      "maxCreationTime": STR, "parentJobId": STR}, None, "JobList"),
    ("jobs", "insert", "POST", "projects/{+projectId}/jobs", P, {}, "Job", "Job"),
    ("jobs", "get", "GET", "projects/{+projectId}/jobs/{+jobId}", PJ, {"location": STR}, None,
     "Job"),
    ("jobs", "cancel", "POST", "projects/{+projectId}/jobs/{+jobId}/cancel", PJ,
     {"location": STR}, None, "JobCancelResponse"),
    ("jobs", "delete", "DELETE", "projects/{+projectId}/jobs/{+jobId}/delete", PJ,
     {"location": STR}, None, None),
    ("jobs", "query", "POST", "projects/{+projectId}/queries", P, {}, "QueryRequest",
     "QueryResponse"),
    ("jobs", "getQueryResults", "GET", "projects/{+projectId}/queries/{+jobId}", PJ,
     {**PAGE, "startIndex": STR, "timeoutMs": INT, "location": STR,
      "formatOptions.useInt64Timestamp": BOOL}, None, "GetQueryResultsResponse"),
    ("models", "list", "GET", "projects/{+projectId}/datasets/{+datasetId}/models", PD, PAGE,
     None, "ListModelsResponse"),
    ("models", "get", "GET",
     "projects/{+projectId}/datasets/{+datasetId}/models/{+modelId}", PDM, {}, None, "Model"),
    ("models", "patch", "PATCH",
     "projects/{+projectId}/datasets/{+datasetId}/models/{+modelId}", PDM, {}, "Model", "Model"),
    ("models", "delete", "DELETE",
     "projects/{+projectId}/datasets/{+datasetId}/models/{+modelId}", PDM, {}, None, None),
    ("routines", "list", "GET", ROUTINE_PATH, PD,
     {**PAGE, "filter": STR, "readMask": STR}, None, "ListRoutinesResponse"),
    ("routines", "insert", "POST", ROUTINE_PATH, PD, {}, "Routine", "Routine"),
    ("routines", "get", "GET", f"{ROUTINE_PATH}/{{+routineId}}", PDR, {"readMask": STR}, None,
     "Routine"),
    ("routines", "update", "PUT", f"{ROUTINE_PATH}/{{+routineId}}", PDR, {}, "Routine",
     "Routine"),
    ("routines", "delete", "DELETE", f"{ROUTINE_PATH}/{{+routineId}}", PDR, {}, None, None),
]  # fmt: skip

GLOBAL_PARAMETERS = {
    "alt": {"type": STR, "location": "query", "default": "json", "enum": ["json"]},
    "fields": {"type": STR, "location": "query"},
    "prettyPrint": {"type": BOOL, "location": "query", "default": "true"},
    "key": {"type": STR, "location": "query"},
    "oauth_token": {"type": STR, "location": "query"},
    "access_token": {"type": STR, "location": "query"},
    "quotaUser": {"type": STR, "location": "query"},
    "uploadType": {"type": STR, "location": "query"},
    "upload_protocol": {"type": STR, "location": "query"},
    "callback": {"type": STR, "location": "query"},
    "$.xgafv": {"type": STR, "location": "query", "enum": ["1", "2"]},
}


def _method(row: tuple) -> dict[str, Any]:
    resource, name, http_method, path, in_path, in_query, request, response = row
    parameters: dict[str, Any] = {
        key: {"type": kind, "location": "path", "required": True} for key, kind in in_path.items()
    }
    for key, kind in in_query.items():
        parameters[key] = {"type": kind, "location": "query"}
        if key == "stateFilter":
            parameters[key]["repeated"] = True
    method: dict[str, Any] = {
        "id": f"bigquery.{resource}.{name}",
        "path": path,
        "flatPath": path.replace("{+", "{"),
        "httpMethod": http_method,
        "parameters": parameters,
        "parameterOrder": list(in_path),
        "description": f"Quarry serves {resource}.{name}.",
    }
    if request:
        method["request"] = {"$ref": request}
    if response:
        method["response"] = {"$ref": response}
    if (resource, name) == ("jobs", "insert"):
        method["supportsMediaUpload"] = True
        method["mediaUpload"] = {
            "accept": ["*/*"],
            "protocols": {
                "simple": {"multipart": True, "path": UPLOAD_PATH},
                "resumable": {"multipart": True, "path": UPLOAD_PATH},
            },
        }
    return method


def document(root_url: str) -> dict[str, Any]:
    """Return the discovery document for a server whose root URL is root_url (ending in /)."""
    resources: dict[str, Any] = {}
    schema_names: set[str] = set()
    for row in METHODS:
        resources.setdefault(row[0], {"methods": {}})["methods"][row[1]] = _method(row)
        schema_names.update(name for name in row[6:8] if name)
    return {
        "kind": "discovery#restDescription",
        "discoveryVersion": "v1",
        "id": "bigquery:v2",
        "name": "bigquery",
        "version": "v2",
        "title": "BigQuery API (the subset Quarry serves)",
        "description": "Quarry: a local BigQuery-compatible ML console.",
        "protocol": "rest",
        "rootUrl": root_url,
        "mtlsRootUrl": root_url,
        "servicePath": "bigquery/v2/",
        "basePath": "/bigquery/v2/",
        "baseUrl": f"{root_url}bigquery/v2/",
        "batchPath": "batch/bigquery/v2",
        "parameters": GLOBAL_PARAMETERS,
        # Bodies are checked by the server; the client needs only the names to resolve.
        "schemas": {
            name: {"id": name, "type": "object", "additionalProperties": {"type": "any"}}
            for name in sorted(schema_names)
        },
        "resources": resources,
    }
