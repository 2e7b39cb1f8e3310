"""Arrays, aggregates, window functions, conditional expressions and query shape (JOIN USING,
PIVOT/UNPIVOT, value tables, result arrays, SAFE.) where DuckDB differs from BigQuery."""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from duckdb import sqltypes
from sqlglot import exp

from console.engine.functions.base import Udf, arguments, duckdb_handler
from console.engine.types import standard_sql_field, standard_sql_text
from console.errors import InvalidError

# ERROR(msg) as a function DuckDB takes as pure: its own error() is volatile, and TRY (the SAFE.
# prefix) refuses volatile functions. Only SAFE.'s rewrite spells it.
RAISE = "quarry_raise"


def _raise(messages: pa.Array) -> pa.Array:
    for message in messages.to_pylist():
        raise InvalidError(message if message is not None else "")
    return pa.nulls(len(messages))


# What SAFE. makes of ERROR(msg) where TRY cannot wrap the call (see _safe): NULL.
NOTHING = "quarry_nothing"


def _nothing(messages: pa.Array) -> pa.Array:
    return pa.nulls(len(messages))


UDFS = [
    Udf(RAISE, _raise, None, sqltypes.SQLNULL, null_handling="special"),
    Udf(NOTHING, _nothing, None, sqltypes.SQLNULL, null_handling="special"),
]


# Array subscripts ------------------------------------------------------------------------------


def _subscript(self: Any, node: exp.Bracket) -> str | None:
    # BigQuery's arr[OFFSET(i)] and arr[ORDINAL(i)] fail past either end; DuckDB's subscript
    # gives NULL past the end, as only SAFE_OFFSET and SAFE_ORDINAL do in BigQuery, and counts
    # a negative index from the end, which BigQuery never does.
    if node.args.get("offset") is None or len(node.expressions) != 1:
        return None
    offset = int(node.args["offset"])
    array = self.sql(node, "this")
    index = self.sql(node.expressions[0])
    # BIGINT: an INT64 sum is DuckDB's HUGEINT, which DuckDB's subscript does not take.
    position = f"CAST(({index}) + {1 - offset} AS BIGINT)"
    if node.args.get("safe"):
        return f"CASE WHEN {position} < 1 THEN NULL ELSE ({array})[{position}] END"
    length = self.func("LEN", array)
    overflow = f"'Array index ' || ({index}) || ' is out of bounds (overflow)'"
    underflow = f"'Array index ' || ({index}) || ' is out of bounds (underflow)'"
    return (
        f"CASE WHEN {position} < 1 THEN {self.func('ERROR', underflow)} "
        f"WHEN {position} > {length} THEN {self.func('ERROR', overflow)} "
        f"ELSE ({array})[{position}] END"
    )


def _array_slice(self: Any, node: exp.ArraySlice) -> str:
    # BigQuery's offsets are 0-based and both inclusive, a negative one counting from the end,
    # out-of-range ones clamped; DuckDB's LIST_SLICE counts from 1. NULL for any NULL argument.
    array = self.sql(node, "this")
    start, end = self.sql(node, "start"), self.sql(node, "end")
    length = self.func("LEN", array)

    def offset(value: str) -> str:
        return f"(CASE WHEN ({value}) < 0 THEN {length} + ({value}) ELSE ({value}) END)"

    first = f"GREATEST({offset(start)}, 0)"
    last = f"LEAST({offset(end)}, {length} - 1)"
    return (
        f"CASE WHEN ({start}) IS NULL OR ({end}) IS NULL THEN NULL "
        f"WHEN {first} > {last} THEN {self.func('LIST_SLICE', array, '1', '0')} "
        f"ELSE {self.func('LIST_SLICE', array, f'{first} + 1', f'{last} + 1')} END"
    )


def _array_end(which: str, position: str) -> Any:
    # ARRAY_FIRST and ARRAY_LAST, which DuckDB lacks; an empty array fails (the wording is
    # Quarry's: the reference says only that it is an error).
    def handler(self: Any, node: exp.Expression) -> str:
        array = self.sql(node, "this")
        failure = exp.Literal.string(
            f"ARRAY_{which.upper()} cannot get the {which} element of an empty array"
        )
        return (
            f"CASE WHEN {self.func('LEN', array)} = 0 THEN {self.func('ERROR', failure)} "
            f"ELSE ({array})[{position}] END"
        )

    return handler


def _array_to_string(self: Any, node: exp.ArrayToString) -> str:
    # NULL for a NULL delimiter or null_text, as for a NULL array; DuckDB joins without one.
    given = [node.args.get("expression"), node.args.get("null")]
    nulls = " OR ".join(f"({self.sql(arg)}) IS NULL" for arg in given if arg is not None)
    spelled = duckdb_handler(exp.ArrayToString)(self, node)
    return f"CASE WHEN {nulls} THEN NULL ELSE {spelled} END" if nulls else spelled


def _includes(function: str) -> Any:
    # ARRAY_INCLUDES(array, value), ARRAY_INCLUDES_ANY/ALL(array, values): NULL if either
    # argument is NULL (DuckDB's list functions give FALSE or skip a NULL). The lambda form
    # of ARRAY_INCLUDES is refused.
    def handler(self: Any, node: exp.Anonymous) -> str:
        name = node.name.upper()
        if len(node.expressions) != 2 or isinstance(node.expressions[1], exp.Lambda):
            raise InvalidError(
                f"No matching signature for function {name}: Quarry takes "
                f"{name}(array, {'value' if name == 'ARRAY_INCLUDES' else 'values'})"
            )
        array, search = (self.sql(arg) for arg in node.expressions)
        return (
            f"CASE WHEN ({array}) IS NULL OR ({search}) IS NULL THEN NULL "
            f"ELSE {self.func(function, array, search)} END"
        )

    return handler


def _array_concat(self: Any, node: exp.ArrayConcat) -> str:
    # BigQuery's ARRAY_CONCAT is NULL if any argument is; DuckDB's skips a NULL one.
    arrays = [node.this, *node.expressions]
    nulls = " OR ".join(f"({self.sql(array)}) IS NULL" for array in arrays)
    return f"CASE WHEN {nulls} THEN NULL ELSE {duckdb_handler(exp.ArrayConcat)(self, node)} END"


def _generate_array(self: Any, node: exp.GenerateSeries) -> str:
    # BigQuery's GENERATE_ARRAY also steps through FLOAT64 and NUMERIC (DuckDB's series only
    # through integers) and fails on a zero step, where DuckDB gives an empty list.
    start, end = self.sql(node, "start"), self.sql(node, "end")
    step = self.sql(node, "step") if node.args.get("step") is not None else "1"
    count = f"CAST(FLOOR((({end}) - ({start})) / ({step})) AS BIGINT) + 1"
    values = self.func(
        "LIST_TRANSFORM",
        self.func("RANGE", "0", f"GREATEST({count}, 0)"),
        f"lambda i: ({start}) + i * ({step})",
    )
    failure = self.func("ERROR", exp.Literal.string("Sequence step cannot be 0."))
    nulls = f"({start}) IS NULL OR ({end}) IS NULL OR ({step}) IS NULL"
    return f"CASE WHEN {nulls} THEN NULL WHEN ({step}) = 0 THEN {failure} ELSE {values} END"


# The fewest days a step of each unit spans, to bound how many steps reach end_date.
_UNIT_DAYS = {"DAY": 1, "WEEK": 7, "MONTH": 28, "QUARTER": 89, "YEAR": 365}
_UNIT_INTERVAL = {"DAY": "TO_DAYS", "WEEK": "TO_WEEKS", "MONTH": "TO_MONTHS", "YEAR": "TO_YEARS"}


def _generate_date_array(self: Any, node: exp.GenerateDateArray) -> str | None:
    # Each date is start_date plus k steps (2016-01-31 by MONTH: 02-29, 03-31, 04-30), where
    # DuckDB's series adds a step to the date before (02-29, 03-29, 04-29); a zero step fails.
    step = node.args.get("step")
    unit = step.text("unit").upper() if isinstance(step, exp.Interval) else "DAY"
    if unit not in _UNIT_DAYS:
        return None
    count = f"CAST({self.sql(step, 'this')} AS BIGINT)" if step is not None else "1"
    start = f"CAST({self.sql(node, 'start')} AS DATE)"
    end = f"CAST({self.sql(node, 'end')} AS DATE)"
    months = f"k * {count} * 3" if unit == "QUARTER" else f"k * {count}"
    interval = f"{_UNIT_INTERVAL.get(unit, 'TO_MONTHS')}({months})"
    steps = f"ABS(DATE_DIFF('day', {start}, {end})) // (ABS({count}) * {_UNIT_DAYS[unit]}) + 2"
    dates = self.func(
        "LIST_TRANSFORM",
        self.func("RANGE", "0", steps),
        f"lambda k: CAST({start} + {interval} AS DATE)",
    )
    within = self.func(
        "LIST_FILTER",
        dates,
        f"lambda d: CASE WHEN {count} > 0 THEN d <= {end} ELSE d >= {end} END",
    )
    failure = self.func("ERROR", exp.Literal.string("Sequence step cannot be 0."))
    nulls = f"{start} IS NULL OR {end} IS NULL OR {count} IS NULL"
    return f"CASE WHEN {nulls} THEN NULL WHEN {count} = 0 THEN {failure} ELSE {within} END"


# Aggregates ------------------------------------------------------------------------------------


def _countif(self: Any, node: exp.CountIf) -> str:
    # BigQuery's COUNTIF of no TRUE row is 0; DuckDB's COUNT_IF of only NULLs is NULL.
    # COUNTIF(DISTINCT b) counts b's distinct TRUE values.
    condition = node.this
    if isinstance(condition, exp.Distinct):
        value = self.sql(condition.expressions[0])
        return f"COUNT(DISTINCT CASE WHEN {value} THEN {value} END)"
    return f"COUNT(CASE WHEN {self.sql(condition)} THEN 1 END)"


def _by(function: str) -> Any:
    # MAX_BY(x, y) is ANY_VALUE(x HAVING MAX y): x of the row with the largest y, NULL if that
    # x is NULL. DuckDB's ARG_MAX skips rows whose x is NULL; its ARG_MAX_NULL does not.
    return lambda self, node: (
        None if node.args.get("count") else self.func(function, node.this, node.expression)
    )


def _limited(node: exp.Expression) -> tuple[exp.Expression, str | None]:
    # (the argument with its ORDER BY, the LIMIT) of BigQuery's aggregate(x ORDER BY y LIMIT n).
    if isinstance(node, exp.Limit):
        return node.this, node.expression
    return node, None


def _first_non_null(self: Any, argument: exp.Expression, limit: exp.Expression) -> str:
    # The first `limit` non-NULL values of an aggregate's argument, DISTINCT and ORDER BY kept.
    value = argument.this if isinstance(argument, exp.Order) else argument
    if isinstance(value, exp.Distinct):
        value = value.expressions[0]
    values = f"{self.func('ARRAY_AGG', argument)} FILTER(WHERE {self.sql(value)} IS NOT NULL)"
    return self.func("LIST_SLICE", values, "1", self.sql(limit))


def _array_concat_agg(self: Any, node: exp.ArrayConcatAgg) -> str | None:
    # BigQuery's LIMIT counts the arrays concatenated, not their elements; NULL arrays are skipped.
    argument, limit = _limited(node.this)
    if limit is None:
        return None
    return self.func("FLATTEN", _first_non_null(self, argument, limit))


def _string_agg(self: Any, node: exp.GroupConcat) -> str | None:
    # DuckDB's LISTAGG takes no LIMIT; BigQuery's counts the non-NULL values it joins.
    argument, limit = _limited(node.this)
    if limit is None:
        return None
    separator = node.args.get("separator")
    return self.func(
        "ARRAY_TO_STRING",
        _first_non_null(self, argument, limit),
        self.sql(separator) if separator is not None else "','",
    )


def _array_agg_ignore_nulls(self: Any, node: exp.IgnoreNulls) -> str | None:
    # ARRAY_AGG(x IGNORE NULLS ... LIMIT n): the LIMIT counts the values kept.
    if not isinstance(node.this, exp.ArrayAgg):
        return None
    argument, limit = _limited(node.this.this)
    if limit is None:
        return None
    return _first_non_null(self, argument, limit)


def _top(self: Any, entries: str, count: exp.Expression, field: str) -> str:
    # entries: a list of {'v': value, 'n': weight}; the top `count` by weight, heaviest first
    # (ties by value), as BigQuery's ARRAY<STRUCT<value, count|sum>>.
    negated = self.func("LIST_TRANSFORM", entries, "lambda e: {'n': -e.n, 'v': e.v}")
    top = self.func("LIST_SLICE", self.func("LIST_SORT", negated), "1", self.sql(count))
    return self.func("LIST_TRANSFORM", top, f"lambda e: {{'value': e.v, '{field}': -e.n}}")


def _approx_top_count(self: Any, node: exp.ApproxTopK) -> str:
    # BigQuery returns ARRAY<STRUCT<value, count>> and counts NULL as a value; DuckDB's
    # APPROX_TOP_K returns the values alone.
    value = self.sql(node, "this")
    counted = self.func(
        "LIST_TRANSFORM",
        self.func("MAP_ENTRIES", self.func("HISTOGRAM", value)),
        "lambda e: {'v': e.key, 'n': CAST(e.value AS BIGINT)}",
    )
    nulls = f"COUNT(*) - COUNT({value})"
    null_entry = f"CASE WHEN {nulls} > 0 THEN [{{'v': NULL, 'n': {nulls}}}] ELSE [] END"
    return _top(self, self.func("LIST_CONCAT", counted, null_entry), node.expression, "count")


def _approx_top_sum(self: Any, node: exp.ApproxTopSum) -> str:
    # BigQuery's ARRAY<STRUCT<value, sum>>: each value's weights summed (NULL weights skipped,
    # a value with only NULL weights sums to NULL), NULL a value like any other.
    value, weight = self.sql(node, "this"), self.sql(node, "expression")
    pairs = self.func("ARRAY_AGG", f"{{'v': {value}, 'w': {weight}}}")
    values = self.func("ARRAY_AGG", f"DISTINCT {{'v': {value}}}")
    summed = self.func(
        "LIST_TRANSFORM",
        values,
        f"lambda d: {{'v': d.v, 'n': {self.func('LIST_SUM', _weights_of(self, pairs))}}}",
    )
    return _top(self, summed, node.args["count"], "sum")


def _weights_of(self: Any, pairs: str) -> str:
    same = self.func("LIST_FILTER", pairs, "lambda p: p.v IS NOT DISTINCT FROM d.v")
    return self.func("LIST_TRANSFORM", same, "lambda p: p.w")


def _approx_count_distinct(self: Any, node: exp.ApproxDistinct) -> str:
    # BigQuery's HLL++ estimate is exact for small inputs (its documented 5 of 0, 1, 1, 2, 3, 5);
    # DuckDB's coarser HyperLogLog is already 2% off at 100 values. The exact count is within
    # BigQuery's error everywhere.
    return f"COUNT(DISTINCT {self.sql(node, 'this')})"


def _approx_quantiles(self: Any, node: exp.ApproxQuantiles) -> str | None:
    # APPROX_QUANTILES(DISTINCT x, n): sqlglot keeps n inside the DISTINCT. BigQuery's
    # boundaries are input values, as QUANTILE_DISC's are.
    buckets = node.expression
    if buckets is not None and buckets.is_int and int(buckets.name) < 1:
        raise InvalidError("APPROX_QUANTILES requires a number of quantiles of at least 1")
    distinct = node.this
    if not isinstance(distinct, exp.Distinct) or len(distinct.expressions) != 2:
        return None
    value, buckets = distinct.expressions
    if not buckets.is_int:
        return None
    if int(buckets.name) < 1:
        raise InvalidError("APPROX_QUANTILES requires a number of quantiles of at least 1")
    fractions = ", ".join(
        f"CAST({i / int(buckets.name)} AS DOUBLE)" for i in range(int(buckets.name) + 1)
    )
    return f"QUANTILE_DISC(DISTINCT {self.sql(value)}, [{fractions}])"


def _percentile_respecting_nulls(self: Any, node: exp.Window) -> str | None:
    # PERCENTILE_CONT/DISC(x, p RESPECT NULLS) OVER (...): NULLs count, sorted first. DuckDB's
    # quantiles skip NULLs (sqlglot drops RESPECT NULLS), so the window's values are collected
    # and the percentile is read from them. Between a NULL and a value, CONT gives the value,
    # as the reference's example shows (its 1st percentile of NULL, 0, 1, 2, 3 is 0).
    respect = node.this
    if not isinstance(respect, exp.RespectNulls) or not isinstance(
        respect.this, exp.PercentileCont | exp.PercentileDisc
    ):
        return None
    percentile = respect.this
    window = node.copy()
    window.set("this", exp.ArrayAgg(this=percentile.this.copy()))
    values = self.func("LIST_SORT", self.sql(window), "'ASC'", "'NULLS FIRST'")
    fraction = self.sql(percentile, "expression")
    count = self.func("LEN", values)
    if isinstance(percentile, exp.PercentileDisc):
        return f"({values})[GREATEST(CAST(CEIL(({fraction}) * {count}) AS BIGINT), 1)]"
    position = f"(({fraction}) * ({count} - 1))"
    low = f"({values})[CAST(FLOOR({position}) AS BIGINT) + 1]"
    high = f"({values})[CAST(CEIL({position}) AS BIGINT) + 1]"
    share = f"({position} - FLOOR({position}))"
    return (
        f"CAST(CASE WHEN {low} IS NULL THEN (CASE WHEN {share} = 0 THEN NULL ELSE {high} END) "
        f"ELSE {low} + {share} * ({high} - {low}) END AS DOUBLE)"
    )


def _pairs(corr: exp.Corr) -> exp.Count:
    # How many (y, x) pairs CORR reads: those with neither NULL.
    both = exp.and_(
        exp.not_(exp.Is(this=corr.this.copy(), expression=exp.null())),
        exp.not_(exp.Is(this=corr.expression.copy(), expression=exp.null())),
    )
    return exp.Count(this=exp.case().when(both, exp.Literal.number(1)))


def _corr(self: Any, node: exp.Corr) -> str | None:
    # BigQuery's CORR of fewer than two pairs is NULL; DuckDB's is NaN.
    if isinstance(node.parent, exp.Window):
        return None
    return (
        f"CASE WHEN {self.sql(_pairs(node))} < 2 THEN NULL "
        f"ELSE {duckdb_handler(exp.Corr)(self, node)} END"
    )


# Marks a window this module already rewrote, generated again as DuckDB spells it.
_REWRITTEN = "quarry_arrays_rewritten"


def _corr_window(self: Any, node: exp.Window) -> str | None:
    if not isinstance(node.this, exp.Corr) or node.meta.get(_REWRITTEN):
        return None
    pairs = node.copy()
    pairs.set("this", _pairs(node.this))
    correlation = node.copy()
    correlation.meta[_REWRITTEN] = True
    return f"CASE WHEN {self.sql(pairs)} < 2 THEN NULL ELSE {self.sql(correlation)} END"


def _window(self: Any, node: exp.Window) -> str | None:
    return _percentile_respecting_nulls(self, node) or _corr_window(self, node)


# Conditional expressions -----------------------------------------------------------------------


def _error(self: Any, node: exp.Anonymous) -> str:
    # BigQuery's ERROR(message) fails the query with the message as it is.
    (message,) = arguments("ERROR", node, (1,))
    return self.func("ERROR", self.func("CAST", f"{self.sql(message)} AS VARCHAR"))


# Outside string literals and quoted names: the ERROR( calls the handlers spell.
_SQL_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\bERROR\(", re.IGNORECASE)


def _safe(self: Any, node: exp.SafeFunc) -> str:
    # SAFE.f(...) is NULL where f would fail. TRY is DuckDB's, but it refuses volatile functions
    # such as error(), which the rewrites use to fail as BigQuery does: under SAFE they call a
    # pure function that fails the same way. TRY also refuses aggregates and volatile arguments
    # (SAFE.LOG(SUM(x)), SAFE.SQRT(RAND())): there the rewrites' failures are NULL instead,
    # and only DuckDB's own errors still fail.
    function = node.this
    if isinstance(function, exp.AggFunc):
        raise InvalidError(
            f"SAFE. prefix is not supported for aggregate function {function.sql_name()}"
        )
    sql = self.sql(function)
    if function.find(exp.AggFunc, exp.Window, exp.Rand) is not None or "quarry_rand" in sql:
        return _calling_instead_of_error(sql, NOTHING)
    return self.func("TRY", _calling_instead_of_error(sql, RAISE))


def _calling_instead_of_error(sql: str, function: str) -> str:
    return _SQL_TOKEN.sub(
        lambda m: f"{function}(" if m.group(0).upper() == "ERROR(" else m.group(0), sql
    )


# Query shape -----------------------------------------------------------------------------------


def _star(self: Any, node: exp.Star) -> str | None:
    # BigQuery's SELECT * puts JOIN ... USING's columns first, UNPIVOT's name column after its
    # value columns, and names a PIVOT's columns aggregate first (total_Q1); DuckDB keeps the
    # left side's order, puts the name column first and names the value first (Q1_total).
    select = node.parent
    if not isinstance(select, exp.Select) or any(node.args.values()):
        return None
    first: list[str] = []
    for join in select.args.get("joins") or []:
        using = [column.name for column in join.args.get("using") or []]
        first = using + [name for name in first if name not in using]
    pivots = [
        pivot
        for source in [select.args.get("from_"), *(select.args.get("joins") or [])]
        if source is not None
        for pivot in source.this.args.get("pivots") or []
    ]
    unpivoted = [
        field
        for pivot in pivots
        if pivot.args.get("unpivot")
        for field in pivot.args.get("fields") or []
        if isinstance(field, exp.In)
    ]
    last = [field.this.name for field in unpivoted]
    renames = [
        f"{self.sql(exp.to_identifier(f'{value}_{agg}'))} AS "
        f"{self.sql(exp.to_identifier(f'{agg}_{value}'))}"
        for pivot in pivots
        if not pivot.args.get("unpivot") and len(pivot.expressions) > 1
        for value in _pivot_names(pivot)
        for agg in (a.alias for a in pivot.expressions)
        if value is not None and agg
    ]
    if not first and not last and not renames:
        return None
    names = [self.sql(exp.to_identifier(name)) for name in first + last]
    star = "*"
    if names:
        star += f" EXCLUDE ({', '.join(names)})"
    if renames:
        star += f" RENAME ({', '.join(renames)})"
    # UNPIVOT's name column is INT64 where its IN list names the columns with integers
    # (Q1 AS 1); DuckDB's is always VARCHAR.
    named = [
        f"CAST({name} AS BIGINT) AS {name}" if _integer_names(field) else name
        for name, field in zip(names[len(first) :], unpivoted, strict=True)
    ]
    return ", ".join([*names[: len(first)], star, *named])


def _integer_names(field: exp.In) -> bool:
    aliases = [value.args.get("alias") for value in field.expressions]
    return all(isinstance(alias, exp.Literal) and alias.is_int for alias in aliases)


def _pivot_names(pivot: exp.Pivot) -> list[str | None]:
    # BigQuery's name for each IN value's columns: its alias, a string as it is, an integer
    # as _1 or minus_1; None where Quarry leaves DuckDB's name.
    field = (pivot.args.get("fields") or [None])[0]
    values = field.expressions if isinstance(field, exp.In) else []
    return [_pivot_name(value) for value in values]


def _pivot_name(value: exp.Expression) -> str | None:
    if isinstance(value, exp.PivotAlias):
        return value.alias
    if isinstance(value, exp.Literal):
        return value.name if value.is_string else f"_{value.name}" if value.is_int else None
    if isinstance(value, exp.Neg) and value.this.is_int:
        return f"minus_{value.this.name}"
    if isinstance(value, exp.Boolean):
        return "true" if value.this else "false"
    return None


def _pivot(self: Any, node: exp.Pivot) -> str | None:
    # Names each IN value's columns as BigQuery does (see _pivot_names); with one aggregate,
    # its alias first: PIVOT(SUM(s) AS total FOR q IN ('Q1')) makes total_Q1.
    if node.args.get("unpivot") or not node.args.get("fields"):
        return None
    pivot = node.copy()
    aggregates = pivot.expressions
    prefix = ""
    if len(aggregates) == 1 and isinstance(aggregates[0], exp.Alias):
        prefix = f"{aggregates[0].alias}_"
        aggregates[0].replace(aggregates[0].this)
    field = pivot.args["fields"][0]
    for value, name in zip(list(field.expressions), _pivot_names(node), strict=True):
        if name is not None:
            inner = value.this if isinstance(value, exp.PivotAlias) else value
            value.replace(exp.PivotAlias(this=inner.copy(), alias=exp.to_identifier(prefix + name)))
    return duckdb_handler(exp.Pivot)(self, pivot)


def _value_table(self: Any, node: exp.Select) -> str | None:
    # A query's SELECT AS STRUCT (or AS VALUE of a STRUCT literal) is a value table: BigQuery
    # writes its result, and a FROM's SELECT * reads its rows, as one column per field, where
    # DuckDB would have one STRUCT column. (DuckDB's own `SELECT t FROM (...) t` is the row's
    # STRUCT, as BigQuery's is.)
    kind = node.args.get("kind")
    relation = isinstance(node.parent, exp.Subquery) and isinstance(
        node.parent.parent, exp.From | exp.Join
    )
    if not (node.parent is None or relation) or kind not in ("STRUCT", "VALUE"):
        return None
    select = node.copy()
    select.set("kind", None)
    if kind == "VALUE":
        value = select.expressions[0] if len(select.expressions) == 1 else None
        value = value.this if isinstance(value, exp.Alias) else value
        if not isinstance(value, exp.Struct):
            return None
        select.set("expressions", [_as_column(field) for field in value.expressions])
    return self.sql(select)


def _as_column(field: exp.Expression) -> exp.Expression:
    # A STRUCT literal's field (`1 AS a`, parsed as a := 1) as a SELECT's column.
    if isinstance(field, exp.PropertyEQ):
        return exp.alias_(field.expression.copy(), field.this.name)
    return field.copy()


# Result arrays ---------------------------------------------------------------------------------


def result_arrays(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Return a result batch as BigQuery writes it: a NULL array is an empty one, and an array
    holding a NULL element fails the query."""
    columns = []
    for field, column in zip(batch.schema, batch.columns, strict=True):
        _check_not_nested(field.type)
        if _has_null_element(column):
            raise InvalidError(
                f"Array cannot have a null element; error in writing field {field.name}"
            )
        if pa.types.is_list(field.type) and column.null_count:
            column = _nulls_as_empty(column)
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def _nulls_as_empty(column: pa.ListArray) -> pa.ListArray:
    # Rebuilt from lengths and values rather than with if_else, which Arrow lacks for lists of
    # extension types (JSON, INTERVAL).
    lengths = pc.fill_null(pc.list_value_length(column), 0).cast(pa.int64())
    offsets = pa.concat_arrays([pa.array([0], pa.int64()), pc.cumulative_sum(lengths)])
    values = pc.list_flatten(column)
    rebuilt = pa.LargeListArray.from_arrays(offsets, values)
    return rebuilt.cast(column.type)


def _check_not_nested(kind: pa.DataType) -> None:
    # BigQuery has no array of arrays; DuckDB builds one from ARRAY_AGG([x]) or [[1]].
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        element = kind.value_type
        if pa.types.is_list(element) or pa.types.is_large_list(element):
            name = standard_sql_text(standard_sql_field("", element)["type"])
            raise InvalidError(
                f"Cannot construct array with element type {name} because nested arrays are "
                "not supported"
            )
        _check_not_nested(element)
    elif pa.types.is_struct(kind):
        for field in kind:
            _check_not_nested(field.type)


def _has_null_element(column: pa.Array) -> bool:
    kind = column.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        elements = pc.list_flatten(column)
        return elements.null_count > 0 or _has_null_element(elements)
    if pa.types.is_struct(kind):
        return any(
            _has_null_element(pc.struct_field(column, [index])) for index in range(kind.num_fields)
        )
    return False


REWRITES = {
    exp.Bracket: _subscript,
    exp.ArraySlice: _array_slice,
    exp.ArrayFirst: _array_end("first", "1"),
    exp.ArrayLast: _array_end("last", "-1"),
    exp.ArrayConcat: _array_concat,
    exp.ArrayToString: _array_to_string,
    exp.GenerateSeries: _generate_array,
    exp.GenerateDateArray: _generate_date_array,
    exp.CountIf: _countif,
    exp.ArgMax: _by("ARG_MAX_NULL"),
    exp.ArgMin: _by("ARG_MIN_NULL"),
    exp.ArrayConcatAgg: _array_concat_agg,
    exp.GroupConcat: _string_agg,
    exp.IgnoreNulls: _array_agg_ignore_nulls,
    exp.ApproxTopK: _approx_top_count,
    exp.ApproxTopSum: _approx_top_sum,
    exp.ApproxQuantiles: _approx_quantiles,
    exp.ApproxDistinct: _approx_count_distinct,
    exp.Window: _window,
    exp.Corr: _corr,
    exp.SafeFunc: _safe,
    exp.Star: _star,
    exp.Pivot: _pivot,
    exp.Select: _value_table,
}

ANONYMOUS = {
    "ERROR": _error,
    "ARRAY_INCLUDES": _includes("LIST_CONTAINS"),
    "ARRAY_INCLUDES_ANY": _includes("LIST_HAS_ANY"),
    "ARRAY_INCLUDES_ALL": _includes("LIST_HAS_ALL"),
    # BigQuery's NULLIFZERO and ZEROIFNULL, which sqlglot does not model.
    "NULLIFZERO": lambda self, node: self.func("NULLIF", *node.expressions, "0"),
    "ZEROIFNULL": lambda self, node: self.func("COALESCE", *node.expressions, "0"),
}

PARTIAL = {
    "APPROX_COUNT_DISTINCT": "the exact count of distinct values (BigQuery's HLL++ estimate "
    "is exact only for small inputs)",
    "APPROX_QUANTILES": "exact boundaries (input values, as QUANTILE_DISC picks them), which can "
    "differ from BigQuery's approximate ones: its documented 90th percentile of 1..10 is 10, "
    "Quarry's 9",
}
