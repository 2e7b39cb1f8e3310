"""SQL user-defined functions: CREATE [TEMP] FUNCTION, DROP FUNCTION, and calls to them.

A call is inlined in the checked tree rather than registered as a DuckDB macro: the body then goes
through exactly the checks and the one generator every query goes through (check_functions, the
DuckDB transpiler), UDFs calling UDFs expand with nothing of ours left in DuckDB, and a call costs
nothing at run time. Each argument takes the place of its parameter, cast to the declared type
(an ANY TYPE parameter takes it as it is), and the result is cast to the declared return type.

Bodies may not read tables: a call would read them with the caller's permissions, which the
statement's targets, checked before the script runs, do not list.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from sqlglot import exp
from sqlglot.optimizer.annotate_types import annotate_types

from console.catalog.models import Dataset, Project, Routine, check_id
from console.engine.parse import check_functions, earliest_location, location, parse_script
from console.engine.transpile import ANONYMOUS_FUNCTIONS
from console.engine.types import standard_sql_text
from console.errors import BigQueryError, DuplicateError, InvalidError, NotFoundError
from console.iam.roles import ROUTINES_GET

if TYPE_CHECKING:
    from console.engine.query import Context

# How deep UDFs may call UDFs; a cycle (f calls g calls f) is refused before it gets there.
MAX_DEPTH = 16
# The permission of a statement's own target, checked by statements.authorize (query.TARGET).
TARGET = None

TYPE_KINDS = frozenset(
    {
        "INT64",
        "NUMERIC",
        "BIGNUMERIC",
        "FLOAT64",
        "BOOL",
        "STRING",
        "BYTES",
        "DATE",
        "DATETIME",
        "TIME",
        "TIMESTAMP",
        "JSON",
        "GEOGRAPHY",
        "INTERVAL",
        "ARRAY",
        "STRUCT",
    }
)
# BigQuery's implicit coercions of an argument to a parameter's type (besides the same type and
# NULL), and those only a literal gets.
COERCIONS = {
    "INT64": {"NUMERIC", "BIGNUMERIC", "FLOAT64"},
    "NUMERIC": {"BIGNUMERIC", "FLOAT64"},
    "BIGNUMERIC": {"FLOAT64"},
    "DATE": {"DATETIME"},
}
LITERAL_COERCIONS = {
    "STRING": {"DATE", "DATETIME", "TIME", "TIMESTAMP"},
    "FLOAT64": {"NUMERIC", "BIGNUMERIC"},
}
ANY_TYPE = "ANY_TYPE"


@dataclass(frozen=True)
class Function:
    """A SQL function as a call needs it: its name as written, signature and parsed body."""

    name: str
    arguments: list[dict[str, Any]]
    return_type: dict[str, Any] | None
    body: exp.Expression
    # What it is however a call spells it (`local-project:ds.f`), for finding cycles.
    key: str = ""

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join(argument_type_text(a) for a in self.arguments)})"


# Types: StandardSqlDataType <-> GoogleSQL ------------------------------------------------------


def standard_type(dtype: exp.DataType) -> dict[str, Any]:
    """Return a declared GoogleSQL type as the REST API's StandardSqlDataType."""
    if dtype.is_type(exp.DataType.Type.ARRAY):
        return {"typeKind": "ARRAY", "arrayElementType": standard_type(dtype.expressions[0])}
    if dtype.is_type(exp.DataType.Type.STRUCT):
        fields = [
            {"name": column.name, "type": standard_type(column.args["kind"])}
            for column in dtype.expressions
        ]
        return {"typeKind": "STRUCT", "structType": {"fields": fields}}
    name = dtype.sql(dialect="bigquery").split("(")[0].upper()
    if name not in TYPE_KINDS:
        raise InvalidError(f"Type {name} is not supported by Quarry{location(dtype)}")
    return {"typeKind": name}


def argument_type_text(argument: dict[str, Any]) -> str:
    if argument.get("argumentKind") == ANY_TYPE:
        return "ANY TYPE"
    return standard_sql_text(argument["dataType"])


def signature(routine: Routine) -> str:
    """Return a routine's signature as bq shows it: `(x INT64, y STRING) -> FLOAT64`."""
    arguments = ", ".join(f"{a['name']} {argument_type_text(a)}" for a in routine.arguments)
    returns = f" -> {standard_sql_text(routine.return_type)}" if routine.return_type else ""
    return f"({arguments}){returns}"


def check_standard_type(value: Any, where: str) -> dict[str, Any]:
    """Return a StandardSqlDataType from a request, or raise InvalidError naming where it is."""
    kind = value.get("typeKind") if isinstance(value, dict) else None
    if kind not in TYPE_KINDS:
        raise InvalidError(f"Invalid value for {where}.typeKind: {kind!r}", where)
    if kind == "ARRAY":
        element = check_standard_type(value.get("arrayElementType"), f"{where}.arrayElementType")
        return {"typeKind": kind, "arrayElementType": element}
    if kind == "STRUCT":
        fields = (value.get("structType") or {}).get("fields") or []
        return {
            "typeKind": kind,
            "structType": {
                "fields": [
                    {
                        "name": str(f.get("name") or ""),
                        "type": check_standard_type(f.get("type"), f"{where}.structType.fields"),
                    }
                    for f in fields
                ]
            },
        }
    return {"typeKind": kind}


def check_arguments(value: Any) -> list[dict[str, Any]]:
    """Return a Routine resource's arguments checked: each a name and a type (or ANY TYPE)."""
    if not isinstance(value, list):
        raise InvalidError("Invalid value for arguments: expected a list", "arguments")
    arguments, seen = [], set()
    for position, argument in enumerate(value):
        where = f"arguments[{position}]"
        name = argument.get("name") if isinstance(argument, dict) else None
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise InvalidError(f"Invalid argument name {name!r} in {where}", where)
        if name.casefold() in seen:
            raise InvalidError(f"Duplicate argument name {name} in {where}", where)
        seen.add(name.casefold())
        if argument.get("argumentKind") == ANY_TYPE:
            arguments.append({"name": name, "argumentKind": ANY_TYPE})
        else:
            data_type = check_standard_type(argument.get("dataType"), f"{where}.dataType")
            arguments.append({"name": name, "dataType": data_type})
    return arguments


def _data_type(standard: dict[str, Any]) -> exp.DataType:
    return exp.DataType.build(standard_sql_text(standard), dialect="bigquery")


# Bodies ----------------------------------------------------------------------------------------


def parse_body(text: str) -> exp.Expression:
    """Return a definitionBody (one GoogleSQL expression) parsed, or raise InvalidError."""
    # The body goes on a line of its own, so a trailing `-- comment` cannot swallow the `)`.
    try:
        statements = parse_script(f"SELECT (\n{text}\n)")
    except InvalidError as err:
        found = re.search(r" at \[(\d+):(\d+)\]$", err.message)
        if found and int(found[1]) - 1 > text.count("\n") + 1:
            # Past the body: at the parenthesis that closes it here.
            err.message = "Syntax error: Unexpected end of expression"
        elif found:
            # Positions are the body's own: one line up.
            err.message = f"{err.message[: found.start()]} at [{int(found[1]) - 1}:{found[2]}]"
        err.message = f"Invalid function body: {err.message}"
        err.location = "definitionBody"
        raise
    select = statements[0]
    used = {key for key, value in select.args.items() if value}
    if len(statements) != 1 or not isinstance(select, exp.Select) or used != {"expressions"}:
        raise InvalidError("Invalid function body: it must be one expression", "definitionBody")
    (wrapped,) = select.expressions if len(select.expressions) == 1 else (None,)
    # `((SELECT ...))` comes back as the scalar subquery itself.
    if isinstance(wrapped, exp.Paren):
        body = wrapped.this.copy()
    elif isinstance(wrapped, exp.Subquery):
        body = wrapped.copy()
    else:
        raise InvalidError("Invalid function body: it must be one expression", "definitionBody")
    for node in body.walk():
        if "line" in node.meta:
            node.meta["line"] -= 1
    return body


def check_body(ctx: Context, function: Function, *, persistent: bool = False) -> None:
    """Refuse a body that reads tables, names what is not a parameter, or calls what is not known.

    The body is checked as a query checks it: unknown functions, UDFs the caller may not get. A
    persistent function outlives the script, so it may not call the script's temporary ones.
    """
    body = function.body
    for table in body.find_all(exp.Table):
        raise InvalidError(
            f"Function {function.name} reads table {table.sql(dialect='bigquery')}"
            f"{location(table)}: SQL functions that read tables are not supported by Quarry"
        )
    for aggregate in body.find_all(exp.AggFunc):
        # Inlined, an aggregate would turn the caller's query into a GROUP BY of its own.
        if not aggregate.find_ancestor(exp.Select):
            raise InvalidError(
                f"Aggregate function {aggregate.sql_name()} not allowed in SQL function body"
                f"{location(aggregate)}"
            )
    names = {argument["name"].casefold() for argument in function.arguments}
    for column in body.find_all(exp.Column):
        first = column.parts[0].name
        # A column inside a subquery of the body (`FROM UNNEST(a) AS v`) is the subquery's.
        if first.casefold() in names or column.find_ancestor(exp.Select):
            continue
        raise InvalidError(f"Unrecognized name: {first}{location(column)}")
    scope = dataclasses.replace(ctx, functions={}) if persistent else ctx
    trial = exp.Paren(this=body.copy())
    check_functions(expand(scope, trial, (function.key,)))


# Statements --------------------------------------------------------------------------------------


def is_temporary(statement: exp.Expression) -> bool:
    """Return True for CREATE TEMP FUNCTION, which lives only as long as its script."""
    properties = statement.args.get("properties")
    return bool(
        isinstance(statement, exp.Create)
        and statement.kind == "FUNCTION"
        and properties is not None
        and properties.find(exp.TemporaryProperty)
    )


def is_aggregate_function(statement: exp.Expression) -> bool:
    """Return True for CREATE AGGREGATE FUNCTION, which sqlglot leaves as a command."""
    if not isinstance(statement, exp.Command) or statement.this != "CREATE":
        return False
    rest = str(statement.expression or "")
    return re.match(r"\s*(OR\s+REPLACE\s+)?(TEMP(ORARY)?\s+)?AGGREGATE\s", rest, re.I) is not None


def without_temporary(statements: list[exp.Expression]) -> list[exp.Expression]:
    """Return the statements after the temporary functions a query declares first.

    As in BigQuery, `CREATE TEMP FUNCTION f ...; SELECT f(1)` is one query, not a script.
    """
    declared = 0
    while declared < len(statements) - 1 and is_temporary(statements[declared]):
        declared += 1
    return statements[declared:]


def created_routine(statement: exp.Create) -> exp.Table:
    """Return the name CREATE FUNCTION creates, once BigQuery's rule for routine IDs accepts it."""
    name = statement.this.this
    check_id("Routine", name.name)
    return name


def dropped_routine(statement: exp.Drop) -> exp.Table:
    return statement.this or (statement.args.get("tables") or [None])[0]


def function_of(statement: exp.Create) -> Function:
    """Return the function a CREATE FUNCTION statement declares, refusing what Quarry lacks."""
    properties = statement.args.get("properties")
    where = location(statement.this)
    language = properties.find(exp.LanguageProperty) if properties else None
    if language is not None and language.name.upper() != "SQL":
        raise InvalidError(
            f"Functions in LANGUAGE {language.name} are not supported by Quarry{where}: "
            "write the function in SQL, AS (expression)"
        )
    body = statement.expression
    # `AS ((SELECT ...))` parses as the scalar subquery itself.
    if isinstance(body, exp.Paren):
        body = body.this
    elif not isinstance(body, exp.Subquery):
        raise InvalidError(f"A SQL function's body must be one expression, AS (expression){where}")
    name = created_routine(statement)
    arguments, seen = [], set()
    for column in statement.this.expressions:
        if column.name.casefold() in seen:
            raise InvalidError(f"Duplicate argument name {column.name}{location(column)}")
        seen.add(column.name.casefold())
        dtype = column.args["kind"]
        if dtype.is_type(exp.DataType.Type.VARIANT):
            arguments.append({"name": column.name, "argumentKind": ANY_TYPE})
        else:
            arguments.append({"name": column.name, "dataType": standard_type(dtype)})
    returns = properties.find(exp.ReturnsProperty) if properties else None
    return_type = standard_type(returns.this) if returns is not None else None
    written = ".".join(part.name for part in name.parts)
    return Function(written, arguments, return_type, body.copy(), key=written)


def _description(statement: exp.Create) -> str:
    properties = statement.args.get("properties")
    description = ""
    options = [p for p in properties.expressions if type(p) is exp.Property] if properties else []
    for option in options:
        if option.name.lower() != "description":
            raise InvalidError(
                f"OPTIONS({option.name}) is not supported by Quarry for SQL functions"
                f"{location(option)}"
            )
        value = option.args.get("value")
        if not isinstance(value, exp.Literal) or not value.is_string:
            raise InvalidError(f"OPTIONS(description) must be a string{location(option)}")
        description = value.this
    return description


def create_function(ctx: Context, statement: exp.Create) -> None:
    """CREATE [OR REPLACE] [TEMP] FUNCTION [IF NOT EXISTS] name(arguments) [RETURNS t] AS (x)."""
    if declare_temporary(ctx, statement):
        return
    function = function_of(statement)
    name = created_routine(statement)
    description = _description(statement)
    dataset = ctx.dataset(name, kind="Routine", permission=TARGET)
    function = dataclasses.replace(function, key=f"{dataset.full_id}.{name.name}")
    existing = Routine.objects.filter(dataset=dataset, routine_id=name.name).first()
    ctx.outcome.statistics["ddlTargetRoutine"] = {
        "projectId": dataset.project.project_id,
        "datasetId": dataset.dataset_id,
        "routineId": name.name,
    }
    if existing is not None and statement.args.get("exists"):
        ctx.outcome.statistics["ddlOperationPerformed"] = "SKIP"
        return
    if existing is not None and not statement.args.get("replace"):
        raise DuplicateError(f"Already Exists: Function {dataset.full_id}.{name.name}")
    check_body(ctx, function, persistent=True)
    routine = existing or Routine(dataset=dataset, routine_id=name.name)
    _store(routine, function, description)
    ctx.outcome.statistics["ddlOperationPerformed"] = "REPLACE" if existing else "CREATE"


def check_declaration(ctx: Context, statement: exp.Expression) -> None:
    """Check a CREATE FUNCTION as a dry run does, without saving it; declare a temporary one."""
    if declare_temporary(ctx, statement):
        return
    if isinstance(statement, exp.Create) and statement.kind == "FUNCTION":
        _description(statement)
        check_body(ctx, function_of(statement), persistent=True)


def declare_temporary(ctx: Context, statement: exp.Expression) -> bool:
    """Declare a CREATE TEMP FUNCTION for the rest of the script; return False for others."""
    if not is_temporary(statement):
        return False
    function = function_of(statement)
    name = created_routine(statement)
    if name.db:
        raise InvalidError(
            f"Temporary function {function.name} must not be qualified with a dataset"
            f"{location(name)}"
        )
    key = name.name.casefold()
    if key in ctx.functions and not statement.args.get("replace"):
        if statement.args.get("exists"):
            return True
        raise DuplicateError(f"Duplicate function name: {name.name}{location(name)}")
    check_body(ctx, function)
    ctx.functions[key] = function
    ctx.function_texts[key] = statement.sql(dialect="bigquery")
    return True


def drop_function(ctx: Context, statement: exp.Drop) -> None:
    """DROP FUNCTION [IF EXISTS] [project.]dataset.name."""
    name = dropped_routine(statement)
    dataset = ctx.dataset(name, kind="Routine", permission=TARGET)
    routine = Routine.objects.filter(dataset=dataset, routine_id=name.name).first()
    ctx.outcome.statistics["ddlOperationPerformed"] = "DROP"
    if routine is None:
        if statement.args.get("exists"):
            ctx.outcome.statistics["ddlOperationPerformed"] = "SKIP"
            return
        raise NotFoundError(f"Not found: Function {dataset.full_id}.{name.name}")
    ctx.outcome.statistics["ddlTargetRoutine"] = {
        "projectId": dataset.project.project_id,
        "datasetId": dataset.dataset_id,
        "routineId": name.name,
    }
    routine.delete()


# The REST API's door -------------------------------------------------------------------------


def define(principal: Any, routine: Routine, resource: dict[str, Any]) -> Routine:
    """Check a Routine resource (routines.insert / update) and save it as routine.

    principal must be allowed to get every function the body calls, as a query calling them is.
    """
    from console.engine.query import Context  # query binds calls through this module

    check_id("Routine", routine.routine_id, "routineReference.routineId")
    kind = resource.get("routineType") or Routine.Type.SCALAR_FUNCTION
    if kind != Routine.Type.SCALAR_FUNCTION:
        raise InvalidError(
            f"Routine type {kind} is not supported by Quarry: only SQL scalar functions are",
            "routineType",
        )
    language = resource.get("language") or Routine.Language.SQL
    if language != Routine.Language.SQL:
        raise InvalidError(
            f"Functions in language {language} are not supported by Quarry: write it in SQL",
            "language",
        )
    definition_body = resource.get("definitionBody")
    return_type = resource.get("returnType")
    if not isinstance(definition_body, str) or not definition_body.strip():
        raise InvalidError("Required field definitionBody is missing", "definitionBody")
    ctx = Context(
        project=routine.dataset.project, default_dataset=None, con=None, principal=principal
    )
    checked = check_arguments(resource.get("arguments") or [])
    returns = check_standard_type(return_type, "returnType") if return_type else None
    body = parse_body(definition_body)
    function = Function(routine.routine_id, checked, returns, body, key=routine.full_id)
    check_body(ctx, function, persistent=True)
    # A body sent through the API is kept as its author wrote it.
    routine.definition_body = definition_body
    _store(routine, function, resource.get("description") or "", keep_text=True)
    return routine


def _store(routine: Routine, function: Function, description: str, keep_text: bool = False) -> None:
    routine.arguments = function.arguments
    routine.return_type = function.return_type
    if not keep_text:
        # A DDL body is kept as GoogleSQL regenerated from its checked tree.
        routine.definition_body = function.body.sql(dialect="bigquery")
    routine.description = description
    try:
        with transaction.atomic():
            routine.save()
    except IntegrityError:
        # Another job or request made the same routine since this one looked.
        raise DuplicateError(f"Already Exists: Routine {routine.full_id}") from None


# Calls -------------------------------------------------------------------------------------------


def expand(
    ctx: Context, tree: exp.Expression, chain: tuple[str, ...] = (), at: str | None = None
) -> exp.Expression:
    """Return tree with every call of a SQL function replaced by its body, checked and typed.

    Calls in arguments expand before the call that takes them; calls in a body expand with the
    body, one level deeper (chain: the functions being expanded). A failure inside a stored
    body is reported at the call in the query (at), since the body's own positions mean nothing
    there.
    """
    # Reversed pre-order: every node comes after everything beneath it.
    for node in reversed(list(tree.dfs())):
        parts = _called(ctx, node)
        if parts is None:
            continue
        where = earliest_location(node) if at is None else at
        function = _function(ctx, parts, where)
        inlined = _inline(ctx, function, _arguments(node), where, chain)
        if node is tree:
            return inlined
        node.replace(inlined)
    return tree


def _called(ctx: Context, node: exp.Expression) -> list[str] | None:
    """Return the name parts of the function node calls, if it calls a SQL function."""
    if isinstance(node, exp.Dot) and isinstance(node.expression, exp.Anonymous):
        qualifier = list(_identifiers(node.this))
        if ".".join([*map(str, qualifier), node.expression.name]).upper() in ANONYMOUS_FUNCTIONS:
            return None  # a built-in family's function, such as HLL_COUNT.INIT
        if qualifier and all(part is not None for part in qualifier):
            return [*qualifier, node.expression.name]
        return None
    if not isinstance(node, exp.Anonymous) or isinstance(node.parent, exp.Dot):
        return None
    parts = node.name.split(".")
    if len(parts) in (2, 3):
        return parts
    if node.name.casefold() in ctx.functions:
        return [node.name]
    return None


def _identifiers(node: exp.Expression) -> Iterator[str | None]:
    if isinstance(node, exp.Dot):
        yield from _identifiers(node.this)
        yield from _identifiers(node.expression)
    elif isinstance(node, exp.Identifier):
        yield from node.name.split(".")
    else:
        yield None


def _arguments(node: exp.Expression) -> list[exp.Expression]:
    call = node.expression if isinstance(node, exp.Dot) else node
    return list(call.expressions)


def _function(ctx: Context, parts: list[str], where: str) -> Function:
    written = ".".join(parts)
    if len(parts) == 1:
        return ctx.functions[parts[0].casefold()]
    if len(parts) > 3:
        raise InvalidError(f"Function not found: {written}{where}")
    project_id, dataset_id, routine_id = ([ctx.project.project_id, *parts])[-3:]
    project = ctx.project
    if project_id != ctx.project.project_id:
        project = Project.objects.filter(project_id=project_id).first()
        if project is None:
            raise InvalidError(f"Function not found: {written}{where}")
    dataset = Dataset.objects.filter(project=project, dataset_id=dataset_id).first()
    routine = None
    if dataset is not None:
        routine = Routine.objects.filter(dataset=dataset, routine_id=routine_id).first()
    stand_in = Routine(
        dataset=dataset or Dataset(project=project, dataset_id=dataset_id), routine_id=routine_id
    )
    ctx.check(ROUTINES_GET, routine or stand_in)
    if routine is None:
        raise InvalidError(f"Function not found: {written}{where}")
    try:
        body = parse_body(routine.definition_body)
    except BigQueryError as err:
        raise InvalidError(f"Function {written} cannot be called: {err.message}") from None
    return Function(written, routine.arguments, routine.return_type, body, key=routine.full_id)


def _inline(
    ctx: Context,
    function: Function,
    arguments: list[exp.Expression],
    where: str,
    chain: tuple[str, ...],
) -> exp.Expression:
    if function.key in chain:
        path = " -> ".join([*chain[chain.index(function.key) :], function.key])
        raise InvalidError(f"Recursive function calls are not supported: {path}{where}")
    if len(chain) >= MAX_DEPTH:
        raise InvalidError(
            f"Function {function.name} is called {MAX_DEPTH} functions deep{where}; "
            "Quarry expands at most that many"
        )
    _check_signature(function, arguments, where)
    body = exp.Paren(this=function.body.copy())
    body = expand(ctx, body, (*chain, function.key), at=where)
    values = {
        declared["name"].casefold(): _argument_value(declared, given)
        for declared, given in zip(function.arguments, arguments, strict=True)
    }
    for column in list(body.find_all(exp.Column)):
        # `p` or, for a STRUCT parameter, `p.field.subfield`.
        first, *fields = column.parts
        value = values.get(first.name.casefold())
        if value is None:
            continue
        replacement = value.copy()
        for name in fields:
            replacement = exp.Dot(this=exp.Paren(this=replacement), expression=name.copy())
        column.replace(replacement)
    if function.return_type is None:
        return body
    return exp.Cast(this=body, to=_data_type(function.return_type))


def _argument_value(declared: dict[str, Any], given: exp.Expression) -> exp.Expression:
    if declared.get("argumentKind") == ANY_TYPE:
        return exp.Paren(this=given.copy())
    return exp.Cast(this=given.copy(), to=_data_type(declared["dataType"]))


def _check_signature(function: Function, arguments: list[exp.Expression], where: str) -> None:
    """Refuse a call BigQuery would not match to the function's one signature."""
    if any(isinstance(argument, exp.Kwarg) for argument in arguments):
        raise InvalidError(
            f"Named arguments are not supported in calls of SQL function {function.name}{where}"
        )
    given = [_type_of(argument) for argument in arguments]
    matches = len(arguments) == len(function.arguments) and all(
        _coerces(kind, argument, declared)
        for kind, argument, declared in zip(given, arguments, function.arguments, strict=False)
    )
    if matches:
        return
    if all(given):
        found = f"for argument types: {', '.join(given) or '()'}"
    else:
        found = f"with {len(arguments)} argument{'s' if len(arguments) != 1 else ''}"
    raise InvalidError(
        f"No matching signature for function {function.name} {found}. "
        f"Supported signature: {function.signature}{where}"
    )


def _type_of(argument: exp.Expression) -> str | None:
    """Return an argument's GoogleSQL type where it is plain without the catalog, else None."""
    if isinstance(argument, exp.Null):
        return "NULL"
    kind = annotate_types(argument.copy(), dialect="bigquery").type
    if kind is None or kind.is_type(exp.DataType.Type.UNKNOWN):
        return None
    return kind.sql(dialect="bigquery")


def _coerces(kind: str | None, argument: exp.Expression, declared: dict[str, Any]) -> bool:
    if kind is None or kind == "NULL" or declared.get("argumentKind") == ANY_TYPE:
        return True
    wanted = declared["dataType"]["typeKind"]
    if wanted in ("ARRAY", "STRUCT") or kind.startswith(("ARRAY", "STRUCT")):
        return True
    if kind == wanted or wanted in COERCIONS.get(kind, ()):
        return True
    literal = isinstance(argument, exp.Literal) or (
        isinstance(argument, exp.Neg) and isinstance(argument.this, exp.Literal)
    )
    return literal and wanted in LITERAL_COERCIONS.get(kind, ())
