"""Template helpers for the console: icons, the Explorer tree and result cells."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Prefetch
from django.utils.safestring import SafeString

from console.catalog.models import Dataset, MLModel, Project, Table
from console.web import display, icons

register = template.Library()


@register.simple_tag
def icon(name: str, label: str = "") -> SafeString:
    return icons.icon(name, label)


@register.simple_tag
def project_id() -> str:
    return Project.default().project_id


@register.inclusion_tag("web/explorer.html", takes_context=True)
def explorer(context: template.Context) -> dict[str, Any]:
    """Render the Explorer pane: the project, its datasets and their tables and models."""
    project = Project.default()
    datasets = project.datasets.prefetch_related(
        Prefetch("tables", queryset=Table.objects.only("id", "dataset_id", "table_id")),
        Prefetch("models", queryset=MLModel.objects.only("id", "dataset_id", "model_id", "state")),
    )
    current_dataset = context.get("dataset")
    return {
        "project": project,
        "datasets": datasets,
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
