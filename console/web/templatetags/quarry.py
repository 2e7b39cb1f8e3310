"""Template helpers for the console: icons, the Explorer tree and result cells."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import template
from django.db.models import Prefetch
from django.template.defaultfilters import title, truncatechars
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from console.catalog.models import Dataset, MLModel, Project, Table
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
    """Render the Explorer pane: the project, its datasets and their tables and models."""
    project = _project(context)
    user = getattr(context.get("request"), "user", None)
    datasets = project.datasets.prefetch_related(
        Prefetch("tables", queryset=Table.objects.only("id", "dataset_id", "table_id")),
        Prefetch("models", queryset=MLModel.objects.only("id", "dataset_id", "model_id", "state")),
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


def _job_created(value: datetime | None) -> tuple[str, str]:
    """Return a job's creation time as `|date:'c'` and `|date:"M j, Y, H:i:s"` print it."""
    if value is None:
        return "", ""
    value = template_localtime(value)
    short = (
        f"{MONTHS_3[value.month].title()} {value.day}, {value.year}, "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    return value.isoformat(), short


@register.simple_tag(takes_context=True)
def job_rows(context: template.Context, jobs: Iterable[Any]) -> SafeString:
    """Render the job history table's rows.

    Built as strings rather than a template loop: fifty rows of a dozen cells each cost the
    template engine more than the rest of the page (every value still goes through escape).
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
    out: list[str] = []
    for job in jobs:
        s = job.status_label
        job_id = escape(job.job_id)
        iso, short = _job_created(job.created)
        if job.job_type == "QUERY":
            statement = f"<code>{escape(truncatechars(job.query, 80))}</code>"
        else:
            dest = ((job.configuration or {}).get("load") or {}).get("destinationTable")
            statement = ""
            if dest:
                dataset_id = escape(dest.get("datasetId", "")) if isinstance(dest, dict) else ""
                table_id = escape(dest.get("tableId", "")) if isinstance(dest, dict) else ""
                statement = f"Load into <code>{dataset_id}.{table_id}</code>"
        if s in ("RUNNING", "PENDING"):
            if csrf is None:
                csrf = _csrf_input(context)
            actions = (
                f'<form method="post" action="{jobs_url}{job_id}/cancel" class="inline-form">'
                f"{csrf}"
                f'<button type="submit" class="button button-small" '
                f'aria-label="Cancel job {job_id}">{stop_icon}Cancel</button></form>'
            )
        elif job.job_type == "QUERY":
            actions = (
                f'<a class="button button-small button-text" href="{query_url}?job={job_id}" '
                f'aria-label="Open job {job_id} in the editor">{query_icon}Open</a>'
            )
        else:
            actions = ""
        out.append(
            "\n      <tr>\n"
            f'        <td><span class="badge badge-{escape(s.lower())}">'
            f"{status_icons.get(s, run_icon)}{escape(s)}</span></td>\n"
            f'        <td><a class="mono" href="{jobs_url}{job_id}/">{job_id}</a></td>\n'
            f"        <td>{escape(title(job.job_type))}</td>\n"
            f'        <td><time datetime="{iso}">{short}</time></td>\n'
            f'        <td class="num">{escape(display.format_duration(job.duration_s))}</td>\n'
            f"        <td>{escape(job.user_email or '—')}</td>\n"
            f'        <td class="statement">{statement}</td>\n'
            f'        <td class="actions">{actions}</td>\n'
            "      </tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above went through escape
