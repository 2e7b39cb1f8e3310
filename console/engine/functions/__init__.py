"""GoogleSQL functions where DuckDB differs, one module per area of the function reference.

An area module may define any of:

- REWRITES: {sqlglot node type: Handler}; the handler returns the node's DuckDB SQL, or None to
  pass the node on. Several areas may rewrite one node type: their handlers are tried in the
  order of AREAS, then the transpiler's own, then sqlglot's DuckDB spelling.
- ANONYMOUS: {upper-case name: Handler} for BigQuery functions sqlglot parses as exp.Anonymous;
  check_functions lets exactly these names (and the transpiler's own) through.
- UDFS: [Udf]: Arrow functions every job's connection registers (engine/sandbox).
- MACROS: {name: SQL}: DuckDB macros (CREATE MACRO IF NOT EXISTS quarry_...), for functions
  whose BigQuery result type follows the argument's: DuckDB picks an overload by type (x VARCHAR
  / x BLOB for STRING or BYTES, BIGINT / DECIMAL for INT64 or NUMERIC). A job's connection
  creates those a statement names, and those their bodies name, just before running it
  (macros_for): creating them all would cost every job a tenth of a second.
- ERRORS: [(pattern, replacement)]: DuckDB's message of a failure (the whole message matched) and
  BigQuery's words for it, a template or a function of the match.
- PARTIAL: {function name as BigQuery's reference spells it: what differs}, for docs/sql-coverage.

No area imports another area, the transpiler or the sandbox: they sit below both.
"""

from __future__ import annotations

import re
from typing import Any

from console.engine.functions import arrays, datetimes, json_values, net, numbers, strings
from console.engine.functions.base import Handler, Udf

AREAS = (datetimes, json_values, strings, arrays, numbers, net)

REWRITES: dict[type, list[Handler]] = {}
ANONYMOUS: dict[str, Handler] = {}
UDFS: list[Udf] = []
PARTIAL: dict[str, str] = {}
MACROS: dict[str, str] = {}
ERRORS: list[tuple[re.Pattern[str], Any]] = []

for _area in AREAS:
    for _kind, _handler in getattr(_area, "REWRITES", {}).items():
        REWRITES.setdefault(_kind, []).append(_handler)
    for _name, _handler in getattr(_area, "ANONYMOUS", {}).items():
        assert _name not in ANONYMOUS, f"{_name} is defined by two areas"
        ANONYMOUS[_name] = _handler
    UDFS.extend(getattr(_area, "UDFS", []))
    PARTIAL.update(getattr(_area, "PARTIAL", {}))
    _macros = getattr(_area, "MACROS", {})
    assert not _macros.keys() & MACROS.keys(), "a macro is defined by two areas"
    MACROS.update(_macros)
    ERRORS.extend(getattr(_area, "ERRORS", []))


_QUARRY_NAME = re.compile(r"\bquarry_\w+", re.IGNORECASE)


def macros_for(sql: str) -> list[str]:
    """Return the statements creating the macros DuckDB SQL calls, directly or through another
    macro's body, each after the macros its own body calls."""
    ordered: list[str] = []
    seen: set[str] = set()

    def visit(text: str) -> None:
        for name in _QUARRY_NAME.findall(text):
            name = name.lower()
            if name in MACROS and name not in seen:
                seen.add(name)
                visit(MACROS[name])
                ordered.append(MACROS[name])

    visit(sql)
    return ordered


def bigquery_message(message: str) -> str:
    """Return BigQuery's words for DuckDB's message of a failure, or the message as it is."""
    for pattern, replacement in ERRORS:
        match = pattern.fullmatch(message)
        if match:
            return match.expand(replacement) if isinstance(replacement, str) else replacement(match)
    return message
