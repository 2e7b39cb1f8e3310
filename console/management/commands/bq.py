"""`python3 manage.py bq ...`: the bq CLI's everyday commands, flags and output, against Quarry.

Each command imports the engine modules it uses inside its own method: loading the engine costs
DuckDB, sqlglot and pyarrow, most of a second, which `bq ls` or `bq show` never needs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from kombu.exceptions import OperationalError

from console.catalog.models import Dataset, MLModel, Project, Routine, Table
from console.cli import format as fmt
from console.errors import BigQueryError, NotFoundError
from console.iam import access, roles
from console.iam.models import RoleBinding
from console.jobs.models import Job


def _migrate_if_needed() -> None:
    """Create or update the catalog's tables, as `serve` does: bq may be a new user's first step."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


def _schema_fields(schema: str) -> list[dict[str, Any]]:
    """Return the fields of bq's schema argument: a JSON file of fields, or name:TYPE,..."""
    from console.engine.types import parse_schema_string

    if not os.path.isfile(schema):
        return parse_schema_string(schema)
    try:
        with open(schema, encoding="utf-8") as handle:
            fields = json.load(handle)
    except (OSError, ValueError) as err:
        raise BigQueryError(f"Cannot read the schema file {schema}: {err}") from None
    return fields.get("fields", []) if isinstance(fields, dict) else fields


def _flag_bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes")


# bq load's on/off flags, each with its --no form; like its other options, named as the load
# option they set (in snake_case).
LOAD_SWITCHES = (
    "autodetect",
    "allow_jagged_rows",
    "allow_quoted_newlines",
    "ignore_unknown_values",
    "preserve_ascii_control_characters",
)
LOAD_OPTIONS = (
    "source_format",
    "field_delimiter",
    "skip_leading_rows",
    "max_bad_records",
    "null_marker",
    "encoding",
    "quote",
    *LOAD_SWITCHES,
)


def _add_metadata_flags(parser: argparse.ArgumentParser) -> None:
    """Add the flags bq mk and bq update share."""
    parser.add_argument("--clustering_fields", default=None, help="a,b,... (empty clears)")
    parser.add_argument("--friendly_name", default=None)


def _label_pairs(values: list[str], flag: str) -> dict[str, str]:
    """Return `key:value` flags as labels (a key alone gets an empty value, as in bq)."""
    labels = {}
    for value in values:
        key, _, text = value.partition(":")
        if not key:
            raise BigQueryError(f"Invalid {flag} {value!r}: expected key:value")
        labels[key] = text
    return labels


def _seconds_from_now_ms(seconds: int) -> str | None:
    """Return bq's --expiration (seconds from now; 0 for none) as a REST expirationTime."""
    if not seconds:
        return None
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    return str(int(moment.timestamp() * 1000))


# The bq mk and update flags that only some kinds of object take (the rest apply to all).
FLAGS_FOR = {
    "expiration": ("table", "model"),
    "clustering_fields": ("table",),
    "time_partitioning_type": ("table",),
    "time_partitioning_field": ("table",),
    "time_partitioning_expiration": ("table",),
    "range_partitioning": ("table",),
    "require_partition_filter": ("table",),
    "schema_flag": ("table",),
    "schema": ("table",),
    "default_table_expiration": ("dataset",),
    "default_partition_expiration": ("dataset",),
    "mk_location": ("dataset",),
}


def _refuse_flags_not_for(kind: str, args: argparse.Namespace) -> None:
    """Refuse a flag that does not apply to the object made or updated, rather than ignore it."""
    for flag, kinds in FLAGS_FOR.items():
        if getattr(args, flag, None) is not None and kind not in kinds:
            name = {"schema_flag": "schema", "mk_location": "location"}.get(flag, flag)
            raise BigQueryError(f"--{name} cannot be used for a {kind}")


def _refuse_legacy_views(args: argparse.Namespace) -> None:
    if args.use_legacy_sql:
        raise BigQueryError(
            "Legacy SQL views are not supported by Quarry: pass --use_legacy_sql=false and "
            "write the query in GoogleSQL"
        )


def _range_partitioning(text: str) -> dict[str, Any]:
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 4:
        raise BigQueryError(
            f"Invalid --range_partitioning {text!r}: expected field,start,end,interval"
        )
    field, start, end, interval = parts
    return {"field": field, "range": {"start": start, "end": end, "interval": interval}}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py bq", description="bq for Quarry")
    parser.add_argument(
        "--format",
        default="pretty",
        choices=["pretty", "json", "prettyjson", "csv", "none", "sparse"],
    )
    parser.add_argument("--project_id", default="")
    parser.add_argument("--dataset_id", default="", help="the default dataset for queries")
    parser.add_argument("--location", default="US")
    parser.add_argument(
        "--user",
        default=os.environ.get("QUARRY_USER", ""),
        help="act as this user (default: $QUARRY_USER; else anonymous, where settings allow it)",
    )
    parser.add_argument("--sync", action="store_true", default=True)
    parser.add_argument(
        "--nosync", dest="sync", action="store_false", help="start jobs and print their IDs"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    mk = sub.add_parser("mk", help="create a dataset or a table")
    mk.add_argument("-d", "--dataset", action="store_true")
    mk.add_argument("-t", "--table", action="store_true")
    mk.add_argument("--location", dest="mk_location", default=None)
    mk.add_argument("--description", default=None)
    mk.add_argument("--default_table_expiration", type=int, default=None, help="seconds")
    mk.add_argument("--view", default="", help="create a view with this GoogleSQL query")
    mk.add_argument("--use_legacy_sql", type=_flag_bool, default=False)
    mk.add_argument("--nouse_legacy_sql", dest="use_legacy_sql", action="store_false")
    mk.add_argument("-f", "--force", action="store_true", help="ignore an existing view")
    mk.add_argument("--default_partition_expiration", type=int, default=None, help="seconds")
    mk.add_argument("--schema", dest="schema_flag", default=None, help="name:TYPE,... or a file")
    mk.add_argument("--expiration", type=int, default=None, help="seconds from now")
    mk.add_argument("--time_partitioning_type", default=None)
    mk.add_argument("--time_partitioning_field", default=None)
    mk.add_argument("--time_partitioning_expiration", type=int, default=None, help="seconds")
    mk.add_argument("--range_partitioning", default=None, help="field,start,end,interval")
    mk.add_argument("--require_partition_filter", action="store_true", default=None)
    mk.add_argument(
        "--norequire_partition_filter", dest="require_partition_filter", action="store_false"
    )
    _add_metadata_flags(mk)
    mk.add_argument("--label", action="append", default=[], help="key:value (repeatable)")
    mk.add_argument("name")
    mk.add_argument("schema", nargs="?", default=None, help="name:TYPE,... or a JSON file")

    update = sub.add_parser("update", help="change a dataset's, table's or model's metadata")
    update.add_argument("-d", "--dataset", action="store_true")
    update.add_argument("-t", "--table", action="store_true")
    update.add_argument("-m", "--model", action="store_true")
    update.add_argument("--description", default=None)
    update.add_argument("--expiration", type=int, default=None, help="seconds from now; 0 clears")
    update.add_argument("--default_table_expiration", type=int, default=None, help="seconds")
    update.add_argument("--default_partition_expiration", type=int, default=None, help="seconds")
    update.add_argument("--time_partitioning_expiration", type=int, default=None, help="seconds")
    update.add_argument("--set_label", action="append", default=[], help="key:value")
    update.add_argument("--clear_label", action="append", default=[], help="key")
    update.add_argument("--view", default=None, help="a view's new GoogleSQL query")
    update.add_argument("--use_legacy_sql", type=_flag_bool, default=False)
    update.add_argument("--nouse_legacy_sql", dest="use_legacy_sql", action="store_false")
    _add_metadata_flags(update)
    update.add_argument("name")

    ls = sub.add_parser("ls", help="list datasets, tables, models, routines or jobs")
    ls.add_argument("-m", "--models", action="store_true")
    ls.add_argument("--routines", action="store_true")
    ls.add_argument("-j", "--jobs", action="store_true")
    ls.add_argument("-d", "--datasets", action="store_true")
    ls.add_argument("-n", "--max_results", type=int, default=50)
    ls.add_argument("name", nargs="?", default="")

    show = sub.add_parser("show", help="describe a dataset, table, model, routine or job")
    show.add_argument("-m", "--model", action="store_true")
    show.add_argument("--routine", action="store_true")
    show.add_argument("-j", "--job", action="store_true")
    show.add_argument("--schema", action="store_true")
    show.add_argument("--view", action="store_true", help="show a view's query too")
    show.add_argument("name")

    load = sub.add_parser("load", help="load a CSV, JSON or Parquet file into a table")
    # As in bq, an option not given is left out of the load's configuration: BigQuery's default
    # applies (an unset --skip_leading_rows lets autodetect look for a header row).
    load.add_argument("--source_format")
    load.add_argument("-F", "--field_delimiter")
    load.add_argument("--skip_leading_rows", type=int)
    load.add_argument("--max_bad_records", type=int)
    load.add_argument("--null_marker")
    load.add_argument("-E", "--encoding")
    load.add_argument("--quote")
    for flag in LOAD_SWITCHES:
        load.add_argument(f"--{flag}", action="store_true", default=None)
        load.add_argument(f"--no{flag}", dest=flag, action="store_false")
    load.add_argument("--replace", action="store_true")
    load.add_argument("--noreplace", dest="replace", action="store_false")
    load.add_argument("destination")
    load.add_argument("source")
    load.add_argument("schema", nargs="?", default=None, help="name:TYPE,... or a JSON file")

    query = sub.add_parser("query", help="run a GoogleSQL query")
    query.add_argument("--use_legacy_sql", type=_flag_bool, default=False)
    query.add_argument("--nouse_legacy_sql", dest="use_legacy_sql", action="store_false")
    query.add_argument("-n", "--max_rows", type=int, default=100)
    query.add_argument("--dry_run", action="store_true")
    query.add_argument("--maximum_bytes_billed", type=int, default=None)
    query.add_argument("--destination_table", default="")
    query.add_argument("--replace", action="store_true")
    query.add_argument("--append_table", action="store_true")
    query.add_argument("--create_session", action="store_true")
    query.add_argument("--session_id", default="")
    query.add_argument(
        "--parameter",
        action="append",
        default=[],
        help="name:TYPE:value (name::value for a STRING, :TYPE:value positional); repeatable",
    )
    query.add_argument(
        "--format",
        dest="query_format",
        default=None,
        choices=["pretty", "json", "prettyjson", "csv", "none", "sparse"],
    )
    query.add_argument("sql", nargs="+")

    head = sub.add_parser("head", help="show the first rows of a table")
    head.add_argument("-n", "--max_rows", type=int, default=100)
    head.add_argument("-s", "--start_row", type=int, default=0)
    head.add_argument("-c", "--selected_fields", default="")
    head.add_argument("name")

    extract = sub.add_parser("extract", help="write a table to gs:// files (QUARRY_BUCKETS_DIR)")
    extract.add_argument(
        "--destination_format",
        default=None,
        choices=["CSV", "NEWLINE_DELIMITED_JSON", "PARQUET", "AVRO"],
    )
    extract.add_argument("--compression", default=None)
    extract.add_argument("-F", "--field_delimiter", default=None)
    extract.add_argument("--print_header", type=_flag_bool, default=None)
    extract.add_argument("--noprint_header", dest="print_header", action="store_false")
    extract.add_argument("source")
    extract.add_argument("destination_uris", help="gs://bucket/object[,gs://...]")

    cp = sub.add_parser("cp", help="copy one or more tables to another table")
    cp.add_argument("-f", "--force", action="store_true", help="replace without asking")
    cp.add_argument("-a", "--append_table", action="store_true")
    cp.add_argument("-n", "--no_clobber", action="store_true", help="do not replace")
    cp.add_argument("source", help="dataset.table, or several separated by commas")
    cp.add_argument("destination")

    insert = sub.add_parser("insert", help="stream JSON rows, one per line, into a table")
    insert.add_argument("-s", "--skip_invalid_rows", action="store_true")
    insert.add_argument("-i", "--ignore_unknown_values", action="store_true")
    insert.add_argument("name")
    insert.add_argument("file", nargs="?", help="the rows (default: standard input)")

    rm = sub.add_parser("rm", help="delete a dataset, table, model or routine")
    rm.add_argument("-r", "--recursive", action="store_true")
    rm.add_argument("-f", "--force", action="store_true")
    rm.add_argument("-d", "--dataset", action="store_true")
    rm.add_argument("-t", "--table", action="store_true")
    rm.add_argument("-m", "--model", action="store_true")
    rm.add_argument("-j", "--job", action="store_true")
    rm.add_argument("--routine", action="store_true")
    rm.add_argument("name")

    cancel = sub.add_parser("cancel", help="cancel a job (waiting until it ends unless --nosync)")
    cancel.add_argument("job_id")
    return parser


class Command(BaseCommand):
    help = (
        "The bq CLI's commands against Quarry: mk, ls, show, update, load, query, head, insert, "
        "extract, cp, rm, cancel."
    )

    def run_from_argv(self, argv: list[str]) -> None:
        # bq's grammar (global flags, then a command) is not Django's; parse it ourselves.
        sys.exit(self.execute_bq(argv[2:]))

    def execute_bq(self, argv: list[str]) -> int:
        args = build_parser().parse_args(argv)
        self.args = args
        _migrate_if_needed()
        try:
            self.principal = self._principal(args)
            self.project = self._project(args)
            status = getattr(self, f"do_{args.command}")(args)
        except BigQueryError as err:
            self.stderr.write(fmt.error_line(args.command, err))
            return fmt.exit_code(args.command, err)
        return status or 0

    def _principal(self, args: argparse.Namespace) -> Any:
        """Return the user --user names, or anonymous where settings allow it."""
        if not args.user:
            if not settings.QUARRY_ANONYMOUS_ACCESS:
                raise BigQueryError(
                    "Anonymous access is off (QUARRY_ANONYMOUS_ACCESS=false): pass --user=NAME "
                    "or set QUARRY_USER"
                )
            return AnonymousUser()
        user_model = get_user_model()
        user = user_model.objects.filter(username=args.user).first()
        if user is None:
            user = user_model.objects.filter(email__iexact=args.user).order_by("pk").first()
        if user is None or not user.is_active:
            raise BigQueryError(f"Unknown or inactive user {args.user!r} (--user)")
        return user

    def _project(self, args: argparse.Namespace) -> Project:
        """Return the --project_id project; a new one is created with its creator as owner."""
        if not args.project_id:
            return Project.default()
        project, created = Project.objects.get_or_create(project_id=args.project_id)
        if created and self.principal.is_authenticated:
            RoleBinding.grant(project, self.principal, "roles/owner")
        return project

    def _raise_if_failed(self, job: Job, keep_reason: bool = False) -> None:
        """Raise bq's "Error processing job" for a failed job (cp exits 2 when it is notFound)."""
        if job.error_result:
            raise BigQueryError(
                f"Error processing job '{self.project}:{job.job_id}': "
                f"{job.error_result['message']}",
                job.error_result.get("reason") if keep_reason else None,
            )

    def _check(self, permission: str, resource: access.Resource) -> None:
        access.check(self.principal, permission, resource)

    # Names -----------------------------------------------------------------------------------

    def _split(self, name: str, operation: str) -> tuple[str, str]:
        name = name.split(":", 1)[-1]
        if "." not in name:
            raise BigQueryError(f'Invalid identifier "{name}": expected dataset.table')
        dataset_id, _, table_id = name.rpartition(".")
        return dataset_id.split(".")[-1], table_id

    def _dataset(
        self, dataset_id: str, operation: str, permission: str = roles.DATASETS_GET
    ) -> Dataset:
        """Return a dataset of the project, checking permission before revealing existence."""
        dataset_id = dataset_id.split(":")[-1]
        found = access.find(
            self.principal, permission, Dataset, project=self.project, dataset_id=dataset_id
        )
        if found is None:
            raise NotFoundError(f"Not found: Dataset {self.project}:{dataset_id}")
        return found

    def _routine(self, name: str, operation: str, permission: str) -> Routine:
        """Return the routine dataset.name names, checking permission before revealing it."""
        dataset_id, routine_id = self._split(name, operation)
        dataset = self._dataset(dataset_id, operation)
        routine = access.find(
            self.principal, permission, Routine, dataset=dataset, routine_id=routine_id
        )
        if routine is None:
            raise NotFoundError(f"Not found: Routine {dataset.full_id}.{routine_id}")
        return routine

    # Commands --------------------------------------------------------------------------------

    def do_mk(self, args: argparse.Namespace) -> None:
        from console.engine import metadata

        if args.view:
            self._mk_view(args)
            return
        # As bq, a name with a dot is a table unless -d says otherwise.
        table = args.table or ("." in args.name.split(":")[-1] and not args.dataset)
        _refuse_flags_not_for("table" if table else "dataset", args)
        if table:
            self._mk_table(args)
            return
        dataset_id = args.name.split(":")[-1]
        reference = Dataset(project=self.project, dataset_id=dataset_id)
        self._check(roles.DATASETS_CREATE, reference)
        body: dict[str, Any] = {"labels": _label_pairs(args.label, "--label")}
        if args.description is not None:
            body["description"] = args.description
        if args.friendly_name is not None:
            body["friendlyName"] = args.friendly_name
        if args.default_table_expiration:
            body["defaultTableExpirationMs"] = args.default_table_expiration * 1000
        if args.default_partition_expiration:
            body["defaultPartitionExpirationMs"] = args.default_partition_expiration * 1000
        try:
            changes = metadata.dataset_changes(reference, body)
            dataset = Dataset.create(
                self.project, dataset_id, location=args.mk_location or args.location
            )
        except BigQueryError as err:
            if err.reason == "duplicate":
                raise BigQueryError(
                    f"Dataset '{self.project}:{args.name}' already exists."
                ) from None
            raise BigQueryError(str(err)) from None
        metadata.assign(dataset, changes)
        self.stdout.write(f"Dataset '{dataset.full_id}' successfully created.")

    def _update_view(self, view: Table, args: argparse.Namespace) -> Table:
        """Give a view a new query (and so the schema that query returns), as tables.patch does."""
        from console.engine import views

        _refuse_legacy_views(args)
        if view.table_type != Table.Type.VIEW:
            raise BigQueryError(f"{view.full_id} is a table, not a view: --view updates a view")
        return views.write_view(self.principal, view.dataset, view.table_id, args.view, view)

    def _mk_view(self, args: argparse.Namespace) -> None:
        from console.engine import views

        _refuse_legacy_views(args)
        dataset_id, view_id = self._split(args.name, "mk")
        dataset = self._dataset(dataset_id, "mk")
        self._check(roles.TABLES_CREATE, Table(dataset=dataset, table_id=view_id))
        reference = f"{dataset.full_id}.{view_id}"
        if dataset.tables.filter(table_id=view_id).exists():
            message = (
                f"View '{reference}' could not be created; a table with this name already exists."
            )
            if not args.force:
                raise BigQueryError(message)
            self.stdout.write(message)
            return
        views.write_view(
            self.principal, dataset, view_id, args.view, description=args.description or ""
        )
        self.stdout.write(f"View '{reference}' successfully created.")

    def _mk_table(self, args: argparse.Namespace) -> None:
        from console.engine import metadata
        from console.engine.types import checked_fields

        dataset_id, table_id = self._split(args.name, "mk")
        dataset = self._dataset(dataset_id, "mk")
        self._check(roles.TABLES_CREATE, Table(dataset=dataset, table_id=table_id))
        schema = args.schema_flag or args.schema
        fields = checked_fields(_schema_fields(schema)) if schema else None
        body = self._metadata_body(args, _label_pairs(args.label, "--label"))
        if args.time_partitioning_type or args.time_partitioning_field:
            body["timePartitioning"] = {"type": args.time_partitioning_type or "DAY"}
            if args.time_partitioning_field:
                body["timePartitioning"]["field"] = args.time_partitioning_field
            if args.time_partitioning_expiration:
                expiration_ms = args.time_partitioning_expiration * 1000
                body["timePartitioning"]["expirationMs"] = expiration_ms
        if args.range_partitioning:
            body["rangePartitioning"] = _range_partitioning(args.range_partitioning)
        if args.require_partition_filter is not None:
            body["requirePartitionFilter"] = args.require_partition_filter
        try:
            table = metadata.create_table(dataset, table_id, fields, body)
        except BigQueryError as err:
            if err.reason == "duplicate":
                raise BigQueryError(
                    f"Table '{dataset.full_id}.{table_id}' already exists."
                ) from None
            raise
        self.stdout.write(f"Table '{table.full_id}' successfully created.")

    def _metadata_body(self, args: argparse.Namespace, labels: dict[str, Any]) -> dict[str, Any]:
        """Return the resource fields the flags bq mk and bq update share set."""
        body: dict[str, Any] = {"labels": labels} if labels else {}
        if args.description is not None:
            body["description"] = args.description
        if args.friendly_name is not None:
            body["friendlyName"] = args.friendly_name
        if args.expiration is not None:
            body["expirationTime"] = _seconds_from_now_ms(args.expiration)
        if args.clustering_fields is not None:
            names = [n.strip() for n in args.clustering_fields.split(",") if n.strip()]
            body["clustering"] = {"fields": names} if names else None
        return body

    def do_update(self, args: argparse.Namespace) -> None:
        from console.engine import metadata

        labels: dict[str, Any] = _label_pairs(args.set_label, "--set_label")
        labels.update(dict.fromkeys(args.clear_label))
        body = self._metadata_body(args, labels)
        name = args.name.split(":")[-1]
        kind = "model" if args.model else "dataset" if args.dataset or "." not in name else "table"
        _refuse_flags_not_for(kind, args)
        if args.model:
            dataset_id, model_id = self._split(name, "update")
            dataset = self._dataset(dataset_id, "update")
            model = access.find(
                self.principal,
                roles.MODELS_UPDATE_METADATA,
                MLModel,
                dataset=dataset,
                model_id=model_id,
            )
            if model is None:
                raise NotFoundError(f"Not found: Model {dataset.full_id}.{model_id}")
            metadata.update_model(model, body)
            self.stdout.write(f"Model '{model.full_id}' successfully updated.")
        elif args.dataset or "." not in name:
            dataset = self._dataset(name, "update", roles.DATASETS_UPDATE)
            for flag, key in (
                ("default_table_expiration", "defaultTableExpirationMs"),
                ("default_partition_expiration", "defaultPartitionExpirationMs"),
            ):
                seconds = getattr(args, flag)
                if seconds is not None:
                    body[key] = seconds * 1000 if seconds else None
            metadata.update_dataset(dataset, body)
            self.stdout.write(f"Dataset '{dataset.full_id}' successfully updated.")
        else:
            table = self._existing_table(name, "update", roles.TABLES_UPDATE)
            if args.view is not None:
                table = self._update_view(table, args)
            if args.time_partitioning_expiration is not None:
                if not table.time_partitioning:
                    raise BigQueryError(
                        f"--time_partitioning_expiration needs a table partitioned by time; "
                        f"{table.full_id} is not"
                    )
                seconds = args.time_partitioning_expiration
                partitioning = {
                    k: v for k, v in table.time_partitioning.items() if k != "expirationMs"
                }
                if seconds > 0:
                    partitioning["expirationMs"] = seconds * 1000
                body["timePartitioning"] = partitioning
            metadata.update_table(table, body)
            kind = "View" if args.view is not None else "Table"
            self.stdout.write(f"{kind} '{table.full_id}' successfully updated.")

    def do_ls(self, args: argparse.Namespace) -> None:
        if args.jobs:
            self._check(roles.JOBS_LIST, self.project)
            jobs = Job.objects.filter(project=self.project)
            if not access.can(self.principal, roles.JOBS_LIST_ALL, self.project):
                jobs = jobs.filter(user=self.principal)
            jobs = jobs[: args.max_results]
            rows = [
                [
                    j.job_id,
                    j.job_type.lower(),
                    j.status_label,
                    j.created.strftime("%d %b %H:%M:%S"),
                    _duration(j),
                ]
                for j in jobs
            ]
            self._out(["jobId", "Job Type", "State", "Start Time", "Duration"], rows)
        elif not args.name:
            self._check(roles.DATASETS_GET, self.project)
            rows = [[d.dataset_id] for d in self.project.datasets.listed()[: args.max_results]]
            self._out(["datasetId"], rows)
        elif args.models:
            dataset = self._dataset(args.name, "ls", roles.MODELS_LIST)
            rows = [
                [m.model_id, m.model_type, fmt.labels_text(m.labels), fmt.time_text(m.created)]
                for m in dataset.models.all()[: args.max_results]
            ]
            self._out(["Id", "Model Type", "Labels", "Creation Time"], rows)
        elif args.routines:
            dataset = self._dataset(args.name, "ls", roles.ROUTINES_LIST)
            headers = ["Id", "Routine Type", "Language", "Creation Time", "Last Modified Time"]
            # Quarry has no remote functions; bq shows the column all the same.
            rows = [
                [r.routine_id, r.routine_type, r.language, _time(r.created), _time(r.modified)]
                + ["No"]
                for r in dataset.routines.all()[: args.max_results]
            ]
            self._out([*headers, "Is Remote"], rows)
        else:
            dataset = self._dataset(args.name, "ls", roles.TABLES_LIST)
            rows = [
                [
                    t.table_id,
                    t.table_type,
                    fmt.labels_text(t.labels),
                    fmt.time_partitioning_text(t.time_partitioning),
                    ", ".join(t.clustering_fields or []),
                ]
                for t in dataset.tables.all()[: args.max_results]
            ]
            self._out(["tableId", "Type", "Labels", "Time Partitioning", "Clustered Fields"], rows)

    def _out(self, headers: list[str], rows: list[list[str]]) -> None:
        fmt_name = self.args.format
        if fmt_name in ("json", "prettyjson"):
            self.stdout.write(fmt.as_json(headers, rows, 2 if fmt_name == "prettyjson" else None))
        elif rows or fmt_name == "pretty":
            self.stdout.write(fmt.columns(headers, rows))

    def do_show(self, args: argparse.Namespace) -> None:
        from console.engine import routines

        if args.job:
            self._show_job(args.name)
            return
        if "." not in args.name.split(":")[-1]:
            dataset = self._dataset(args.name, "show")
            self.stdout.write(f"Dataset {dataset.full_id}\n")
            self.stdout.write(
                fmt.columns(
                    ["Last modified", "ACLs", "Labels", "Location", "Description"],
                    [
                        [
                            fmt.time_text(dataset.modified),
                            "",
                            fmt.labels_text(dataset.labels),
                            dataset.location,
                            dataset.description,
                        ]
                    ],
                )
            )
            return
        if args.routine:
            routine = self._routine(args.name, "show", roles.ROUTINES_GET)
            self.stdout.write(f"Routine {routine.full_id}\n")
            headers = ["Id", "Routine Type", "Language", "Signature", "Definition"]
            row = [routine.routine_id, routine.routine_type, routine.language]
            row += [routines.signature(routine), routine.definition_body]
            headers += ["Creation Time", "Last Modified Time"]
            self._out(headers, [[*row, _time(routine.created), _time(routine.modified)]])
            return
        if args.model:
            dataset_id, name = self._split(args.name, "show")
            dataset = self._dataset(dataset_id, "show")
            model = access.find(
                self.principal, roles.MODELS_GET_METADATA, MLModel, dataset=dataset, model_id=name
            )
            if model is None:
                raise NotFoundError(f"Not found: Model {dataset.full_id}.{name}")
            self.stdout.write(f"Model {model.full_id}\n")
            self.stdout.write(
                fmt.columns(
                    [
                        "Id",
                        "Model Type",
                        "Feature Columns",
                        "Label Columns",
                        "Labels",
                        "Creation Time",
                        "Expiration Time",
                    ],
                    [
                        [
                            model.model_id,
                            model.model_type,
                            ", ".join(f["name"] for f in model.feature_fields()),
                            ", ".join(f["name"] for f in model.label_fields()),
                            fmt.labels_text(model.labels),
                            fmt.time_text(model.created),
                            fmt.time_text(model.expiration_time),
                        ]
                    ],
                )
            )
            return
        table = self._existing_table(args.name, "show", roles.TABLES_GET)
        if args.schema:
            indent = 2 if self.args.format == "prettyjson" else None
            self.stdout.write(json.dumps(table.schema, indent=indent))
            return
        tree = "\n".join(f"|- {f['name']}: {f['type'].lower()}" for f in table.schema)
        headers = [
            "Last modified",
            "Schema",
            "Total Rows",
            "Total Bytes",
            "Expiration",
            "Time Partitioning",
            "Clustered Fields",
            "Total Logical Bytes",
            "Total Physical Bytes",
            "Labels",
        ]
        row = [
            fmt.time_text(table.modified),
            tree,
            str(table.num_rows),
            str(table.num_bytes),
            fmt.time_text(table.expiration_time),
            fmt.time_partitioning_text(table.time_partitioning),
            ", ".join(table.clustering_fields or []),
            str(table.num_bytes),
            str(table.num_bytes),
            fmt.labels_text(table.labels),
        ]
        if table.range_partitioning:
            # bq shows a Range Partitioning column only for tables that have one.
            headers.insert(6, "Range Partitioning")
            row.insert(6, fmt.range_partitioning_text(table.range_partitioning))
        self.stdout.write(f"Table {table.full_id}\n")
        if table.table_type == Table.Type.VIEW:
            self._show_view(table, tree, args.view)
            return
        self.stdout.write(fmt.columns(headers, [row]))

    def _show_view(self, view: Table, tree: str, with_query: bool) -> None:
        """Print a view as bq does: its own columns, and its query with --view."""
        headers = ["Last modified", "Schema", "Type", "Expiration", "Labels"]
        row = [
            view.modified.strftime("%d %b %H:%M:%S"),
            tree,
            "VIEW",
            view.expiration_time.strftime("%d %b %H:%M:%S") if view.expiration_time else "",
            fmt.labels_text(view.labels),
        ]
        if with_query:
            headers.append("Query")
            row.append(view.view_query)
        self.stdout.write(fmt.columns(headers, [row]))

    def _show_job(self, name: str) -> None:
        job_id = name.split(":")[-1].split(".")[-1]
        job = Job.objects.filter(project=self.project, job_id=job_id).first()
        self._check(roles.JOBS_GET, job or Job(project=self.project, job_id=job_id))
        if job is None:
            raise NotFoundError(f"Not found: Job {self.project}:{self.args.location}.{job_id}")
        stats = job.statistics or {}
        self.stdout.write(f"Job {self.project}:{job.job_id}\n")
        self.stdout.write(
            fmt.columns(
                ["Job Type", "State", "Start Time", "Duration", "User Email", "Bytes Processed"],
                [
                    [
                        job.job_type.lower(),
                        job.status_label,
                        (job.started or job.created).strftime("%d %b %H:%M:%S"),
                        _duration(job),
                        job.user_email,
                        str(stats.get("totalBytesProcessed", stats.get("outputRows", ""))),
                    ]
                ],
            )
        )
        if job.error_result:
            self.stdout.write(
                f"\nErrors encountered during job execution. {job.error_result['message']}"
            )

    def do_load(self, args: argparse.Namespace) -> None:
        from console.engine.formats import option_name
        from console.jobs.submit import submit

        dataset_id, table_id = self._split(args.destination, "load")
        load: dict[str, Any] = {
            "destinationTable": {
                "projectId": self.project.project_id,
                "datasetId": dataset_id,
                "tableId": table_id,
            },
            **{
                option_name(flag): getattr(args, flag)
                for flag in LOAD_OPTIONS
                if getattr(args, flag) is not None
            },
        }
        if args.replace:
            load["writeDisposition"] = "WRITE_TRUNCATE"
        try:
            if args.schema:
                load["schema"] = {"fields": _schema_fields(args.schema)}
            if args.source.startswith("gs://"):
                load["sourceUris"] = [u.strip() for u in args.source.split(",") if u.strip()]
                job = submit(self.principal, self.project, {"load": load})
            else:
                with open(args.source, "rb") as handle:
                    job = submit(self.principal, self.project, {"load": load}, handle)
        except FileNotFoundError:
            raise BigQueryError(f"Source file not found: {args.source}") from None
        self.stdout.write("Upload complete.")
        if self._started("load", job):
            return
        job = self._wait(job)
        self._raise_if_failed(job)

    def do_query(self, args: argparse.Namespace) -> None:
        from console.engine import params
        from console.engine.results import read_rows
        from console.engine.script import dry_run
        from console.jobs.submit import submit

        if args.use_legacy_sql:
            raise BigQueryError("Legacy SQL is not supported by Quarry; pass --nouse_legacy_sql")
        sql = " ".join(args.sql)
        query = {"query": sql, "useLegacySql": False, **self._parameters(args)}
        if args.dry_run:
            checked = dry_run(
                self.project,
                sql,
                principal=self.principal,
                default_dataset=self.args.dataset_id or None,
                parameters=params.check(query),
            )
            self.stdout.write(
                "Query successfully validated. Assuming the tables are not modified, running this "
                f"query will process {checked['totalBytesProcessed']} bytes of data."
            )
            return
        config: dict[str, Any] = {"query": {**query, **self._destination(args)}}
        if self.args.dataset_id:
            config["query"]["defaultDataset"] = {
                "projectId": self.project.project_id,
                "datasetId": self.args.dataset_id,
            }
        if args.maximum_bytes_billed is not None:
            config["query"]["maximumBytesBilled"] = str(args.maximum_bytes_billed)
        if args.create_session:
            config["query"]["createSession"] = True
        if args.session_id:
            config["query"]["connectionProperties"] = [
                {"key": "session_id", "value": args.session_id}
            ]
        job = submit(self.principal, self.project, config)
        if args.create_session and job.session is not None:
            # As bq does: the ID to pass to --session_id for the session's next queries.
            self.stdout.write(f"In session: {job.session.session_id}")
        if self._started("query", job):
            return
        job = self._wait(job)
        self._raise_if_failed(job)
        stats = job.statistics
        kinds = ("ddlTargetTable", "ddlTargetModel", "ddlTargetRoutine")
        target = next((stats[kind] for kind in kinds if stats.get(kind)), None)
        if target:
            name = target.get("tableId") or target.get("modelId") or target.get("routineId")
            verb = {
                "CREATE": "Created",
                "REPLACE": "Replaced",
                "DROP": "Dropped",
                "SKIP": "Skipped",
            }.get(stats.get("ddlOperationPerformed", ""), "Done")
            self.stdout.write(f"{verb} {target['projectId']}.{target['datasetId']}.{name}")
            return
        if "numDmlAffectedRows" in stats:
            self.stdout.write(f"Number of affected rows: {stats['numDmlAffectedRows']}")
            return
        if not job.result_path:
            return
        fields, rows, _ = read_rows((job.result_path, job.result_schema), 0, args.max_rows)
        self._rows(fields, rows, args.query_format or self.args.format)

    def _parameters(self, args: argparse.Namespace) -> dict[str, Any]:
        """Return the query configuration's parameters from bq's --parameter flags."""
        from console.engine import params

        given = [params.from_cli(text) for text in args.parameter]
        if not given:
            return {}
        mode = "NAMED" if given[0].get("name") else "POSITIONAL"
        return {"queryParameters": given, "parameterMode": mode}

    def _destination(self, args: argparse.Namespace) -> dict[str, Any]:
        """Return the query configuration's destinationTable and writeDisposition, if any.

        The worker writes the rows to the table, checking permissions and the table's version.
        """
        if not args.destination_table:
            return {}
        if args.replace and args.append_table:
            raise BigQueryError("Cannot specify both --replace and --append_table")
        dataset_id, table_id = self._split(args.destination_table, "query")
        disposition = (
            "WRITE_TRUNCATE"
            if args.replace
            else "WRITE_APPEND"
            if args.append_table
            else "WRITE_EMPTY"
        )
        reference = {
            "projectId": self.project.project_id,
            "datasetId": dataset_id,
            "tableId": table_id,
        }
        return {"destinationTable": reference, "writeDisposition": disposition}

    def _rows(self, fields: list[dict[str, Any]], rows: list[list[Any]], fmt_name: str) -> None:
        names = [f["name"] for f in fields]
        if fmt_name == "json":
            self.stdout.write(fmt.as_json(names, rows))
        elif fmt_name == "prettyjson":
            self.stdout.write(fmt.as_json(names, rows, indent=2))
        elif fmt_name == "csv":
            try:
                self.stdout.write(fmt.as_csv(names, rows, fields))
            except ValueError as err:
                raise BigQueryError(str(err)) from None
        elif fmt_name != "none":
            self.stdout.write(fmt.pretty(names, rows))

    def _existing_table(self, name: str, operation: str, permission: str) -> Table:
        dataset_id, table_id = self._split(name, operation)
        dataset = self._dataset(dataset_id, operation)
        table = access.find(self.principal, permission, Table, dataset=dataset, table_id=table_id)
        if table is None:
            raise NotFoundError(f"Not found: Table {dataset.full_id}.{table_id}")
        return table

    def do_head(self, args: argparse.Namespace) -> None:
        from console.engine import selection
        from console.engine.results import read_rows

        table = self._existing_table(args.name, "head", roles.TABLES_GET_DATA)
        if table.table_type == Table.Type.VIEW:
            raise BigQueryError("Cannot list a table of type VIEW.")
        fields, rows, _ = read_rows(table, args.start_row, args.max_rows)
        fields, rows = selection.select_rows(fields, rows, args.selected_fields, table.full_id)
        self._rows(fields, rows, self.args.format)

    def do_insert(self, args: argparse.Namespace) -> int:
        from console.engine import inserts

        table = self._existing_table(args.name, "insert", roles.TABLES_UPDATE_DATA)
        rows = []
        with open(args.file, encoding="utf-8") if args.file else sys.stdin as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    rows.append({"json": json.loads(line)})
                except json.JSONDecodeError as err:
                    raise BigQueryError(f"Line {number} is not valid JSON: {err.msg}") from None
        errors = inserts.insert_rows(
            table,
            rows,
            skip_invalid_rows=args.skip_invalid_rows,
            ignore_unknown_values=args.ignore_unknown_values,
        )
        # bq's own report: one line per refused row, and exit status 1 if there is any.
        for error in errors:
            details = "".join(f"\t{e['reason']}: {e['message']}" for e in error["errors"])
            self.stdout.write(f"record {error['index']} errors: {details}")
        return 1 if errors else 0

    def _table_ref(self, name: str) -> dict[str, str]:
        project_id, _, rest = name.rpartition(":")
        dataset_id, table_id = self._split(rest, "cp")
        return {
            "projectId": project_id or self.project.project_id,
            "datasetId": dataset_id,
            "tableId": table_id,
        }

    def do_extract(self, args: argparse.Namespace) -> None:
        from console.jobs.submit import submit

        extract: dict[str, Any] = {
            "sourceTable": self._table_ref(args.source),
            "destinationUris": [u.strip() for u in args.destination_uris.split(",") if u.strip()],
        }
        for option, value in (
            ("destinationFormat", args.destination_format),
            ("compression", args.compression),
            ("fieldDelimiter", args.field_delimiter),
            ("printHeader", args.print_header),
        ):
            if value is not None:
                extract[option] = value
        job = submit(self.principal, self.project, {"extract": extract})
        job = self._wait(job)
        self._raise_if_failed(job)

    def do_cp(self, args: argparse.Namespace) -> None:
        from console.jobs.submit import submit

        sources = [self._table_ref(n.strip()) for n in args.source.split(",") if n.strip()]
        if not sources:
            raise BigQueryError("Missing source table")
        destination = self._table_ref(args.destination)
        names = ", ".join(f"{r['projectId']}:{r['datasetId']}.{r['tableId']}" for r in sources)
        target = f"{destination['projectId']}:{destination['datasetId']}.{destination['tableId']}"
        exists = Table.objects.filter(
            dataset__project__project_id=destination["projectId"],
            dataset__dataset_id=destination["datasetId"],
            table_id=destination["tableId"],
        ).exists()
        # bq's rules: -a appends, -n never replaces, otherwise replace (asking unless -f).
        if args.append_table:
            disposition = "WRITE_APPEND"
        elif args.no_clobber:
            disposition = "WRITE_EMPTY"
            if exists:
                self.stdout.write(f"Table '{target}' already exists, skipping")
                return
        else:
            disposition = "WRITE_TRUNCATE"
            if exists and not args.force and not self._confirm(f"cp: replace {target}?"):
                self.stdout.write(f"NOT copying {names}, exiting.")
                return
        copy = {
            "sourceTables": sources,
            "destinationTable": destination,
            "writeDisposition": disposition,
        }
        job = submit(self.principal, self.project, {"copy": copy})
        if self._started("cp", job):
            return
        job = self._wait(job)
        self._raise_if_failed(job, keep_reason=True)
        noun = "Tables" if len(sources) > 1 else "Table"
        self.stdout.write(f"{noun} '{names}' successfully copied to '{target}'")

    def do_rm(self, args: argparse.Namespace) -> None:
        if args.job:
            self._rm_job(args)
            return
        name = args.name.split(":")[-1]
        if args.dataset or args.recursive or "." not in name:
            dataset = self._dataset(name, "rm", roles.DATASETS_DELETE)
            if not args.force and not self._confirm(f"rm: remove dataset '{dataset.full_id}'?"):
                return
            dataset.delete_with_contents(args.recursive)
            return
        if args.routine:
            routine = self._routine(name, "rm", roles.ROUTINES_DELETE)
            if args.force or self._confirm(f"rm: remove routine '{routine.full_id}'?"):
                routine.delete()
            return
        dataset_id, object_id = self._split(name, "rm")
        dataset = self._dataset(dataset_id, "rm")
        kind = "model" if args.model else "table"
        target = (
            access.find(
                self.principal, roles.MODELS_DELETE, MLModel, dataset=dataset, model_id=object_id
            )
            if args.model
            else access.find(
                self.principal, roles.TABLES_DELETE, Table, dataset=dataset, table_id=object_id
            )
        )
        if target is None:
            raise NotFoundError(f"Not found: {kind.title()} {dataset.full_id}.{object_id}")
        if not args.force and not self._confirm(f"rm: remove {kind} '{target.full_id}'?"):
            return

        target.delete_with_files()

    def _rm_job(self, args: argparse.Namespace) -> None:
        """Delete a DONE job's metadata, as bq rm -j does (-f: a missing job is no error)."""
        job_id = args.name.split(":")[-1].split(".")[-1]
        job = Job.objects.filter(project=self.project, job_id=job_id).first()
        self._check(roles.JOBS_DELETE, job or Job(project=self.project, job_id=job_id))
        if job is None:
            if args.force:
                return
            raise NotFoundError(f"Not found: Job {self.project}:{self.args.location}.{job_id}")
        reference = f"job '{self.project}:{job.job_id}'"
        if not args.force and not self._confirm(f"rm: remove {reference}?"):
            self.stdout.write(f"NOT deleting {reference}, exiting.")
            return
        job.delete_metadata()

    def do_cancel(self, args: argparse.Namespace) -> None:
        job_id = args.job_id.split(":")[-1].split(".")[-1]
        job = Job.objects.filter(project=self.project, job_id=job_id).first()
        self._check(roles.JOBS_UPDATE, job or Job(project=self.project, job_id=job_id))
        if job is None:
            raise NotFoundError(f"Not found: Job {self.project}:{self.args.location}.{job_id}")
        job.request_cancel()
        if self.args.sync and job.state != Job.State.DONE:
            job = self._wait(job)
        self._show_job(job.job_id)
        # bq's own three outcomes.
        if job.state != Job.State.DONE:
            self.stdout.write("Job cancel has been requested.")
        elif (job.error_result or {}).get("reason") == "stopped":
            self.stdout.write("Job has been cancelled successfully.")
        else:
            self.stdout.write("Job completed before it could be cancelled.")

    def _confirm(self, prompt: str) -> bool:
        self.stdout.write(f"{prompt} (y/N) ", ending="")
        self.stdout.flush()
        return sys.stdin.readline().strip().lower() in ("y", "yes")

    # Jobs ------------------------------------------------------------------------------------

    def _started(self, command: str, job: Job) -> bool:
        """With --nosync, print bq's line for a started job and return True: no waiting."""
        if self.args.sync:
            return False
        self.stdout.write(f"Successfully started {command} {self.project}:{job.job_id}")
        return True

    def _wait(self, job: Job) -> Job:
        """Poll a job until it is DONE, printing bq's waiting line and training progress."""
        started = time.monotonic()
        warned = False
        seen_iteration = -1
        # Like bq, redraw one status line on a terminal; print only the outcome elsewhere.
        interactive = sys.stdout.isatty()
        while True:
            job.refresh_from_db()
            elapsed = int(time.monotonic() - started)
            progress = ""
            latest = job.iterations.order_by("-iteration").first()
            if latest is not None:
                progress = f", iteration {latest.iteration}, training loss {latest.loss:.4f}"
                if not interactive and latest.iteration > seen_iteration:
                    # Numbered from 0, like ML.TRAINING_INFO and the console's Training tab.
                    self.stdout.write(
                        f"Training iteration {latest.iteration}: loss {latest.loss:.4f}"
                    )
                seen_iteration = latest.iteration
            if job.state == Job.State.DONE:
                status = f"Waiting on {job.job_id} ... ({elapsed}s) Current status: DONE"
                self.stdout.write(f"\r{status}{' ' * len(progress)}" if interactive else status)
                return job
            if (
                not warned
                and elapsed >= 3
                and job.state == Job.State.PENDING
                and not _worker_alive()
            ):
                self.stderr.write(
                    "No Quarry worker is running, so the job waits. Start Quarry with "
                    "`python3 manage.py serve` in another terminal."
                )
                warned = True
            if interactive:
                self.stdout.write(
                    f"\rWaiting on {job.job_id} ... ({elapsed}s) Current status: "
                    f"{job.state}{progress}",
                    ending="",
                )
                self.stdout.flush()
            time.sleep(0.2)


def _time(moment: Any) -> str:
    return moment.strftime("%d %b %H:%M:%S")


def _duration(job: Job) -> str:
    """Return a job's duration as bq prints it (0:00:01.250000)."""
    if job.duration_s is None:
        return ""
    return str(dt.timedelta(seconds=job.duration_s))


def _worker_alive() -> bool:
    from console.celery import app as celery_app

    try:
        return bool(celery_app.control.ping(timeout=1.0))
    except (OperationalError, OSError):
        return False
