"""The console's pages: thin views over the catalog, the jobs and the engine's readers.

Every view needs a signed-in person, and every object comes through a `_get_*_for_user` helper
that checks the person's permission on it (console.iam.access) before revealing whether it exists.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.catalog.models import (
    Dataset,
    MLModel,
    Project,
    Routine,
    Table,
    TrainingIteration,
    validate_dataset_id,
)
from console.engine import params, results, routines
from console.engine.script import dry_run
from console.errors import AccessDenied, BigQueryError
from console.iam import access, roles
from console.jobs.models import Job
from console.jobs.submit import submit
from console.web import display
from console.web.forms import (
    CreateDatasetForm,
    DeleteDatasetForm,
    EditDatasetForm,
    LoadTableForm,
    QueryForm,
    parameters_text,
    query_parameters,
)
from mfcore import MatrixFactorization

PAGE_SIZE = 50
PREVIEW_ROWS = 50
HISTORY_SIZE = 50
# How long a delete from a ⋮ menu waits for its DROP job before showing the job instead.
DELETE_WAIT_S = 5.0
DEFAULT_MAX_ITERATIONS = MatrixFactorization().get_params()["max_iterations"]


def current_project(request: HttpRequest) -> Project:
    """Return the project picked in the top bar, else the default or first one the user sees.

    The view, the top bar and the Explorer all ask; the answer is kept on the request.
    """
    cached = getattr(request, "_quarry_project", None)
    if cached is not None:
        return cached
    project = _find_current_project(request)
    with contextlib.suppress(AttributeError):
        request._quarry_project = project
    return project


def _find_current_project(request: HttpRequest) -> Project:
    user = getattr(request, "user", None)
    picked = request.session.get("project_id") if hasattr(request, "session") else None
    if picked:
        project = Project.objects.filter(project_id=picked).first()
        if project is not None and access.can(user, roles.PROJECTS_GET, project):
            return project
    default = Project.default()
    if access.can(user, roles.PROJECTS_GET, default):
        return default
    visible = access.visible_projects(user)
    return visible[0] if visible else default


def _get_project_for_user(request: HttpRequest, permission: str) -> Project:
    project = current_project(request)
    access.check(request.user, permission, project)
    return project


def _is_partial(request: HttpRequest) -> bool:
    """Return True when the console's script asked for a fragment rather than a page."""
    return request.headers.get("X-Requested-With") == "fetch"


def _get_dataset_for_user(
    request: HttpRequest, dataset_id: str, permission: str = roles.DATASETS_GET
) -> Dataset:
    project = current_project(request)
    dataset = access.find(request.user, permission, Dataset, project=project, dataset_id=dataset_id)
    if dataset is None:
        raise Http404(f"Not found: Dataset {project.project_id}:{dataset_id}")
    return dataset


def _get_table_for_user(
    request: HttpRequest, dataset_id: str, table_id: str, permission: str = roles.TABLES_GET
) -> Table:
    dataset = _get_dataset_for_user(request, dataset_id)
    table = access.find(request.user, permission, Table, dataset=dataset, table_id=table_id)
    if table is None:
        raise Http404(f"Not found: Table {dataset.full_id}.{table_id}")
    return table


def _get_model_for_user(
    request: HttpRequest,
    dataset_id: str,
    model_id: str,
    permission: str = roles.MODELS_GET_METADATA,
) -> MLModel:
    dataset = _get_dataset_for_user(request, dataset_id)
    model = access.find(request.user, permission, MLModel, dataset=dataset, model_id=model_id)
    if model is None:
        raise Http404(f"Not found: Model {dataset.full_id}.{model_id}")
    return model


def _get_routine_for_user(request: HttpRequest, dataset_id: str, routine_id: str) -> Routine:
    dataset = _get_dataset_for_user(request, dataset_id)
    routine = access.find(
        request.user, roles.ROUTINES_GET, Routine, dataset=dataset, routine_id=routine_id
    )
    if routine is None:
        raise Http404(f"Not found: Routine {dataset.full_id}.{routine_id}")
    return routine


def _get_job_for_user(request: HttpRequest, job_id: str, permission: str = roles.JOBS_GET) -> Job:
    project = current_project(request)
    job = Job.objects.filter(project=project, job_id=job_id).first()
    if job is None:
        access.check(request.user, roles.JOBS_CREATE, project)
        raise Http404(f"Not found: Job {project.project_id}:{job_id}")
    job.project = project
    access.check(request.user, permission, job)
    return job


def _page_number(request: HttpRequest, name: str = "page") -> int:
    try:
        return max(1, int(request.GET.get(name, "1")))
    except ValueError:
        return 1


def _page(source: Table | results.Stored, page: int, size: int = PAGE_SIZE) -> dict[str, Any]:
    """Return one page of rows from a job's result or a table, with the pager's numbers."""
    schema, rows, total = results.read_rows(source, (page - 1) * size, size)
    first = (page - 1) * size + 1 if rows else 0
    return {
        "schema": schema,
        "rows": rows,
        "total_rows": total,
        "page": page,
        "page_size": size,
        "first_row": first,
        "last_row": first + len(rows) - 1 if rows else 0,
        "prev_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if page * size < total else None,
    }


def _forget_tabs(request: HttpRequest, prefix: str) -> None:
    """Ask the page's script to close the open tabs under prefix (a deleted resource)."""
    request.session["forget_tabs"] = prefix


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.headers.get("Referer") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _wait_for(job: Job, timeout_s: float) -> Job:
    deadline = time.monotonic() + timeout_s
    while job.state != Job.State.DONE and time.monotonic() < deadline:
        time.sleep(0.05)
        job.refresh_from_db()
    return job


# Home and project -------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    project = current_project(request)
    if not access.can(request.user, roles.PROJECTS_GET, project):
        return render(request, "web/index.html", {"project": project, "no_access": True})
    recent_jobs = Job.objects.filter(project=project, user=request.user, parent=None)[:5]
    return render(request, "web/index.html", {"project": project, "recent_jobs": recent_jobs})


@login_required
@require_POST
def select_project(request: HttpRequest) -> HttpResponse:
    project = Project.objects.filter(project_id=request.POST.get("project_id", "")).first()
    if project is None or not access.can(request.user, roles.PROJECTS_GET, project):
        raise Http404(f"Not found: Project {request.POST.get('project_id', '')}")
    request.session["project_id"] = project.project_id
    return redirect("web:index")


# Datasets ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create_dataset(request: HttpRequest) -> HttpResponse:
    project = _get_project_for_user(request, roles.DATASETS_CREATE)
    form = CreateDatasetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dataset = Dataset.create(
                project,
                data["dataset_id"],
                location=data["location"],
                description=data["description"],
                default_table_expiration_ms=data["default_table_expiration_ms"],
                labels=data["labels"],
            )
        except BigQueryError as err:
            form.add_error("dataset_id", str(err))
        else:
            messages.success(request, f"Dataset {dataset.dataset_id} created.")
            return redirect("web:dataset", dataset_id=dataset.dataset_id)
    status = 400 if form.errors else 200
    template = "web/partials/create_dataset_panel.html" if _is_partial(request) else None
    return render(request, template or "web/create_dataset.html", {"form": form}, status=status)


@login_required
@require_GET
def check_dataset_id(request: HttpRequest) -> JsonResponse:
    """Return whether a dataset ID is well formed and free, for the form's live validation."""
    dataset_id = request.GET.get("dataset_id", "")
    try:
        validate_dataset_id(dataset_id)
    except Exception as err:
        return JsonResponse({"valid": False, "message": err.messages[0]})
    project = _get_project_for_user(request, roles.DATASETS_CREATE)
    if Dataset.objects.filter(project=project, dataset_id=dataset_id).exists():
        message = f"Already Exists: Dataset {project.project_id}:{dataset_id}"
        return JsonResponse({"valid": False, "message": message})
    return JsonResponse({"valid": True, "message": ""})


def _dataset_context(request: HttpRequest, ds: Dataset) -> dict[str, Any]:
    # dataset_id is loaded too: the related manager reads it to attach ds to every row, and a
    # deferred one costs a query per row.
    tables = list(
        ds.tables.only(
            "id", "dataset_id", "table_id", "table_type", "num_rows", "num_bytes", "modified"
        )
    )
    models = list(ds.models.only("id", "dataset_id", "model_id", "model_type", "state", "created"))
    return {
        "dataset": ds,
        "tables": tables,
        "models": models,
        "routines": [(r, routines.signature(r)) for r in ds.routines.all()],
        "delete_form": DeleteDatasetForm(),
        "expiration_days": (
            ds.default_table_expiration_ms / 86_400_000 if ds.default_table_expiration_ms else None
        ),
    }


@login_required
@require_GET
def dataset(request: HttpRequest, dataset_id: str) -> HttpResponse:
    ds = _get_dataset_for_user(request, dataset_id)
    return render(request, "web/dataset.html", _dataset_context(request, ds))


@login_required
@require_http_methods(["GET", "POST"])
def edit_dataset(request: HttpRequest, dataset_id: str) -> HttpResponse:
    ds = _get_dataset_for_user(request, dataset_id, roles.DATASETS_UPDATE)
    form = EditDatasetForm(request.POST or None, dataset=ds)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Dataset {ds.dataset_id} updated.")
        return redirect("web:dataset", dataset_id=ds.dataset_id)
    ctx = {**_dataset_context(request, ds), "edit_form": form}
    status = 400 if form.errors else 200
    if _is_partial(request):
        return render(request, "web/partials/edit_dataset_panel.html", ctx, status=status)
    return render(request, "web/dataset.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def delete_dataset(request: HttpRequest, dataset_id: str) -> HttpResponse:
    ds = _get_dataset_for_user(request, dataset_id, roles.DATASETS_DELETE)
    if request.method == "GET":
        ctx = {**_dataset_context(request, ds), "open_delete": True}
        if _is_partial(request):
            return render(request, "web/partials/delete_dataset_dialog.html", ctx)
        return render(request, "web/dataset.html", ctx)
    form = DeleteDatasetForm(request.POST)
    typed = form.cleaned_data["confirm"].strip() if form.is_valid() else ""
    if typed != ds.dataset_id:
        # The dialog again, saying what is wrong, with what was typed still in it.
        ctx = {**_dataset_context(request, ds), "open_delete": True}
        ctx.update(confirm_error=True, typed=form.data.get("confirm", ""))
        return render(request, "web/dataset.html", ctx, status=400)
    ds.delete_with_contents(True)
    _forget_tabs(request, reverse("web:dataset", args=[dataset_id]))
    messages.success(request, f"Dataset {dataset_id} deleted.")
    return redirect("web:index")


# Tables -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create_table(request: HttpRequest, dataset_id: str) -> HttpResponse:
    ds = _get_dataset_for_user(request, dataset_id)
    access.check(request.user, roles.JOBS_CREATE, ds.project)
    if _content_length(request) > settings.QUARRY_MAX_UPLOAD_BYTES:
        # Refused before Django reads the body to a temporary file.
        limit = display.format_bytes(settings.QUARRY_MAX_UPLOAD_BYTES)
        message = f"The file is larger than the {limit} upload limit."
        return HttpResponse(message, status=413, content_type="text/plain")
    form = LoadTableForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = submit(
                request.user,
                ds.project,
                form.load_configuration(ds),
                form.cleaned_data["upload"],
            )
        except AccessDenied:
            raise
        except BigQueryError as err:
            form.add_error(form.field_for(err.location), err.message)
        else:
            return redirect("web:job", job_id=job.job_id)
    status = 400 if form.errors else 200
    return render(request, "web/create_table.html", {"dataset": ds, "form": form}, status=status)


@login_required
@require_GET
def table(request: HttpRequest, dataset_id: str, table_id: str) -> HttpResponse:
    tbl = _get_table_for_user(request, dataset_id, table_id)
    is_view = tbl.table_type == Table.Type.VIEW
    tab = request.GET.get("tab", "schema")
    # A view has no rows of its own to preview, as in BigQuery's console: query it instead.
    if tab not in ("schema", "details", "preview") or (is_view and tab == "preview"):
        tab = "schema"
    ctx: dict[str, Any] = {"dataset": tbl.dataset, "table": tbl, "tab": tab, "is_view": is_view}
    if tab == "preview":
        access.check(request.user, roles.TABLES_GET_DATA, tbl)
        ctx.update(_page(tbl, _page_number(request), PREVIEW_ROWS))
    sql = f"SELECT * FROM `{tbl.dataset.dataset_id}.{tbl.table_id}`"
    if not is_view:
        sql += " LIMIT 1000"
    ctx["query_url"] = reverse("web:query") + "?" + urlencode({"sql": sql})
    return render(request, "web/table.html", ctx)


def _drop(request: HttpRequest, kind: str, dataset: Dataset, object_id: str) -> HttpResponse:
    """Drop a table or model with a QUERY job, as BigQuery's console does, and report it."""
    sql = f"DROP {kind.upper()} `{dataset.dataset_id}.{object_id}`"
    job = submit(request.user, dataset.project, {"query": {"query": sql, "useLegacySql": False}})
    job = _wait_for(job, DELETE_WAIT_S)
    if job.state != Job.State.DONE:
        return redirect("web:job", job_id=job.job_id)
    if job.error_result:
        messages.error(request, job.error_result.get("message", f"Could not delete {object_id}."))
        return redirect("web:dataset", dataset_id=dataset.dataset_id)
    letter = "m" if kind == "model" else "t"
    _forget_tabs(request, f"/d/{dataset.dataset_id}/{letter}/{object_id}/")
    messages.success(request, f"{kind.title()} {dataset.dataset_id}.{object_id} deleted.")
    return redirect("web:dataset", dataset_id=dataset.dataset_id)


def _confirm_delete(
    request: HttpRequest, kind: str, dataset: Dataset, object_id: str
) -> HttpResponse:
    """Ask to type "delete"; a POST with anything else gets the dialog back, saying so."""
    letter = "m" if kind == "model" else "t"
    ctx = {
        "kind": kind,
        "dataset": dataset,
        "object_id": object_id,
        "action": f"/d/{dataset.dataset_id}/{letter}/{object_id}/delete",
        "cancel_url": f"/d/{dataset.dataset_id}/{letter}/{object_id}/",
    }
    status = 200
    if request.method == "POST":
        ctx.update(confirm_error=True, typed=request.POST.get("confirm", ""))
        status = 400
    if _is_partial(request):
        return render(request, "web/partials/delete_object_dialog.html", ctx, status=status)
    return render(request, "web/delete_object.html", ctx, status=status)


def _confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("confirm", "").strip() == "delete"


@login_required
@require_http_methods(["GET", "POST"])
def delete_table(request: HttpRequest, dataset_id: str, table_id: str) -> HttpResponse:
    tbl = _get_table_for_user(request, dataset_id, table_id, roles.TABLES_DELETE)
    # A view goes with DROP VIEW: DROP TABLE refuses it, as in BigQuery.
    kind = "view" if tbl.table_type == Table.Type.VIEW else "table"
    if _confirmed(request):
        return _drop(request, kind, tbl.dataset, tbl.table_id)
    return _confirm_delete(request, kind, tbl.dataset, tbl.table_id)


# Models -----------------------------------------------------------------------------------------


def _training_context(model: MLModel) -> dict[str, Any]:
    """Return the Training tab's rows, progress and curve; a retraining shows its live run."""
    iterations = list(model.current_iterations())
    live = (
        TrainingIteration.objects.filter(model=model)
        .filter(job__state__in=(Job.State.PENDING, Job.State.RUNNING))
        .values_list("job_id", flat=True)
        .order_by("-job_id")
        .first()
    )
    if live is not None and live != model.training_job_id:
        iterations = list(model.iterations.filter(job_id=live).order_by("-iteration"))
    training = model.state == MLModel.State.TRAINING or live is not None
    running_job = live if live is not None else (model.training_job_id if training else None)
    max_iterations = int(model.options.get("max_iterations") or DEFAULT_MAX_ITERATIONS)
    done = len(iterations)
    curve = [(it.iteration, it.loss, it.eval_loss) for it in reversed(iterations)]
    return {
        "model": model,
        "iterations": iterations,
        "has_eval_loss": any(it.eval_loss is not None for it in iterations),
        "training": training,
        "iterations_done": done,
        "max_iterations": max(max_iterations, done),
        "progress_pct": round(100 * done / max(max_iterations, done, 1)),
        "total_duration_s": sum(it.duration_ms for it in iterations) / 1000,
        "loss_curve": display.loss_curve_svg(curve),
        "running_job": Job.objects.filter(pk=running_job).exclude(state=Job.State.DONE).first()
        if running_job
        else None,
    }


@login_required
@require_GET
def model(request: HttpRequest, dataset_id: str, model_id: str) -> HttpResponse:
    mdl = _get_model_for_user(request, dataset_id, model_id)
    tab = request.GET.get("tab", "details")
    if tab not in ("details", "training", "evaluation", "schema"):
        tab = "details"
    ctx: dict[str, Any] = {
        "dataset": mdl.dataset,
        "model": mdl,
        "tab": tab,
        # The models API's featureColumns and labelColumns, which say each column's type.
        "feature_fields": mdl.feature_fields(),
        "label_fields": mdl.label_fields(),
    }
    if tab == "training":
        ctx.update(_training_context(mdl))
    sql = f"SELECT * FROM ML.EVALUATE(MODEL `{mdl.dataset.dataset_id}.{mdl.model_id}`)"
    ctx["query_url"] = reverse("web:query") + "?" + urlencode({"sql": sql})
    ctx["options"] = display.training_options(mdl.options, DEFAULT_MAX_ITERATIONS)
    return render(request, "web/model.html", ctx)


@login_required
@require_GET
def routine(request: HttpRequest, dataset_id: str, routine_id: str) -> HttpResponse:
    found = _get_routine_for_user(request, dataset_id, routine_id)
    arguments = [(a["name"], routines.argument_type_text(a)) for a in found.arguments]
    returns = display.sql_type(found.return_type) if found.return_type else None
    # As BigQuery Studio's "Invoke": a call with the arguments' names to replace.
    names = ", ".join(name for name, _ in arguments)
    call = f"SELECT `{found.dataset.dataset_id}.{found.routine_id}`({names})"
    ctx = {"dataset": found.dataset, "routine": found, "arguments": arguments, "returns": returns}
    ctx["query_url"] = reverse("web:query") + "?" + urlencode({"sql": call})
    return render(request, "web/routine.html", ctx)


@login_required
@require_GET
def model_training(request: HttpRequest, dataset_id: str, model_id: str) -> HttpResponse:
    mdl = _get_model_for_user(request, dataset_id, model_id)
    return render(request, "web/partials/training.html", _training_context(mdl))


@login_required
@require_http_methods(["GET", "POST"])
def delete_model(request: HttpRequest, dataset_id: str, model_id: str) -> HttpResponse:
    mdl = _get_model_for_user(request, dataset_id, model_id, roles.MODELS_DELETE)
    if _confirmed(request):
        return _drop(request, "model", mdl.dataset, mdl.model_id)
    return _confirm_delete(request, "model", mdl.dataset, mdl.model_id)


# Jobs and queries -------------------------------------------------------------------------------


def _training_progress(job: Job) -> dict[str, Any] | None:
    """Return how far a running CREATE MODEL has got, or None if it has not started sweeping."""
    latest = (
        TrainingIteration.objects.filter(job=job)
        .select_related("model__dataset")
        .order_by("-iteration")
        .first()
    )
    if latest is None:
        return None
    done = TrainingIteration.objects.filter(job=job, model=latest.model).count()
    limit = max(int(latest.model.options.get("max_iterations") or DEFAULT_MAX_ITERATIONS), done)
    return {
        "model": latest.model,
        "done": done,
        "max": limit,
        "pct": round(100 * done / limit),
        "loss": latest.loss,
    }


def _job_status_context(request: HttpRequest, job: Job) -> dict[str, Any]:
    ctx: dict[str, Any] = {"job": job, "done": job.state == Job.State.DONE}
    ctx["destination_ref"] = _destination_ref(job)
    since = job.started or job.created
    ctx["elapsed_s"] = (
        job.duration_s if job.duration_s is not None else (timezone.now() - since).total_seconds()
    )
    stats = job.statistics or {}
    ctx["bytes_processed"] = stats.get("totalBytesProcessed")
    ctx["slot_ms"] = stats.get("totalSlotMs")
    if job.state != Job.State.DONE:
        if job.job_type == Job.Type.QUERY and job.state == Job.State.RUNNING:
            ctx["training"] = _training_progress(job)
        return ctx
    if job.error_result:
        return ctx
    if job.job_type != Job.Type.QUERY:
        ctx["destination"] = _destination(job)
        return ctx
    ctx["ddl"] = display.ddl_outcome(stats)
    ctx["dml"] = display.dml_sentence(stats)
    if ctx["ddl"] is None and not ctx["dml"] and job.result_schema:
        ctx.update(_page((job.result_path, job.result_schema), _page_number(request)))
        ctx["rows_json"] = display.rows_json(ctx["schema"], ctx["rows"])
    return ctx


def _destination_ref(job: Job) -> dict[str, str]:
    """The destinationTable of a load or copy job's configuration ({} for a query)."""
    return job.configuration.get(job.job_type.lower(), {}).get("destinationTable") or {}


def _destination(job: Job) -> Table | None:
    target = _destination_ref(job)
    return (
        Table.objects.filter(
            dataset__project=job.project,
            dataset__dataset_id=target.get("datasetId"),
            table_id=target.get("tableId"),
        )
        .select_related("dataset")
        .first()
    )


@login_required
@require_GET
def job(request: HttpRequest, job_id: str) -> HttpResponse:
    jb = _get_job_for_user(request, job_id)
    return render(request, "web/job.html", _job_status_context(request, jb))


@login_required
@require_GET
def job_status(request: HttpRequest, job_id: str) -> HttpResponse:
    jb = _get_job_for_user(request, job_id)
    return render(request, "web/partials/job_status.html", _job_status_context(request, jb))


@login_required
@require_POST
def cancel_job(request: HttpRequest, job_id: str) -> HttpResponse:
    jb = _get_job_for_user(request, job_id, roles.JOBS_UPDATE)
    if jb.state != Job.State.DONE:
        jb.request_cancel()
        if not _is_partial(request):
            messages.info(request, f"Cancellation requested for job {jb.job_id}.")
    if _is_partial(request):
        return render(request, "web/partials/job_status.html", _job_status_context(request, jb))
    return redirect(_safe_next(request, reverse("web:job", args=[jb.job_id])))


@login_required
@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("history", "personal")
    if scope not in ("personal", "project"):
        scope = "personal"
    project = _get_project_for_user(request, roles.PROJECTS_GET)
    # A script's statements are on its own page, as in BigQuery's job history.
    history = Job.objects.filter(project=project, parent=None)
    if scope == "personal":
        history = history.filter(user=request.user)
    else:
        access.check(request.user, roles.JOBS_LIST_ALL, project)
    status = request.GET.get("status", "")
    if status in ("PENDING", "RUNNING"):
        history = history.filter(state=status)
    elif status == "SUCCESS":
        history = history.filter(state=Job.State.DONE, error_result__isnull=True)
    elif status == "FAILURE":
        history = history.filter(state=Job.State.DONE, error_result__isnull=False)
    else:
        status = ""
    history = history.defer("result_schema", "statistics")[:HISTORY_SIZE]
    ctx = {"jobs": history, "scope": scope, "status": status}
    return render(request, "web/jobs.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def query(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {}
    if request.method == "POST":
        form = QueryForm(request.POST)
        if form.is_valid():
            jb = submit(
                request.user,
                _get_project_for_user(request, roles.JOBS_CREATE),
                {
                    "query": {
                        "query": form.cleaned_data["sql"],
                        "useLegacySql": False,
                        **form.cleaned_data["parameters"],
                    }
                },
            )
            shown = {"job": jb.job_id}
            if form.cleaned_data["tab"]:
                shown = {"tab": form.cleaned_data["tab"], **shown}
            return redirect(reverse("web:query") + "?" + urlencode(shown))
        return render(request, "web/query.html", {"form": form}, status=400)
    job_id = request.GET.get("job")
    if job_id:
        ctx.update(_job_status_context(request, _get_job_for_user(request, job_id)))
        initial = ctx["job"].query
        given = parameters_text(ctx["job"].configuration.get("query") or {})
    else:
        initial = request.GET.get("sql", "")
        given = ""
    ctx["form"] = QueryForm(
        initial={"sql": initial, "parameters": given, "tab": request.GET.get("tab", "")}
    )
    return render(request, "web/query.html", ctx)


@login_required
@require_POST
def validate_query(request: HttpRequest) -> JsonResponse:
    """Dry-run the editor's SQL: the validator line's sentence, or the error that stops it."""
    sql = request.POST.get("sql", "")
    if not sql.strip():
        return JsonResponse({"valid": None, "message": ""})
    try:
        given = query_parameters(request.POST.get("parameters", ""))
        outcome = dry_run(
            current_project(request),
            sql,
            principal=request.user,
            parameters=params.check(given),
        )
    except BigQueryError as err:
        return JsonResponse({"valid": False, "message": err.message})
    size = display.format_bytes(int(outcome["totalBytesProcessed"] or 0))
    message = f"This query will process {size} when run."
    return JsonResponse(
        {"valid": True, "message": message, "statementType": outcome["statementType"]}
    )
