"""Parse a BigQuery script and check its functions, in BigQuery's words and with its positions."""

from __future__ import annotations

import re
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.tokens import Tokenizer

from console.engine.dialect import Quarry
from console.engine.transpile import ANONYMOUS_FUNCTIONS
from console.errors import InvalidError

KEYWORDS = {word for word in Tokenizer.KEYWORDS if word.isalpha()}

# Functions DuckDB would run against files or the network; DuckDB's own sandbox refuses them too.
REFUSED_FUNCTIONS = (exp.ReadCSV, exp.ReadParquet)


def parse_script(sql: str) -> list[exp.Expression]:
    """Parse a BigQuery script into statements, turning parser errors into BigQuery's wording."""
    if not sql.strip():
        raise InvalidError("Syntax error: Unexpected end of script at [1:1]")
    try:
        statements = [s for s in sqlglot.parse(sql, read=Quarry) if s is not None]
    except sqlglot.errors.ParseError as err:
        first = err.errors[0] if err.errors else {}
        got = first.get("highlight") or ""
        # sqlglot points at the end of the offending token; BigQuery at its start.
        column = max(1, first.get("col", 1) - max(len(got), 1) + 1)
        message = _syntax_message(first.get("description", str(err)), got)
        raise InvalidError(
            f"Syntax error: {message} at [{first.get('line', 1)}:{column}]"
        ) from None
    except sqlglot.errors.TokenError as err:
        raise InvalidError(f"Syntax error: {err}") from None
    if not statements:
        raise InvalidError("Syntax error: Unexpected end of script at [1:1]")
    return statements


def _describe_token(text: str) -> str:
    """Name a token as BigQuery's messages do: keyword WHERE, identifier "x", string literal."""
    if not text:
        return "end of input"
    if text.upper() in KEYWORDS:
        return f"keyword {text.upper()}"
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|`[^`]*`", text):
        return f'identifier "{text.strip("`")}"'
    if re.fullmatch(r"'.*'|\".*\"", text, flags=re.DOTALL):
        return f"string literal {text}"
    if re.fullmatch(r"[0-9.]+", text):
        return f'integer literal "{text}"' if text.isdigit() else f'floating point literal "{text}"'
    return f'"{text}"'


def _syntax_message(description: str, got: str) -> str:
    # sqlglot sometimes appends its own "but got <Token ...>": the token is named below instead.
    expected = re.match(r"Expect(?:ing|ed) (.+?)(?: but got .*)?\.?$", description, re.DOTALL)
    if expected:
        return f"Expected {expected.group(1)} but got {_describe_token(got)}"
    return f"Unexpected {_describe_token(got)}"


def location(node: exp.Expression) -> str:
    """Return BigQuery's ` at [line:column]` for where node started in the SQL, or "" if unknown."""
    meta = _first_meta(node)
    if not meta:
        return ""
    # sqlglot records where a token ends; BigQuery reports where it starts.
    width = meta.get("end", 0) - meta.get("start", 0)
    return f" at [{meta['line']}:{meta['col'] - width}]"


def _first_meta(node: exp.Expression) -> dict[str, Any] | None:
    for child in node.walk():
        meta = getattr(child, "_meta", None) or {}
        if "line" in meta:
            return meta
    return None


def check_functions(tree: exp.Expression) -> None:
    """Refuse functions the engine does not know and table functions that read files."""
    for node in tree.walk():
        if isinstance(node, exp.Anonymous) and node.name.upper() not in ANONYMOUS_FUNCTIONS:
            raise InvalidError(f"Function not found: {node.name}{location(node)}")
        if isinstance(node, REFUSED_FUNCTIONS):
            raise InvalidError(
                f"Function not found: {node.key.upper()}{location(node)}; Quarry reads only "
                "tables in its catalog"
            )
