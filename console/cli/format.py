"""Print rows the way the bq CLI does: pretty tables, JSON and CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from console.engine.text import numeric_text
from console.errors import BigQueryError


def cell_text(value: Any) -> str:
    """Return a value as bq's pretty format shows it (NULL, JSON for nested values)."""
    if value is None:
        return "NULL"
    if isinstance(value, list | dict):
        # As bq's TablePrinter.MaybeConvertToJson: compact, non-ASCII text as it is.
        return json.dumps(_jsonable(value), separators=(",", ":"), ensure_ascii=False)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return numeric_text(value)
    return str(value)


def _jsonable(value: Any) -> Any:
    """Return value with scalars as strings, as the BigQuery API and bq's JSON output show them."""
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if value is None:
        return None
    return cell_text(value)


def pretty(names: list[str], rows: list[list[Any]]) -> str:
    """Return bq's boxed table: headers centred, numbers right-aligned, text left-aligned."""
    cells = [[cell_text(v) for v in row] for row in rows]
    numeric = [
        all(
            isinstance(row[i], int | float) and not isinstance(row[i], bool)
            for row in rows
            if row[i] is not None
        )
        and rows != []
        for i in range(len(names))
    ]
    widths = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(names)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    lines = [
        rule,
        "|" + "|".join(f" {n.center(w)} " for n, w in zip(names, widths, strict=True)) + "|",
        rule,
    ]
    for row in cells:
        parts = [
            f" {text.rjust(w) if numeric[i] else text.ljust(w)} "
            for i, (text, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("|" + "|".join(parts) + "|")
    if cells:
        lines.append(rule)
    return "\n".join(lines)


def as_json(names: list[str], rows: list[list[Any]], indent: int | None = None) -> str:
    """Return rows as bq's json (compact) or prettyjson (``indent=2``) format prints them.

    bq sorts each row's keys and leaves non-ASCII text as it is (table_formatter.py).
    """
    return json.dumps(
        [{n: _jsonable(v) for n, v in zip(names, row, strict=True)} for row in rows],
        indent=indent,
        separators=(", ", ": ") if indent else (",", ":"),
        sort_keys=True,
        ensure_ascii=False,
    )


def as_csv(names: list[str], rows: list[list[Any]], fields: list[dict[str, Any]]) -> str:
    for field in fields:
        if field.get("mode") == "REPEATED":
            name = field["name"]
            raise ValueError(
                f'Error printing table: Cannot print repeated field "{name}" in CSV format.'
            )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if v is None else cell_text(v) for v in row])
    return buffer.getvalue().rstrip("\n")


def columns(headers: list[str], rows: list[list[str]]) -> str:
    """Return bq's plain listing (bq ls, bq show): columns padded, a dashed rule under the header.

    A cell of several lines (a schema tree, labels, a view's query) goes on down its own column.
    """
    cells = [[cell.split("\n") for cell in row] for row in rows]
    widths = [
        max([len(h), *(len(part) for r in cells for part in r[i])]) for i, h in enumerate(headers)
    ]
    line = lambda values: "  " + "   ".join(v.ljust(w) for v, w in zip(values, widths, strict=True))  # noqa: E731
    rule = " " + "  ".join("-" * (w + 2) for w in widths)
    lines = [line(headers).rstrip(), rule]
    for row in cells:
        for depth in range(max(len(cell) for cell in row)):
            lines.append(line([cell[depth] if depth < len(cell) else "" for cell in row]).rstrip())
    return "\n".join(lines)


def labels_text(labels: dict[str, str] | None) -> str:
    """Return labels as bq shows them: one `key:value` a line."""
    return "\n".join(f"{key}:{value}" for key, value in sorted((labels or {}).items()))


def time_partitioning_text(partitioning: dict[str, Any] | None) -> str:
    """Return a TimePartitioning as bq's Time Partitioning column shows it."""
    if not partitioning:
        return ""
    details = [
        f"{key}: {partitioning[key]}" for key in ("field", "expirationMs") if key in partitioning
    ]
    return partitioning.get("type", "DAY") + (f" ({', '.join(details)})" if details else "")


def range_partitioning_text(partitioning: dict[str, Any] | None) -> str:
    """Return a RangePartitioning as bq's Range Partitioning column shows it."""
    if not partitioning:
        return ""
    bounds = partitioning["range"]
    return (
        f"{partitioning['field']} (start: {bounds['start']}, end: {bounds['end']}, "
        f"interval: {bounds['interval']})"
    )


def time_text(value: dt.datetime | None) -> str:
    """Return a time as bq's listings show it (28 Nov 00:47:19)."""
    return value.strftime("%d %b %H:%M:%S") if value else ""


def error_line(command: str, err: BigQueryError) -> str:
    """Return bq's one line for a failed command, worded as the real bq words it."""
    if command == "query" and err.reason != "accessDenied":
        return f"Error in query string: {err.message}"
    return f"BigQuery error in {command} operation: {err.message}"


def exit_code(command: str, err: BigQueryError) -> int:
    """Return the status a failed command exits with: 2 for a missing object, as bq's show does.

    A query's failures, whatever their reason, exit 1.
    """
    return 2 if err.reason == "notFound" and command != "query" else 1
