"""CALL statements: BigQuery's system procedures that Quarry has (BQ.ABORT_SESSION).

sqlglot leaves `CALL ...` as a command holding its text; the text is matched here and never
reaches DuckDB.
"""

from __future__ import annotations

import re

from sqlglot import exp

from console.engine.query import Context
from console.errors import InvalidError, NotFoundError

# `BQ.ABORT_SESSION()` or `BQ.ABORT_SESSION('id')`, the procedure's name in any case.
_ABORT_SESSION = re.compile(
    r"""\s*`?BQ\.ABORT_SESSION`?\s*\(\s*(?:'(?P<single>[^']*)'|"(?P<double>[^"]*)")?\s*\)\s*""",
    re.IGNORECASE,
)


def is_call(statement: exp.Expression) -> bool:
    return isinstance(statement, exp.Command) and str(statement.this).upper() == "CALL"


def run_call(ctx: Context, statement: exp.Command) -> None:
    """CALL BQ.ABORT_SESSION([session_id]): end the job's session, or the one named."""
    text = statement.expression.name if statement.expression is not None else ""
    matched = _ABORT_SESSION.fullmatch(text)
    if matched is None:
        name = text.split("(")[0].strip() or "?"
        if name.upper().startswith("BQ."):
            raise NotFoundError(
                f"Not found: Procedure {name}{ctx.location(statement)}; Quarry has the system "
                "procedure BQ.ABORT_SESSION"
            )
        raise InvalidError(
            f"CALL {name}{ctx.location(statement)} is not supported by Quarry: it has no stored "
            "procedures, only the system procedure BQ.ABORT_SESSION"
        )
    if ctx.run is None:
        return
    ctx.run.abort_session(matched["single"] or matched["double"] or None)
