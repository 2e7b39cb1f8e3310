"""The console's pages: thin views over the catalog, the jobs and the engine's readers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.catalog.models import CatalogError, Dataset, MLModel, NotFound, Project, Table
from console.engine import loads, results
from console.engine.errors import EngineError
from console.jobs.models import Job
from console.web import display
from console.web.forms import CreateDatasetForm, DeleteDatasetForm, LoadTableForm, QueryForm

USER_EMAIL = "local-user"  # until IAM (issue 7) gives the console signed-in users
PAGE_SIZE = 50
PREVIEW_ROWS = 50
HISTORY_SIZE = 100


def _project(request: HttpRequest) -> Project:
    """Return the project the request works in (one local project until IAM adds more)."""
    return Project.default()


def _get_dataset_for_user(request: HttpRequest, dataset_id: str) -> Dataset:
    try:
        return Dataset.lookup(_project(request), dataset_id)
    except NotFound as err:
        raise Http404(str(err)) from None


def _get_table_for_user(request: HttpRequest, dataset_id: str, table_id: str) -> Table:
    dataset = _get_dataset_for_user(request, dataset_id)
    table = dataset.tables.filter(table_id=table_id).first()
    if table is None:
        raise Http404(f"Not found: Table {dataset.full_id}.{table_id}")
    table.dataset = dataset
    return table


def _get_model_for_user(request: HttpRequest, dataset_id: str, model_id: str) -> MLModel:
    dataset = _get_dataset_for_user(request, dataset_id)
    model = dataset.models.filter(model_id=model_id).first()
    if model is None:
        raise Http404(f"Not found: Model {dataset.full_id}.{model_id}")
    model.dataset = dataset
    return model


def _get_job_for_user(request: HttpRequest, job_id: str) -> Job:
    project = _project(request)
    job = Job.objects.filter(project=project, job_id=job_id).first()
    if job is None:
        raise Http404(f"Not found: Job {project.project_id}:{job_id}")
    return job


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    project = _project(request)
    recent_jobs = Job.objects.filter(project=project)[:5]
    return render(request, "web/index.html", {"project": project, "recent_jobs": recent_jobs})


@require_http_methods(["GET", "POST"])
def create_dataset(request: HttpRequest) -> HttpResponse:
    form = CreateDatasetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = Dataset.create(
                _project(request),
                form.cleaned_data["dataset_id"],
                location=form.cleaned_data["location"],
                description=form.cleaned_data["description"],
            )
        except CatalogError as err:
            form.add_error("dataset_id", str(err))
        else:
            messages.success(request, f"Dataset {dataset.dataset_id} created.")
            return redirect("web:dataset", dataset_id=dataset.dataset_id)
    status = 400 if form.errors else 200
    return render(request, "web/create_dataset.html", {"form": form}, status=status)


@require_GET
def dataset(request: HttpRequest, dataset_id: str) -> HttpResponse:
    ds = _get_dataset_for_user(request, dataset_id)
    ctx = {
        "dataset": ds,
        "tables": ds.tables.all(),
        "models": ds.models.all(),
        "delete_form": DeleteDatasetForm(),
    }
    return render(request, "web/dataset.html", ctx)


@require_POST
def delete_dataset(request: HttpRequest, dataset_id: str) -> HttpResponse:
    ds = _get_dataset_for_user(request, dataset_id)
    form = DeleteDatasetForm(request.POST)
    if not form.is_valid() or form.cleaned_data["confirm"] != ds.dataset_id:
        messages.error(request, f'Type "{ds.dataset_id}" to confirm the deletion.')
        return redirect("web:dataset", dataset_id=ds.dataset_id)
    ds.delete_with_contents(True)
    messages.success(request, f"Dataset {dataset_id} deleted.")
    return redirect("web:index")


@require_http_methods(["GET", "POST"])
def create_table(request: HttpRequest, dataset_id: str) -> HttpResponse:
    ds = _get_dataset_for_user(request, dataset_id)
    form = LoadTableForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = loads.submit_load(
                ds.project,
                dataset_id=ds.dataset_id,
                table_id=data["table_id"],
                upload=data["upload"],
                source_format=data["source_format"],
                schema=None if data["autodetect"] else data["schema"].strip(),
                autodetect=data["autodetect"],
                field_delimiter=data["field_delimiter"],
                skip_leading_rows=data["skip_leading_rows"],
                write_disposition=data["write_disposition"],
                user_email=USER_EMAIL,
            )
        except EngineError as err:
            form.add_error("schema" if "schema" in err.message.lower() else None, err.message)
        else:
            return redirect("web:job", job_id=job.job_id)
    status = 400 if form.errors else 200
    return render(request, "web/create_table.html", {"dataset": ds, "form": form}, status=status)


@require_GET
def table(request: HttpRequest, dataset_id: str, table_id: str) -> HttpResponse:
    tbl = _get_table_for_user(request, dataset_id, table_id)
    tab = request.GET.get("tab", "schema")
    if tab not in ("schema", "details", "preview"):
        tab = "schema"
    ctx: dict[str, Any] = {"dataset": tbl.dataset, "table": tbl, "tab": tab}
    if tab == "preview":
        schema, rows, total = results.read_rows(tbl, 0, PREVIEW_ROWS)
        ctx.update(schema=schema, rows=rows, total_rows=total)
    sql = f"SELECT * FROM `{tbl.dataset.dataset_id}.{tbl.table_id}` LIMIT 1000"
    ctx["query_url"] = reverse("web:query") + "?" + urlencode({"sql": sql})
    return render(request, "web/table.html", ctx)


def _training_context(model: MLModel) -> dict[str, Any]:
    iterations = list(model.current_iterations())
    curve = [(it.iteration, it.loss) for it in reversed(iterations)]
    return {
        "model": model,
        "iterations": iterations,
        "has_eval_loss": any(it.eval_loss is not None for it in iterations),
        "training": model.state == MLModel.State.TRAINING,
        "loss_curve": display.loss_curve_svg(curve),
    }


@require_GET
def model(request: HttpRequest, dataset_id: str, model_id: str) -> HttpResponse:
    mdl = _get_model_for_user(request, dataset_id, model_id)
    tab = request.GET.get("tab", "details")
    if tab not in ("details", "training", "evaluation", "schema"):
        tab = "details"
    ctx: dict[str, Any] = {"dataset": mdl.dataset, "model": mdl, "tab": tab}
    if tab == "training":
        ctx.update(_training_context(mdl))
    sql = f"SELECT * FROM ML.EVALUATE(MODEL `{mdl.dataset.dataset_id}.{mdl.model_id}`)"
    ctx["query_url"] = reverse("web:query") + "?" + urlencode({"sql": sql})
    return render(request, "web/model.html", ctx)


@require_GET
def model_training(request: HttpRequest, dataset_id: str, model_id: str) -> HttpResponse:
    mdl = _get_model_for_user(request, dataset_id, model_id)
    return render(request, "web/partials/training.html", _training_context(mdl))


def _job_status_context(request: HttpRequest, job: Job) -> dict[str, Any]:
    ctx: dict[str, Any] = {"job": job, "done": job.state == Job.State.DONE}
    since = job.started or job.created
    ctx["elapsed_s"] = (
        job.duration_s if job.duration_s is not None else (timezone.now() - since).total_seconds()
    )
    if job.state != Job.State.DONE or job.error_result:
        return ctx
    stats = job.statistics or {}
    ctx["bytes_processed"] = stats.get("totalBytesProcessed")
    if job.job_type == Job.Type.LOAD:
        ctx["destination"] = _load_destination(job)
        return ctx
    ctx["ddl"] = display.ddl_outcome(stats)
    ctx["dml"] = display.dml_sentence(stats)
    if ctx["ddl"] is None and not ctx["dml"] and job.result_schema:
        page = _page_number(request)
        schema, rows, total = results.read_rows(job, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        first = (page - 1) * PAGE_SIZE + 1 if rows else 0
        ctx.update(
            schema=schema,
            rows=rows,
            total_rows=total,
            page=page,
            first_row=first,
            last_row=first + len(rows) - 1 if rows else 0,
            prev_page=page - 1 if page > 1 else None,
            next_page=page + 1 if page * PAGE_SIZE < total else None,
        )
    return ctx


def _load_destination(job: Job) -> Table | None:
    target = job.configuration.get("load", {}).get("destinationTable") or {}
    return (
        Table.objects.filter(
            dataset__project=job.project,
            dataset__dataset_id=target.get("datasetId"),
            table_id=target.get("tableId"),
        )
        .select_related("dataset")
        .first()
    )


@require_GET
def job(request: HttpRequest, job_id: str) -> HttpResponse:
    jb = _get_job_for_user(request, job_id)
    return render(request, "web/job.html", _job_status_context(request, jb))


@require_GET
def job_status(request: HttpRequest, job_id: str) -> HttpResponse:
    jb = _get_job_for_user(request, job_id)
    return render(request, "web/partials/job_status.html", _job_status_context(request, jb))


@require_GET
def jobs(request: HttpRequest) -> HttpResponse:
    history = Job.objects.filter(project=_project(request))[:HISTORY_SIZE]
    return render(request, "web/jobs.html", {"jobs": history})


@require_http_methods(["GET", "POST"])
def query(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {}
    if request.method == "POST":
        form = QueryForm(request.POST)
        if form.is_valid():
            jb = Job.submit(
                _project(request),
                Job.Type.QUERY,
                {"query": {"query": form.cleaned_data["sql"], "useLegacySql": False}},
                user_email=USER_EMAIL,
            )
            return redirect(reverse("web:query") + "?" + urlencode({"job": jb.job_id}))
        return render(request, "web/query.html", {"form": form}, status=400)
    job_id = request.GET.get("job")
    if job_id:
        ctx.update(_job_status_context(request, _get_job_for_user(request, job_id)))
        initial = ctx["job"].query
    else:
        initial = request.GET.get("sql", "")
    ctx["form"] = QueryForm(initial={"sql": initial})
    return render(request, "web/query.html", ctx)
