"""Run a QUERY job: parse the script, check it, dispatch each statement, execute on DuckDB.

No SQL text from the user reaches DuckDB. The script is parsed with the BigQuery dialect, every
table name is resolved in the catalog and swapped for a relation the engine registered, the
functions are checked, and only then is DuckDB SQL generated from the checked tree.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from console.catalog.models import Dataset, MLModel, Project, Table
from console.engine import ml, sandbox, tables
from console.engine.dialect import MLFunction, MLPredict, Quarry
from console.engine.errors import DuplicateError, EngineError, InvalidError, NotFoundError
from console.engine.types import bigquery_arrow_schema, schema_from_arrow
from console.jobs.models import CANCELLED, Job

BATCH_ROWS = 128 * 1024

# Functions DuckDB would run against files or the network; DuckDB's own sandbox refuses them too.
REFUSED_FUNCTIONS = (exp.ReadCSV, exp.ReadParquet)


@dataclass
class Context:
    """What one job's statements share: the catalog scope and the DuckDB connection."""

    job: Job | None
    project: Project
    default_dataset: str | None
    con: duckdb.DuckDBPyConnection | None
    job_location: str = "US"
    bytes_processed: int = 0
    registered: dict[int, str] = field(default_factory=dict)
    ml_relations: int = 0
    _cancel_checked: float = 0.0

    def check_cancelled(self) -> None:
        """Stop the job if someone cancelled it; reads the database at most twice a second."""
        now = time.monotonic()
        if now - self._cancel_checked < 0.5:
            return
        self._cancel_checked = now
        if self.job is not None and self.job.cancelled():
            raise EngineError(CANCELLED["message"], reason=CANCELLED["reason"])

    @classmethod
    def for_job(cls, job: Job) -> Context:
        default = job.configuration.get("query", {}).get("defaultDataset") or {}
        return cls(
            job=job,
            project=job.project,
            default_dataset=default.get("datasetId"),
            con=sandbox.connect(),
            job_location=job.location,
        )

    def location(self, node: exp.Expression) -> str:
        """Return BigQuery's `[line:column]` for where node started in the SQL, if known."""
        meta = _first_meta(node)
        if not meta:
            return ""
        # sqlglot records where a token ends; BigQuery reports where it starts.
        width = meta.get("end", 0) - meta.get("start", 0)
        return f" at [{meta['line']}:{meta['col'] - width}]"

    # Names -----------------------------------------------------------------------------------

    def dataset(self, node: exp.Table, *, kind: str = "Table") -> Dataset:
        """Return the dataset a (possibly partial) name refers to."""
        project_id = node.catalog or self.project.project_id
        dataset_id = node.db or self.default_dataset
        if not dataset_id:
            raise InvalidError(
                f'{kind} "{node.name}" must be qualified with a dataset (e.g. dataset.table).'
            )
        if project_id != self.project.project_id:
            raise NotFoundError(f"Not found: Project {project_id}")
        dataset = Dataset.objects.filter(project=self.project, dataset_id=dataset_id).first()
        if dataset is None:
            raise NotFoundError(
                f"Not found: Dataset {project_id}:{dataset_id} was not found in location "
                f"{self.job_location}"
            )
        return dataset

    def table(self, node: exp.Table) -> Table:
        dataset = self.dataset(node)
        table = Table.objects.filter(dataset=dataset, table_id=node.name).first()
        if table is None:
            raise NotFoundError(
                f"Not found: Table {dataset.full_id}.{node.name} was not found in location "
                f"{dataset.location}"
            )
        return table

    def model(self, node: exp.Table) -> MLModel:
        dataset = self.dataset(node, kind="Model")
        model = MLModel.objects.filter(dataset=dataset, model_id=node.name).first()
        if model is None or not model.artifact_path:
            raise NotFoundError(f"Not found: Model {dataset.full_id}.{node.name}")
        return model

    # Relations -------------------------------------------------------------------------------

    def register_table(self, table: Table) -> str:
        """Expose a catalog table's current version to DuckDB and return its relation name."""
        if table.pk not in self.registered:
            name = f"__table_{table.pk}_v{table.version}"
            if table.data_path:
                self.con.register(name, tables.open_dataset(table.data_path))
            else:
                empty = pa.schema([pa.field(f["name"], pa.string()) for f in table.schema])
                self.con.register(name, empty.empty_table())
            self.registered[table.pk] = name
            self.bytes_processed += table.num_bytes
        return self.registered[table.pk]

    def register_relation(self, relation: pa.Table | pa.RecordBatchReader) -> str:
        self.ml_relations += 1
        name = f"__ml_{self.ml_relations}"
        self.con.register(name, relation)
        return name


def _first_meta(node: exp.Expression) -> dict[str, Any] | None:
    for child in node.walk():
        meta = getattr(child, "_meta", None) or {}
        if "line" in meta:
            return meta
    return None


# Parsing and checking ------------------------------------------------------------------------


def parse_script(sql: str) -> list[exp.Expression]:
    """Parse a BigQuery script into statements, turning parser errors into BigQuery's wording."""
    if not sql.strip():
        raise InvalidError("Syntax error: Unexpected end of script at [1:1]")
    try:
        statements = [s for s in sqlglot.parse(sql, read=Quarry) if s is not None]
    except sqlglot.errors.ParseError as err:
        first = err.errors[0] if err.errors else {}
        got = first.get("highlight") or ""
        description = first.get("description", str(err))
        # sqlglot points at the end of the offending token; BigQuery at its start.
        column = max(1, first.get("col", 1) - max(len(got), 1) + 1)
        near = f' near "{got}"' if got else " at end of input"
        raise InvalidError(
            f"Syntax error: {description}{near} at [{first.get('line', 1)}:{column}]"
        ) from None
    except sqlglot.errors.TokenError as err:
        raise InvalidError(f"Syntax error: {err}") from None
    if not statements:
        raise InvalidError("Syntax error: Unexpected end of script at [1:1]")
    return statements


def check_functions(ctx: Context, tree: exp.Expression) -> None:
    """Refuse functions the engine does not know and table functions that read files."""
    for node in tree.walk():
        if isinstance(node, exp.Anonymous):
            raise InvalidError(f"Function not found: {node.name}{ctx.location(node)}")
        if isinstance(node, REFUSED_FUNCTIONS):
            raise InvalidError(
                f"Function not found: {node.key.upper()}{ctx.location(node)}; Quarry reads only "
                "tables in its catalog"
            )


# Executing queries ---------------------------------------------------------------------------


def bind(ctx: Context, tree: exp.Expression) -> exp.Expression:
    """Replace ML table functions and catalog table names in tree with registered relations."""
    bound: set[int] = set()
    for node in list(tree.find_all(exp.Table)):
        if isinstance(node.this, MLFunction):
            relation = ml.evaluate_function(ctx, node.this)
            bound.add(id(_replace_table(node, ctx.register_relation(relation), node.alias)))
    check_functions(ctx, tree)
    cte_names = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for node in list(tree.find_all(exp.Table)):
        if id(node) in bound or not node.name or (not node.db and node.name in cte_names):
            continue
        if isinstance(node.this, exp.Func):
            raise InvalidError(f"Table-valued function not found: {node.this.sql()}")
        relation = ctx.register_table(ctx.table(node))
        _replace_table(node, relation, node.alias or node.name)
    return tree


def _replace_table(node: exp.Table, relation: str, alias: str) -> exp.Table:
    new = exp.Table(this=exp.to_identifier(relation, quoted=True))
    if alias:
        new.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    for key in ("joins", "laterals", "pivots"):
        if node.args.get(key):
            new.set(key, node.args[key])
    node.replace(new)
    return new


def to_duckdb(tree: exp.Expression) -> str:
    """Generate DuckDB SQL for a checked tree, rewriting what the two dialects spell differently."""
    tree = tree.transform(_array_agg_limit)
    _name_anonymous_columns(tree)
    return tree.sql(dialect="duckdb")


def _array_agg_limit(node: exp.Expression) -> exp.Expression:
    # BigQuery's ARRAY_AGG(x ORDER BY y LIMIT n) has no DuckDB spelling; slice the ordered list.
    if isinstance(node, exp.ArrayAgg) and isinstance(node.this, exp.Limit):
        limit = node.this
        inner = exp.ArrayAgg(this=limit.this)
        return exp.Anonymous(
            this="LIST_SLICE", expressions=[inner, exp.Literal.number(1), limit.expression]
        )
    return node


def _name_anonymous_columns(tree: exp.Expression) -> None:
    # BigQuery names unnamed output columns f0_, f1_, … in order.
    select = tree if isinstance(tree, exp.Select) else next(tree.find_all(exp.Select), None)
    if select is None:
        return
    counter = 0
    for index, projection in enumerate(select.expressions):
        if isinstance(projection, exp.Alias | exp.Column | exp.Star):
            continue
        select.expressions[index] = exp.alias_(projection, f"f{counter}_")
        counter += 1


def execute(ctx: Context, tree: exp.Expression) -> pa.RecordBatchReader:
    """Run a query tree and return its rows as a stream of BigQuery-typed Arrow batches."""
    sql = to_duckdb(bind(ctx, tree))
    try:
        reader = ctx.con.sql(sql).to_arrow_reader(BATCH_ROWS)
    except duckdb.Error as err:
        raise _translate_duckdb_error(ctx, tree, err) from None
    schema = bigquery_arrow_schema(reader.schema)

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            for batch in reader:
                ctx.check_cancelled()
                yield batch if batch.schema == schema else batch.cast(schema)
        except duckdb.Error as err:
            raise _translate_duckdb_error(ctx, tree, err) from None

    return pa.RecordBatchReader.from_batches(schema, batches())


def execute_to_pandas(ctx: Context, relation: exp.Expression) -> Any:
    """Run a subquery or read a table (an ML function's input) into a pandas DataFrame."""
    if isinstance(relation, exp.Subquery):
        query = relation.this.copy()
    else:
        query = exp.select("*").from_(relation.copy())
    return execute(ctx, query).read_all().to_pandas()


_UNKNOWN_COLUMN = re.compile(r'Referenced column "?([^"\s]+)"? not found')


def _translate_duckdb_error(ctx: Context, tree: exp.Expression, err: duckdb.Error) -> EngineError:
    message = str(err).split("\n")[0]
    message = re.sub(r"^[A-Za-z ]+ Error: ", "", message)
    unknown = _UNKNOWN_COLUMN.search(message)
    if unknown:
        name = unknown.group(1)
        column = next((c for c in tree.find_all(exp.Column) if c.name == name), None)
        where = ctx.location(column) if column is not None else ""
        return InvalidError(f"Unrecognized name: {name}{where}")
    return EngineError(message, reason="invalidQuery")


# Statements ----------------------------------------------------------------------------------


def run_select(ctx: Context, statement: exp.Expression) -> None:
    reader = execute(ctx, statement)
    relative, rows = tables.write_parquet("results", reader.schema, reader)
    ctx.job.result_path = relative
    ctx.job.result_schema = schema_from_arrow(reader.schema)
    ctx.job.result_rows = rows
    ctx.job.statistics.update({"statementType": "SELECT"})


def run_create(ctx: Context, statement: exp.Create) -> None:
    kind = (statement.args.get("kind") or "").upper()
    handler = CREATE_HANDLERS.get(kind)
    if handler is None:
        raise InvalidError(f"CREATE {kind} is not supported by Quarry")
    handler(ctx, statement)


def create_table(ctx: Context, statement: exp.Create) -> None:
    target = statement.this
    if isinstance(target, exp.Schema):
        raise InvalidError("CREATE TABLE with a column list is not supported yet; use AS SELECT")
    dataset = ctx.dataset(target)
    existing = Table.objects.filter(dataset=dataset, table_id=target.name).first()
    ref = {
        "projectId": ctx.project.project_id,
        "datasetId": dataset.dataset_id,
        "tableId": target.name,
    }
    ctx.job.statistics.update({"statementType": "CREATE_TABLE_AS_SELECT", "ddlTargetTable": ref})
    if existing and statement.args.get("exists"):
        ctx.job.statistics["ddlOperationPerformed"] = "SKIP"
        return
    if existing and not statement.args.get("replace"):
        raise DuplicateError(f"Already Exists: Table {dataset.full_id}.{target.name}")
    if statement.expression is None:
        raise InvalidError("CREATE TABLE needs AS SELECT ... in this version of Quarry")
    reader = execute(ctx, statement.expression)
    relative, rows = tables.write_parquet("tables", reader.schema, reader)
    tables.commit_version(dataset, target.name, relative, rows, reader.schema)
    ctx.job.statistics["ddlOperationPerformed"] = "REPLACE" if existing else "CREATE"


def create_model(ctx: Context, statement: exp.Create) -> None:
    ml.create_model(ctx, statement)


def create_schema(ctx: Context, statement: exp.Create) -> None:
    node = statement.this
    dataset_id = node.name
    project_id = node.db or ctx.project.project_id
    if project_id != ctx.project.project_id:
        raise NotFoundError(f"Not found: Project {project_id}")
    exists = Dataset.objects.filter(project=ctx.project, dataset_id=dataset_id).exists()
    ctx.job.statistics.update({"statementType": "CREATE_SCHEMA"})
    if exists and statement.args.get("exists"):
        ctx.job.statistics["ddlOperationPerformed"] = "SKIP"
        return
    from console.catalog.models import CatalogError

    try:
        Dataset.create(ctx.project, dataset_id)
    except CatalogError as err:
        raise EngineError(str(err), reason=err.reason) from None
    ctx.job.statistics["ddlOperationPerformed"] = "CREATE"


def run_drop(ctx: Context, statement: exp.Drop) -> None:
    kind = (statement.args.get("kind") or "").upper()
    node = statement.this
    if_exists = bool(statement.args.get("exists"))
    ctx.job.statistics.update({"statementType": f"DROP_{kind}", "ddlOperationPerformed": "DROP"})
    if kind == "SCHEMA":
        from console.catalog.models import CatalogError

        project_id = node.db or ctx.project.project_id
        dataset = Dataset.objects.filter(project=ctx.project, dataset_id=node.name).first()
        if dataset is None or project_id != ctx.project.project_id:
            if if_exists:
                ctx.job.statistics["ddlOperationPerformed"] = "SKIP"
                return
            raise NotFoundError(f"Not found: Dataset {project_id}:{node.name}")
        try:
            dataset.delete_with_contents(bool(statement.args.get("cascade")))
        except CatalogError as err:
            raise EngineError(str(err), reason=err.reason) from None
        return
    if kind not in ("TABLE", "MODEL"):
        raise InvalidError(f"DROP {kind} is not supported by Quarry")
    try:
        target = ctx.table(node) if kind == "TABLE" else ctx.model(node)
    except NotFoundError:
        if if_exists:
            ctx.job.statistics["ddlOperationPerformed"] = "SKIP"
            return
        raise
    target.delete()
    from console.catalog import storage

    storage.remove(getattr(target, "data_path", "") or getattr(target, "artifact_path", ""))


CREATE_HANDLERS: dict[str, Callable[[Context, exp.Create], None]] = {
    "TABLE": create_table,
    "MODEL": create_model,
    "SCHEMA": create_schema,
}

STATEMENT_HANDLERS: dict[type[exp.Expression], Callable[[Context, Any], None]] = {
    exp.Select: run_select,
    exp.Union: run_select,
    exp.Intersect: run_select,
    exp.Except: run_select,
    exp.Create: run_create,
    exp.Drop: run_drop,
}


STATEMENT_TYPES = {
    exp.Select: "SELECT",
    exp.Union: "SELECT",
    exp.Intersect: "SELECT",
    exp.Except: "SELECT",
}


def dry_run(project: Project, sql: str, *, default_dataset: str | None = None) -> dict[str, Any]:
    """Check a script without running it; return its statement type and the bytes it would read.

    Raises EngineError for anything that would make the real run fail before reading data:
    syntax, unknown functions, missing datasets, tables and models.
    """
    ctx = Context(job=None, project=project, default_dataset=default_dataset, con=None)
    statement_type = ""
    for statement in parse_script(sql):
        if type(statement) not in STATEMENT_HANDLERS:
            raise InvalidError(f"Unsupported statement: {statement.key.upper()}")
        kind = (statement.args.get("kind") or "").upper()
        statement_type = STATEMENT_TYPES.get(type(statement)) or (
            f"{statement.key.upper()}_{kind}" if kind else statement.key.upper()
        )
        reads = statement.expression if isinstance(statement, exp.Create) else statement
        if isinstance(statement, exp.Drop) or reads is None:
            continue
        check_functions(ctx, reads)
        cte_names = {cte.alias_or_name for cte in reads.find_all(exp.CTE)}
        for node in reads.find_all(exp.Table):
            if isinstance(node.this, MLFunction):
                if not isinstance(node.this, MLPredict):
                    ctx.model(node.this.this)
            elif _reads_catalog_table(node, cte_names):
                ctx.bytes_processed += ctx.table(node).num_bytes
    if statement_type == "CREATE_TABLE":
        statement_type = "CREATE_TABLE_AS_SELECT"
    return {"statementType": statement_type, "totalBytesProcessed": ctx.bytes_processed}


def _reads_catalog_table(node: exp.Table, cte_names: set[str]) -> bool:
    if not node.name or (not node.db and node.name in cte_names):
        return False
    # The MODEL argument of an ML function names a model, not a table.
    return not isinstance(node.parent, MLFunction) or node.arg_key == "expression"


def run_query_job(job: Job) -> None:
    """Execute every statement of a QUERY job; the last one's rows become the job's result."""
    ctx = Context.for_job(job)
    try:
        for statement in parse_script(job.query):
            handler = STATEMENT_HANDLERS.get(type(statement))
            if handler is None:
                raise InvalidError(
                    f"Unsupported statement: {statement.key.upper()}{ctx.location(statement)}. "
                    "Quarry runs SELECT, CREATE and DROP statements."
                )
            handler(ctx, statement)
    finally:
        job.statistics["totalBytesProcessed"] = str(ctx.bytes_processed)
        ctx.con.close()
