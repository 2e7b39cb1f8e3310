"""Generate DuckDB SQL for a checked BigQuery tree, in one walk.

sqlglot's DuckDB generator already spells most BigQuery in DuckDB's terms. `Target` differs from it
only where DuckDB would give another result than BigQuery. Each difference is one entry in
REWRITES: the node type and a handler that returns the node's DuckDB SQL, or None to leave the node
to sqlglot's spelling. A handler generates its children with `self.sql`, so every node's SQL is
produced once and no handler ever sees, or rewrites, another's output.

The handlers apply to the query's own nodes, which the generator marks once before it starts,
never to nodes sqlglot builds while generating (SAFE_DIVIDE's division, the DATE_ADD of a week
truncation): those already mean what DuckDB means, and a checked division or a DATE cast there
would change their result.

A BigQuery function that sqlglot does not model parses as exp.Anonymous. Supporting one is one
entry in ANONYMOUS_FUNCTIONS: its upper-case name and a handler `(generator, node) -> DuckDB SQL`.
`check_functions` lets exactly those names through, and `Target` generates them with that handler.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB

from console.engine import functions
from console.engine.functions.base import Handler, arguments, duckdb_handler
from console.engine.sandbox import FARM_FINGERPRINT, RAND_OF_ROW, SHA512
from console.errors import BigQueryError, InvalidError


def to_duckdb(tree: exp.Expression) -> str:
    """Return the DuckDB SQL for a checked tree; the tree itself is left as it was.

    Raises InvalidError, in BigQuery's words, for a call sqlglot cannot spell in DuckDB: it would
    otherwise write SQL that means something else, or that DuckDB refuses in its own words.
    """
    try:
        return _TARGET.generate(tree)
    except RecursionError:
        # The parser takes deeper nesting than the generator: arrays of arrays of arrays …
        raise InvalidError("Expressions are nested too deeply for Quarry to run") from None
    except Unsupported as err:
        raise err.refusal() from None


class Unsupported(Exception):
    """What sqlglot cannot write in DuckDB (its message; None where it slipped on the call's
    arguments with a Python error), and the innermost call it was writing."""

    def __init__(self, message: str | None, call: exp.Func | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.call = call

    def refusal(self) -> InvalidError:
        # Imported here: parse, which reads positions, imports this module.
        from console.engine.parse import called_name, location

        call = self.call
        if call is None:
            return InvalidError(f"Quarry cannot run this query: {self.message}")
        name = called_name(call) if isinstance(call, exp.Anonymous) else bigquery_name(call)
        where = location(call)
        # "SOUNDEX is not supported in DuckDB", "APPROX_TOP_K cannot be transpiled": the function
        # itself, not one form of it. sqlglot's own words name DuckDB, so they are not shown.
        own = re.escape(call.sql_name())
        if self.message and re.search(rf"^{own}\b|does not support the {own}\(", self.message):
            return InvalidError(f"Function not found: {name}{where}")
        return InvalidError(
            f"No matching signature for function {name} for the arguments given: Quarry cannot "
            f"run this form of it{where}"
        )


def bigquery_name(call: exp.Func) -> str:
    """The name BigQuery calls a sqlglot node by (JSONBool is BOOL, AIGenerate AI.GENERATE)."""
    try:
        written = re.match(r"[A-Za-z_][\w.]*", call.sql(dialect="bigquery"))
    except Exception:  # the call sqlglot slipped on may not print either
        written = None
    name = written.group(0) if written else call.sql_name()
    family = call.parent
    if isinstance(family, exp.Dot) and isinstance(family.this, exp.Identifier):
        return f"{family.this.name}.{name}"
    return f"NET.{name}" if isinstance(family, exp.NetFunc) else name


# Arithmetic ------------------------------------------------------------------------------------


def _checked_division(self: Target.Generator, node: exp.Div) -> str:
    # BigQuery's `/` fails on a zero divisor; DuckDB's returns infinity, as IEEE_DIVIDE does.
    divisor = self.sql(node, "expression")
    failure = exp.Literal.string(f"division by zero: {node.sql(dialect='bigquery')}")
    return (
        f"CASE WHEN {divisor} = 0 THEN {self.func('ERROR', failure)} "
        f"ELSE {self.sql(node, 'this')} / {divisor} END"
    )


def _ieee_divide(self: Target.Generator, node: exp.Anonymous) -> str:
    # DuckDB's own `/` is IEEE division. The arguments were commas apart, so an operand such as
    # `x + 1` needs its parentheses back.
    dividend, divisor = (
        f"({self.sql(arg)})" if isinstance(arg, exp.Binary) else self.sql(arg)
        for arg in arguments("IEEE_DIVIDE", node, (2,))
    )
    return f"{dividend} / {divisor}"


def _float_literal(self: Target.Generator, node: exp.Literal) -> str | None:
    # BigQuery reads 2.7 and 1e3 as FLOAT64, DuckDB as DECIMAL, whose FLOOR(2.7) is a
    # DECIMAL(2,0) that would come back as INT64; NUMERIC '2.7' is a cast of a string, untouched.
    if node.is_string or node.is_int:
        return None
    return f"CAST({node.this} AS DOUBLE)"


INTEGER_TYPES = {exp.DataType.Type.BIGINT, exp.DataType.Type.INT, exp.DataType.Type.SMALLINT}


def _rounding_integer_cast(self: Target.Generator, node: exp.Cast) -> str | None:
    # BigQuery's CAST(2.5 AS INT64) is 3, half away from zero; DuckDB rounds a DOUBLE half to
    # even (2) but a DECIMAL away from zero, so a non-integer operand goes through DECIMAL(38,9),
    # which holds every INT64 exactly. DuckDB's own string parsing (hex, signs) stays.
    if node.to.this not in INTEGER_TYPES or node.this.is_int or node.this.is_string:
        return None
    cast = "TRY_CAST" if isinstance(node, exp.TryCast) else "CAST"
    exact = f"{cast}({self.sql(node, 'this')} AS DECIMAL(38, 9))"
    return f"{cast}({exact} AS {self.sql(node, 'to')})"


def _numeric_precision(self: Target.Generator, node: exp.DataType) -> str | None:
    # BigQuery's NUMERIC is DECIMAL(38, 9); DuckDB's bare DECIMAL is (18, 3), which would round
    # CAST(1.23456 AS NUMERIC) to 1.235.
    if node.this == exp.DataType.Type.DECIMAL and not node.expressions:
        return "DECIMAL(38, 9)"
    return None


# Functions -------------------------------------------------------------------------------------


def _array_agg_limit(self: Target.Generator, node: exp.ArrayAgg) -> str | None:
    # BigQuery's ARRAY_AGG(x ORDER BY y LIMIT n) has no DuckDB spelling. With one sort key it is
    # DuckDB's top-n ARG_MAX/ARG_MIN, which keeps a heap instead of sorting every group. Those
    # skip rows whose key is NULL, so such rows are collected apart and put first or last as
    # the ORDER BY says (BigQuery: NULLS FIRST ascending, NULLS LAST descending).
    limit = node.this
    if not isinstance(limit, exp.Limit):
        return None
    order = limit.this
    count = self.sql(limit, "expression")
    if not (isinstance(order, exp.Order) and len(order.expressions) == 1):
        return self.func("LIST_SLICE", self.func("ARRAY_AGG", order), "1", count)
    key = order.expressions[0]
    value = self.sql(order, "this")
    by = self.sql(key, "this")
    top = self.func("ARG_MAX" if key.args.get("desc") else "ARG_MIN", value, by, count)
    null_keys = f"{self.func('ARRAY_AGG', value)} FILTER(WHERE {by} IS NULL)"
    parts = (null_keys, top) if key.args.get("nulls_first") else (top, null_keys)
    return self.func("LIST_SLICE", self.func("LIST_CONCAT", *parts), "1", count)


def _approx_quantiles(self: Target.Generator, node: exp.ApproxQuantiles) -> str | None:
    # BigQuery's boundaries are input values (its documented APPROX_QUANTILES(x, 2) over
    # 1, 1, 1, 4, 5, 6, 7, 8, 9, 10 is [1, 5, 10]); DuckDB's APPROX_QUANTILE interpolates.
    if node.expression is None or not node.expression.is_int:
        return None
    buckets = int(node.expression.name)
    fractions = [
        exp.cast(exp.Literal.number(i / buckets), exp.DataType.Type.DOUBLE)
        for i in range(buckets + 1)
    ]
    return self.func("QUANTILE_DISC", node.this, exp.Array(expressions=fractions))


def _returns_date(kind: type[exp.Expression]) -> Handler:
    # DATE_ADD, DATE_SUB and DATE_TRUNC return DATE in BigQuery, TIMESTAMP in DuckDB.
    duckdb = duckdb_handler(kind)
    return lambda self, node: f"CAST({duckdb(self, node)} AS DATE)"


def _current(function: str) -> Handler:
    # DuckDB reads a bare CURRENT_DATE as a column first, so `SELECT CURRENT_DATE() AS
    # current_date` (bigframes' first query names CURRENT_TIMESTAMP so) refers to its own alias.
    # The call form of the same function is never a column.
    return lambda self, node: None if node.args.get("this") else f"{function}()"


def _draw_rand_per_row(tree: exp.Expression) -> None:
    # BigQuery orders a window by RAND() (bigframes breaks ties so); DuckDB refuses a volatile
    # window ORDER BY. The same draw, from a function DuckDB takes as pure, of a column of the
    # row so that it is drawn per row rather than folded into one constant. Done on the tree
    # before generation: sqlglot's CONCAT spelling generates copies cut off from their window.
    for node in list(tree.find_all(exp.Rand)):
        window = node.find_ancestor(exp.Window, exp.Select)
        if not isinstance(window, exp.Window) or node.args.get("this") is not None:
            continue
        select = window.parent_select
        places = [*(select.expressions if select else []), window]
        row = next((c for place in places for c in place.find_all(exp.Column)), None)
        if row is not None:
            node.replace(exp.Anonymous(this=RAND_OF_ROW, expressions=[row.copy()]))


def _anonymous(self: Target.Generator, node: exp.Anonymous) -> str | None:
    handler = ANONYMOUS_FUNCTIONS.get(node.name.upper())
    return handler(self, node) if handler else None


# BigQuery functions sqlglot does not model; check_functions lets exactly these through.
ANONYMOUS_FUNCTIONS: dict[str, Handler] = {
    "IEEE_DIVIDE": _ieee_divide,
    **functions.ANONYMOUS,
}


# Relations -------------------------------------------------------------------------------------


def _unnest_relation(self: Target.Generator, node: exp.Unnest) -> str | None:
    # Spell BigQuery's UNNEST in FROM the way DuckDB means the same rows. Unaliased, an array of
    # STRUCTs becomes one column per field; WITH OFFSET counts from 0 where DuckDB's ORDINALITY
    # counts from 1.
    if not isinstance(node.parent, exp.From | exp.Join):
        return None
    alias = node.args.get("alias")
    columns = alias.columns if alias else []
    offset = node.args.get("offset")
    if not offset and columns:
        return None
    array = self.sql(node.expressions[0])
    # Unnamed, a non-STRUCT element's column is BigQuery's f0_ (DuckDB names a STRUCT's
    # fields itself and ignores the alias).
    values = (
        f"{self.func('UNNEST', array)} AS {self.sql(exp.to_identifier(columns[0].name))}"
        if columns
        else f"{self.func('UNNEST', array, 'max_depth := 2')} AS f0_"
    )
    if not offset:
        rows = values
    else:
        position = self.sql(
            exp.to_identifier(offset.name if isinstance(offset, exp.Identifier) else "offset")
        )
        rows = f"{values}, {self.func('GENERATE_SUBSCRIPTS', array, '1')} - 1 AS {position}"
    name = (
        f" AS {self.sql(exp.to_identifier(alias.name))}" if alias is not None and alias.name else ""
    )
    return f"(SELECT {rows}){name}"


def _name_anonymous_columns(tree: exp.Expression) -> None:
    # BigQuery names unnamed output columns f0_, f1_, … in order.
    select = tree if isinstance(tree, exp.Select) else next(tree.find_all(exp.Select), None)
    if select is None:
        return
    names = (f"f{number}_" for number in itertools.count())
    named = [
        projection
        if isinstance(projection, exp.Alias | exp.Column | exp.Star)
        else exp.alias_(projection, next(names), copy=False)
        for projection in select.expressions
    ]
    select.set("expressions", named)


# The generator ---------------------------------------------------------------------------------


def _sha2_digest(self: Any, node: exp.SHA2Digest) -> str:
    """SHA256 and SHA512 as BYTES: DuckDB's sha256 spells a digest in hex; it has no sha512."""
    if node.text("length") == "512":
        return self.func(SHA512, node.this)
    return self.func("UNHEX", self.func("SHA256", node.this))


_OWN_REWRITES: dict[type[exp.Expression], Handler] = {
    exp.Div: _checked_division,
    exp.Literal: _float_literal,
    exp.Cast: _rounding_integer_cast,
    exp.TryCast: _rounding_integer_cast,
    exp.DataType: _numeric_precision,
    exp.ArrayAgg: _array_agg_limit,
    exp.ApproxQuantiles: _approx_quantiles,
    exp.DateAdd: _returns_date(exp.DateAdd),
    exp.DateSub: _returns_date(exp.DateSub),
    exp.DateTrunc: _returns_date(exp.DateTrunc),
    exp.CurrentTimestamp: _current("GET_CURRENT_TIMESTAMP"),
    exp.CurrentDate: _current("CURRENT_DATE"),
    exp.CurrentTime: _current("GET_CURRENT_TIME"),
    exp.FarmFingerprint: lambda self, node: self.func(FARM_FINGERPRINT, *node.expressions),
    exp.SHA2Digest: _sha2_digest,
    exp.Anonymous: _anonymous,
    exp.Unnest: _unnest_relation,
}


# Each node type's handlers, tried in order: the function areas' first, then the transpiler's own.
REWRITES: dict[type[exp.Expression], list[Handler]] = {
    kind: [
        *functions.REWRITES.get(kind, []),
        *([_OWN_REWRITES[kind]] if kind in _OWN_REWRITES else []),
    ]
    for kind in {**functions.REWRITES, **_OWN_REWRITES}
}

# Marks the nodes of the tree given to to_duckdb, the only ones REWRITES apply to.
QUERY_NODE = "quarry_query_node"


def _for_query_nodes(kind: type[exp.Expression], rewrites: list[Handler]) -> Handler:
    duckdb = duckdb_handler(kind)

    def handler(self: Target.Generator, node: Any) -> str:
        if node.meta_get(QUERY_NODE):
            for rewrite in rewrites:
                sql = rewrite(self, node)
                if sql is not None:
                    return sql
        return duckdb(self, node)

    return handler


# sqlglot's warnings that do not apply to Quarry's DuckDB: every job's connection runs in UTC
# (sandbox.connect), so EXTRACT from a TIMESTAMP reads BigQuery's UTC parts.
TOLERATED = ("EXTRACT from TIMESTAMPTZ",)


class Target(DuckDB):
    """DuckDB as Quarry generates it: sqlglot's DuckDB with BigQuery's results where they differ."""

    class Generator(DuckDB.Generator):
        TRANSFORMS = {
            **DuckDB.Generator.TRANSFORMS,
            **{kind: _for_query_nodes(kind, rewrites) for kind, rewrites in REWRITES.items()},
        }

        def unsupported(self, message: str) -> None:
            # sqlglot's default is to write its best guess and log a warning: a silent wrong
            # answer, or DuckDB's words for an error. Refuse instead (to_duckdb words it), but
            # for warnings the job's connection already answers (TOLERATED).
            if not message.startswith(TOLERATED):
                raise Unsupported(message)

        def sql(self, expression: Any, key: str | None = None, comment: bool = True) -> str:
            try:
                return super().sql(expression, key, comment)
            except Unsupported as err:
                node = expression.args.get(key) if key else expression
                if err.call is None and isinstance(node, exp.Func):
                    err.call = node
                raise
            except (BigQueryError, RecursionError):
                raise
            except Exception:
                # sqlglot slips on a call whose arguments it does not expect (DATETIME()) with
                # an error of its own; a crash, not a refusal, were it left to reach the user.
                node = expression.args.get(key) if key else expression
                if not isinstance(node, exp.Func):
                    raise
                raise Unsupported(None, node) from None

        def preprocess(self, expression: exp.Expression) -> exp.Expression:
            expression = super().preprocess(expression)
            _name_anonymous_columns(expression)
            _draw_rand_per_row(expression)
            # The mark is in meta because sqlglot copies meta with a node, and its handlers
            # generate copies of their arguments (LOGICAL_OR's cast to BOOLEAN): those are still
            # the query's nodes. The tree is the generator's own copy, not the caller's.
            for node in expression.walk():
                if type(node) in REWRITES:
                    node.meta[QUERY_NODE] = True
            return expression


_TARGET = Target()
