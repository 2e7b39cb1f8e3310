"""GoogleSQL functions where DuckDB differs, one module per area of the function reference.

An area module may define any of:

- REWRITES: {sqlglot node type: Handler}; the handler returns the node's DuckDB SQL, or None to
  pass the node on. Several areas may rewrite one node type: their handlers are tried in the
  order of AREAS, then the transpiler's own, then sqlglot's DuckDB spelling.
- ANONYMOUS: {upper-case name: Handler} for BigQuery functions sqlglot parses as exp.Anonymous;
  check_functions lets exactly these names (and the transpiler's own) through.
- UDFS: [Udf]: Arrow functions every job's connection registers (engine/sandbox).
- MACROS: [CREATE MACRO statement]: DuckDB macros every job's connection creates, after the UDFS;
  their overloads by argument type (x VARCHAR / x BLOB) pick a STRING or a BYTES spelling.
- PARTIAL: {function name as BigQuery's reference spells it: what differs}, for docs/sql-coverage.

No area imports another area, the transpiler or the sandbox: they sit below both.
"""

from __future__ import annotations

from console.engine.functions import arrays, datetimes, json_values, net, numbers, strings
from console.engine.functions.base import Handler, Udf

AREAS = (datetimes, json_values, strings, arrays, numbers, net)

REWRITES: dict[type, list[Handler]] = {}
ANONYMOUS: dict[str, Handler] = {}
UDFS: list[Udf] = []
MACROS: list[str] = []
PARTIAL: dict[str, str] = {}

for _area in AREAS:
    for _kind, _handler in getattr(_area, "REWRITES", {}).items():
        REWRITES.setdefault(_kind, []).append(_handler)
    for _name, _handler in getattr(_area, "ANONYMOUS", {}).items():
        assert _name not in ANONYMOUS, f"{_name} is defined by two areas"
        ANONYMOUS[_name] = _handler
    UDFS.extend(getattr(_area, "UDFS", []))
    MACROS.extend(getattr(_area, "MACROS", []))
    PARTIAL.update(getattr(_area, "PARTIAL", {}))
