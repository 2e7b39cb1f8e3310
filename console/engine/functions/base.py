"""What every area of GoogleSQL's functions is made of: rewrite handlers and Arrow UDFs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB

# (generator, node) -> the node's DuckDB SQL, or None to leave it to the next handler (and in the
# end to sqlglot's own DuckDB spelling).
Handler = Callable[[Any, Any], str | None]


def duckdb_handler(kind: type[exp.Expression]) -> Handler:
    """Return sqlglot's DuckDB handler for a node type, found as its generator finds it."""
    return (
        DuckDB.Generator.TRANSFORMS.get(kind)
        or getattr(DuckDB.Generator, f"{kind.key}_sql", None)
        or DuckDB.Generator.function_fallback_sql
    )


@dataclass(frozen=True)
class Udf:
    """A function registered on every job's DuckDB connection, vectorised over Arrow arrays.

    Its name starts with `quarry_` and is never a name user SQL can call: check_functions lets
    only ANONYMOUS names through, and a handler spells the call.
    """

    name: str
    function: Callable[..., Any]
    parameters: list[str] | None  # DuckDB type names; None for any
    returns: str
    # "special": the function sees NULLs itself (it must, to raise on them or to return non-NULL).
    null_handling: str = "default"
    side_effects: bool = False
