"""BigQuery REST v2 views: each parses its request, calls the catalog or the engine, shows JSON.

Every view goes through `api_view`, which checks the method and the body and turns refusals into
BigQuery's errors; the lookups and the resource shapes live in `resources`, jobs in `jobs`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from console.api import discovery, fields, jobs, params, resources, uploads
from console.api.decorators import api_view, parse_json
from console.api.rows import api_fields, encode_rows
from console.catalog.models import Dataset, Project, Routine, Table, check_id
from console.engine import alter, inserts, metadata, resumable, selection
from console.engine import routines as engine_routines
from console.engine import views as engine_views
from console.engine.results import read_rows
from console.errors import BigQueryError, DuplicateError, NotFoundError
from console.iam import access, roles
from console.jobs.models import Job

LIST_PAGE = 50
JOB_WAIT_MS = 10_000


def _page(request: HttpRequest, items: list[Any]) -> tuple[list[Any], str | None]:
    """Return the page a list request asks for (maxResults, pageToken) and the next token."""
    start = params.page_start(request)
    size = params.integer(request, "maxResults", LIST_PAGE, minimum=1)
    page = items[start : start + size]
    return page, (str(start + size) if start + size < len(items) else None)


def _listed(
    request: HttpRequest,
    key: str,
    items: list[Any],
    dataset: Dataset,
    item: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """Return a models.list or routines.list answer: one page of a dataset's items."""
    for found in items:
        found.dataset = dataset
    page, token = _page(request, items)
    body: dict[str, Any] = {key: [item(found) for found in page]}
    if token:
        body["nextPageToken"] = token
    return body


def _time_ms(value: Any) -> Any:
    if value is None:
        return None
    return dt.datetime.fromtimestamp(int(value) / 1000, tz=dt.UTC)


# Projects ------------------------------------------------------------------------------------


@api_view("GET")
def projects(request: HttpRequest) -> dict[str, Any]:
    Project.default()
    items = [
        {
            "kind": "bigquery#project",
            "id": p.project_id,
            "numericId": str(p.pk),
            "projectReference": {"projectId": p.project_id},
            "friendlyName": p.project_id,
        }
        for p in access.visible_projects(request.principal)
    ]
    return {"kind": "bigquery#projectList", "projects": items, "totalItems": len(items)}


# Datasets ------------------------------------------------------------------------------------


@api_view("GET", "POST", body=fields.DATASET, body_name="dataset")
def datasets(request: HttpRequest, project_id: str) -> dict[str, Any]:
    project = resources.get_project(request, project_id)
    if request.method == "POST":
        ref = request.json.get("datasetReference") or {}
        reference = Dataset(project=project, dataset_id=str(ref.get("datasetId") or ""))
        access.check(request.principal, roles.DATASETS_CREATE, reference)
        body = request.json
        ref = body.get("datasetReference") or {}
        if not ref.get("datasetId"):
            raise BigQueryError(
                "Required parameter is missing: datasetReference.datasetId", "required"
            )
        if ref.get("projectId") and ref["projectId"] != project.project_id:
            raise BigQueryError(f"Dataset project {ref['projectId']} does not match {project_id}")
        # Checked before the dataset exists, so a refused body creates nothing.
        changes = metadata.dataset_changes(reference, body)
        dataset = Dataset.create(project, ref["datasetId"], location=body.get("location") or "US")
        metadata.assign(dataset, changes)
        return resources.dataset_resource(request, dataset)
    access.check(request.principal, roles.DATASETS_GET, project)
    items = list(project.datasets.listed())
    page, token = _page(request, items)
    body: dict[str, Any] = {
        "kind": "bigquery#datasetList",
        "etag": resources.etag(len(items), *(d.pk for d in page)),
        "datasets": [resources.dataset_list_item(d) for d in page],
    }
    if token:
        body["nextPageToken"] = token
    return body


@api_view("GET", "PATCH", "PUT", "DELETE", body=fields.DATASET, body_name="dataset")
def dataset(request: HttpRequest, project_id: str, dataset_id: str) -> dict[str, Any] | None:
    permission = {"DELETE": roles.DATASETS_DELETE, "PATCH": roles.DATASETS_UPDATE}.get(
        request.method, roles.DATASETS_UPDATE if request.method == "PUT" else roles.DATASETS_GET
    )
    ds = resources.get_dataset(request, project_id, dataset_id, permission)
    if request.method == "DELETE":
        ds.delete_with_contents(params.flag(request, "deleteContents"))
        return None
    if request.method in ("PATCH", "PUT"):
        _update_dataset(ds, request.json, replace=request.method == "PUT")
    return resources.dataset_resource(request, ds)


def _update_dataset(ds: Dataset, body: dict[str, Any], *, replace: bool) -> None:
    if body.get("location") and body["location"] != ds.location:
        raise BigQueryError(f"Cannot change the location of dataset {ds.full_id}")
    metadata.update_dataset(ds, body, replace=replace)


# Tables --------------------------------------------------------------------------------------


@api_view("GET", "POST", body=fields.TABLE, body_name="table")
def tables(request: HttpRequest, project_id: str, dataset_id: str) -> dict[str, Any]:
    ds = resources.get_dataset(request, project_id, dataset_id)
    if request.method == "POST":
        ref = request.json.get("tableReference") or {}
        reference = Table(dataset=ds, table_id=str(ref.get("tableId") or ""))
        access.check(request.principal, roles.TABLES_CREATE, reference)
        return resources.table_resource(request, _insert_table(request.principal, ds, request.json))
    access.check(request.principal, roles.TABLES_LIST, ds)
    items = list(ds.tables.all())
    for table in items:
        table.dataset = ds
    page, token = _page(request, items)
    body: dict[str, Any] = {
        "kind": "bigquery#tableList",
        "etag": resources.etag(len(items), *(t.pk for t in page)),
        "tables": [resources.table_list_item(t) for t in page],
        "totalItems": len(items),
    }
    if token:
        body["nextPageToken"] = token
    return body


def _view_query(view: dict[str, Any]) -> str:
    """Return a ViewDefinition's query, refusing legacy SQL, which Quarry does not run."""
    if view.get("useLegacySql"):
        raise BigQueryError(
            "Legacy SQL views are not supported by Quarry: set view.useLegacySql to false and "
            "write the query in GoogleSQL",
            location="view.useLegacySql",
        )
    query = view.get("query")
    if not isinstance(query, str) or not query.strip():
        raise BigQueryError("Required parameter is missing: view.query", "required")
    return query


def _insert_table(principal: Any, ds: Dataset, body: dict[str, Any]) -> Table:
    ref = body.get("tableReference") or {}
    table_id = ref.get("tableId")
    if not table_id:
        raise BigQueryError("Required parameter is missing: tableReference.tableId", "required")
    for unsupported in ("materializedView", "externalDataConfiguration"):
        if body.get(unsupported):
            raise BigQueryError(f"Tables with {unsupported} are not supported by Quarry yet")
    if body.get("view"):
        check_id("Table", table_id)
        if ds.tables.filter(table_id=table_id).exists():
            raise BigQueryError(f"Already Exists: Table {ds.full_id}.{table_id}", "duplicate")
        ds.check_name_free(table_id, "table")
        return engine_views.write_view(
            principal,
            ds,
            table_id,
            _view_query(body["view"]),
            description=body.get("description") or "",
            expiration_time=_time_ms(body.get("expirationTime")),
        )
    return metadata.create_table(ds, table_id, jobs.schema_fields(body), body)


@api_view("GET", "PATCH", "PUT", "DELETE", body=fields.TABLE, body_name="table")
def table(
    request: HttpRequest, project_id: str, dataset_id: str, table_id: str
) -> dict[str, Any] | None:
    permission = {"DELETE": roles.TABLES_DELETE, "GET": roles.TABLES_GET}.get(
        request.method, roles.TABLES_UPDATE
    )
    tbl = resources.get_table(request, project_id, dataset_id, table_id, permission)
    if request.method == "DELETE":
        tbl.delete_with_files()
        return None
    if request.method in ("PATCH", "PUT"):
        dataset = tbl.dataset
        if request.json.get("view"):
            # A new query means a new schema: the view is written again, as its creator would.
            tbl = engine_views.write_view(
                request.principal, tbl.dataset, tbl.table_id, _view_query(request.json["view"]), tbl
            )
        tbl = _update_table(tbl, request.json, replace=request.method == "PUT")
        tbl.dataset = dataset
    resource = resources.table_resource(request, tbl)
    selected = request.GET.get("selectedFields", "")
    if request.method == "GET" and selected:
        # bq head --selected_fields reads the schema here, then the cells from tabledata.list.
        chosen = selection.select_schema(tbl.schema or [], selected, tbl.full_id)
        resource["schema"] = {"fields": api_fields(chosen)}
    return resource


def _update_table(tbl: Table, body: dict[str, Any], *, replace: bool) -> Table:
    """Apply tables.patch (or update, with replace): metadata and a widened schema, or nothing."""
    new_fields = jobs.schema_fields(body)
    if new_fields:
        alter.check_widening(tbl, new_fields)
    changes = metadata.table_changes(tbl, body, schema=new_fields or tbl.schema, replace=replace)
    if new_fields:
        tbl = alter.patch_schema(tbl, new_fields)
    metadata.assign(tbl, changes)
    return tbl


@api_view("GET")
def table_data(
    request: HttpRequest, project_id: str, dataset_id: str, table_id: str
) -> dict[str, Any]:
    tbl = resources.get_table(request, project_id, dataset_id, table_id, roles.TABLES_GET_DATA)
    if tbl.table_type == Table.Type.VIEW:
        raise BigQueryError("Cannot list a table of type VIEW.")
    start = (
        params.page_start(request)
        if request.GET.get("pageToken")
        else params.integer(request, "startIndex", 0)
    )
    size = params.integer(request, "maxResults", jobs.DEFAULT_PAGE_ROWS)
    stored_fields, rows, total = read_rows(tbl, start, size) if size else (tbl.schema, [], 0)
    total = tbl.num_rows if not size else total
    shown_fields, rows = selection.select_rows(
        stored_fields, rows, request.GET.get("selectedFields", ""), tbl.full_id
    )
    int64 = params.flag(request, "formatOptions.useInt64Timestamp")
    body: dict[str, Any] = {
        "kind": "bigquery#tableDataList",
        "etag": resources.etag(tbl.pk, tbl.version, start),
        "totalRows": str(total),
        "rows": encode_rows(shown_fields, rows, int64),
    }
    if start + len(rows) < total and size:
        body["pageToken"] = str(start + len(rows))
    return body


@api_view("POST", body=fields.INSERT_ALL_REQUEST, body_name="insert_all_request")
def table_insert_all(
    request: HttpRequest, project_id: str, dataset_id: str, table_id: str
) -> dict[str, Any]:
    tbl = resources.get_table(request, project_id, dataset_id, table_id, roles.TABLES_UPDATE_DATA)
    body = request.json
    if body.get("templateSuffix"):
        raise BigQueryError(
            "templateSuffix (tables created from a template) is not supported by Quarry"
        )
    errors = inserts.insert_rows(
        tbl,
        body.get("rows") or [],
        skip_invalid_rows=bool(body.get("skipInvalidRows")),
        ignore_unknown_values=bool(body.get("ignoreUnknownValues")),
    )
    response: dict[str, Any] = {"kind": "bigquery#tableDataInsertAllResponse"}
    if errors:
        response["insertErrors"] = errors
    return response


# Models --------------------------------------------------------------------------------------


@api_view("GET")
def models(request: HttpRequest, project_id: str, dataset_id: str) -> dict[str, Any]:
    ds = resources.get_dataset(request, project_id, dataset_id)
    access.check(request.principal, roles.MODELS_LIST, ds)
    items = list(ds.models.exclude(artifact_path=""))
    return _listed(request, "models", items, ds, resources.model_list_item)


@api_view("GET", "PATCH", "DELETE", body=fields.MODEL, body_name="model")
def model(
    request: HttpRequest, project_id: str, dataset_id: str, model_id: str
) -> dict[str, Any] | None:
    permission = {"DELETE": roles.MODELS_DELETE, "GET": roles.MODELS_GET_METADATA}.get(
        request.method, roles.MODELS_UPDATE_METADATA
    )
    mdl = resources.get_model(request, project_id, dataset_id, model_id, permission)
    if request.method == "DELETE":
        mdl.delete_with_files()
        return None
    if request.method == "PATCH":
        metadata.update_model(mdl, request.json)
    return resources.model_resource(mdl)


# Routines ------------------------------------------------------------------------------------


@api_view("GET", "POST", body=fields.ROUTINE, body_name="routine")
def routines(request: HttpRequest, project_id: str, dataset_id: str) -> dict[str, Any]:
    ds = resources.get_dataset(request, project_id, dataset_id)
    if request.method == "POST":
        ref = request.json.get("routineReference") or {}
        routine = Routine(dataset=ds, routine_id=str(ref.get("routineId") or ""))
        access.check(request.principal, roles.ROUTINES_CREATE, routine)
        _check_routine_reference(ref, routine)
        if ds.routines.filter(routine_id=routine.routine_id).exists():
            raise DuplicateError(f"Already Exists: Routine {routine.full_id}")
        engine_routines.define(request.principal, routine, request.json)
        return resources.routine_resource(routine)
    access.check(request.principal, roles.ROUTINES_LIST, ds)
    return _listed(request, "routines", list(ds.routines.all()), ds, resources.routine_list_item)


@api_view("GET", "PUT", "DELETE", body=fields.ROUTINE, body_name="routine")
def routine(
    request: HttpRequest, project_id: str, dataset_id: str, routine_id: str
) -> dict[str, Any] | None:
    permission = {"DELETE": roles.ROUTINES_DELETE, "PUT": roles.ROUTINES_UPDATE}.get(
        request.method, roles.ROUTINES_GET
    )
    found = resources.get_routine(request, project_id, dataset_id, routine_id, permission)
    if request.method == "DELETE":
        found.delete()
        return None
    if request.method == "PUT":
        _check_routine_reference(request.json.get("routineReference") or {}, found)
        engine_routines.define(request.principal, found, request.json)
    return resources.routine_resource(found)


def _check_routine_reference(ref: dict[str, Any], routine: Routine) -> None:
    """Refuse a routineReference naming another project, dataset or routine than the URL."""
    if not ref.get("routineId"):
        raise BigQueryError("Required parameter is missing: routineReference.routineId", "required")
    expected = {
        "projectId": routine.dataset.project.project_id,
        "datasetId": routine.dataset.dataset_id,
        "routineId": routine.routine_id,
    }
    for key, value in ref.items():
        if value and value != expected[key]:
            raise BigQueryError(
                f"Invalid value for routineReference.{key}: {value} does not match the request's "
                f"{expected[key]}",
                location=f"routineReference.{key}",
            )


# Jobs ----------------------------------------------------------------------------------------


@api_view("GET", "POST", body=fields.JOB, body_name="job")
def job_list(request: HttpRequest, project_id: str) -> dict[str, Any]:
    project = resources.get_project(request, project_id)
    if request.method == "POST":
        return _insert_job(request, project, request.json)
    found = Job.objects.filter(project=project).select_related("project", "parent")
    parent_id = request.GET.get("parentJobId")
    # As in BigQuery, a script's child jobs are listed only when their parent is named.
    found = found.filter(parent__job_id=parent_id) if parent_id else found.filter(parent=None)
    if params.flag(request, "allUsers"):
        access.check(request.principal, roles.JOBS_LIST_ALL, project)
    else:
        # Without allUsers, BigQuery lists the caller's own jobs.
        access.check(request.principal, roles.JOBS_LIST, project)
        mine = request.principal if request.principal.is_authenticated else None
        found = found.filter(user=mine)
    states = [s.upper() for s in request.GET.getlist("stateFilter")]
    if states:
        found = found.filter(state__in=states)
    lowest = params.integer(request, "minCreationTime")
    if lowest is not None:
        found = found.filter(created__gte=_time_ms(lowest))
    highest = params.integer(request, "maxCreationTime")
    if highest is not None:
        found = found.filter(created__lte=_time_ms(highest))
    start = params.page_start(request)
    size = params.integer(request, "maxResults", LIST_PAGE, minimum=1)
    page = list(found[start : start + size + 1])
    items = []
    for job in page[:size]:
        resource = jobs.job_resource(request, job)
        resource["state"] = job.state
        if job.error_result:
            resource["errorResult"] = resource["status"]["errorResult"]
        resource.pop("selfLink")
        items.append(resource)
    body: dict[str, Any] = {
        "kind": "bigquery#jobList",
        "etag": resources.etag(start),
        "jobs": items,
    }
    if len(page) > size:
        body["nextPageToken"] = str(start + size)
    return body


def _insert_job(request: HttpRequest, project: Any, body: dict[str, Any]) -> dict[str, Any]:
    job = jobs.insert(request.principal, project, body)
    return jobs.job_resource(request, jobs.wait(job, JOB_WAIT_MS))


@api_view("GET")
def job_detail(request: HttpRequest, project_id: str, job_id: str) -> dict[str, Any]:
    return jobs.job_resource(request, resources.get_job(request, project_id, job_id))


@api_view("POST")
def job_cancel(request: HttpRequest, project_id: str, job_id: str) -> dict[str, Any]:
    job = resources.get_job(request, project_id, job_id, roles.JOBS_UPDATE)
    job.request_cancel()
    return {"kind": "bigquery#jobCancelResponse", "job": jobs.job_resource(request, job)}


@api_view("DELETE")
def job_delete(request: HttpRequest, project_id: str, job_id: str) -> None:
    job = resources.get_job(request, project_id, job_id, roles.JOBS_DELETE)
    job.delete_metadata()


# The fields of a jobs.query request that are JobConfigurationQuery fields of the same name.
QUERY_REQUEST_OPTIONS = (
    "query",
    "defaultDataset",
    "useLegacySql",
    "queryParameters",
    "parameterMode",
    "useQueryCache",
    "maximumBytesBilled",
    "connectionProperties",
    "createSession",
    "continuous",
    "destinationEncryptionConfiguration",
)


@api_view("POST", body=fields.QUERY_REQUEST, body_name="query_request")
def query(request: HttpRequest, project_id: str) -> dict[str, Any]:
    project = resources.get_project(request, project_id)
    body = request.json
    # jobs.query's request is a query configuration plus job options, flattened: each goes back
    # where jobs.insert would carry it, so the job keeps every option the client sent.
    query = {key: body[key] for key in QUERY_REQUEST_OPTIONS if key in body}
    configuration = {key: body[key] for key in ("labels", "jobTimeoutMs") if body.get(key)}
    configuration.update({"query": {"query": "", **query}, "dryRun": bool(body.get("dryRun"))})
    job = jobs.insert(request.principal, project, {"configuration": configuration})
    job = jobs.wait(job, fields.as_int(body.get("timeoutMs"), JOB_WAIT_MS))
    return jobs.query_results(
        request,
        job,
        start=0,
        max_rows=fields.as_int(body.get("maxResults")),
        int64_timestamps=bool((body.get("formatOptions") or {}).get("useInt64Timestamp")),
        kind="bigquery#queryResponse",
    )


@api_view("GET")
def query_results(request: HttpRequest, project_id: str, job_id: str) -> dict[str, Any]:
    job = resources.get_job(request, project_id, job_id)
    if job.job_type != Job.Type.QUERY:
        raise BigQueryError(f"Job {job.job_id} is not a query job")
    job = jobs.wait(job, params.integer(request, "timeoutMs", JOB_WAIT_MS))
    start = (
        params.page_start(request)
        if request.GET.get("pageToken")
        else params.integer(request, "startIndex", 0)
    )
    return jobs.query_results(
        request,
        job,
        start=start,
        max_rows=params.integer(request, "maxResults"),
        int64_timestamps=params.flag(request, "formatOptions.useInt64Timestamp"),
        kind="bigquery#getQueryResultsResponse",
    )


# Uploads -------------------------------------------------------------------------------------


@api_view("POST", "PUT")
def upload(request: HttpRequest, project_id: str) -> dict[str, Any] | HttpResponse:
    project = resources.get_project(request, project_id)
    upload_type = request.GET.get("uploadType", "")
    if request.method == "PUT":
        return _resumable_chunk(request, project, request.GET.get("upload_id", ""))
    if upload_type == "multipart":
        metadata, data = uploads.split_multipart(request)
        job = jobs.insert(request.principal, project, metadata, io.BytesIO(data))
        return jobs.job_resource(request, jobs.wait(job, JOB_WAIT_MS))
    if upload_type == "resumable":
        metadata = parse_json(request, fields.JOB, "job")
        jobs.check_load(request.principal, project, metadata)
        uploads.check_length(request, header="HTTP_X_UPLOAD_CONTENT_LENGTH")
        session_id = resumable.open_session(metadata)
        location = request.build_absolute_uri(
            f"/upload/bigquery/v2/projects/{project.project_id}/jobs"
            f"?uploadType=resumable&upload_id={session_id}"
        )
        response = JsonResponse({})
        response["Location"] = location
        return response
    raise BigQueryError(f"Unsupported uploadType {upload_type!r}: use multipart or resumable")


def _resumable_chunk(request: HttpRequest, project: Any, session_id: str) -> Any:
    job = uploads.put(request, project, session_id)
    if isinstance(job, HttpResponse):
        return job  # 308: the upload is not complete yet
    return jobs.job_resource(request, jobs.wait(job, JOB_WAIT_MS))


# Anything else -------------------------------------------------------------------------------


@api_view("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", public=True)
def unknown_method(request: HttpRequest) -> dict[str, Any]:
    raise NotFoundError(f"The requested URL {request.path} was not found on this server.")


# Discovery -----------------------------------------------------------------------------------


@api_view("GET", public=True)
def discovery_document(request: HttpRequest) -> dict[str, Any]:
    return discovery.document(request.build_absolute_uri("/"))
