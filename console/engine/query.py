"""Queries: parse a script, resolve and check every name and function, execute on DuckDB.

No SQL text from the user reaches DuckDB. The script is parsed with the BigQuery dialect, every
table name is resolved in the catalog and swapped for a relation the engine registered, the
functions are checked, and only then is DuckDB SQL generated from the checked tree.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from console.catalog import storage
from console.catalog.models import (
    Dataset,
    MLModel,
    Project,
    Routine,
    Table,
    is_anonymous_dataset,
    is_temporary_dataset,
)
from console.engine import billing, functions, information_schema, ml, routines, sandbox, tables
from console.engine.dialect import MLFunction
from console.engine.functions.arrays import result_arrays
from console.engine.functions.json_values import stored_json, with_json_types
from console.engine.functions.numbers import BIGNUMERIC_REFUSAL, INTERVAL_OF_TEXT
from console.engine.outcome import Outcome, RunContext
from console.engine.parse import check_functions, location, parse_script
from console.engine.transpile import bigquery_name, to_duckdb
from console.engine.types import (
    bigquery_arrow_schema,
    cast_array,
    cast_batch,
    googlesql_type_names,
    schema_from_arrow,
)
from console.errors import AccessDenied, BigQueryError, Cancelled, InvalidError, NotFoundError
from console.iam import access
from console.iam.roles import (
    DATASETS_GET,
    MODELS_GET_DATA,
    TABLES_GET_DATA,
)

if TYPE_CHECKING:
    from console.engine.destination import Destination

BATCH_ROWS = 128 * 1024

# How deeply views may read views, as in BigQuery.
MAX_VIEW_NESTING = 16
# The statements a query (a view's, or a SELECT job's) may be.
QUERY_TYPES = (exp.Select, exp.Union, exp.Intersect, exp.Except)


# The permission of a name that is one of its statement's targets: checked before the script ran.
TARGET = None

# The qualifier that names a session's (or a script's) temporary table: `_SESSION.t`.
SESSION_QUALIFIER = "_SESSION"

# How often a long-running job reads whether someone cancelled it.
CANCEL_CHECK_S = 0.5


def until_cancelled(
    cancelled: Callable[[], bool], batches: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """Pass batches through, stopping the job once someone has cancelled it (loads, copies)."""
    checked = time.monotonic()
    for batch in batches:
        if time.monotonic() - checked > CANCEL_CHECK_S:
            checked = time.monotonic()
            if cancelled():
                raise Cancelled()
        yield batch


@dataclass
class Context:
    """What one job's statements share: the catalog scope, who runs them, the DuckDB connection.

    Every name a statement reads or writes resolves through `dataset`, `table` or `model`. A
    name the statement reads is checked there; a name it writes is one of the statement's
    targets, which its kind declares and statements.authorize checked before anything ran
    (`permission=TARGET`).
    """

    project: Project
    default_dataset: str | None
    con: duckdb.DuckDBPyConnection | None
    principal: Any = None
    job_location: str = "US"
    # What the statements record; the runner keeps it whether or not they succeed.
    outcome: Outcome = field(default_factory=Outcome)
    run: RunContext | None = None
    # Where a SELECT writes its rows: configuration.query.destinationTable, if the job names one.
    destination: Destination | None = None
    bytes_processed: int = 0
    registered: dict[str, str] = field(default_factory=dict)
    ml_relations: int = 0
    # The script's temporary functions (CREATE TEMP FUNCTION), by their case-folded names.
    functions: dict[str, routines.Function] = field(default_factory=dict)
    # Each temporary function's CREATE statement as GoogleSQL text, which a session keeps.
    function_texts: dict[str, str] = field(default_factory=dict)
    # The hidden dataset of the job's temporary tables (RunContext.temp_dataset); "" for none.
    temp_dataset: str = ""
    # Whether the job runs in a session, and whether its SQL is a script of several statements:
    # a temporary table needs one or the other.
    in_session: bool = False
    in_script: bool = False
    # A dry run asks for the result's columns only: ML functions that can tell them without
    # computing rows return none.
    schema_only: bool = False
    _cancel_checked: float = 0.0

    def check_cancelled(self) -> None:
        """Stop the job if someone cancelled it; reads the database at most twice a second."""
        now = time.monotonic()
        if now - self._cancel_checked < CANCEL_CHECK_S:
            return
        self._cancel_checked = now
        if self.run is not None and self.run.cancelled():
            raise Cancelled()

    @property
    def job_pk(self) -> Any:
        """Return the running job's key, which training rows store; None in a dry run."""
        return self.run.job_pk if self.run is not None else None

    def publish_statistics(self) -> None:
        """Let the job show the statistics recorded so far while it still runs."""
        if self.run is not None:
            self.run.progress(dict(self.outcome.statistics))

    @classmethod
    def for_run(cls, run: RunContext, outcome: Outcome) -> Context:
        default = run.configuration.get("query", {}).get("defaultDataset") or {}
        con = sandbox.connect_to_storage()
        if run.watcher is not None:
            run.watcher.watch(con)
        return cls(
            project=run.project,
            default_dataset=default.get("datasetId"),
            con=con,
            principal=run.principal,
            job_location=run.location,
            outcome=outcome,
            run=run,
            temp_dataset=run.temp_dataset,
            in_session=run.session is not None,
        )

    def close(self) -> None:
        """Close the job's DuckDB connection, once a cancel can no longer interrupt it."""
        if self.run is not None and self.run.watcher is not None:
            self.run.watcher.forget(self.con)
        self.con.close()

    def location(self, node: exp.Expression) -> str:
        """Return BigQuery's `[line:column]` for where node started in the SQL, if known."""
        return location(node)

    # Names -----------------------------------------------------------------------------------

    def check(self, permission: str, resource: access.Resource) -> None:
        """Raise AccessDenied unless the job's submitter holds permission on resource."""
        access.check(self.principal, permission, resource)

    def resolve(self, node: exp.Table, *, kind: str = "Table") -> tuple[Dataset, bool]:
        """Return the dataset a (possibly partial) name refers to, and whether it exists.

        A dataset that does not exist comes back unsaved, so a permission check can name it
        without saying whether it exists (BigQuery's "or it may not exist").
        """
        if not isinstance(node.this, exp.Identifier):
            # `p.ds.a.b` parses with a dotted last part; its name alone would be `b`.
            name = ".".join(part.name for part in node.parts)
            raise InvalidError(
                f'Invalid {kind.lower()} name "{name}"{self.location(node)}: expected '
                f"[project.]dataset.{kind.lower()}"
            )
        if self.names_temporary(node):
            return self.temporary_dataset(node), self._temporary_exists()
        project_id = node.catalog or self.project.project_id
        dataset_id = node.db or self.default_dataset
        if not dataset_id:
            raise InvalidError(
                f'{kind} "{node.name}" must be qualified with a dataset (e.g. dataset.table).'
            )
        project = self.project
        if project_id != self.project.project_id:
            project = Project.objects.filter(project_id=project_id).first()
            if project is None:
                raise NotFoundError(f"Not found: Project {project_id}")
        dataset = Dataset.objects.filter(project=project, dataset_id=dataset_id).first()
        if dataset is None:
            return Dataset(project=project, dataset_id=dataset_id), False
        return dataset, True

    def names_temporary(self, node: exp.Table) -> bool:
        """Return True if node names a temporary table: `_SESSION.t`, or `t` when one exists.

        As in BigQuery, an unqualified name is the session's (or script's) temporary table if it
        has one by that name, before the default dataset's.
        """
        if node.catalog:
            return False
        if node.db:
            return node.db.upper() == SESSION_QUALIFIER
        return (
            bool(self.temp_dataset)
            and Table.objects.filter(
                dataset__project=self.project,
                dataset__dataset_id=self.temp_dataset,
                table_id=node.name,
            ).exists()
        )

    def temporary_dataset(self, node: exp.Expression, *, create: bool = False) -> Dataset:
        """Return the hidden dataset of the job's temporary tables (unsaved until one exists)."""
        if not self.temp_dataset:
            raise InvalidError(
                f"Temporary tables (_SESSION){self.location(node)} need a session or a script"
            )
        if create:
            return Dataset.temporary(self.project, self.temp_dataset, self.job_location)
        found = Dataset.objects.filter(project=self.project, dataset_id=self.temp_dataset).first()
        return found or Dataset(
            project=self.project, dataset_id=self.temp_dataset, location=self.job_location
        )

    def _temporary_exists(self) -> bool:
        return Dataset.objects.filter(project=self.project, dataset_id=self.temp_dataset).exists()

    def drop_script_tables(self) -> None:
        """Drop the temporary tables of a script run outside a session, as its end does."""
        if self.temp_dataset and not self.in_session and is_temporary_dataset(self.temp_dataset):
            found = Dataset.objects.filter(project=self.project, dataset_id=self.temp_dataset)
            for dataset in found:
                dataset.delete_with_contents(True)

    def reference(self, node: exp.Table, kind: str) -> access.Resource:
        """Return what a name refers to as a resource to check, whether or not it exists."""
        return _named(self.resolve(node, kind=kind)[0], node, kind)

    def dataset(
        self, node: exp.Table, *, kind: str = "Table", permission: str | None = DATASETS_GET
    ) -> Dataset:
        """Return the dataset of a table or model name, once permission on that name is checked.

        permission is what the statement will do with the table or model named (such as
        bigquery.tables.getData); it is checked before the dataset's existence is revealed.
        TARGET skips the check: the statement's targets were checked before it ran.
        """
        dataset, exists = self.resolve(node, kind=kind)
        if permission is not TARGET:
            named = dataset if permission == DATASETS_GET else _named(dataset, node, kind)
            self.check(permission, named)
        elif not exists and is_anonymous_dataset(dataset.dataset_id):
            # The user's own hidden dataset is made by the first write into it; the target's
            # check let only its owner this far, and this one says so again.
            self.check(DATASETS_GET, dataset)
            dataset, exists = (
                Dataset.anonymous(dataset.project, dataset.dataset_id, self.job_location),
                True,
            )
        if not exists and dataset.dataset_id == self.temp_dataset:
            raise NotFoundError(f"Not found: {kind} {SESSION_QUALIFIER}.{node.name}")
        if not exists:
            raise NotFoundError(
                f"Not found: Dataset {dataset.full_id} was not found in location "
                f"{self.job_location}"
            )
        return dataset

    def table(self, node: exp.Table, permission: str | None = TABLES_GET_DATA) -> Table:
        """Return the table a name refers to, once the principal's permission on it is checked.

        A query's anonymous result table is its owner's to read, never to change.
        """
        found = self.anonymous_table(node)
        if found is not None:
            if permission != TABLES_GET_DATA:
                raise AccessDenied(
                    f"Access Denied: Table {found.full_id}: anonymous query results are read-only"
                )
            return found
        dataset = self.dataset(node, permission=permission)
        table = Table.objects.filter(dataset=dataset, table_id=node.name).first()
        if table is not None and table.expired:
            # The dataset's default expiration passed: the table is gone, as in BigQuery.
            table.delete_with_files()
            table = None
        if table is None:
            raise NotFoundError(
                f"Not found: Table {dataset.full_id}.{node.name} was not found in location "
                f"{dataset.location}"
            )
        return table

    def anonymous_table(self, node: exp.Table) -> Table | None:
        """Return the principal's anonymous result table a full name refers to, if it does."""
        if (
            not node.db
            or not is_anonymous_dataset(node.db)
            or not isinstance(node.this, exp.Identifier)
        ):
            return None
        project = self.project
        if node.catalog and node.catalog != project.project_id:
            project = Project.objects.filter(project_id=node.catalog).first()
            if project is None:
                return None
        return tables.anonymous_table(self.principal, project, node.db, node.name)

    def model(self, node: exp.Table, permission: str | None = MODELS_GET_DATA) -> MLModel:
        """Return the trained model a name refers to, once permission on it is checked."""
        dataset = self.dataset(node, kind="Model", permission=permission)
        model = MLModel.objects.filter(dataset=dataset, model_id=node.name).first()
        if model is not None and model.expired:
            model.delete_with_files()
            model = None
        if model is None or not model.artifact_path:
            raise NotFoundError(f"Not found: Model {dataset.full_id}.{node.name}")
        return model

    # Relations -------------------------------------------------------------------------------

    def register_version(self, data_path: str, fields: list[dict[str, Any]]) -> str:
        """Expose one stored table version to DuckDB and return its relation name."""
        if data_path not in self.registered:
            name = f"__table_{len(self.registered) + 1}"
            replaced = stored_replacements(fields)
            columns = f"* REPLACE ({', '.join(replaced)})" if replaced else "*"
            path = sandbox.quote_path(storage.resolve(data_path))
            self.con.execute(f'CREATE VIEW "{name}" AS SELECT {columns} FROM read_parquet({path})')
            self.registered[data_path] = name
        return self.registered[data_path]

    def register_relation(self, relation: pa.Table | pa.RecordBatchReader) -> str:
        self.ml_relations += 1
        name = f"__ml_{self.ml_relations}"
        self.con.register(name, relation)
        return name


def _named(dataset: Dataset, node: exp.Table, kind: str) -> access.Resource:
    if kind == "Dataset":
        return dataset
    if kind == "Model":
        return MLModel(dataset=dataset, model_id=node.name)
    if kind == "Routine":
        return Routine(dataset=dataset, routine_id=node.name)
    return Table(dataset=dataset, table_id=node.name)


# Executing queries ---------------------------------------------------------------------------


def stored_replacements(fields: list[dict[str, Any]]) -> list[str]:
    """Return the REPLACE items that read a stored version's columns as their schema's types.

    A JSON column is JSON to the query, in BigQuery's form (keys sorted), even where it was
    stored as text (by DML or a load). An INTERVAL is stored as its text (engine/types
    .IntervalType). DuckDB would read a BIGNUMERIC (Arrow's decimal256) as a DOUBLE, losing
    digits: a query that reads one is refused.
    """
    refusal = BIGNUMERIC_REFUSAL.replace("'", "''")
    spelled = {
        "JSON": stored_json,
        "INTERVAL": lambda column: f"{INTERVAL_OF_TEXT}({column})",
        "BIGNUMERIC": lambda column: f"error('{refusal}')",
    }
    read = []
    for stored in fields:
        spell = spelled.get(stored.get("type", ""))
        if spell is not None and stored.get("mode") != "REPEATED":
            column = f'"{stored["name"]}"'
            read.append(f"{spell(column)} AS {column}")
    return read


def bind(ctx: Context, tree: exp.Expression, views: tuple[str, ...] = ()) -> exp.Expression:
    """Replace ML table functions and catalog table names in tree with registered relations.

    A name that is a view becomes the view's query, bound in turn; views is the chain of views
    being expanded (outermost first), for the nesting limit and to catch a view reading itself.
    """
    bound: set[int] = set()
    for node in list(tree.find_all(exp.Table)):
        if isinstance(node.this, MLFunction):
            relation = ml.evaluate_function(ctx, node.this)
            bound.add(id(_replace_table(node, ctx.register_relation(relation), node.alias)))
        elif information_schema.is_information_schema(node):
            rows = information_schema.relation(
                node, ctx.project, ctx.default_dataset, ctx.principal
            )
            alias = node.alias or node.name.split(".")[-1]
            bound.add(id(_replace_table(node, ctx.register_relation(rows), alias)))
    tree = routines.expand(ctx, tree)
    check_functions(tree)
    cte_names = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for node in list(tree.find_all(exp.Table)):
        if id(node) in bound or not reads_catalog_table(node, cte_names):
            continue
        if isinstance(node.this, exp.Func):
            raise InvalidError(f"Table-valued function not found: {node.this.sql()}")
        table = ctx.table(node)
        if table.table_type == Table.Type.VIEW:
            _expand_view(ctx, node, table, views)
            continue
        data_path, schema, column_bytes = _version_for(ctx, node, table)
        ctx.bytes_processed += scanned_bytes(tree, node, schema, column_bytes)
        _replace_table(node, ctx.register_version(data_path, schema), node.alias or node.name)
    return tree


def _expand_view(ctx: Context, node: exp.Table, view: Table, views: tuple[str, ...]) -> None:
    """Replace a view's name with its query, bound with the reader's permissions.

    The reader needs bigquery.tables.getData on the view (checked by ctx.table) and on every
    table the view reads: Quarry has no authorised views.
    """
    if node.args.get("version") is not None:
        raise InvalidError(
            f"FOR SYSTEM_TIME AS OF cannot be used with view {view.full_id}{ctx.location(node)}: "
            "time travel reads tables only"
        )
    if view.full_id in views:
        chain = " -> ".join([*views[views.index(view.full_id) :], view.full_id])
        raise InvalidError(f"View {view.full_id} references itself: {chain}")
    if len(views) >= MAX_VIEW_NESTING:
        raise InvalidError(
            f"View {views[0]} nests views more than {MAX_VIEW_NESTING} levels deep, which is "
            "the most BigQuery allows"
        )
    query = view_tree(view)
    bind(ctx, query, (*views, view.full_id))
    alias = node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(node.name))
    names = [field["name"] for field in view.schema]
    if names and not alias.columns:
        # A view written with a column list renames its query's columns; one written without
        # keeps them (and, like BigQuery, sees columns its tables gained since).
        sql = to_duckdb(query.copy())
        sandbox.define_macros(ctx.con, sql)
        own = ctx.con.sql(sql).columns
        if len(own) == len(names) and own != names:
            alias.set("columns", [exp.to_identifier(name) for name in names])
    subquery = exp.Subquery(this=query, alias=alias)
    for key in ("joins", "laterals", "pivots"):
        if node.args.get(key):
            subquery.set(key, node.args[key])
    node.replace(subquery)


def view_tree(view: Table) -> exp.Expression:
    """Return a view's query, parsed, with every name it reads qualified by the view's project.

    As in BigQuery, a view's names never depend on who reads it: each names its dataset, and a
    name without a project is in the view's project.
    """
    statements = parse_script(view.view_query)
    if len(statements) != 1 or not isinstance(statements[0], QUERY_TYPES):
        raise InvalidError(f"The query of view {view.full_id} must be a single SELECT statement")
    return qualify_view_names(statements[0], view.dataset.project.project_id)


def qualify_view_names(tree: exp.Expression, project_id: str) -> exp.Expression:
    """Give every table and model name in a view's query a project; refuse one with no dataset."""
    cte_names = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for node in tree.find_all(exp.Table):
        if not node.name or isinstance(node.this, exp.Func):
            continue
        if not node.db and node.name.lower() in {n.lower() for n in cte_names}:
            continue
        if not node.db:
            raise InvalidError(
                f'Table "{node.name}" must be qualified with a dataset (e.g. dataset.table)'
                f"{location(node)}"
            )
        if not node.catalog:
            node.set("catalog", exp.to_identifier(project_id))
    return tree


def _version_for(
    ctx: Context, node: exp.Table, table: Table
) -> tuple[str, list[dict[str, Any]], dict[str, int]]:
    """Return the stored version a table reference reads: the current one, or AS OF a time."""
    version = node.args.get("version")
    if version is None:
        return table.data_path, table.schema, table.column_bytes
    expression = version.expression
    if isinstance(expression, exp.Literal) and expression.is_string:
        # As BigQuery coerces a string literal where a TIMESTAMP is expected (bigframes'
        # read_gbq pins its snapshot so); a STRING expression stays an error.
        expression = exp.cast(expression, exp.DataType.Type.TIMESTAMP)
    moment = _constant(ctx, expression)
    if not isinstance(moment, dt.datetime):
        raise InvalidError(
            f"FOR SYSTEM_TIME AS OF needs a TIMESTAMP; got {version.expression.sql('bigquery')}"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        chosen = table.version_at(moment)
    except BigQueryError as err:
        raise InvalidError(str(err)) from None
    return chosen.data_path, chosen.schema, chosen.column_bytes


def _constant(ctx: Context, expression: exp.Expression) -> Any:
    """Evaluate a constant expression (such as a timestamp) with DuckDB."""
    check_functions(expression)
    try:
        sql = to_duckdb(expression.copy())
        sandbox.define_macros(ctx.con, sql)
        return ctx.con.sql(f"SELECT {sql}").fetchall()[0][0]
    except duckdb.Error as err:
        raise InvalidError(str(err).split("\n")[0]) from None


def scanned_bytes(
    tree: exp.Expression, node: exp.Table, schema: list[dict[str, Any]], column_bytes: dict
) -> int:
    """Return the bytes a query reads from one table: only the columns it references."""
    names = [field["name"] for field in schema]
    if not column_bytes:
        return 0
    alias = node.alias_or_name
    scope = node.parent_select or tree
    used: set[str] = set()
    for star in scope.find_all(exp.Star):
        if not isinstance(star.parent, exp.Count):
            return sum(column_bytes.values())
    for column in tree.find_all(exp.Column):
        if column.is_star and column.table in ("", alias):
            return sum(column_bytes.values())
        if column.table in ("", alias) and column.name in names:
            used.add(column.name)
    return sum(column_bytes.get(name, 0) for name in used)


def _replace_table(node: exp.Table, relation: str, alias: str) -> exp.Table:
    new = exp.Table(this=exp.to_identifier(relation, quoted=True))
    if alias:
        new.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    for key in ("joins", "laterals", "pivots"):
        if node.args.get(key):
            new.set(key, node.args[key])
    node.replace(new)
    return new


def execute(ctx: Context, tree: exp.Expression) -> pa.RecordBatchReader:
    """Run a query tree and return its rows as a stream of BigQuery-typed Arrow batches."""
    sql = to_duckdb(bind(ctx, tree))
    if ctx.run is not None:
        # Before DuckDB reads anything, as BigQuery refuses the query before running it.
        billing.check_limit(ctx.run.configuration.get("query") or {}, ctx.bytes_processed)
    try:
        sandbox.define_macros(ctx.con, sql)
        relation = ctx.con.sql(sql)
        reader = relation.to_arrow_reader(BATCH_ROWS)
    except duckdb.Error as err:
        raise _translate_duckdb_error(ctx, tree, err) from None
    # DuckDB hands JSON columns to Arrow as plain strings; its own types say which are JSON.
    schema = bigquery_arrow_schema(with_json_types(reader.schema, relation.types))

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            for batch in reader:
                ctx.check_cancelled()
                batch = batch if batch.schema == schema else _cast(batch, schema)
                yield result_arrays(batch)
        except (duckdb.Error, OSError) as err:  # Arrow raises DuckDB's errors as OSError here
            raise _translate_duckdb_error(ctx, tree, err) from None

    return pa.RecordBatchReader.from_batches(schema, batches())


def _cast(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """Return DuckDB's batch in BigQuery's types, refusing a value those types cannot hold."""
    try:
        return cast_batch(batch, schema)
    except pa.ArrowInvalid:
        # Such as a HUGEINT sum past INT64's range: name the column, in BigQuery's words.
        for index, field in enumerate(schema):
            try:
                cast_array(batch.column(index), field.type)
            except pa.ArrowInvalid:
                kind = schema_from_arrow(pa.schema([field]))[0]["type"]
                raise InvalidError(
                    f"Value out of range: column {field.name} has a value {kind} cannot hold"
                ) from None
        raise


def relation_query(relation: exp.Expression) -> exp.Select:
    """Return a query of a subquery's or a table's rows (an ML function's input)."""
    return exp.select("*").from_(relation.copy())


def execute_to_pandas(ctx: Context, relation: exp.Expression) -> Any:
    """Run a subquery or read a table (an ML function's input) into a pandas DataFrame."""
    if isinstance(relation, exp.Subquery):
        query = relation.this.copy()
    else:
        query = exp.select("*").from_(relation.copy())
    return execute(ctx, query).read_all().to_pandas()


_UNKNOWN_COLUMN = re.compile(r'Referenced column "?([^"\s]+)"? (?:was )?not found')


# DuckDB's words for a function it lacks, and for one it has but not for these argument types.
_MISSING_FUNCTION = re.compile(r'Function with name "?(\w+)"? (?:does not exist|is not in the)')
_NO_SIGNATURE = re.compile(
    r"No function matches the given name and argument types '([^\s(]+)\((.*)\)'"
    r'|Could not choose a best candidate function for the function call "([^\s(]+)\((.*)\)"'
)


def _called_function(tree: exp.Expression, duckdb_name: str) -> tuple[str, str]:
    """Return BigQuery's name for the call DuckDB names, and where it is in the query."""
    for node in tree.find_all(exp.Func):
        name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
        if name.upper() == duckdb_name.upper():
            return name if isinstance(node, exp.Anonymous) else bigquery_name(node), location(node)
    return duckdb_name.upper(), ""


def _function_error(tree: exp.Expression, message: str) -> InvalidError | None:
    """Word DuckDB's refusal of a function call as BigQuery words it, or None for another."""
    missing = _MISSING_FUNCTION.search(message)
    if missing:
        name, where = _called_function(tree, missing.group(1))
        return InvalidError(f"Function not found: {name}{where}")
    mismatch = _NO_SIGNATURE.search(message)
    if mismatch:
        duckdb_name, arguments = [part for part in mismatch.groups() if part is not None]
        name, where = _called_function(tree, duckdb_name)
        if not re.fullmatch(r"\w+", duckdb_name):
            name = f"operator {duckdb_name}"
        types = ", ".join(googlesql_type_names(arguments))
        given = f"for argument types: {types}" if types else "with no arguments"
        called = name if name.startswith("operator ") else f"function {name}"
        return InvalidError(f"No matching signature for {called} {given}{where}")
    return None


def _column_named(tree: exp.Expression, name: str, table: str = "") -> exp.Column | None:
    return next(
        (c for c in tree.find_all(exp.Column) if c.name == name and c.table in ("", table)), None
    )


def _ungrouped(tree: exp.Expression, name: str) -> InvalidError:
    column = _column_named(tree, name)
    clause = "SELECT list"
    if column is not None and column.find_ancestor(exp.Having):
        clause = "HAVING clause"
    elif column is not None and column.find_ancestor(exp.Order):
        clause = "ORDER BY clause"
    where = location(column) if column is not None else ""
    return InvalidError(
        f"{clause} expression references column {name} which is neither grouped nor "
        f"aggregated{where}"
    )


def _nested_aggregate(tree: exp.Expression) -> InvalidError:
    outer = next(
        (a for a in tree.find_all(exp.AggFunc) if any(b is not a for b in a.find_all(exp.AggFunc))),
        None,
    )
    where = location(outer) if outer is not None else ""
    return InvalidError(f"Aggregations of aggregations are not allowed{where}")


def _aggregate_in_where(tree: exp.Expression) -> InvalidError:
    condition = tree.find(exp.Where)
    aggregate = condition.find(exp.AggFunc) if condition is not None else None
    if aggregate is None:
        return InvalidError("Aggregate function not allowed in WHERE clause")
    return InvalidError(
        f"Aggregate function {bigquery_name(aggregate)} not allowed in WHERE clause"
        f"{location(aggregate)}"
    )


def _mismatched_columns(tree: exp.Expression) -> InvalidError:
    union = tree.find(exp.SetOperation)
    if union is None:
        return InvalidError("Queries in a set operation have mismatched column count")
    kind = f"{union.key.upper()} {'DISTINCT' if union.args.get('distinct') else 'ALL'}"
    counts = [len(side.selects) for side in (union.left, union.right)]
    shown = [f"query {i} has {n} column{'s' if n != 1 else ''}" for i, n in enumerate(counts, 1)]
    return InvalidError(f"Queries in {kind} have mismatched column count; {', '.join(shown)}")


# DuckDB's words for a value a conversion cannot read, by the type BigQuery names.
_BAD_VALUE = {"INT": "int64", "BIG": "int64", "DOU": "double", "FLO": "double", "BOO": "bool"}


def _query_error(tree: exp.Expression, message: str) -> InvalidError | None:
    """Word DuckDB's refusal of a query's shape (grouping, names, set operations) or of a value
    it cannot convert as BigQuery words it, or None for another error."""
    found = re.search(r'column "([^"]+)" must appear in the GROUP BY clause', message)
    if found:
        return _ungrouped(tree, found.group(1))
    found = re.search(r'Ambiguous reference to column name "([^"]+)"', message)
    if found:
        column = _column_named(tree, found.group(1))
        where = location(column) if column is not None else ""
        return InvalidError(f"Column name {found.group(1)} is ambiguous{where}")
    found = re.search(r'Table "([^"]+)" does not have a column named "([^"]+)"', message)
    if found:
        table, name = found.groups()
        column = _column_named(tree, name, table)
        where = location(column) if column is not None else ""
        return InvalidError(f"Name {name} not found inside {table}{where}")
    if "aggregate function calls cannot be nested" in message:
        return _nested_aggregate(tree)
    if "WHERE clause cannot contain aggregates" in message:
        return _aggregate_in_where(tree)
    if "Set operations can only apply to expressions with the same number" in message:
        return _mismatched_columns(tree)
    found = re.search(r"Could not convert string '(.*)' to (\w+)", message)
    if found and found.group(2)[:3].upper() in _BAD_VALUE:
        return InvalidError(f"Bad {_BAD_VALUE[found.group(2)[:3].upper()]} value: {found.group(1)}")
    return None


def _translate_duckdb_error(ctx: Context, tree: exp.Expression, err: Exception) -> BigQueryError:
    stopped = sandbox.why_stopped(err)
    if stopped is not None:
        return stopped
    refused = _function_error(tree, str(err)) or _query_error(tree, str(err))
    if refused is not None:
        return refused
    message = str(err).split("\n")[0]
    message = re.sub(r"^[A-Za-z ]+ Error: ", "", message)
    # An engine function DuckDB runs (FARM_FINGERPRINT) raises BigQuery's own words.
    message = re.sub(r"^Python exception occurred while executing the UDF: \w+: ", "", message)
    message = functions.bigquery_message(message)
    unknown = _UNKNOWN_COLUMN.search(message)
    if unknown:
        name = unknown.group(1)
        column = next((c for c in tree.find_all(exp.Column) if c.name == name), None)
        where = ctx.location(column) if column is not None else ""
        return InvalidError(f"Unrecognized name: {name}{where}")
    return BigQueryError(message, reason="invalidQuery")


# Statements ----------------------------------------------------------------------------------


def run_select(ctx: Context, statement: exp.Expression) -> None:
    """Run a query; its rows become the job's result, in a table of their own or the destination."""
    outcome = ctx.outcome
    if ctx.destination is None:
        reader = execute(ctx, statement)
        relative, rows = tables.write_parquet("results", reader.schema, reader)
        outcome.result_path = relative
        outcome.result_schema = schema_from_arrow(reader.schema)
        outcome.result_rows = rows
        return
    dataset, table = ctx.destination.prepare(ctx)
    # As in BigQuery, the job's result is the destination table: all of its rows.
    written = ctx.destination.write(dataset, table, execute(ctx, statement))
    outcome.result_path = written.data_path
    outcome.result_schema = written.schema
    outcome.result_rows = written.num_rows


def reads_catalog_table(node: exp.Table, cte_names: set[str]) -> bool:
    # BigQuery compares a CTE's name case-insensitively (a table's name is case-sensitive).
    if not node.name or (not node.db and node.name.lower() in {n.lower() for n in cte_names}):
        return False
    if information_schema.is_information_schema(node):
        return False
    # The MODEL argument of an ML function names a model, not a table.
    return not isinstance(node.parent, MLFunction) or node.arg_key == "expression"
