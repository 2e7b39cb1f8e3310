"""`python3 manage.py bq ...`: the bq CLI's everyday commands, flags and output, against Quarry."""

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
from django.core.management.base import BaseCommand
from kombu.exceptions import OperationalError

from console.catalog.models import Dataset, MLModel, Project, Routine, Table
from console.celery import app as celery_app
from console.cli import format as fmt
from console.engine import inserts, params, routines
from console.engine.formats import option_name
from console.engine.results import read_rows
from console.engine.script import dry_run
from console.engine.types import parse_schema_string
from console.errors import BigQueryError, NotFoundError
from console.iam import access, roles
from console.iam.models import RoleBinding
from console.jobs.models import Job
from console.jobs.submit import submit


def _schema_fields(schema: str) -> list[dict[str, Any]]:
    """Return the fields of bq's schema argument: a JSON file of fields, or name:TYPE,..."""
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
    sub = parser.add_subparsers(dest="command", required=True)

    mk = sub.add_parser("mk", help="create a dataset")
    mk.add_argument("-d", "--dataset", action="store_true")
    mk.add_argument("--location", dest="mk_location", default=None)
    mk.add_argument("--description", default="")
    mk.add_argument("--default_table_expiration", type=int, default=None, help="seconds")
    mk.add_argument("name")

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
    query.add_argument("--destination_table", default="")
    query.add_argument("--replace", action="store_true")
    query.add_argument("--append_table", action="store_true")
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
    rm.add_argument("--routine", action="store_true")
    rm.add_argument("name")
    return parser


class Command(BaseCommand):
    help = "The bq CLI's commands against Quarry: mk, ls, show, load, query, head, insert, cp, rm."

    def run_from_argv(self, argv: list[str]) -> None:
        # bq's grammar (global flags, then a command) is not Django's; parse it ourselves.
        sys.exit(self.execute_bq(argv[2:]))

    def execute_bq(self, argv: list[str]) -> int:
        args = build_parser().parse_args(argv)
        self.args = args
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
        dataset_id = args.name.split(":")[-1]
        self._check(roles.DATASETS_CREATE, Dataset(project=self.project, dataset_id=dataset_id))
        try:
            dataset = Dataset.create(
                self.project,
                args.name.split(":")[-1],
                location=args.mk_location or args.location,
                description=args.description,
                default_table_expiration_ms=(
                    args.default_table_expiration * 1000 if args.default_table_expiration else None
                ),
            )
        except BigQueryError as err:
            if err.reason == "duplicate":
                raise BigQueryError(
                    f"Dataset '{self.project}:{args.name}' already exists."
                ) from None
            raise BigQueryError(str(err)) from None
        self.stdout.write(f"Dataset '{dataset.full_id}' successfully created.")

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
            rows = [[d.dataset_id] for d in self.project.datasets.all()[: args.max_results]]
            self._out(["datasetId"], rows)
        elif args.models:
            dataset = self._dataset(args.name, "ls", roles.MODELS_LIST)
            rows = [
                [m.model_id, m.model_type, "", m.created.strftime("%d %b %H:%M:%S")]
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
                [t.table_id, "TABLE", "", "", ""] for t in dataset.tables.all()[: args.max_results]
            ]
            self._out(["tableId", "Type", "Labels", "Time Partitioning", "Clustered Fields"], rows)

    def _out(self, headers: list[str], rows: list[list[str]]) -> None:
        fmt_name = self.args.format
        if fmt_name in ("json", "prettyjson"):
            self.stdout.write(fmt.as_json(headers, rows, 2 if fmt_name == "prettyjson" else None))
        elif rows or fmt_name == "pretty":
            self.stdout.write(fmt.columns(headers, rows))

    def do_show(self, args: argparse.Namespace) -> None:
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
                            dataset.modified.strftime("%d %b %H:%M:%S"),
                            "",
                            "",
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
                    ["Id", "Model Type", "Feature Columns", "Label Columns", "Creation Time"],
                    [
                        [
                            model.model_id,
                            model.model_type,
                            ", ".join(f["name"] for f in model.feature_fields()),
                            ", ".join(f["name"] for f in model.label_fields()),
                            model.created.strftime("%d %b %H:%M:%S"),
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
        self.stdout.write(f"Table {table.full_id}\n")
        self.stdout.write(
            fmt.columns(
                ["Last modified", "Schema", "Total Rows", "Total Bytes"],
                [
                    [
                        table.modified.strftime("%d %b %H:%M:%S"),
                        tree.split("\n")[0] if tree else "",
                        str(table.num_rows),
                        str(table.num_bytes),
                    ]
                ],
            )
        )
        for line in tree.split("\n")[1:]:
            self.stdout.write(" " * 20 + line)

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
            with open(args.source, "rb") as handle:
                job = submit(self.principal, self.project, {"load": load}, handle)
        except FileNotFoundError:
            raise BigQueryError(f"Source file not found: {args.source}") from None
        self.stdout.write("Upload complete.")
        job = self._wait(job)
        self._raise_if_failed(job)

    def do_query(self, args: argparse.Namespace) -> None:
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
        job = submit(self.principal, self.project, config)
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
        table = self._existing_table(args.name, "head", roles.TABLES_GET_DATA)
        fields, rows, _ = read_rows(table, args.start_row, args.max_rows)
        if args.selected_fields:
            wanted = [name.strip() for name in args.selected_fields.split(",") if name.strip()]
            unknown = [name for name in wanted if name not in {f["name"] for f in fields}]
            if unknown:
                raise BigQueryError(f"Unrecognized field: {unknown[0]} in {table.full_id}")
            keep = [i for i, f in enumerate(fields) if f["name"] in wanted]
            fields, rows = [fields[i] for i in keep], [[row[i] for i in keep] for row in rows]
        self._rows(fields, rows, self.args.format)

    def do_insert(self, args: argparse.Namespace) -> int:
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

    def do_cp(self, args: argparse.Namespace) -> None:
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
        job = self._wait(job)
        self._raise_if_failed(job, keep_reason=True)
        noun = "Tables" if len(sources) > 1 else "Table"
        self.stdout.write(f"{noun} '{names}' successfully copied to '{target}'")

    def do_rm(self, args: argparse.Namespace) -> None:
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

    def _confirm(self, prompt: str) -> bool:
        self.stdout.write(f"{prompt} (y/N) ", ending="")
        self.stdout.flush()
        return sys.stdin.readline().strip().lower() in ("y", "yes")

    # Jobs ------------------------------------------------------------------------------------

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
    try:
        return bool(celery_app.control.ping(timeout=1.0))
    except (OperationalError, OSError):
        return False
