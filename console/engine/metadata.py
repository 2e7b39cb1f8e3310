"""The metadata BigQuery keeps beside a table's, a dataset's or a model's data, checked once.

Every door that sets it — tables/datasets/models insert, patch and update in REST, DDL's
`PARTITION BY` / `CLUSTER BY` / `OPTIONS(...)`, `ALTER ... SET OPTIONS`, and `bq mk/update` —
hands this module the change in the REST resource's own shape (`timePartitioning`, `labels`,
`expirationTime` in ms, ...), and gets back the catalog fields to assign. Everything is checked
before anything is assigned, so a refused change leaves the object as it was.

Quarry keeps and shows partitioning and clustering; it does not prune partitions or sort by the
clustering columns (docs/metadata.md).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pyarrow as pa

from console.catalog.models import Dataset, MLModel, Table, check_id
from console.engine import tables
from console.engine.types import arrow_schema
from console.errors import DuplicateError, InvalidError

# BigQuery's label rules: at most 64 labels; keys 1-63 characters starting with a lowercase or
# international letter; keys and values only lowercase letters, digits, `_` and `-` (values may be
# empty). \w less the uppercase letters covers "international characters".
MAX_LABELS = 64
LABEL_TEXT_RE = re.compile(r"^[\w-]{0,63}$")

TIME_PARTITION_TYPES = ("DAY", "HOUR", "MONTH", "YEAR")
TIME_PARTITION_FIELD_TYPES = ("TIMESTAMP", "DATE", "DATETIME")
MAX_CLUSTERING_FIELDS = 4
CLUSTERING_TYPES = (
    "INT64",
    "STRING",
    "DATE",
    "TIMESTAMP",
    "DATETIME",
    "BOOL",
    "NUMERIC",
    "BIGNUMERIC",
    "GEOGRAPHY",
)
MAX_RANGE_PARTITIONS = 10_000
MS_PER_DAY = 86_400_000


def _is_label_key(key: str) -> bool:
    return (
        1 <= len(key) <= 63
        and LABEL_TEXT_RE.match(key) is not None
        and key == key.lower()
        and not (key[0].isdigit() or key[0] in "_-")
    )


def checked_labels(labels: Any, where: str = "labels") -> dict[str, str | None]:
    """Return labels once BigQuery's rules accept every key and value (None deletes a key)."""
    if labels is None:
        return {}
    if not isinstance(labels, dict):
        raise InvalidError(f"Invalid value for {where}: expected a map of strings", where)
    if len(labels) > MAX_LABELS:
        raise InvalidError(
            f"Too many labels: {len(labels)}; a resource may have at most {MAX_LABELS}", where
        )
    for key, value in labels.items():
        if not isinstance(key, str) or not _is_label_key(key):
            raise InvalidError(
                f'Invalid label key "{key}" in {where}: keys must be 1-63 characters, start with '
                "a lowercase letter or international character, and contain only lowercase "
                "letters, numbers, underscores and dashes",
                where,
            )
        if value is None:
            continue
        if (
            not isinstance(value, str)
            or LABEL_TEXT_RE.match(value) is None
            or value != value.lower()
        ):
            raise InvalidError(
                f'Invalid label value "{value}" for key "{key}" in {where}: values must be at '
                "most 63 characters and contain only lowercase letters, international "
                "characters, numbers, underscores and dashes",
                where,
            )
    return dict(labels)


def merged_labels(
    old: dict[str, str], change: dict[str, str | None], *, replace: bool
) -> dict[str, str]:
    """Return the labels after a change: patch merges (None deletes a key), update replaces."""
    labels = {} if replace else dict(old or {})
    for key, value in change.items():
        if value is None:
            labels.pop(key, None)
        else:
            labels[key] = value
    return labels


def _int(value: Any, where: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidError(
            f"Invalid value for {where}: {value!r} is not an integer", where
        ) from None
    return number


def _top_level(schema: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    for field in schema or []:
        if field["name"].lower() == name.lower():
            return field
    return None


def checked_time_partitioning(value: Any, schema: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return a TimePartitioning in BigQuery's shape, once its type and field fit the schema."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidError("Invalid value for timePartitioning: expected an object")
    kind = str(value.get("type") or "DAY").upper()
    if kind not in TIME_PARTITION_TYPES:
        raise InvalidError(
            f"Invalid value for timePartitioning.type: {kind} is not a valid value; expected "
            + ", ".join(TIME_PARTITION_TYPES),
            "timePartitioning.type",
        )
    shaped: dict[str, Any] = {"type": kind}
    field_name = value.get("field")
    if field_name:
        field = _top_level(schema, str(field_name))
        if field is None:
            raise InvalidError(
                f"The field specified for time partitioning cannot be found in the schema: "
                f"{field_name}",
                "timePartitioning.field",
            )
        if field["type"] not in TIME_PARTITION_FIELD_TYPES or field["mode"] == "REPEATED":
            shown = field["type"] + (" (REPEATED)" if field["mode"] == "REPEATED" else "")
            raise InvalidError(
                f"The field specified for time partitioning can only be of type TIMESTAMP, DATE "
                f"or DATETIME. The type found is: {shown} (field {field['name']})",
                "timePartitioning.field",
            )
        if field["type"] == "DATE" and kind == "HOUR":
            raise InvalidError(
                f"Partitioning by HOUR is not supported for the DATE field {field['name']}",
                "timePartitioning.type",
            )
        shaped["field"] = field["name"]
    if value.get("expirationMs") is not None:
        expiration = _int(value["expirationMs"], "timePartitioning.expirationMs")
        if expiration <= 0:
            raise InvalidError(
                "Invalid value for timePartitioning.expirationMs: it must be positive",
                "timePartitioning.expirationMs",
            )
        shaped["expirationMs"] = str(expiration)
    return shaped


def checked_range_partitioning(value: Any, schema: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return a RangePartitioning in BigQuery's shape, once its field and range are valid."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("range"), dict):
        raise InvalidError(
            "Invalid value for rangePartitioning: expected a field and a range",
            "rangePartitioning",
        )
    field_name = str(value.get("field") or "")
    field = _top_level(schema, field_name)
    if field is None:
        raise InvalidError(
            f"The field specified for range partitioning cannot be found in the schema: "
            f"{field_name}",
            "rangePartitioning.field",
        )
    if field["type"] != "INT64" or field["mode"] == "REPEATED":
        raise InvalidError(
            f"The field specified for range partitioning can only be of type INTEGER. The type "
            f"found is: {field['type']} (field {field['name']})",
            "rangePartitioning.field",
        )
    bounds = value["range"]
    start = _int(bounds.get("start"), "rangePartitioning.range.start")
    end = _int(bounds.get("end"), "rangePartitioning.range.end")
    interval = _int(bounds.get("interval"), "rangePartitioning.range.interval")
    if interval <= 0 or end <= start:
        raise InvalidError(
            f"Invalid rangePartitioning.range: start {start}, end {end}, interval {interval}; the "
            "end must be greater than the start and the interval positive",
            "rangePartitioning.range",
        )
    if -(-(end - start) // interval) > MAX_RANGE_PARTITIONS:
        raise InvalidError(
            f"Too many partitions: the range {start} to {end} by {interval} makes more than "
            f"{MAX_RANGE_PARTITIONS}",
            "rangePartitioning.range",
        )
    return {
        "field": field["name"],
        "range": {"start": str(start), "end": str(end), "interval": str(interval)},
    }


def checked_clustering(value: Any, schema: list[dict[str, Any]]) -> list[str]:
    """Return the clustering field names, once each is a top-level column of a clusterable type."""
    if value is None:
        return []
    names = value.get("fields") if isinstance(value, dict) else value
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InvalidError("Invalid value for clustering.fields: expected a list of field names")
    if len(names) > MAX_CLUSTERING_FIELDS:
        raise InvalidError(
            f"Too many clustering fields: {len(names)}; a table may be clustered by at most "
            f"{MAX_CLUSTERING_FIELDS} fields",
            "clustering.fields",
        )
    shaped: list[str] = []
    for name in names:
        field = _top_level(schema, name)
        if field is None:
            raise InvalidError(
                f"The field specified for clustering cannot be found in the schema. Invalid "
                f"field: {name}",
                "clustering.fields",
            )
        if field["type"] not in CLUSTERING_TYPES or field["mode"] == "REPEATED":
            kind = "REPEATED " + field["type"] if field["mode"] == "REPEATED" else field["type"]
            raise InvalidError(
                f"Field {field['name']} is of type {kind}, which is not supported for clustering",
                "clustering.fields",
            )
        if field["name"] in shaped:
            raise InvalidError(f"Duplicate clustering field: {field['name']}", "clustering.fields")
        shaped.append(field["name"])
    return shaped


def time_from_ms(value: Any, where: str) -> dt.datetime | None:
    """Return a REST time (ms since the epoch, as a number or a string) as a datetime."""
    if value is None:
        return None
    return dt.datetime.fromtimestamp(_int(value, where) / 1000, tz=dt.UTC)


def _text(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidError(f"Invalid value for {where}: expected a string", where)
    return value


def _given(body: dict[str, Any], key: str, replace: bool) -> bool:
    return replace or key in body


def table_changes(
    table: Table,
    body: dict[str, Any],
    *,
    schema: list[dict[str, Any]] | None = None,
    replace: bool = False,
    new: bool = False,
) -> dict[str, Any]:
    """Return the Table fields a table resource (or part of one) sets, all checked.

    schema is the table's schema after the change (its current one by default). replace is
    tables.update's (and CREATE OR REPLACE's) semantics: a key left out is cleared. new says the
    table is being created: only then may partitioning be set or its type and field change.
    """
    schema = table.schema if schema is None else schema
    changes = _described(table, body, replace)
    if _given(body, "expirationTime", replace):
        changes["expiration_time"] = time_from_ms(body.get("expirationTime"), "expirationTime")
    if _given(body, "requirePartitionFilter", replace):
        changes["require_partition_filter"] = bool(body.get("requirePartitionFilter"))
    time_part = table.time_partitioning
    if _given(body, "timePartitioning", replace):
        given = body.get("timePartitioning")
        # The deprecated timePartitioning.requirePartitionFilter (still sent by clients' older
        # TimePartitioning(require_partition_filter=...)) means the table-level option.
        deprecated = given.get("requirePartitionFilter") if isinstance(given, dict) else None
        if deprecated is not None and "requirePartitionFilter" not in body:
            changes["require_partition_filter"] = bool(deprecated)
        time_part = checked_time_partitioning(given, schema)
        if time_part and time_part.get("expirationMs") is None and new:
            default = table.dataset.default_partition_expiration_ms
            if default:
                time_part["expirationMs"] = str(default)
        if not new:
            _check_same_partitioning("time", table.time_partitioning, time_part, table)
        changes["time_partitioning"] = time_part
    range_part = table.range_partitioning
    if _given(body, "rangePartitioning", replace):
        range_part = checked_range_partitioning(body.get("rangePartitioning"), schema)
        if not new:
            _check_same_partitioning("range", table.range_partitioning, range_part, table)
        changes["range_partitioning"] = range_part
    if time_part and range_part:
        raise InvalidError(
            "A table may be partitioned by time or by an integer range, not both",
            "rangePartitioning",
        )
    if _given(body, "clustering", replace):
        changes["clustering_fields"] = checked_clustering(body.get("clustering"), schema)
    return changes


def _check_same_partitioning(
    kind: str, old: dict[str, Any] | None, new: dict[str, Any] | None, table: Table
) -> None:
    """Refuse changing an existing table's partitioning (a time expiration may change)."""

    def spec(value: dict[str, Any] | None) -> Any:
        return {k: v for k, v in (value or {}).items() if k != "expirationMs"} or None

    if spec(old) == spec(new):
        return
    if old is None:
        raise InvalidError(
            f"Cannot convert non partitioned table {table.full_id} to a partitioned table",
            f"{kind}Partitioning",
        )
    raise InvalidError(
        f"Cannot change the {kind} partitioning of table {table.full_id}: it is partitioned by "
        f"{describe_partitioning(table)}",
        f"{kind}Partitioning",
    )


def describe_partitioning(table: Table) -> str:
    """Return a table's partitioning in a few words (`DAY on ts`), or an empty string."""
    if table.time_partitioning:
        part = table.time_partitioning
        return f"{part['type']} on {part.get('field') or '_PARTITIONTIME'}"
    if table.range_partitioning:
        part = table.range_partitioning
        bounds = part["range"]
        return (
            f"RANGE_BUCKET on {part['field']} from {bounds['start']} to {bounds['end']} by "
            f"{bounds['interval']}"
        )
    return ""


def dataset_changes(
    dataset: Dataset, body: dict[str, Any], *, replace: bool = False
) -> dict[str, Any]:
    """Return the Dataset fields a dataset resource (or part of one) sets, all checked."""
    changes = _described(dataset, body, replace)
    for key, attribute, floor in (
        ("defaultTableExpirationMs", "default_table_expiration_ms", 3_600_000),
        ("defaultPartitionExpirationMs", "default_partition_expiration_ms", 1),
    ):
        if _given(body, key, replace):
            value = body.get(key)
            value = None if value is None else _int(value, key)
            if value is not None and value < floor:
                least = "one hour (3600000 ms)" if floor > 1 else "1 ms"
                raise InvalidError(
                    f"Invalid value for {key}: {value}; it must be at least {least}", key
                )
            changes[attribute] = value
    return changes


def model_changes(model: MLModel, body: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
    """Return the MLModel fields a model resource (or part of one) sets, all checked."""
    changes = _described(model, body, replace)
    if _given(body, "expirationTime", replace):
        changes["expiration_time"] = time_from_ms(body.get("expirationTime"), "expirationTime")
    return changes


def _described(obj: Any, body: dict[str, Any], replace: bool) -> dict[str, Any]:
    """Return the description, friendly name and labels a resource sets: every kind has them."""
    changes: dict[str, Any] = {}
    if _given(body, "description", replace):
        changes["description"] = _text(body.get("description"), "description")
    if _given(body, "friendlyName", replace):
        changes["friendly_name"] = _text(body.get("friendlyName"), "friendlyName")
    if _given(body, "labels", replace):
        labels = checked_labels(body.get("labels"))
        changes["labels"] = merged_labels(obj.labels, labels, replace=replace)
    return changes


def assign(obj: Any, changes: dict[str, Any]) -> None:
    """Set checked changes on a catalog row and save only those fields (and its modified time)."""
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=[*changes, "modified"])


def create_table(
    dataset: Dataset, table_id: str, fields: list[dict[str, Any]] | None, body: dict[str, Any]
) -> Table:
    """Create an empty table with a table resource's metadata, checked before it exists.

    tables.insert and `bq mk` create tables this way; a table with a schema gets an empty first
    version, so queries see its columns.
    """
    check_id("Table", table_id)
    if dataset.tables.filter(table_id=table_id).exists():
        raise DuplicateError(f"Already Exists: Table {dataset.full_id}.{table_id}")
    dataset.check_name_free(table_id, "table")
    fresh = Table(dataset=dataset, table_id=table_id)
    changes = table_changes(fresh, body, schema=fields or [], new=True)
    if fields:
        schema: pa.Schema = arrow_schema(fields)
        table = tables.write_version(dataset, table_id, schema, fields, [], new=True)
    else:
        table = Table.objects.create(dataset=dataset, table_id=table_id)
    assign(table, changes)
    table.dataset = dataset
    return table


# What a load (or query) job's configuration may say about the table it writes.
DESTINATION_KEYS = ("timePartitioning", "rangePartitioning", "clustering")
DESTINATION_PROPERTIES = ("description", "friendlyName", "labels")


def destination_changes(
    dataset: Dataset,
    table_id: str,
    table: Table | None,
    configuration: dict[str, Any],
    fields: list[dict[str, Any]],
) -> dict[str, Any]:
    """Return the metadata a job writing table_id gives it, checked against the written fields.

    A new table takes the job's partitioning, clustering and destinationTableProperties; an
    existing one keeps its own, and a job stating other partitioning or clustering is refused
    with BigQuery's "Incompatible table partitioning specification".
    """
    body = {key: configuration[key] for key in DESTINATION_KEYS if configuration.get(key)}
    if table is None:
        properties = configuration.get("destinationTableProperties") or {}
        body.update({key: properties[key] for key in DESTINATION_PROPERTIES if key in properties})
        fresh = Table(dataset=dataset, table_id=table_id)
        return table_changes(fresh, body, schema=fields, new=True)
    stated = {
        "time_partitioning": checked_time_partitioning(body.get("timePartitioning"), fields),
        "range_partitioning": checked_range_partitioning(body.get("rangePartitioning"), fields),
        "clustering_fields": checked_clustering(body.get("clustering"), fields),
    }
    for attribute, key in zip(stated, DESTINATION_KEYS, strict=True):
        if key in body and spec_of(stated[attribute]) != spec_of(getattr(table, attribute)):
            noun = "clustering" if attribute == "clustering_fields" else "partitioning"
            raise InvalidError(
                f"Incompatible table {noun} specification. Expects {noun} specification "
                f"{describe_spec(getattr(table, attribute))}, but input {noun} specification is "
                f"{describe_spec(stated[attribute])} (table {table.full_id})",
                attribute,
            )
    return {}


def spec_of(value: Any) -> Any:
    """Return a partitioning or clustering spec without what may differ (the expiration)."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "expirationMs"} or None
    return value or None


def describe_spec(value: Any) -> str:
    if not value:
        return "none"
    if isinstance(value, list):
        return ", ".join(value)
    if "range" in value:
        bounds = value["range"]
        return (
            f"RANGE_BUCKET({value['field']}, {bounds['start']}, {bounds['end']}, "
            f"{bounds['interval']})"
        )
    return f"{value.get('type', 'DAY')}({value.get('field') or '_PARTITIONTIME'})"


def update_table(table: Table, body: dict[str, Any], *, replace: bool = False) -> Table:
    """Apply a table resource's metadata to an existing table, or refuse it changing nothing."""
    assign(table, table_changes(table, body, replace=replace))
    return table


def update_dataset(dataset: Dataset, body: dict[str, Any], *, replace: bool = False) -> Dataset:
    """Apply a dataset resource's metadata, or refuse it changing nothing."""
    assign(dataset, dataset_changes(dataset, body, replace=replace))
    return dataset


def update_model(model: MLModel, body: dict[str, Any], *, replace: bool = False) -> MLModel:
    """Apply a model resource's metadata, or refuse it changing nothing."""
    assign(model, model_changes(model, body, replace=replace))
    return model
