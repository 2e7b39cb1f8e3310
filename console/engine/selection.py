"""selectedFields: the columns, and nested fields (`a.b`), a reader asked for, in table order.

tables.get, tabledata.list and `bq head` read the same parameter, so the schema a client is told
and the cells it is sent always match.
"""

from __future__ import annotations

from typing import Any

from console.errors import InvalidError

# What a selection asks of one field: None for all of it, else the subfields it names.
Wanted = dict[str, "Wanted | None"]


def _wanted(selected: str) -> Wanted:
    tree: Wanted = {}
    for path in selected.split(","):
        parts = [part.strip() for part in path.split(".")]
        if not any(parts):
            continue
        node: Wanted | None = tree
        for depth, part in enumerate(parts):
            key = part.lower()  # field names are case-insensitive
            if depth == len(parts) - 1:
                node[key] = None
            elif node.get(key, {}) is None:
                break  # the whole field is already selected
            else:
                node = node.setdefault(key, {})
    return tree


def _chosen(
    fields: list[dict[str, Any]], wanted: Wanted, where: str, prefix: str
) -> list[tuple[int, dict[str, Any], Wanted | None]]:
    """Return (index, field, what of it) for each selected field, refusing unknown names."""
    names = {field["name"].lower() for field in fields}
    for name in wanted:
        if name not in names:
            raise InvalidError(f"Unrecognized field: {prefix}{name} in {where}", "selectedFields")
    chosen = []
    for index, field in enumerate(fields):
        key = field["name"].lower()
        if key not in wanted:
            continue
        inner = wanted[key]
        if inner is not None and not field.get("fields"):
            raise InvalidError(
                f"Field {prefix}{field['name']} of {where} is a {field['type']}, not a RECORD: "
                "it has no fields to select",
                "selectedFields",
            )
        chosen.append((index, field, inner))
    return chosen


def _schema(fields: list[dict[str, Any]], wanted: Wanted, where: str, prefix: str) -> list:
    shown = []
    for _, field, inner in _chosen(fields, wanted, where, prefix):
        if inner is not None:
            field = {
                **field,
                "fields": _schema(field["fields"], inner, where, f"{prefix}{field['name']}."),
            }
        shown.append(field)
    return shown


def select_schema(fields: list[dict[str, Any]], selected: str, where: str) -> list[dict[str, Any]]:
    """Return the fields a comma-separated selectedFields keeps (all of them if it is empty).

    where names the table in errors: an unknown field is refused, as BigQuery refuses it.
    """
    if not selected.strip():
        return fields
    return _schema(fields, _wanted(selected), where, "")


def select_rows(
    fields: list[dict[str, Any]], rows: list[list[Any]], selected: str, where: str
) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """Return select_schema's fields and, from each row (values in field order), their cells."""
    if not selected.strip():
        return fields, rows
    wanted = _wanted(selected)
    chosen = _chosen(fields, wanted, where, "")
    shown = _schema(fields, wanted, where, "")
    picked = [[_value(row[i], field, inner) for i, field, inner in chosen] for row in rows]
    return shown, picked


def _value(value: Any, field: dict[str, Any], inner: Wanted | None) -> Any:
    if inner is None or value is None:
        return value
    if field.get("mode") == "REPEATED":
        return [_record(item, field, inner) for item in value]
    return _record(value, field, inner)


def _record(value: dict[str, Any] | None, field: dict[str, Any], inner: Wanted) -> Any:
    if value is None:
        return None
    subfields = {sub["name"].lower(): sub for sub in field["fields"]}
    return {
        subfields[key]["name"]: _value(value.get(subfields[key]["name"]), subfields[key], deeper)
        for key, deeper in inner.items()
    }
