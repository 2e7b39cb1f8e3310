"""A query's destination table: `configuration.query.destinationTable` and its dispositions.

BigQuery writes a SELECT's rows to the destination instead of an anonymous result table, and the
job's result is then the destination table itself. The write commits a new table version with the
same optimistic check DML uses: appending to (or filling an empty) table fails if another writer
committed after this query looked at it, instead of silently dropping the other's rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from sqlglot import exp

from console.catalog.models import Dataset, Table, check_id
from console.engine import metadata, tables
from console.engine.query import TARGET, Context
from console.engine.types import schema_from_arrow
from console.errors import BigQueryError, DuplicateError, InvalidError, NotFoundError
from console.iam.roles import TABLES_CREATE, TABLES_UPDATE_DATA

WRITE_DISPOSITIONS = ("WRITE_EMPTY", "WRITE_TRUNCATE", "WRITE_APPEND")
CREATE_DISPOSITIONS = ("CREATE_IF_NEEDED", "CREATE_NEVER")


def _choice(query: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = str(query.get(name) or allowed[0]).upper()
    if value not in allowed:
        raise InvalidError(
            f"Invalid value for {name}: {query[name]!r}; expected " + ", ".join(allowed),
            location=name,
        )
    return value


@dataclass(frozen=True)
class Destination:
    """Where a query job writes its rows, and what it may do to the table there."""

    name: exp.Table
    write_disposition: str = "WRITE_EMPTY"
    create_disposition: str = "CREATE_IF_NEEDED"
    # What the job says the table should be: partitioning, clustering, destinationTableProperties.
    table_metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_configuration(cls, query: dict[str, Any]) -> Destination | None:
        """Return a query configuration's destination, or None if it names no table."""
        ref = query.get("destinationTable")
        if not ref:
            return None
        if not isinstance(ref, dict) or not ref.get("datasetId") or not ref.get("tableId"):
            raise InvalidError(
                "configuration.query.destinationTable needs datasetId and tableId",
                location="destinationTable",
            )
        check_id("Table", ref["tableId"], location="destinationTable")
        name = exp.table_(
            str(ref["tableId"]), db=str(ref["datasetId"]), catalog=ref.get("projectId") or None
        )
        return cls(
            name,
            _choice(query, "writeDisposition", WRITE_DISPOSITIONS),
            _choice(query, "createDisposition", CREATE_DISPOSITIONS),
            {
                key: query[key]
                for key in (*metadata.DESTINATION_KEYS, "destinationTableProperties")
                if query.get(key)
            },
        )

    def permission(self, ctx: Context) -> str:
        """Return what writing needs: tables.updateData on a table, tables.create for a new one."""
        try:
            dataset, exists = ctx.resolve(self.name)
        except BigQueryError:
            return TABLES_CREATE  # the name does not resolve; the run reports why
        table = (
            Table.objects.filter(dataset=dataset, table_id=self.name.name).first()
            if exists
            else None
        )
        return TABLES_UPDATE_DATA if table is not None and not table.expired else TABLES_CREATE

    def prepare(self, ctx: Context) -> tuple[Dataset, Table | None]:
        """Return the destination's dataset and table (None if new) once it may be written."""
        dataset = ctx.dataset(self.name, permission=TARGET)
        table = Table.objects.filter(dataset=dataset, table_id=self.name.name).first()
        if table is not None and table.expired:
            # The dataset's default expiration passed: the table is gone, as in BigQuery.
            table.delete_with_files()
            table = None
        if table is None and self.create_disposition == "CREATE_NEVER":
            raise NotFoundError(f"Not found: Table {dataset.full_id}.{self.name.name}")
        if table is not None and self.write_disposition == "WRITE_EMPTY" and table.num_rows:
            raise DuplicateError(f"Already Exists: Table {table.full_id}")
        return dataset, table

    def write(self, dataset: Dataset, table: Table | None, reader: pa.RecordBatchReader) -> Table:
        """Commit the query's rows as the destination's next version and return the table.

        table is what prepare found. WRITE_TRUNCATE replaces whatever is there at commit, so it
        needs no check; appending or filling an empty table fails if another writer committed
        first, since their rows would otherwise be lost.
        """
        truncate = self.write_disposition == "WRITE_TRUNCATE"
        # A new table takes the job's partitioning and clustering, checked against the query's
        # columns before any row is written; an existing one must already have them.
        changes = (
            metadata.destination_changes(
                dataset,
                self.name.name,
                table,
                self.table_metadata,
                schema_from_arrow(reader.schema),
            )
            if self.table_metadata
            else {}
        )
        written = tables.write_version(
            dataset,
            self.name.name,
            reader.schema,
            None,
            reader,
            read=None if truncate else table,
            append=self.write_disposition == "WRITE_APPEND",
            new=table is None and not truncate,
        )
        if changes:
            metadata.assign(written, changes)
        return written
