"""How the console shows values: result cells, durations, DDL outcomes, metrics and loss curves.

Presentation only; nothing here reads the catalog or storage.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from console.engine.text import float_text, numeric_text
from console.engine.types import standard_sql_text
from mfcore.options import OPTION_INFO

RECORD_TYPES = ("RECORD", "STRUCT")
NULL = mark_safe('<span class="null">null</span>')
EMPTY_ARRAY = mark_safe('<span class="null">[]</span>')
EMPTY = mark_safe("")
# Safe, so format_html does not escape the class of each of a grid's thousands of cells.
NUM = mark_safe("num")


def format_scalar(value: Any) -> str:
    """Return a cell value as the BigQuery console prints it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".") + " UTC"
        return value.isoformat()
    if isinstance(value, Decimal):
        return numeric_text(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)


def _html(content: str, values: tuple[Any, ...]) -> SafeString:
    """Return content, a format string of constant markup, with values escaped into it."""
    return format_html(content, *values)


def _scalar(value: Any) -> tuple[str, tuple[Any, ...]]:
    """Return a scalar cell's content as a format_html string and its arguments."""
    if value is None:
        return "{}", (NULL,)
    numeric = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    return '<span class="{}">{}</span>', (NUM if numeric else EMPTY, format_scalar(value))


def _cell(value: Any, field: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """Return one result cell's content as a format_html string and its arguments.

    A results grid is mostly scalars: left as a format string and arguments, a whole row of them
    goes through one format_html call instead of one call per cell. An ARRAY becomes a list, a
    STRUCT a nested table, built here.
    """
    kind = (field.get("type") or "").upper()
    subfields = field.get("fields") or []
    if (field.get("mode") or "").upper() == "REPEATED":
        if not value:
            return "{}", (EMPTY_ARRAY,)
        if kind in RECORD_TYPES:
            return "{}", (_struct_table(subfields, value),)
        items = format_html_join("", "<li>{}</li>", ((_html(*_scalar(v)),) for v in value))
        return '<ul class="array">{}</ul>', (items,)
    if kind in RECORD_TYPES:
        if value is None:
            return "{}", (NULL,)
        return "{}", (_struct_table(subfields, [value]),)
    return _scalar(value)


def _struct_table(fields: Sequence[dict[str, Any]], rows: Sequence[Any]) -> SafeString:
    """Return a STRUCT's rows as a small table with the STRUCT's fields as its columns."""
    head = format_html_join("", '<th scope="col">{}</th>', ((f["name"],) for f in fields))
    body = format_html_join("", "<tr>{}</tr>", ((_struct_row(fields, row),) for row in rows))
    return format_html(
        '<table class="nested"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, body
    )


def _struct_row(fields: Sequence[dict[str, Any]], row: Any) -> SafeString:
    cells = (_html(*_cell(_field_value(row, f, i), f)) for i, f in enumerate(fields))
    return format_html_join("", "<td>{}</td>", ((cell,) for cell in cells))


def _field_value(row: Any, field: dict[str, Any], index: int) -> Any:
    if isinstance(row, dict):
        return row.get(field["name"])
    if isinstance(row, list | tuple):
        return row[index] if index < len(row) else None
    return None


def _is_record(field: dict[str, Any]) -> bool:
    return (field.get("type") or "").upper() in RECORD_TYPES and bool(field.get("fields"))


def result_header(schema: Sequence[dict[str, Any]]) -> SafeString:
    """Return the header cells of a results grid; a STRUCT's fields get a column each."""
    names = []
    for field in schema:
        if _is_record(field):
            names.extend(f"{field['name']}.{sub['name']}" for sub in field["fields"])
        else:
            names.append(field["name"])
    return format_html_join("", '<th scope="col">{}</th>', ((n,) for n in names))


def _result_row(
    schema: Sequence[dict[str, Any]], records_at: dict[int, bool], row: Sequence[Any], number: int
) -> SafeString:
    """Return one result row as a <tbody>, formatted in one format_html call.

    The row is one line unless an ARRAY<STRUCT> holds several elements: then each element takes
    a line under the record's columns, and the row's other cells span all the lines. The
    template joins only the constant markup of _cell; every value is one of the arguments.
    """
    records: dict[int, list[Any]] = {}
    for i, repeated in records_at.items():
        value = row[i] if i < len(row) else None
        if repeated:
            records[i] = list(value or [])
        else:
            records[i] = [] if value is None else [value]
    height = max([1, *(len(v) for v in records.values())])
    rowspan = _html("{}", (height,))  # escaped once, not once per cell
    template = ["<tbody>"]
    args: list[Any] = []
    for line in range(height):
        template.append("<tr>")
        if line == 0:
            template.append('<td class="rownum" rowspan="{}">{}</td>')
            args += (rowspan, number)
        for i, field in enumerate(schema):
            if i in records:
                element = records[i][line] if line < len(records[i]) else None
                for sub in field["fields"]:
                    if isinstance(element, dict):
                        content, values = _cell(element.get(sub["name"]), sub)
                    elif element is not None:
                        content, values = _cell(None, sub)
                    else:
                        content, values = "", ()
                    template.append(f'<td class="sub">{content}</td>')
                    args += values
            elif line == 0:
                content, values = _cell(row[i] if i < len(row) else None, field)
                template.append(f'<td rowspan="{{}}">{content}</td>')
                args += (rowspan, *values)
        template.append("</tr>")
    template.append("</tbody>")
    return format_html("".join(template), *args)


def result_body(
    schema: Sequence[dict[str, Any]], rows: Sequence[Sequence[Any]], first_row: int = 1
) -> SafeString:
    """Return one <tbody> per result row, as the BigQuery console lays results out.

    A STRUCT spreads over one column per field; an ARRAY<STRUCT> becomes nested rows under its
    columns while the row's other cells span them all. Every value goes through format_html.
    """
    records_at = {
        i: (f.get("mode") or "").upper() == "REPEATED"
        for i, f in enumerate(schema)
        if _is_record(f)
    }
    return format_html_join(
        "",
        "{}",
        (
            (_result_row(schema, records_at, row, number),)
            for number, row in enumerate(rows, start=first_row)
        ),
    )


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_timestamp(value: datetime | None) -> str:
    """Return a moment as BigQuery Studio shows one: 'Nov 29, 2026, 11:54:17 PM UTC+0'.

    The zone is the console's (settings.TIME_ZONE), named on every page that shows a time.
    """
    if value is None:
        return "—"
    local = timezone.localtime(value)
    hour = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    minutes = round(local.utcoffset().total_seconds() / 60)
    offset_hours, offset_minutes = divmod(abs(minutes), 60)
    zone = f"UTC{'-' if minutes < 0 else '+'}{offset_hours}"
    if offset_minutes:
        zone += f":{offset_minutes:02d}"
    return (
        f"{MONTHS[local.month - 1]} {local.day}, {local.year}, "
        f"{hour}:{local.minute:02d}:{local.second:02d} {meridiem} {zone}"
    )


def format_duration(seconds: float | None) -> str:
    """Return a duration as '0.8 sec', '12 sec' or '2 min 5 sec'."""
    if seconds is None:
        return "—"
    if seconds < 10:
        return f"{seconds:.1f} sec"
    if seconds < 60:
        return f"{seconds:.0f} sec"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} sec"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} hr {minutes} min"


@dataclass(frozen=True)
class DdlOutcome:
    sentence: str
    kind: str  # "table" or "model"
    dataset_id: str
    object_id: str
    exists: bool  # whether "Go to ..." makes sense after this statement


_DDL_VERBS = {
    "CREATE": "created a new {kind} named {name}.",
    "REPLACE": "replaced the {kind} named {name}.",
    "DROP": "deleted the {kind} named {name}.",
    "SKIP": "did not change the {kind} named {name}.",
    "ALTER": "altered the {kind} named {name}.",
}


def ddl_outcome(statistics: dict[str, Any]) -> DdlOutcome | None:
    """Return what a DDL statement did to its target, or None for a statement without one."""
    for key, kind, id_key in (
        ("ddlTargetModel", "model", "modelId"),
        ("ddlTargetTable", "table", "tableId"),
    ):
        target = statistics.get(key)
        if not target:
            continue
        operation = (statistics.get("ddlOperationPerformed") or "CREATE").upper()
        if operation not in _DDL_VERBS:
            operation = "CREATE"
        name = ".".join(
            part
            for part in (target.get("projectId"), target.get("datasetId"), target[id_key])
            if part
        )
        sentence = "This statement " + _DDL_VERBS[operation].format(kind=kind, name=name)
        return DdlOutcome(
            sentence=sentence,
            kind=kind,
            dataset_id=target.get("datasetId", ""),
            object_id=target[id_key],
            exists=operation != "DROP",
        )
    return None


def dml_sentence(statistics: dict[str, Any]) -> str:
    """Return 'This statement modified N rows.' for DML, or '' for other statements."""
    affected = statistics.get("numDmlAffectedRows")
    if affected is None:
        return ""
    count = int(affected)
    return f"This statement modified {count:,} row{'' if count == 1 else 's'}."


_METRIC_NAMES = {
    "r2_score": "R squared",
    "mean_squared_log_error": "Mean squared log error",
    "roc_auc": "ROC AUC",
    "f1_score": "F1 score",
    "mean_average_precision": "Mean average precision",
    "normalized_discounted_cumulative_gain": "Normalized discounted cumulative gain",
}


def sql_type(data_type: dict[str, Any]) -> str:
    """Return a StandardSqlDataType as GoogleSQL spells it: INT64, ARRAY<STRING>, STRUCT<…>."""
    return standard_sql_text(data_type)


def metric_label(name: str) -> str:
    """Return a metric key (snake_case or camelCase) as the Evaluation tab names it."""
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    if snake in _METRIC_NAMES:
        return _METRIC_NAMES[snake]
    words = snake.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def format_bytes(count: int) -> str:
    """Return a byte count as the query validator says it: '0 B', '41.9 KB', '205.9 MB'."""
    size = float(count)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{int(size)} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} PB"


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    # BigQuery's JSON view prints every scalar as a string.
    return format_scalar(value)


def rows_json(schema: Sequence[dict[str, Any]], rows: Sequence[Sequence[Any]]) -> str:
    """Return rows as the results pane's JSON tab shows them: a list of objects, indented."""
    names = [f["name"] for f in schema]
    objects = [
        {name: _json_value(row[i] if i < len(row) else None) for i, name in enumerate(names)}
        for row in rows
    ]
    return json.dumps(objects, indent=2, ensure_ascii=False)


# The Details tab lists every training option, in the order BigQuery's model page shows them.
_OPTION_ORDER = [
    "model_type",
    "feedback_type",
    "user_col",
    "item_col",
    "rating_col",
    "num_factors",
    "l2_reg",
    "wals_alpha",
    "max_iterations",
    "early_stop",
    "min_rel_progress",
    "data_split_method",
    "data_split_eval_fraction",
    "data_split_col",
]
# Labels come with the options themselves (mfcore's Options), so a new option brings its label.
_OPTION_LABELS = {"model_type": "Model type", **{n: info.label for n, info in OPTION_INFO.items()}}


def training_options(
    options: dict[str, Any], default_max_iterations: int
) -> list[tuple[str, str, Any]]:
    """Return (label, option name, value) for every training option, known ones first."""
    merged = dict(options or {})
    merged.setdefault("max_iterations", default_max_iterations)
    names = [n for n in _OPTION_ORDER if n in merged]
    names += sorted(n for n in merged if n not in _OPTION_LABELS)
    return [(_OPTION_LABELS.get(n, n.replace("_", " ").capitalize()), n, merged[n]) for n in names]


def loss_curve_svg(
    points: Sequence[tuple[Any, ...]], width: int = 640, height: int = 240
) -> SafeString | str:
    """Return an SVG chart of loss by iteration, or '' if there is nothing to draw.

    points are (iteration, training loss) or (iteration, training loss, evaluation loss), oldest
    first; an evaluation loss curve is drawn too when there is one.
    """
    train = [(p[0], p[1]) for p in points if p[1] is not None and math.isfinite(p[1])]
    evals = [
        (p[0], p[2]) for p in points if len(p) > 2 and p[2] is not None and math.isfinite(p[2])
    ]
    if not train:
        return ""
    left, right, top, bottom = 64, 16, 16, 36
    xs = [p[0] for p in train]
    ys = [p[1] for p in train] + [p[1] for p in evals]
    x_min, x_max = min(xs), max(xs)
    y_min, y_max = min(ys), max(ys)
    if y_max == y_min:
        y_min, y_max = y_min - 0.5, y_max + 0.5
    if x_max == x_min:
        x_max = x_min + 1
    plot_w, plot_h = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        return left + (x - x_min) / (x_max - x_min) * plot_w

    def sy(y: float) -> float:
        return top + (1 - (y - y_min) / (y_max - y_min)) * plot_h

    def series(data: list[tuple[Any, float]], css: str, name: str) -> SafeString:
        line = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in data)
        dots = format_html_join(
            "",
            '<circle cx="{}" cy="{}" r="3"><title>Iteration {}: {} {}</title></circle>',
            ((f"{sx(x):.1f}", f"{sy(y):.1f}", x, name, f"{y:.4f}") for x, y in data),
        )
        return format_html(
            '<g class="series {}"><polyline points="{}"/><g class="dots">{}</g></g>',
            css,
            line,
            dots,
        )

    grid = []
    for k in range(5):
        value = y_min + (y_max - y_min) * k / 4
        y = f"{sy(value):.1f}"
        grid.append((left, y, width - right, y, left - 8, f"{sy(value) + 4:.1f}", f"{value:.4g}"))
    grid_html = format_html_join(
        "",
        '<line class="grid" x1="{}" y1="{}" x2="{}" y2="{}"/>'
        '<text x="{}" y="{}" text-anchor="end">{}</text>',
        grid,
    )
    ticks = sorted({x_min, x_max, *xs[:: max(1, len(xs) // 6)]})
    tick_html = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="middle">{}</text>',
        ((f"{sx(x):.1f}", height - bottom + 18, x) for x in ticks),
    )
    curves = series(train, "train", "training loss")
    if evals:
        curves = format_html("{}{}", curves, series(evals, "eval", "evaluation loss"))
    return format_html(
        '<svg class="loss-curve" viewBox="0 0 {} {}" role="img" '
        'aria-label="Training data loss by iteration">{}{}{}'
        '<text class="axis-label" x="{}" y="{}" text-anchor="middle">Iteration</text></svg>',
        width,
        height,
        grid_html,
        tick_html,
        curves,
        f"{left + plot_w / 2:.1f}",
        height - 2,
    )


MS_PER_DAY = 86_400_000


def days_from_ms(milliseconds: Any) -> str:
    """Return a duration in ms as the console's details show it: `2 days`, `1.5 days`."""
    days = int(milliseconds) / MS_PER_DAY
    return f"{days:g} day" + ("" if days == 1 else "s")


def partitioning_details(
    time_partitioning: dict[str, Any] | None,
    range_partitioning: dict[str, Any] | None,
    require_partition_filter: bool,
) -> list[tuple[str, str]]:
    """Return the rows BigQuery Studio's Details tab shows for a partitioned table, in order."""
    if time_partitioning:
        rows = [
            ("Table type", "Partitioned"),
            ("Partitioned by", time_partitioning.get("type", "DAY")),
            ("Partitioned on field", time_partitioning.get("field") or "_PARTITIONTIME"),
        ]
        expiration = time_partitioning.get("expirationMs")
        rows.append(("Partition expiration", days_from_ms(expiration) if expiration else "Never"))
    elif range_partitioning:
        bounds = range_partitioning["range"]
        rows = [
            ("Table type", "Partitioned"),
            ("Partitioned by", "Integer range"),
            ("Partitioned on field", range_partitioning["field"]),
            (
                "Partition range",
                f"start {bounds['start']}, end {bounds['end']}, interval {bounds['interval']}",
            ),
        ]
    else:
        return []
    rows.append(("Partition filter", "Required" if require_partition_filter else "Not required"))
    return rows
