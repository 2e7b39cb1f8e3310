"""What every area of GoogleSQL's functions is made of: rewrite handlers and Arrow UDFs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB

from console.errors import InvalidError

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


def arguments(function: str, call: exp.Expression, counts: tuple[int, ...]) -> list[Any]:
    """Return a call's arguments, refusing in BigQuery's words a count the function lacks."""
    given = list(call.expressions) if isinstance(call, exp.Anonymous) else [call.this]
    if len(given) not in counts:
        raise InvalidError(
            f"No matching signature for function {function}: it takes "
            f"{' or '.join(map(str, counts))} argument{'s' if counts != (1,) else ''}, "
            f"got {len(given)}"
        )
    return given


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
