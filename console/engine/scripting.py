"""Run a script: its procedural statements here, its SQL statements from the statement table.

A variable's value never becomes SQL text: each time a statement or expression runs, its tree
is copied and every variable (and @@system variable) it names is replaced by a typed constant
(`params.constant`), exactly as query parameters are bound. Expressions are evaluated by DuckDB
as one-row SELECTs through `query.execute`, so they are checked like any query.

As in BigQuery, each SQL statement a script runs is a child job (and so is each expression that
reads a table): the interpreter reports it through RunContext.child, which the jobs layer
records. Variables come in and go out as JSON (`load_variables` / `dump_variables`), so a
session can carry them from one job to the next.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
from sqlglot import exp

from console.engine import params
from console.engine.outcome import ChildJob, Outcome
from console.engine.params import Parameter, ParamType
from console.engine.parse import location
from console.engine.procedural import (
    Assign,
    Block,
    Declare,
    If,
    Jump,
    Loop,
    Node,
    Raise,
    Return,
    Statement,
)
from console.engine.query import Context, execute, reads_catalog_table
from console.engine.statements import SELECT, statement_kind
from console.engine.types import schema_from_arrow
from console.errors import BigQueryError, Cancelled, InvalidError

LOCATED = re.compile(r" at \[\d+:\d+\]$")
STRING, INT64, TIMESTAMP = ParamType("STRING"), ParamType("INT64"), ParamType("TIMESTAMP")
FRAME = ParamType(
    "STRUCT",
    fields=(("line", INT64), ("column", INT64), ("filename", STRING), ("location", STRING)),
)
# System variables a script may SET, and what setting them changes.
WRITABLE = ("dataset_id", "time_zone")
# Widening a value may take when it is assigned (BigQuery's implicit coercions).
WIDENS = {
    ("INT64", "NUMERIC"): Decimal,
    ("INT64", "BIGNUMERIC"): Decimal,
    ("INT64", "FLOAT64"): float,
    ("NUMERIC", "BIGNUMERIC"): Decimal,
    ("NUMERIC", "FLOAT64"): float,
    ("BIGNUMERIC", "FLOAT64"): float,
}
TIME_TYPES = ("DATE", "DATETIME", "TIME", "TIMESTAMP")


@dataclass
class Variable:
    type: ParamType
    value: Any


class Raised(BigQueryError):
    """An error a script raised itself (RAISE USING MESSAGE): its message is the user's."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "invalidQuery")


class _Break(Exception):
    def __init__(self, label: str | None) -> None:
        self.label = label


class _Continue(_Break):
    pass


class _Return(Exception):
    pass


@dataclass
class _Handled:
    """The error an EXCEPTION handler is handling: what @@error.* read."""

    message: str
    node: Node


def load_variables(variables: dict[str, Any]) -> dict[str, Variable]:
    """Return variables a session kept (name -> QueryParameter-shaped JSON), checked."""
    if not variables:
        return {}
    wire = [{"name": name, **value} for name, value in variables.items()]
    checked = params.check({"parameterMode": "NAMED", "queryParameters": wire})
    return {p.name.lower(): Variable(p.type, p.value) for p in checked}


def dump_variables(variables: dict[str, Variable]) -> dict[str, Any]:
    """Return variables as JSON: name -> {"parameterType", "parameterValue"}, as BigQuery's
    QueryParameter spells a type and a value."""
    return {
        name: params.to_wire(Parameter(None, variable.type, variable.value))
        for name, variable in variables.items()
    }


class Script:
    """One run of a script's statements, with its variables and child jobs."""

    def __init__(self, ctx: Context, *, variables: dict[str, Any], children: bool) -> None:
        self.ctx = ctx
        self.scopes: list[dict[str, Variable]] = [load_variables(variables)]
        self.children = children
        self.handled: list[_Handled] = []
        self.num_children = 0
        self.prefix = f"script_job_{secrets.token_hex(16)}"
        self.current_job_id: str | None = None
        self.last_job_id: str | None = None
        self.row_count: int | None = None
        self.time_zone = "UTC"
        self.started = time.monotonic()
        run = ctx.run
        self.job_id = run.job_id if run is not None else ""
        self.created = (run.created if run is not None else None) or dt.datetime.now(dt.UTC)

    @property
    def variables(self) -> dict[str, Any]:
        """Return the script's top-level variables as JSON, for a session to keep."""
        return dump_variables(self.scopes[0])

    def run(self, body: list[Node]) -> None:
        """Run body; an error no handler caught ends the script in BigQuery's words."""
        try:
            self.statements(body)
        except _Return:
            pass
        except Cancelled:
            raise
        except BigQueryError as err:
            node = getattr(err, "script_node", None)
            if self.children and node is not None:
                err.message = _worded(err, node, uncaught=True)
            raise

    # Statements ----------------------------------------------------------------------------

    def statements(self, body: list[Node]) -> None:
        for node in body:
            self.ctx.check_cancelled()
            try:
                RUN[type(node)](self, node)
            except BigQueryError as err:
                # The innermost statement that failed is the one the error names.
                if getattr(err, "script_node", None) is None:
                    err.script_node = node
                raise

    def run_statement(self, node: Statement) -> None:
        tree = self.bind(node.tree.copy())
        kind = statement_kind(self.ctx, tree)
        if not self.children:
            self.ctx.outcome.statistics["statementType"] = kind.type_of(tree)
            kind.run(self.ctx, tree)
            return
        outcome = Outcome(statistics={"statementType": kind.type_of(tree)})
        with self.child(node, "STATEMENT", outcome):
            kind.run(self.ctx, tree)
        if kind is SELECT:
            # A script's result is its last SELECT's rows.
            parent = self.ctx.outcome
            parent.result_path = outcome.result_path
            parent.result_schema = outcome.result_schema
            parent.result_rows = outcome.result_rows
        affected = outcome.statistics.get("numDmlAffectedRows")
        self.row_count = int(affected) if affected is not None else None

    def child(self, node: Node, evaluation: str, outcome: Outcome) -> _ChildRun:
        self.num_children += 1
        job_id = f"{self.prefix}_{self.num_children - 1}"
        self.current_job_id = job_id
        return _ChildRun(self, node, evaluation, outcome, job_id)

    def declare(self, node: Declare) -> None:
        scope = self.scopes[-1]
        for name in node.names:
            if any(name.lower() in outer for outer in self.scopes):
                raise InvalidError(f"Variable {name} is already declared{node.location}")
        if node.default is None:
            kind, value = node.type, None
        else:
            got, value = self.evaluate(node, node.default)
            kind = node.type or got
            value = self.coerce(node, node.default, got, kind, value, node.names[0])
        for name in node.names:
            scope[name.lower()] = Variable(kind, value)

    def assign(self, node: Assign) -> None:
        if node.tuple:
            values = self.evaluate_row(node, node.value)
            if len(values) == 1 and values[0][0].kind == "STRUCT":
                kind, value = values[0]
                values = [(field, (value or {}).get(name)) for name, field in kind.fields]
            if len(values) != len(node.names):
                raise InvalidError(
                    f"SET assigns {len(node.names)} variables but its value has {len(values)} "
                    f"fields{node.location}"
                )
        else:
            values = [self.evaluate(node, node.value)]
        for name, (got, value) in zip(node.names, values, strict=True):
            if name.startswith("@@"):
                self.set_system(node, name[2:].lower(), got, value)
                continue
            variable = self.lookup(name)
            if variable is None:
                raise InvalidError(f"Undeclared variable: {name}{node.location}")
            variable.value = self.coerce(node, node.value, got, variable.type, value, name)

    def set_system(self, node: Node, name: str, got: ParamType, value: Any) -> None:
        if name not in WRITABLE:
            raise InvalidError(f"System variable @@{name} cannot be set{node.location}")
        if got != STRING:
            raise InvalidError(
                f"Cannot assign a value of type {got.sql()} to system variable @@{name} of type "
                f"STRING{node.location}"
            )
        if name == "dataset_id":
            self.ctx.default_dataset = value
        else:
            self.time_zone = value

    def branch(self, node: If) -> None:
        for condition, body in node.branches:
            if self.truth(node, condition, "IF"):
                self.statements(body)
                return
        if node.otherwise is not None:
            self.statements(node.otherwise)

    def loop(self, node: Loop) -> None:
        if node.kind == "FOR":
            self.for_in(node)
            return
        while True:
            if node.kind == "WHILE" and not self.truth(node, node.condition, "WHILE"):
                return
            if not self.iterate(node):
                return
            if node.kind == "REPEAT" and self.truth(node, node.condition, "UNTIL"):
                return

    def for_in(self, node: Loop) -> None:
        query = node.query
        outcome = Outcome(statistics={"statementType": "SELECT"})
        with self.child(query, "EXPRESSION", outcome) if self.children else _no_child():
            table = execute(self.ctx, self.bind(query.tree.copy())).read_all()
        kind = _struct_type(table.schema)
        for row in table.to_pylist():
            self.scopes.append({node.variable.lower(): Variable(kind, row)})
            try:
                if not self.iterate(node):
                    return
            finally:
                self.scopes.pop()

    def iterate(self, node: Loop) -> bool:
        """Run a loop's body once; return False when a BREAK (of this loop) ends the loop."""
        # A loop may never end (LOOP without BREAK): a cancel must reach it whatever its body is.
        self.ctx.check_cancelled()
        try:
            self.statements(node.body)
        except _Break as jump:
            if jump.label is not None and jump.label.lower() != (node.label or "").lower():
                raise
            return isinstance(jump, _Continue)
        return True

    def block(self, node: Block) -> None:
        self.scopes.append({})
        try:
            self.statements(node.body)
        except _Break as jump:
            if jump.label is None or jump.label.lower() != (node.label or "").lower():
                raise
        except Cancelled:
            raise
        except BigQueryError as err:
            if node.handler is None:
                raise
            failed = getattr(err, "script_node", None) or node
            self.scopes[-1] = {}
            self.handled.append(_Handled(_worded(err, failed), failed))
            try:
                self.statements(node.handler)
            finally:
                self.handled.pop()
        finally:
            self.scopes.pop()

    def jump(self, node: Jump) -> None:
        raise (_Continue if node.kind == "CONTINUE" else _Break)(node.label)

    def raise_(self, node: Raise) -> None:
        if node.message is None:
            if not self.handled:
                raise InvalidError(
                    f"RAISE without a message is only allowed in an exception handler"
                    f"{node.location}"
                )
            error = Raised(self.handled[-1].message)
            error.script_node = self.handled[-1].node
            raise error
        got, value = self.evaluate(node, node.message)
        if got != STRING:
            raise InvalidError(
                f"RAISE USING MESSAGE needs a STRING; got {got.sql()}{node.location}"
            )
        error = Raised(value if value is not None else "NULL")
        error.script_node = node
        raise error

    def return_(self, node: Return) -> None:
        raise _Return()

    # Expressions ---------------------------------------------------------------------------

    def evaluate(self, node: Node, select: exp.Select) -> tuple[ParamType, Any]:
        """Return the type and value of a one-column SELECT (an expression) as Python."""
        return self.evaluate_row(node, select)[0]

    def evaluate_row(self, node: Node, select: exp.Select) -> list[tuple[ParamType, Any]]:
        tree = self.bind(select.copy())
        reads = any(True for _ in tree.find_all(exp.Table))
        if reads and self.children:
            with self.child(node, "EXPRESSION", Outcome(statistics={"statementType": "SELECT"})):
                table = execute(self.ctx, tree).read_all()
        else:
            table = execute(self.ctx, tree).read_all()
        kinds = _struct_type(table.schema).fields
        return [
            (kind, table.column(index)[0].as_py() if table.num_rows else None)
            for index, (_, kind) in enumerate(kinds)
        ]

    def truth(self, node: Node, select: exp.Select, clause: str) -> bool:
        got, value = self.evaluate(node, select)
        if got.kind != "BOOL" and value is not None:
            raise InvalidError(
                f"{clause} condition must be BOOL; got {got.sql()}{_where(select, node)}"
            )
        # As in BigQuery, a NULL condition is not true.
        return bool(value)

    def coerce(
        self, node: Node, select: exp.Select, got: ParamType, want: ParamType, value: Any, name: str
    ) -> Any:
        """Return value as type want, as assigning it to a variable does, or refuse it."""
        if value is None or got == want:
            return value
        widen = WIDENS.get((got.kind, want.kind))
        if widen is not None:
            return widen(value)
        expression = select.selects[0]
        if got == STRING and want.kind in TIME_TYPES and isinstance(expression, exp.Literal):
            # A string literal is a literal of any time type, as in BigQuery.
            cast = exp.select(exp.cast(expression.copy(), want.data_type()))
            return self.evaluate(node, cast)[1]
        if _same_shape(got, want):
            return _reshape(got, want, value)
        raise InvalidError(
            f"Cannot assign a value of type {got.sql()} to variable {name} of type "
            f"{want.sql()}{_where(select, node)}"
        )

    # Names ---------------------------------------------------------------------------------

    def lookup(self, name: str) -> Variable | None:
        for scope in reversed(self.scopes):
            if name.lower() in scope:
                return scope[name.lower()]
        return None

    def bind(self, tree: exp.Expression) -> exp.Expression:
        """Replace the variables and @@system variables tree names with typed constants."""
        if not any(self.scopes) and not any(tree.find_all(exp.Parameter)):
            return tree
        tables = {t.alias_or_name.lower() for t in tree.find_all(exp.Table)}
        tables |= {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        ctes = {cte.alias_or_name: cte.this for cte in tree.find_all(exp.CTE)}
        in_scope: dict[int, set[str]] = {}  # each SELECT's FROM names, read once per statement
        for column in list(tree.find_all(exp.Column)):
            if _is_assigned(column):
                continue
            if not column.table:
                variable = self.lookup(column.name)
                if variable is not None and not self.is_column(column, ctes, in_scope):
                    column.replace(_named(column, _constant(variable)))
            elif not column.args.get("db") and column.table.lower() not in tables:
                variable = self.lookup(column.table)
                if variable is not None and variable.type.kind == "STRUCT":
                    field = exp.Dot(this=_constant(variable), expression=column.this.copy())
                    column.replace(_named(column, field))
        for node in list(tree.find_all(exp.Parameter)):
            if not isinstance(node.this, exp.Parameter):
                continue
            name, target = node.this.name.lower(), node
            if isinstance(node.parent, exp.Dot) and node.parent.this is node:
                target = node.parent
                name = f"{name}.{target.expression.name.lower()}"
            target.replace(_constant(self.system(name, target)))
        return tree

    def is_column(
        self, column: exp.Column, ctes: dict[str, exp.Expression], in_scope: dict[int, set[str]]
    ) -> bool:
        """Return whether an unqualified name means a column of a query it sits in (BigQuery
        resolves a column before a variable): of a table, subquery, CTE or UNNEST in the FROM
        of its own SELECT or of one around it. in_scope keeps each SELECT's names once read."""
        name = column.name.lower()
        select = column.find_ancestor(exp.Select)
        while select is not None:
            if id(select) not in in_scope:
                in_scope[id(select)] = self.from_names(select, ctes)
            if name in in_scope[id(select)]:
                return True
            select = select.find_ancestor(exp.Select)
        return False

    def from_names(self, select: exp.Select, ctes: dict[str, exp.Expression]) -> set[str]:
        """Return the (lowercased) column names the FROM clause of select brings into scope."""
        names: set[str] = set()
        sources = [select.args.get("from_"), *(select.args.get("joins") or [])]
        for source in (s.this for s in sources if s is not None):
            alias = source.args.get("alias")
            if alias is not None and alias.columns:
                names |= {c.name.lower() for c in alias.columns}
            elif isinstance(source, exp.Unnest):
                names |= {alias.name.lower()} if alias is not None else set()
            elif isinstance(source, exp.Table) and not source.db and source.name in ctes:
                names |= _output_names(ctes[source.name])
            elif isinstance(source, exp.Table) and reads_catalog_table(source, set(ctes)):
                try:
                    table = self.ctx.table(source, permission=None)
                except BigQueryError:
                    continue  # the statement's own run reports a missing table
                names |= {field["name"].lower() for field in table.schema or []}
            elif isinstance(source, exp.Subquery):
                names |= _output_names(source.this)
        return names

    def system(self, name: str, node: exp.Expression) -> Variable:
        """Return the value of @@name, BigQuery's system variables."""
        handled = self.handled[-1] if self.handled else None
        elapsed_ms = int((time.monotonic() - self.started) * 1000)
        values: dict[str, tuple[ParamType, Any]] = {
            "current_job_id": (STRING, self.current_job_id or self.job_id or None),
            "last_job_id": (STRING, self.last_job_id),
            "project_id": (STRING, self.ctx.project.project_id),
            "dataset_id": (STRING, self.ctx.default_dataset),
            "time_zone": (STRING, self.time_zone),
            "row_count": (INT64, self.row_count),
            "script.job_id": (STRING, self.job_id or None),
            "script.bytes_processed": (INT64, self.ctx.bytes_processed),
            "script.bytes_billed": (INT64, 0),
            "script.num_child_jobs": (INT64, self.num_children),
            "script.slot_ms": (INT64, elapsed_ms),
            "script.creation_time": (TIMESTAMP, self.created),
            "error.message": (STRING, handled and handled.message),
            "error.statement_text": (STRING, handled and handled.node.text),
            "error.formatted_stack_trace": (
                STRING,
                handled and f"At [{handled.node.line}:{handled.node.column}]",
            ),
            "error.stack_trace": (
                ParamType("ARRAY", element=FRAME),
                handled
                and [
                    {
                        "line": handled.node.line,
                        "column": handled.node.column,
                        "filename": None,
                        "location": None,
                    }
                ],
            ),
        }
        if name not in values:
            raise InvalidError(f"Unrecognized name: @@{name}{_where(node)}")
        kind, value = values[name]
        return Variable(kind, value)


class _ChildRun:
    """Run a script's statement as a child job: its own statistics, recorded when it ends."""

    def __init__(
        self, script: Script, node: Node, evaluation: str, outcome: Outcome, job_id: str
    ) -> None:
        self.script, self.node, self.evaluation = script, node, evaluation
        self.outcome, self.job_id = outcome, job_id

    def __enter__(self) -> None:
        ctx = self.script.ctx
        self.saved, ctx.outcome = ctx.outcome, self.outcome
        self.before = ctx.bytes_processed
        self.started = dt.datetime.now(dt.UTC)

    def __exit__(self, kind: Any, error: BaseException | None, traceback: Any) -> None:
        script, ctx = self.script, self.script.ctx
        ctx.outcome = self.saved
        statistics = {
            **self.outcome.statistics,
            "totalBytesProcessed": str(ctx.bytes_processed - self.before),
            "scriptStatistics": {
                "evaluationKind": self.evaluation,
                "stackFrames": [self.node.frame()],
            },
        }
        failed = error.as_error_result() if isinstance(error, BigQueryError) else None
        if ctx.run is not None and (error is None or failed is not None):
            ctx.run.child(
                ChildJob(
                    job_id=self.job_id,
                    query=self.node.text,
                    statistics=statistics,
                    outcome=self.outcome,
                    error=failed,
                    started=self.started,
                    ended=dt.datetime.now(dt.UTC),
                )
            )
        script.last_job_id = self.job_id


RUN = {
    Statement: Script.run_statement,
    Declare: Script.declare,
    Assign: Script.assign,
    If: Script.branch,
    Loop: Script.loop,
    Block: Script.block,
    Jump: Script.jump,
    Raise: Script.raise_,
    Return: Script.return_,
}


def _worded(err: BigQueryError, node: Node, *, uncaught: bool = False) -> str:
    """Return an error as a script reports it (@@error.message, or the job's error).

    An error with its own position keeps it; one without is a "Query error" at the statement
    that failed. A RAISEd message is the user's own words (with the position, if uncaught).
    """
    if isinstance(err, Raised):
        if uncaught and not LOCATED.search(err.message):
            return f"{err.message}{node.location}"
        return err.message
    if LOCATED.search(err.message) or err.message.startswith("Query error: "):
        return err.message
    return f"Query error: {err.message}{node.location}"


def _no_child() -> contextlib.nullcontext[None]:
    return contextlib.nullcontext()


def _where(tree: exp.Expression, node: Node | None = None) -> str:
    return location(tree) or (node.location if node is not None else "")


def _constant(variable: Variable) -> exp.Expression:
    return params.constant(Parameter(None, variable.type, variable.value))


def _named(column: exp.Column, value: exp.Expression) -> exp.Expression:
    """Return value named as the column it replaces, if the column is a SELECT's output: as in
    BigQuery, `SELECT x` names its column x."""
    if isinstance(column.parent, exp.Select) and column.arg_key == "expressions":
        return exp.alias_(value, column.name)
    return value


def _is_assigned(column: exp.Column) -> bool:
    """Return whether column is the left side of an UPDATE's (or MERGE's) SET: a column."""
    parent = column.parent
    return (
        isinstance(parent, exp.EQ)
        and parent.this is column
        and isinstance(parent.parent, exp.Update | exp.Merge | exp.When)
    )


def _struct_type(schema: pa.Schema) -> ParamType:
    """Return a query's row type: a STRUCT of its columns, in BigQuery's types."""
    return ParamType(
        "STRUCT",
        fields=tuple((field["name"], _field_type(field)) for field in schema_from_arrow(schema)),
    )


def _field_type(field: dict[str, Any]) -> ParamType:
    if field.get("type") in ("RECORD", "STRUCT"):
        kind = ParamType(
            "STRUCT", fields=tuple((f["name"], _field_type(f)) for f in field["fields"])
        )
    else:
        kind = ParamType(params.SCALARS.get(field["type"], field["type"]))
    if field.get("mode") == "REPEATED":
        return ParamType("ARRAY", element=kind)
    return kind


def _reshape(got: ParamType, want: ParamType, value: Any) -> Any:
    """Return a value of type got with want's STRUCT field names (fields match by position)."""
    if value is None:
        return None
    if got.kind == "ARRAY":
        return [_reshape(got.element, want.element, item) for item in value]
    if got.kind == "STRUCT":
        return {
            name: _reshape(a, b, value.get(old))
            for (old, a), (name, b) in zip(got.fields, want.fields, strict=True)
        }
    return value


def _same_shape(got: ParamType, want: ParamType) -> bool:
    """Return whether got's values fit want's (STRUCT fields by position, as BigQuery coerces)."""
    if got.kind != want.kind:
        return False
    if got.kind == "ARRAY":
        return _same_shape(got.element, want.element)
    if got.kind == "STRUCT":
        return len(got.fields) == len(want.fields) and all(
            _same_shape(a, b) for (_, a), (_, b) in zip(got.fields, want.fields, strict=True)
        )
    return True


def _output_names(query: exp.Expression) -> set[str]:
    """Return the (lowercased) names of a query's output columns, as far as its text tells."""
    select = query if isinstance(query, exp.Select) else query.find(exp.Select)
    if select is None:
        return set()
    return {p.alias_or_name.lower() for p in select.expressions}
