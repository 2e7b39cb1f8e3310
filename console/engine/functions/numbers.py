"""NUMERIC, BIGNUMERIC and INTERVAL: types, literals, arithmetic and functions.

DuckDB's INTERVAL is BigQuery's: months, days and a time part, each kept apart (30 days are not a
month until JUSTIFY_DAYS says so). Results leave the engine as the canonical text BigQuery writes
(engine/types.IntervalType).
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, Overflow, localcontext
from typing import Any

import pyarrow as pa
from sqlglot import exp

from console.engine.functions.base import Udf
from console.errors import InvalidError

# Interval ---------------------------------------------------------------------------------------

_PARTS = ("YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND")
# The parts an interval's text groups together: Y-M, D and H:M:S, each with its own sign.
_GROUPS = (("YEAR", "MONTH"), ("DAY",), ("HOUR", "MINUTE", "SECOND"))
_SEPARATOR = {"YEAR": "-", "DAY": "", "HOUR": ":"}
_MICROS = {"HOUR": 3_600_000_000, "MINUTE": 60_000_000}
_NUMBER = re.compile(r"\d+")
_SECONDS = re.compile(r"(\d+)(?:\.(\d{0,9}))?")


def interval_parts(text: str, first: str, last: str) -> tuple[int, int, int]:
    """Return (months, days, microseconds) of INTERVAL 'text' first TO last, or refuse it."""
    wrong = InvalidError(f"Invalid interval literal: '{text}'")
    if first not in _PARTS or last not in _PARTS or _PARTS.index(first) >= _PARTS.index(last):
        raise InvalidError(f"Invalid interval datetime parts: {first} TO {last}")
    span = _PARTS[_PARTS.index(first) : _PARTS.index(last) + 1]
    groups = [[p for p in group if p in span] for group in _GROUPS]
    groups = [g for g in groups if g]
    chunks = text.split()
    if len(chunks) != len(groups):
        raise wrong
    months = days = micros = 0
    for chunk, group in zip(chunks, groups, strict=True):
        sign = -1 if chunk.startswith("-") else 1
        body = chunk.lstrip("+-")
        separator = _SEPARATOR[next(p for p in _GROUPS if group[0] in p)[0]]
        values = body.split(separator) if separator else [body]
        if len(values) != len(group):
            raise wrong
        for part, value in zip(group, values, strict=True):
            if part == "SECOND":
                seconds = _SECONDS.fullmatch(value)
                if not seconds:
                    raise wrong
                fraction = (seconds[2] or "").ljust(6, "0")[:6]
                micros += sign * (int(seconds[1]) * 1_000_000 + int(fraction))
                continue
            if not _NUMBER.fullmatch(value):
                raise wrong
            number = sign * int(value)
            if part == "YEAR":
                months += 12 * number
            elif part == "MONTH":
                months += number
            elif part == "DAY":
                days += number
            else:
                micros += number * _MICROS[part]
    return months, days, micros


def _interval_constant(months: int, days: int, micros: int) -> str:
    return f"CAST('{months} months {days} days {micros} microseconds' AS INTERVAL)"


def _interval(self: Any, node: exp.Interval) -> str | None:
    # DuckDB has no INTERVAL '1-2 3 4:5:6' YEAR TO SECOND: the text is read here, once.
    unit = node.args.get("unit")
    if not isinstance(unit, exp.IntervalSpan):
        return None
    if not (isinstance(node.this, exp.Literal) and node.this.is_string):
        raise InvalidError("An interval with a range of datetime parts takes a string literal")
    first, last = unit.this.name.upper(), unit.expression.name.upper()
    return _interval_constant(*interval_parts(node.this.name, first, last))


_MAKE_INTERVAL_MICROS = {"hour": 3_600_000_000, "minute": 60_000_000, "second": 1_000_000}


def _make_interval(self: Any, node: exp.MakeInterval) -> str:
    # MAKE_INTERVAL([year][, month][, day][, hour][, minute][, second]), every part INT64; DuckDB's
    # spelling of a non-literal part is a sum of intervals.
    def part(name: str) -> str:
        value = node.args.get(name)
        if isinstance(value, exp.Kwarg):
            value = value.expression
        return f"CAST({self.sql(value)} AS BIGINT)" if value is not None else "0"

    if node.args.get("week") is not None:
        raise InvalidError("MAKE_INTERVAL has no argument named week")
    months = f"{part('year')} * 12 + {part('month')}"
    micros = " + ".join(f"{part(n)} * {m}" for n, m in _MAKE_INTERVAL_MICROS.items())
    return f"(TO_MONTHS({months}) + TO_DAYS({part('day')}) + TO_MICROSECONDS({micros}))"


_DAY_NANOS = 86_400_000_000_000


def _justify(days: bool, hours: bool) -> Any:
    # BigQuery's JUSTIFY_*: 24 hours make a day and 30 days a month, the remainder keeping the
    # sign of what it came from (truncation toward zero).
    def justify(values: pa.Array) -> pa.Array:
        justified = []
        for value in values.to_pylist():
            if value is None:
                justified.append(None)
                continue
            months, day, nanos = value.months, value.days, value.nanoseconds
            if hours:
                whole = int(nanos / _DAY_NANOS)
                day, nanos = day + whole, nanos - whole * _DAY_NANOS
            if days:
                whole = int(day / 30)
                months, day = months + whole, day - whole * 30
            justified.append((months, day, nanos))
        return pa.array(justified, pa.month_day_nano_interval())

    return justify


_JUSTIFY = {
    exp.JustifyDays: ("quarry_justify_days", _justify(days=True, hours=False)),
    exp.JustifyHours: ("quarry_justify_hours", _justify(days=False, hours=True)),
    exp.JustifyInterval: ("quarry_justify_interval", _justify(days=True, hours=True)),
}


def _justify_call(kind: type[exp.Expression]) -> Any:
    name = _JUSTIFY[kind][0]
    return lambda self, node: self.func(name, node.this)


def _evident_type(node: exp.Expression) -> exp.DataType.Type | None:
    """Return the type the tree shows for node (a typed literal, a cast), or None."""
    kind = node.type if isinstance(node.type, exp.DataType) else None
    if kind is not None and kind.this != exp.DataType.Type.UNKNOWN:
        return kind.this
    if isinstance(node, exp.Cast):
        return node.to.this
    if isinstance(node, exp.CurrentTimestamp):
        return exp.DataType.Type.TIMESTAMPTZ
    if isinstance(node, exp.CurrentDate):
        return exp.DataType.Type.DATE
    return None


_MOMENTS = {
    exp.DataType.Type.TIMESTAMPTZ,
    exp.DataType.Type.TIMESTAMP,
    exp.DataType.Type.DATETIME,
}


def _difference(self: Any, node: exp.Sub) -> str | None:
    # BigQuery's TIMESTAMP - TIMESTAMP is an INTERVAL of hours ('0-0 0 36:34:56.789'), DuckDB's
    # one of days; DATE - DATE an INTERVAL of days, DuckDB's an INT64. Only where the tree shows
    # both operands' types: a column's type is not known here.
    left, right = _evident_type(node.this), _evident_type(node.expression)
    if left in _MOMENTS and right in _MOMENTS:
        return self.func(
            "TO_MICROSECONDS",
            f"{self.func('EPOCH_US', node.this)} - {self.func('EPOCH_US', node.expression)}",
        )
    if left == right == exp.DataType.Type.DATE:
        return self.func("TO_DAYS", f"{self.sql(node, 'this')} - {self.sql(node, 'expression')}")
    if (node.this.is_number and node.expression.is_number) or _aggregated(node):
        return None
    # Otherwise DuckDB picks by the operands' types as it binds (the minus macro).
    return self.func("quarry_minus", node.this, node.expression)


_SUBSECOND = {"MILLISECOND": 1000, "MICROSECOND": 1_000_000}


def _subsecond(self: Any, node: exp.Extract) -> str | None:
    # BigQuery's MILLISECOND and MICROSECOND are the fraction of the second only (789 of
    # 6.789999 seconds); DuckDB's count the whole seconds too (6789).
    modulus = _SUBSECOND.get(node.name.upper())
    if modulus is None:
        return None
    part = self.func("EXTRACT", f"{node.name.upper()} FROM {self.sql(node, 'expression')}")
    return f"({part} % {modulus})"


_INTERVAL_REWRITES = {
    exp.Extract: _subsecond,
    exp.Interval: _interval,
    exp.MakeInterval: _make_interval,
    exp.Sub: _difference,
    **{kind: _justify_call(kind) for kind in _JUSTIFY},
}

# A stored INTERVAL is its canonical text (engine/types.IntervalType); a table's relation reads
# it back as an INTERVAL with this function.
INTERVAL_OF_TEXT = "quarry_interval_of_text"


def _interval_of_text(texts: pa.Array) -> pa.Array:
    values = [
        None if t is None else _month_day_nano(*interval_parts(t, "YEAR", "SECOND"))
        for t in texts.to_pylist()
    ]
    return pa.array(values, pa.month_day_nano_interval())


def _month_day_nano(months: int, days: int, micros: int) -> tuple[int, int, int]:
    return months, days, micros * 1000


_INTERVAL_UDFS = [
    Udf(INTERVAL_OF_TEXT, _interval_of_text, ["VARCHAR"], "INTERVAL"),
    *(Udf(name, function, ["INTERVAL"], "INTERVAL") for name, function in _JUSTIFY.values()),
]


# Mathematical functions -------------------------------------------------------------------------
#
# BigQuery's result type follows the argument's (ROUND of INT64 is FLOAT64, of NUMERIC NUMERIC)
# and it raises where DuckDB returns NaN or infinity. Neither is known when the SQL is written, so
# each function is a DuckDB macro overloaded by argument type: DuckDB picks the overload as it
# binds. Every raising macro has a SAFE_ twin that returns NULL instead, for the SAFE. prefix
# (DuckDB's TRY cannot hold error()).

FLOAT = "DOUBLE"
NUMERIC_UDF = "quarry_numeric"
NUMERIC = "DECIMAL(38, 9)"


def _g(value: str) -> str:
    # ZetaSQL writes a FLOAT64 in an error the way C++ streams it: 2, 0.5, 1e+20.
    return f"printf('%g', {value})"


def _call(name: str, *values: str) -> str:
    shown = " || ', ' || ".join(_g(v) for v in values)
    return f"'{name}(' || {shown} || ')'"


def _checked(name: str, result: str, *values: str, overflow: bool = False) -> Any:
    # ZetaSQL's CheckFloatingPointError: a NaN or infinity from finite arguments is an error.
    finite = " AND ".join(f"isfinite({v})" for v in values)
    kind = "overflow" if overflow else "error"

    def body(fail: Any) -> str:
        message = f"'Floating point {kind} in function: ' || {_call(name, *values)}"
        return (
            f"CASE WHEN {finite} AND NOT isfinite({result}) THEN {fail(message)} ELSE {result} END"
        )

    return body


def _numeric_udf(operation: str, *values: str) -> str:
    second = values[1] if len(values) > 1 else "0"
    return f"{NUMERIC_UDF}('{operation}', {values[0]}, {second})"


def _sqrt(fail: Any) -> str:
    message = f"'Argument to SQRT cannot be negative: ' || {_g('x')}"
    return f"CASE WHEN x < 0 THEN {fail(message)} ELSE sqrt(x) END"


def _reciprocal(name: str, function: str) -> Any:
    return _checked(name, f"1 / {function}(x)", "x")


def _log_body(fail: Any) -> str:
    result = "CASE WHEN isfinite(b) AND b > 0 THEN ln(x) / ln(b) ELSE 'NaN'::DOUBLE END"
    return _checked("LOG", result, "x", "b")(fail)


def _pow_body(fail: Any) -> str:
    return _checked("POW", "power(x, y)", "x", "y")(fail)


def _divide_body(quotient: str, dividend: str, divisor: str) -> Any:
    def body(fail: Any) -> str:
        message = f"'division by zero: ' || {dividend} || ' / ' || {divisor}"
        return f"CASE WHEN b = 0 THEN {fail(message)} ELSE {quotient} END"

    return body


def _casting(template: str) -> Any:
    # The SAFE_CAST twin tries the cast where CAST raises.
    return lambda fail: template.format(cast="TRY_CAST" if fail is _null else "CAST")


# BigQuery reads '-0x123' as -291; DuckDB reads hexadecimal only without a sign.
_INT64_OF_TEXT = (
    r"CASE WHEN regexp_matches(x, '^\s*-\s*0[xX]') "
    r"THEN -{cast}(regexp_replace(x, '^\s*-\s*', '') AS BIGINT) "
    r"ELSE {cast}(x AS BIGINT) END"
)

# name: [(parameters, body)]; a body is SQL, or a function of `fail` for one that raises.
_MACROS: dict[str, list[tuple[str, Any]]] = {
    **{
        name: [
            (f"x {FLOAT}", f"{name}(x)"),
            (f"x {NUMERIC}", f"{name}(x)::{NUMERIC}"),
            ("x BIGINT", f"{name}(x::{FLOAT})"),
            (f"x {FLOAT}, d BIGINT", f"{name}(x, d::INTEGER)"),
            (f"x {NUMERIC}, d BIGINT", _numeric_udf(name.upper(), "x", "d")),
            ("x BIGINT, d BIGINT", f"{name}(x::{FLOAT}, d::INTEGER)"),
        ]
        for name in ("round", "trunc")
    },
    **{
        name: [
            (f"x {FLOAT}", f"{name}(x)"),
            (f"x {NUMERIC}", f"{name}(x)::{NUMERIC}"),
            ("x BIGINT", f"{name}(x::{FLOAT})"),
        ]
        for name in ("ceil", "floor")
    },
    "round_mode": [(f"x {NUMERIC}, d BIGINT, m VARCHAR", f"{NUMERIC_UDF}(m, x, d)")],
    "sign": [
        ("x BIGINT", "sign(x)::BIGINT"),
        (f"x {FLOAT}", f"CASE WHEN isnan(x) THEN x ELSE sign(x)::{FLOAT} END"),
        (f"x {NUMERIC}", f"sign(x)::{NUMERIC}"),
    ],
    "sqrt": [(f"x {FLOAT}", _sqrt), (f"x {NUMERIC}", _numeric_udf("SQRT", "x"))],
    "pow": [
        (f"x {FLOAT}, y {FLOAT}", _pow_body),
        (f"x {NUMERIC}, y {NUMERIC}", _numeric_udf("POW", "x", "y")),
    ],
    "log": [
        (f"x {FLOAT}, b {FLOAT}", _log_body),
        (f"x {NUMERIC}, b {NUMERIC}", _numeric_udf("LOG", "x", "b")),
    ],
    **{
        name.lower(): [
            (f"x {FLOAT}", _checked(name, f"{name.lower()}(x)", "x")),
            (f"x {NUMERIC}", _numeric_udf(name, "x")),
        ]
        for name in ("EXP", "LN", "LOG10")
    },
    **{
        name.lower(): [(f"x {FLOAT}", _checked(name, f"{name.lower()}(x)", "x"))]
        for name in ("ACOS", "ASIN", "ACOSH", "ATANH")
    },
    **{
        name.lower(): [(f"x {FLOAT}", _checked(name, f"{name.lower()}(x)", "x", overflow=True))]
        for name in ("COSH", "SINH", "TAN")
    },
    **{
        name.lower(): [(f"x {FLOAT}", _reciprocal(name, function))]
        for name, function in (
            ("COT", "tan"),
            ("CSC", "sin"),
            ("SEC", "cos"),
            ("COTH", "tanh"),
            ("CSCH", "sinh"),
            ("SECH", "cosh"),
        )
    },
    "divide": [
        ("a BIGINT, b BIGINT", _divide_body("a::DOUBLE / b", "a", "b")),
        (f"a {FLOAT}, b {FLOAT}", _divide_body("a / b", _g("a"), _g("b"))),
        (f"a {NUMERIC}, b {NUMERIC}", _numeric_udf("DIVIDE", "a", "b")),
        ("a INTERVAL, b BIGINT", _divide_body("a / b", "a::VARCHAR", "b")),
    ],
    "minus": [
        ("a BIGINT, b BIGINT", "a - b"),
        (f"a {FLOAT}, b {FLOAT}", "a - b"),
        (f"a {NUMERIC}, b {NUMERIC}", "a - b"),
        ("a DATE, b DATE", "to_days(a - b)"),
        *(
            (f"a {moment}, b {moment}", "to_microseconds(epoch_us(a) - epoch_us(b))")
            for moment in ("TIMESTAMP", "TIMESTAMPTZ")
        ),
        *((f"a {kind}, b INTERVAL", "a - b") for kind in ("DATE", "TIMESTAMP", "TIMESTAMPTZ")),
        ("a INTERVAL, b INTERVAL", "a - b"),
        ("a TIME, b INTERVAL", "a - b"),
        ("a DATE, b BIGINT", "a - b::INTEGER"),
    ],
    "int64": [
        ("x BIGINT", "x"),
        ("x VARCHAR", _casting(_INT64_OF_TEXT)),
        # BigQuery rounds half away from zero, as DuckDB's round does (its cast rounds to even).
        (f"x {FLOAT}", _casting("{cast}(round(x) AS BIGINT)")),
        (f"x {NUMERIC}", _casting("{cast}(x AS BIGINT)")),
        ("x BOOLEAN", "x::BIGINT"),
    ],
    "div": [
        ("a BIGINT, b BIGINT", _divide_body("a // b", "a", "b")),
        (f"a {NUMERIC}, b {NUMERIC}", _numeric_udf("DIV", "a", "b")),
    ],
    "range_bucket": [
        (
            "point, boundaries",
            lambda fail: (
                "CASE WHEN point IS NULL OR boundaries IS NULL THEN NULL "
                "WHEN list_sort(boundaries) <> boundaries OR list_has_any(boundaries, [NULL]) "
                "OR len(list_filter(boundaries, lambda e: isnan(e::DOUBLE))) > 0 THEN "
                + fail(
                    "'The second argument of RANGE_BUCKET must be an array sorted in ascending "
                    "order, without NULL or NaN elements'"
                )
                + " ELSE len(list_filter(boundaries, lambda e: e <= point)) END"
            ),
        )
    ],
    "cosine_distance": [
        (
            "a, b",
            lambda fail: (
                "CASE WHEN len(a) = len(b) AND (list_dot_product(a, a) = 0 "
                "OR list_dot_product(b, b) = 0) THEN "
                + fail("'Cannot compute cosine distance against zero vector.'")
                + " ELSE list_cosine_distance(a, b) END"
            ),
        )
    ],
}


def _null(message: str) -> str:
    return "NULL"


def _raise(message: str) -> str:
    return f"error({message})"


def _macro_sql(name: str, overloads: list[tuple[str, Any]], fail: Any) -> str:
    bodies = [(p, body(fail) if callable(body) else body) for p, body in overloads]
    return f"CREATE MACRO IF NOT EXISTS {name}" + ", ".join(f"({p}) AS {b}" for p, b in bodies)


# Macro names: quarry_<function> and, for SAFE., quarry_safe_<function>.
MACROS = {
    f"quarry_{safe}{name}": _macro_sql(f"quarry_{safe}{name}", overloads, fail)
    for name, overloads in _MACROS.items()
    for safe, fail in (("", _raise), ("safe_", _null))
}


def _aggregated(node: exp.Expression) -> bool:
    # DuckDB cannot pick a macro's overload for an aggregate's or a window's value (it binds a
    # macro's arguments before those): such calls keep DuckDB's own function (see PARTIAL).
    return any(
        isinstance(child, exp.AggFunc | exp.Window) for child in node.find_all(exp.Expression)
    )


def _macro_call(name: str, *args: str) -> Any:
    # SAFE.F(...) calls F's twin that returns NULL where F raises.
    def handler(self: Any, node: exp.Expression) -> str | None:
        if _aggregated(node):
            return None
        safe = "safe_" if isinstance(node.parent, exp.SafeFunc) else ""
        values = [self.sql(node, arg) for arg in args if node.args.get(arg) is not None]
        return self.func(f"quarry_{safe}{name}", *values)

    return handler


def _round(self: Any, node: exp.Round) -> str | None:
    if node.args.get("truncate") is None and node.args.get("decimals") is None:
        return _macro_call("round", "this")(self, node)
    if node.args.get("truncate") is not None:
        return _macro_call("round_mode", "this", "decimals", "truncate")(self, node)
    return _macro_call("round", "this", "decimals")(self, node)


def _log(self: Any, node: exp.Log) -> str | None:
    # sqlglot keeps LOG(X, Y)'s base Y in `this`, X in `expression`; LOG10(X) is LOG(X, 10).
    if _aggregated(node):
        return None
    safe = "safe_" if isinstance(node.parent, exp.SafeFunc) else ""
    if node.this.is_number and node.this.name == "10":
        return self.func(f"quarry_{safe}log10", node.expression)
    return self.func(f"quarry_{safe}log", node.expression, node.this)


def _safe(self: Any, node: exp.SafeFunc) -> str | None:
    # SAFE.F(...): a function here spells its NULL-returning twin; one DuckDB runs itself returns
    # NULL for what would raise through DuckDB's TRY (which refuses, rather than misses, an
    # error() another area's spelling raises).
    if type(node.this) in _SAFE_TWINS or isinstance(node.this, exp.ParseNumeric):
        return self.sql(node, "this")
    return self.func("TRY", node.this)


def _try(operator: str) -> Any:
    # SAFE_ADD and friends: DuckDB raises on overflow, which TRY turns into NULL.
    def handler(self: Any, node: exp.Expression) -> str:
        return f"TRY({self.sql(node, 'this')} {operator} {self.sql(node, 'expression')})"

    return handler


_SAFE_TWINS: dict[type[exp.Expression], Any] = {
    exp.Round: _round,
    exp.Trunc: _macro_call("trunc", "this", "decimals"),
    exp.Ceil: _macro_call("ceil", "this"),
    exp.Floor: _macro_call("floor", "this"),
    exp.Sign: _macro_call("sign", "this"),
    exp.Sqrt: _macro_call("sqrt", "this"),
    exp.Pow: _macro_call("pow", "this", "expression"),
    exp.Exp: _macro_call("exp", "this"),
    exp.Ln: _macro_call("ln", "this"),
    exp.Log: _log,
    exp.Acos: _macro_call("acos", "this"),
    exp.Asin: _macro_call("asin", "this"),
    exp.Acosh: _macro_call("acosh", "this"),
    exp.Atanh: _macro_call("atanh", "this"),
    exp.Cosh: _macro_call("cosh", "this"),
    exp.Sinh: _macro_call("sinh", "this"),
    exp.Tan: _macro_call("tan", "this"),
    exp.Cot: _macro_call("cot", "this"),
    exp.Csc: _macro_call("csc", "this"),
    exp.Sec: _macro_call("sec", "this"),
    exp.Coth: _macro_call("coth", "this"),
    exp.Csch: _macro_call("csch", "this"),
    exp.Sech: _macro_call("sech", "this"),
    exp.IntDiv: _macro_call("div", "this", "expression"),
    exp.RangeBucket: _macro_call("range_bucket", "this", "expression"),
    exp.CosineDistance: _macro_call("cosine_distance", "this", "expression"),
}


# NUMERIC arithmetic DuckDB does in DOUBLE (its DECIMAL has no LN, SQRT or division), exactly:
# Python's decimal at 80 digits, rounded half away from zero to NUMERIC's nine decimals.
NUMERIC_LIMIT = Decimal(10) ** 29
NINE_DECIMALS = Decimal("1e-9")


_ROUNDINGS = {
    "ROUND": ROUND_HALF_UP,
    "ROUND_HALF_AWAY_FROM_ZERO": ROUND_HALF_UP,
    "ROUND_HALF_EVEN": ROUND_HALF_EVEN,
    "TRUNC": ROUND_DOWN,
}


def _numeric_value(operation: str, x: Decimal, y: Decimal) -> Decimal:
    if operation in _ROUNDINGS:
        return x.quantize(Decimal(1).scaleb(-int(y)), rounding=_ROUNDINGS[operation]).quantize(
            NINE_DECIMALS
        )
    if operation.startswith("ROUND") or operation not in _OPERATIONS:
        raise InvalidError(
            f"Invalid rounding mode: {operation}; expected ROUND_HALF_AWAY_FROM_ZERO or "
            "ROUND_HALF_EVEN"
        )
    shown = f"{operation}({x.normalize():f}" + (
        f", {y.normalize():f})" if operation in ("POW", "LOG", "DIV") else ")"
    )
    if operation in ("DIV", "DIVIDE"):
        if y == 0:
            raise InvalidError(f"division by zero: {x.normalize():f} / {y.normalize():f}")
        result = x / y if operation == "DIVIDE" else (x / y).to_integral_value(ROUND_DOWN)
    elif operation == "POW":
        if x == 0 and y < 0:
            raise InvalidError(f"division by zero: {shown}")
        if x < 0 and y != y.to_integral_value():
            raise InvalidError(
                f"Negative NUMERIC value cannot be raised to a fractional power: {shown}"
            )
        result = x**y if y != y.to_integral_value() else x ** int(y)
    elif operation == "SQRT":
        if x < 0:
            raise InvalidError(f"Argument to SQRT cannot be negative: {x.normalize():f}")
        result = x.sqrt()
    elif operation == "EXP":
        result = x.exp()
    else:
        if x <= 0 or (operation == "LOG" and (y <= 0 or y == 1)):
            raise InvalidError(f"Floating point error in function: {shown}")
        result = {"LN": x.ln, "LOG10": x.log10}.get(operation, lambda: x.ln() / y.ln())()
    rounded = result.quantize(NINE_DECIMALS, rounding=ROUND_HALF_UP)
    if abs(rounded) >= NUMERIC_LIMIT:
        raise InvalidError(f"numeric overflow: {shown}")
    return rounded


_OPERATIONS = ("DIVIDE", "DIV", "POW", "SQRT", "EXP", "LN", "LOG10", "LOG")


def _numeric(operations: pa.Array, xs: pa.Array, ys: pa.Array) -> pa.Array:
    with localcontext() as context:
        context.prec = 80
        context.traps[Overflow] = True
        results = [
            None if None in (operation, x, y) else _numeric_value(operation, x, y)
            for operation, x, y in zip(
                operations.to_pylist(), xs.to_pylist(), ys.to_pylist(), strict=True
            )
        ]
    return pa.array(results, pa.decimal128(38, 9))


# PARSE_NUMERIC: a sign before or after the digits (spaces around it), commas in the whole part,
# an exponent; BigQuery's documented examples in tests/engine/test_conformance_numbers.
_PARSABLE = re.compile(
    r"\s*(?P<lead>[+-]?)\s*(?P<whole>[\d,]*)(?:\.(?P<fraction>\d*))?(?:[eE](?P<exp>[+-]?\d+))?"
    r"\s*(?P<trail>[+-]?)\s*"
)


def _parsed_decimal(text: str, kind: str, scale: int, limit: Decimal) -> Decimal:
    match = _PARSABLE.fullmatch(text)
    wrong = InvalidError(f"Invalid {kind} value: {text}")
    if not match or (match["lead"] and match["trail"]):
        raise wrong
    whole = match["whole"] or ""
    if whole.startswith(",") or (whole and not whole.replace(",", "")) or "." in whole:
        raise wrong
    digits = whole.replace(",", "") + "." + (match["fraction"] or "")
    if digits == ".":
        raise wrong
    number = Decimal(digits.rstrip(".") or "0") if digits != "." else Decimal(0)
    if match["exp"]:
        number = number.scaleb(int(match["exp"]))
    if "-" in (match["lead"], match["trail"]):
        number = -number
    rounded = number.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
    if abs(rounded) >= limit:
        raise wrong
    return rounded


def _parse_numeric(safe: bool) -> Any:
    def parse(text: str | None) -> Decimal | None:
        try:
            return None if text is None else _parsed_decimal(text, "NUMERIC", 9, NUMERIC_LIMIT)
        except InvalidError:
            if safe:
                return None
            raise

    def parse_all(texts: pa.Array) -> pa.Array:
        with localcontext() as context:
            context.prec = 100
            values = [parse(t) for t in texts.to_pylist()]
        return pa.array(values, pa.decimal128(38, 9))

    return parse_all


def _parse_numeric_call(self: Any, node: exp.ParseNumeric) -> str:
    safe = "safe_" if isinstance(node.parent, exp.SafeFunc) else ""
    return self.func(f"quarry_{safe}parse_numeric", node.this)


def _division(self: Any, node: exp.Div) -> str | None:
    # BigQuery's `/` by the operands' types: INT64 and FLOAT64 give FLOAT64, NUMERIC a NUMERIC
    # (DuckDB's is a DOUBLE), and a zero divisor fails with the values (the divide macro).
    if _aggregated(node):
        return None
    return self.func("quarry_divide", node.this, node.expression)


_NEGATIVE_HEX = re.compile(r"\s*-\s*0[xX]")
_INTEGER_TYPES = {exp.DataType.Type.BIGINT, exp.DataType.Type.INT}


def _int64_cast(self: Any, node: exp.Cast) -> str | None:
    # CAST(x AS INT64) by x's type, decided as DuckDB binds: see the int64 macro.
    if node.to.this not in _INTEGER_TYPES or node.this.is_int or _aggregated(node):
        return None
    if node.this.is_string and not _NEGATIVE_HEX.match(node.this.name):
        return None  # DuckDB reads the text as BigQuery does
    safe = "safe_" if isinstance(node, exp.TryCast) else ""
    return self.func(f"quarry_{safe}int64", node.this)


def _bignumeric(self: Any, node: exp.Expression) -> str | None:
    # DuckDB's DECIMAL stops at 38 digits; sqlglot would write BIGNUMERIC as DECIMAL(38, 5), which
    # rounds BIGNUMERIC '1.123456' silently. Refused until Quarry holds BIGNUMERIC's 76 digits.
    if isinstance(node, exp.DataType) and node.this != exp.DataType.Type.BIGDECIMAL:
        return None
    raise InvalidError(BIGNUMERIC_REFUSAL)


BIGNUMERIC_REFUSAL = (
    "BIGNUMERIC values are not supported by Quarry yet: DuckDB holds 38 digits, not "
    "BIGNUMERIC's 76 (use NUMERIC, or FLOAT64)"
)

REWRITES = {
    **_INTERVAL_REWRITES,
    exp.Div: _division,
    exp.DataType: _bignumeric,
    exp.Cast: _int64_cast,
    exp.TryCast: _int64_cast,
    exp.ParseBignumeric: _bignumeric,
    **_SAFE_TWINS,
    exp.SafeFunc: _safe,
    exp.SafeAdd: _try("+"),
    exp.SafeSubtract: _try("-"),
    exp.SafeMultiply: _try("*"),
    exp.SafeNegate: lambda self, node: f"TRY(0 - {self.sql(node, 'this')})",
    exp.ParseNumeric: _parse_numeric_call,
}

UDFS = [
    *_INTERVAL_UDFS,
    Udf(NUMERIC_UDF, _numeric, ["VARCHAR", NUMERIC, NUMERIC], NUMERIC),
    Udf("quarry_parse_numeric", _parse_numeric(safe=False), ["VARCHAR"], NUMERIC),
    Udf("quarry_safe_parse_numeric", _parse_numeric(True), ["VARCHAR"], NUMERIC, "special"),
]

# Function names as BigQuery spells them, for a refusal of a call no overload takes.
_PUBLIC_NAMES = {
    **{name: f"function {name.upper()}" for name in _MACROS},
    **{f"safe_{name}": f"function {name.upper()}" for name in _MACROS},
    "round_mode": "function ROUND",
    "safe_round_mode": "function ROUND",
    "int64": "CAST to INT64",
    "minus": "operator -",
}


def _no_signature(match: re.Match[str]) -> str:
    name = _PUBLIC_NAMES.get(match[1], f"function {match[1].upper()}")
    return f"No matching signature for {name} for the given argument types"


# DuckDB's words for an error -> BigQuery's (ZetaSQL's functions/arithmetics and math).
ERRORS: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(r"Overflow in (?:addition|subtraction|multiplication) of INT64 \((.+)\)!?"),
        r"int64 overflow: \1",
    ),
    # Inferred from ZetaSQL's UnaryMinus, which ABS calls: BigQuery's reference shows no example.
    (re.compile(r"Overflow on abs\((.+)\)"), r"int64 overflow: -(\1)"),
    (re.compile(r"Overflow in \w+ of DECIMAL\(38\).*"), "numeric overflow"),
    (
        re.compile(r"Could not convert string '(.*)' to INT64(?: when casting from .*)?", re.S),
        r"Bad int64 value: \1",
    ),
    (
        re.compile(r"""Could not convert string ["'](.*)["'] to DECIMAL\(38,9\)""", re.S),
        r"Invalid NUMERIC value: \1",
    ),
    # Inferred: BigQuery's words for a FLOAT64 past NUMERIC's range are not in its reference.
    (re.compile(r"Could not cast value (\S+) to DECIMAL\(38,9\)", re.S), r"numeric overflow: \1"),
    (
        re.compile(r"Division by zero in expression \((.+) % (.+)\)\..*"),
        r"division by zero: MOD(\1, \2)",
    ),
    (
        re.compile(r"Division by zero in expression \((.+) // (.+)\)\..*"),
        r"division by zero: \1 / \2",
    ),
    (
        re.compile(
            r"list_(?:cosine_)?distance: list dimensions must be equal, "
            r"got left length '(\d+)' and right length '(\d+)'"
        ),
        r"Array length mismatch: \1 and \2.",
    ),
    (
        re.compile(r"Macro quarry_(\w+)\(\) does not support the supplied arguments.*", re.S),
        _no_signature,
    ),
]

_OF_AGGREGATES = (
    "of an aggregate's or a window's value it is DuckDB's function: no BigQuery error for a "
    "value out of its domain, and an INT64 argument gives INT64 where BigQuery gives FLOAT64"
)
PARTIAL: dict[str, str] = {
    **{
        name: _OF_AGGREGATES
        for name in (
            "ROUND",
            "TRUNC",
            "CEIL",
            "FLOOR",
            "SIGN",
            "SQRT",
            "POW",
            "EXP",
            "LN",
            "LOG",
            "LOG10",
            "ACOS",
            "ASIN",
            "ACOSH",
            "ATANH",
            "COSH",
            "SINH",
            "TAN",
            "COT",
            "CSC",
            "SEC",
            "COTH",
            "CSCH",
            "SECH",
            "DIV",
            "RANGE_BUCKET",
            "COSINE_DISTANCE",
        )
    },
    "Subtraction operator": "of an aggregate's value (MAX(d) - MIN(d)) it is DuckDB's: DATE - "
    "DATE is an INT64 of days and TIMESTAMP - TIMESTAMP an INTERVAL of days, not BigQuery's "
    "INTERVAL of days and of hours",
    "Division operator": "of an aggregate's value a NUMERIC quotient is a FLOAT64 and a zero "
    "divisor is named by its SQL text, not its value",
    "Multiplication operator": "a NUMERIC product is exact to 18 decimals and rounded once, when "
    "the result is written (BigQuery rounds each product to 9), and fails with 'numeric "
    "overflow' past 20 digits before the point",
    "CAST": "BIGNUMERIC and BIGDECIMAL are refused",
    "LEAST": "a NaN argument does not make the result NaN (DuckDB orders NaN above every number)",
    "PARSE_BIGNUMERIC": "refused: Quarry holds no BIGNUMERIC values (DuckDB's DECIMAL stops at "
    "38 digits)",
    "INTERVAL": "an INTERVAL times or divided by a FLOAT64 is computed, where BigQuery refuses it",
}
