"""Parse a BigQuery script and check its functions, in BigQuery's words and with its positions."""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.tokens import Token, Tokenizer, TokenType

from console.engine.dialect import MLFunction, Quarry
from console.engine.transpile import ANONYMOUS_FUNCTIONS
from console.errors import InvalidError

KEYWORDS = {word for word in Tokenizer.KEYWORDS if word.isalpha()}

# Functions DuckDB would run against files or the network; DuckDB's own sandbox refuses them too.
REFUSED_FUNCTIONS = (exp.ReadCSV, exp.ReadParquet)

# BigQuery statements whose first word sqlglot reads as a plain identifier; any other identifier
# cannot start a statement.
STATEMENT_WORDS = frozenset(
    {"ASSERT", "BREAK", "CONTINUE", "IF", "ITERATE", "LEAVE", "RAISE", "RETURN", "UNDROP"}
)

# What an unclosed token is, by how it opens, in BigQuery's words.
UNCLOSED = {
    "`": "identifier literal",
    "/*": "comment",
    "'": "string literal",
    '"': "string literal",
}

# The largest integer literal BigQuery reads: INT64's, one more under a minus sign.
INT64_MAX = 2**63 - 1

DIALECT = Quarry()
# Brackets of any kind may nest this deep; more is refused before parsing (see _check_nesting).
MAX_NESTING = 50
# ... which takes sqlglot about 15 frames a level, more than Python's default limit of 1,000 leaves
# under a worker's own frames. Python-to-Python calls use no C stack since 3.11, so this is safe.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
OPENING = frozenset({TokenType.L_PAREN, TokenType.L_BRACKET, TokenType.L_BRACE})
CLOSING = frozenset({TokenType.R_PAREN, TokenType.R_BRACKET, TokenType.R_BRACE})


def parse_script(sql: str) -> list[exp.Expression]:
    """Parse a BigQuery script into statements, turning parser errors into BigQuery's wording."""
    if not sql.strip():
        raise InvalidError("Syntax error: Unexpected end of script at [1:1]")
    return parse_tokens(sql, tokenize(sql))


def parse_tokens(sql: str, tokens: list[Token]) -> list[exp.Expression]:
    """Parse some of a script's tokens (one or more statements) into sqlglot statements."""
    _check_statement_starts(sql, tokens)
    parser = DIALECT.parser()
    with _syntax_errors(sql, parser):
        statements = [s for s in parser.parse(tokens, sql) if s is not None]
    if not statements:
        raise InvalidError("Syntax error: Unexpected end of script at [1:1]")
    for statement in statements:
        _check_integer_literals(statement)
    return statements


def parse_expression(sql: str, tokens: list[Token]) -> exp.Expression:
    """Parse some of a script's tokens as one expression (a procedural statement's condition)."""
    parser = DIALECT.parser()
    with _syntax_errors(sql, parser):
        expression = parser.parse_into(exp.Condition, tokens, sql)[0]
    _check_integer_literals(expression)
    return expression


@contextlib.contextmanager
def _syntax_errors(sql: str, parser: Any) -> Iterator[None]:
    """Word what sqlglot's parser raises as BigQuery's syntax errors, with their positions."""
    try:
        yield
    except sqlglot.errors.ParseError as err:
        first = err.errors[0] if err.errors else {}
        got = first.get("highlight") or ""
        # sqlglot points at the end of the offending token; BigQuery at its start.
        column = max(1, first.get("col", 1) - max(len(got), 1) + 1)
        message = _syntax_message(first.get("description", str(err)), got)
        raise InvalidError(
            f"Syntax error: {message} at [{first.get('line', 1)}:{column}]"
        ) from None
    except RecursionError:
        raise InvalidError(
            f"Syntax error: Expressions are nested too deeply{token_location(parser._curr)}"
        ) from None
    except Exception:
        # sqlglot slips on some malformed input (a function given too few arguments) with a
        # Python error of its own; the token it stopped at is where the statement went wrong.
        raise InvalidError(
            f"Syntax error: Unexpected {describe(sql, parser._curr)}{token_location(parser._curr)}"
        ) from None


def tokenize(sql: str) -> list[Token]:
    """Return a script's tokens, or raise BigQuery's error for one left unclosed or nested
    too deeply."""
    tokenizer = DIALECT.tokenizer()
    try:
        tokens = tokenizer.tokenize(sql)
    except sqlglot.errors.TokenError:
        # The tokenizer stopped inside the token it could not finish; it starts at _start.
        start = getattr(tokenizer._core, "_start", 0)
        # A raw or bytes literal opens with its prefix: r'…', b"…", rb'…'.
        opening = re.match(r"[rRbB]{0,2}(`|/\*|'|\")", sql[start:])
        line = sql.count("\n", 0, start) + 1
        column = start - sql.rfind("\n", 0, start)
        if opening is None:
            raise InvalidError(f"Syntax error: Illegal input at [{line}:{column}]") from None
        raise InvalidError(
            f"Syntax error: Unclosed {UNCLOSED[opening.group(1)]} at [{line}:{column}]"
        ) from None
    _check_nesting(tokens)
    return tokens


def _check_nesting(tokens: list[Token]) -> None:
    """Refuse brackets nested deeper than MAX_NESTING before the parser recurses into them.

    sqlglot's parser recurses about 15 Python frames per level: left to the recursion limit, the
    depth it fails at would depend on the process (bigframes, once imported, raises the limit
    to 10 million, and a deep enough text then overflows the C stack instead).
    """
    depth = 0
    for token in tokens:
        if token.token_type in OPENING:
            depth += 1
            if depth > MAX_NESTING:
                raise InvalidError(
                    f"Syntax error: Expressions are nested too deeply{token_location(token)}"
                )
        elif token.token_type in CLOSING:
            depth -= 1


def _check_statement_starts(sql: str, tokens: list[Token]) -> None:
    """Refuse a statement that starts with an identifier or a literal (SELEC 1) as BigQuery does."""
    starts = [
        token
        for previous, token in zip([None, *tokens], tokens, strict=False)
        if previous is None or previous.token_type == TokenType.SEMICOLON
    ]
    for token in starts:
        text = _raw(sql, token)
        keyword = token.token_type not in (TokenType.VAR, TokenType.IDENTIFIER) and re.fullmatch(
            r"[A-Za-z_]+", text
        )
        if not (keyword or text == "(" or text.upper() in STATEMENT_WORDS):
            raise InvalidError(
                f"Syntax error: Unexpected {describe(sql, token)}{token_location(token)}"
            )


def _check_integer_literals(statement: exp.Expression) -> None:
    for literal in statement.find_all(exp.Literal):
        if not literal.is_int:
            continue
        negative = isinstance(literal.parent, exp.Neg)
        if int(literal.this) > INT64_MAX + negative:
            text = f"-{literal.this}" if negative else literal.this
            raise InvalidError(f"Invalid integer literal: {text}{location(literal)}")


def _raw(sql: str, token: Token) -> str:
    return sql[token.start : token.end + 1]


def describe(sql: str, token: Token | None) -> str:
    return _describe_token(_raw(sql, token)) if token is not None else "end of input"


def token_location(token: Token | None) -> str:
    """Return BigQuery's ` at [line:column]` for where token starts, or "" for none."""
    if token is None:
        return ""
    return f" at [{token.line}:{token.col - (token.end - token.start)}]"


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
    return " at [{}:{}]".format(*_start_of(meta)) if meta else ""


def earliest_location(node: exp.Expression) -> str:
    """Return BigQuery's ` at [line:column]` for the earliest place node's text covers (a
    qualified call `ds.f(x)` starts at `ds`, which is not the node sqlglot placed first)."""
    starts = [_start_of(meta) for meta in _metas(node)]
    return " at [{}:{}]".format(*min(starts)) if starts else ""


def _start_of(meta: dict[str, Any]) -> tuple[int, int]:
    # sqlglot records where a token ends; BigQuery reports where it starts.
    return meta["line"], meta["col"] - (meta.get("end", 0) - meta.get("start", 0))


def _metas(node: exp.Expression) -> Iterator[dict[str, Any]]:
    # Read without making an empty meta on every node, as node.meta would.
    for child in node.walk():
        meta = getattr(child, "_meta", None) or {}
        if "line" in meta:
            yield meta


def _first_meta(node: exp.Expression) -> dict[str, Any] | None:
    return next(_metas(node), None)


def called_name(node: exp.Anonymous) -> str:
    """Return the name a call is written with: NET.HOST, HLL_COUNT.INIT, or a plain name."""
    parent = node.parent
    if isinstance(parent, exp.NetFunc):
        return f"NET.{node.name}"
    if isinstance(parent, exp.Dot) and isinstance(parent.this, exp.Identifier):
        return f"{parent.this.name}.{node.name}"
    return node.name


def _unknown_table_function(relation: exp.Expression) -> bool:
    # sqlglot models some of BigQuery's table functions (AI.FORECAST, GAP_FILL, VECTOR_SEARCH)
    # that Quarry does not run; a call it does not model is an Anonymous, checked by its name.
    return isinstance(relation, exp.Func) and not isinstance(
        relation, (exp.Anonymous, MLFunction, *REFUSED_FUNCTIONS)
    )


def _call_location(node: exp.Anonymous) -> str:
    """Where a call starts: at its family's name for a dotted call (`NET.` or `HLL_COUNT.`)."""
    if isinstance(node.parent, exp.Dot):
        return earliest_location(node.parent)
    meta = _first_meta(node)
    if isinstance(node.parent, exp.NetFunc) and meta:
        # sqlglot keeps no position for NET itself, which comes right before the name.
        line, column = _start_of(meta)
        return f" at [{line}:{column - len('NET.')}]"
    return location(node)


def check_functions(tree: exp.Expression) -> None:
    """Refuse functions the engine does not know and table functions that read files."""
    for node in tree.walk():
        if isinstance(node, exp.Anonymous) and called_name(node).upper() not in ANONYMOUS_FUNCTIONS:
            raise InvalidError(f"Function not found: {called_name(node)}{_call_location(node)}")
        if isinstance(node, exp.Table) and _unknown_table_function(node.this):
            written = re.match(r"[A-Za-z_]\w*", node.this.sql(dialect=DIALECT))
            name = ".".join(filter(None, (node.db, written.group(0) if written else node.name)))
            # No position: sqlglot keeps none for the function's name.
            raise InvalidError(f"Table-valued function not found: {name}")
        if isinstance(node, REFUSED_FUNCTIONS):
            raise InvalidError(
                f"Function not found: {node.key.upper()}{location(node)}; Quarry reads only "
                "tables in its catalog"
            )
