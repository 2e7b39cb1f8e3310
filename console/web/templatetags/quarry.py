"""Template helpers for the console: icons, the Explorer tree and result cells."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import template
from django.db.models import Prefetch
from django.template.defaultfilters import title
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from console.catalog.models import Dataset, MLModel, Project, Routine, Table
from console.iam import access, roles
from console.web import display, icons

register = template.Library()


@register.simple_tag
def icon(name: str, label: str = "") -> SafeString:
    return icons.icon(name, label)


def _project(context: template.Context) -> Project:
    from console.web.views import current_project

    cached = context.get("_current_project")
    if isinstance(cached, Project):
        return cached
    request = context.get("request")
    project = current_project(request) if request is not None else Project.default()
    # The top bar, breadcrumbs and Explorer all ask; one lookup per page is enough.
    context.dicts[0]["_current_project"] = project
    return project


@register.simple_tag(takes_context=True)
def project_id(context: template.Context) -> str:
    return _project(context).project_id


@register.inclusion_tag("web/project_picker.html", takes_context=True)
def project_picker(context: template.Context) -> dict[str, Any]:
    """Render the top bar's project picker: every project, the current one marked."""
    return {
        "current": _project(context),
        "projects": access.visible_projects(getattr(context.get("request"), "user", None)),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def forget_tabs(context: template.Context) -> str:
    """Return (once) the path prefix of a just-deleted resource whose open tabs should close."""
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return ""
    return request.session.pop("forget_tabs", "")


@register.inclusion_tag("web/explorer.html", takes_context=True)
def explorer(context: template.Context) -> dict[str, Any]:
    """Render the Explorer pane: the project, its datasets and their tables, models, routines."""
    project = _project(context)
    user = getattr(context.get("request"), "user", None)
    datasets = project.datasets.listed().prefetch_related(
        Prefetch(
            "tables", queryset=Table.objects.only("id", "dataset_id", "table_id", "table_type")
        ),
        Prefetch("models", queryset=MLModel.objects.only("id", "dataset_id", "model_id", "state")),
        Prefetch("routines", queryset=Routine.objects.only("id", "dataset_id", "routine_id")),
    )
    current_dataset = context.get("dataset")
    datasets = list(datasets) if access.can(user, roles.DATASETS_GET, project) else []
    return {
        "project": project,
        "datasets": datasets,
        "few_datasets": len(datasets) < 6,
        "current_dataset": current_dataset if isinstance(current_dataset, Dataset) else None,
        "current_table": context.get("table"),
        "current_model": context.get("model"),
        "current_routine": context.get("routine"),
        "request": context.get("request"),
    }


@register.simple_tag
def result_header(schema: list[dict[str, Any]]) -> SafeString:
    return display.result_header(schema)


@register.simple_tag
def result_body(schema: list[dict[str, Any]], rows: list[list[Any]], first_row: int) -> SafeString:
    return display.result_body(schema, rows, first_row or 1)


@register.filter
def thousands(value: int | None) -> str:
    """Return an integer with thousands separators: 4000 -> '4,000'."""
    return "—" if value is None else f"{int(value):,}"


@register.simple_tag
def partitioning_details(table: Any) -> list[tuple[str, str]]:
    return display.partitioning_details(
        table.time_partitioning, table.range_partitioning, table.require_partition_filter
    )


@register.filter
def days_from_ms(value: int | None) -> str:
    return display.days_from_ms(value) if value else "Never"


@register.filter
def timestamp(value: datetime | None) -> str:
    return display.format_timestamp(value)


@register.filter
def duration(seconds: float | None) -> str:
    return display.format_duration(seconds)


@register.filter
def sql_type(data_type: dict[str, Any]) -> str:
    return display.sql_type(data_type)


@register.filter
def metric_label(name: str) -> str:
    return display.metric_label(name)


@register.filter
def seconds(milliseconds: int | None) -> str:
    """Return milliseconds as seconds with two decimals, as the Training tab shows them."""
    if milliseconds is None:
        return "—"
    return f"{milliseconds / 1000:.2f}"


@register.filter
def option_value(value: Any) -> str:
    """Return a training option's value as SQL would spell it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if value is None:
        return "NULL"
    return str(value)


def _csrf_input(context: template.Context) -> str:
    """Return what {% csrf_token %} renders: the hidden input, or nothing without a token."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


# A statement's full text goes in the row's title; past this it is cut (the job page has it all).
STATEMENT_TITLE_CHARS = 10_000
# What the row itself can show at most; CSS ends it with an ellipsis where the row does.
STATEMENT_SHOWN_CHARS = 400


def _statement(job: Any) -> SafeString | str:
    """Return the history row's statement: the SQL on one line, all of it in the title."""
    if job.job_type == "QUERY":
        full = job.query
        if len(full) > STATEMENT_TITLE_CHARS:
            full = full[:STATEMENT_TITLE_CHARS] + "…"
        one_line = " ".join(job.query[: STATEMENT_SHOWN_CHARS * 2].split())
        return format_html(
            '<div class="statement-text" title="{}"><code>{}</code></div>',
            full,
            one_line[:STATEMENT_SHOWN_CHARS],
        )
    configuration = (job.configuration or {}).get(job.job_type.lower()) or {}
    dest = configuration.get("destinationTable")
    if not isinstance(dest, dict):
        return ""
    name = f"{dest.get('datasetId', '')}.{dest.get('tableId', '')}"
    verb = "Load" if job.job_type == "LOAD" else "Copy"
    return format_html(
        '<div class="statement-text" title="{} into {}">{} into <code>{}</code></div>',
        verb,
        name,
        verb,
        name,
    )


def _wrappable_time(moment: datetime) -> SafeString:
    """Return a job's time so a narrow row may break it between the date and the time of day."""
    day, _, clock = display.format_timestamp(moment).rpartition(", ")
    return format_html('<span class="nowrap">{},</span> <span class="nowrap">{}</span>', day, clock)


# Two rows per job: its facts, then its statement across the table's whole width.
JOB_ROW = (
    '\n  <tbody class="job-row">\n    <tr>\n'
    '      <td><span class="badge badge-{}">{}{}</span></td>\n'
    '      <td><a class="mono" href="{}">{}</a></td>\n'
    "      <td>{}</td>\n"
    '      <td class="created"><time datetime="{}">{}</time></td>\n'
    '      <td class="num">{}</td>\n'
    '      <td class="user">{}</td>\n'
    '      <td class="actions" rowspan="2">{}</td>\n'
    "    </tr>\n"
    '    <tr class="statement-row"><td class="statement" colspan="6">'
    '<span class="visually-hidden">Statement: </span>{}</td></tr>\n'
    "  </tbody>"
)


@register.simple_tag(takes_context=True)
def job_rows(context: template.Context, jobs: Iterable[Any]) -> SafeString:
    """Render the job history table's rows.

    Built with format_html_join rather than a template loop: fifty rows of a dozen cells each
    cost the template engine more than the rest of the page.
    """
    jobs_url = reverse("web:jobs")
    query_url = reverse("web:query")
    status_icons = {
        "SUCCESS": icons.icon("success"),
        "FAILURE": icons.icon("error"),
    }
    run_icon = icons.icon("running")
    stop_icon = icons.icon("stop")
    query_icon = icons.icon("query")
    csrf = None

    def actions(job: Any, status: str) -> SafeString | str:
        nonlocal csrf
        if status in ("RUNNING", "PENDING"):
            if csrf is None:
                csrf = _csrf_input(context)
            return format_html(
                '<form method="post" action="{}" class="inline-form">{}'
                '<button type="submit" class="button button-small" aria-label="Cancel job {}">'
                "{}Cancel</button></form>",
                f"{jobs_url}{job.job_id}/cancel",
                csrf,
                job.job_id,
                stop_icon,
            )
        if job.job_type == "QUERY":
            return format_html(
                '<a class="button button-small button-text" href="{}" '
                'aria-label="Open job {} in the editor">{}Open</a>',
                f"{query_url}?job={job.job_id}",
                job.job_id,
                query_icon,
            )
        return ""

    def row(job: Any) -> tuple[Any, ...]:
        status = job.status_label
        return (
            status.lower(),
            status_icons.get(status, run_icon),
            status,
            f"{jobs_url}{job.job_id}/",
            job.job_id,
            title(job.job_type),
            job.created.isoformat(),
            _wrappable_time(job.created),
            display.format_duration(job.duration_s),
            job.user_email or "—",
            actions(job, status),
            _statement(job),
        )

    return format_html_join("", JOB_ROW, (row(job) for job in jobs))
